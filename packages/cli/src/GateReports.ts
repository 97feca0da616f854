/**
 * The gate's machine-readable reports, pure: SARIF 2.1.0 for GitHub code scanning (one rule per vulnerability
 * id, one result per blocking finding, located at the image as Trivy does for container images, line 1) and
 * JUnit XML (one failing test case per blocking finding, or one passing case when nothing blocks).
 *
 * @since 0.1.0
 */
import type { ScanGate, ScanPolicy } from "@ecr-scan/core"
import { VERSION } from "./Version.js"

/** Where the tool's documentation lives (SARIF `tool.driver.informationUri`). */
export const INFORMATION_URI = "https://github.com/ecr-scan/ecr-scan"

/** The image a report names: `<repository>@<digest>`, else `<repository>:<tag>`, else the repository. */
export const imageName = (image: ScanGate.GateResult["image"], imageTags?: ReadonlyArray<string>): string => {
  const { imageDigest, repositoryName } = image
  if (imageDigest !== undefined) return `${repositoryName}@${imageDigest}`
  return imageTags === undefined || imageTags.length === 0 ? repositoryName : `${repositoryName}:${imageTags[0]}`
}

/** A finding's SARIF level: CRITICAL and HIGH `error`, MEDIUM `warning`, the rest `note`. */
export const levelOf = (severity: ScanPolicy.Severity): "error" | "warning" | "note" =>
  severity === "CRITICAL" || severity === "HIGH" ? "error" : severity === "MEDIUM" ? "warning" : "note"

/** One line on a finding: its id, severity, package and version, and the version that fixes it. */
export const describeFinding = (f: ScanPolicy.Finding): string => {
  const pkg = f.package === undefined
    ? ""
    : ` in package ${f.package}${f.version === undefined ? "" : ` version ${f.version}`}`
  const fixed = f.fixedInVersion === undefined ? "no fixed version known" : `fixed in version ${f.fixedInVersion}`
  return `${f.id} (${f.severity})${pkg}: ${fixed}.`
}

const ruleOf = (f: ScanPolicy.Finding) => {
  const text = `${f.id} (${f.severity})`
  return {
    id: f.id,
    name: f.id,
    shortDescription: { text },
    fullDescription: { text },
    ...(f.uri === undefined ? {} : { helpUri: f.uri }),
    help: {
      text: `${text}${f.uri === undefined ? "" : `: ${f.uri}`}`,
      markdown: f.uri === undefined ? text : `[${f.id}](${f.uri}) (${f.severity})`
    },
    defaultConfiguration: { level: levelOf(f.severity) },
    properties: {
      ...(f.score === undefined ? {} : { "security-severity": f.score.toFixed(1) }),
      precision: "very-high",
      tags: ["security", f.severity]
    }
  }
}

/** The `tool` of a SARIF run: `ecr-scan` and its rules. */
const sarifTool = <Rule>(rules: ReadonlyArray<Rule>) => ({
  driver: { name: "ecr-scan", informationUri: INFORMATION_URI, version: VERSION, rules }
})

/** A SARIF 2.1.0 log of one run. */
const sarifLog = <Run>(run: Run) => ({
  $schema: "https://json.schemastore.org/sarif-2.1.0.json",
  version: "2.1.0" as const,
  runs: [run]
})

/** The SARIF 2.1.0 log of a verdict: one run of `ecr-scan`, one result per blocking finding. */
export const sarif = (result: ScanGate.GateResult, imageTags?: ReadonlyArray<string>) => {
  const image = imageName(result.image, imageTags)
  const rules: Array<ReturnType<typeof ruleOf>> = []
  const ruleIndex = new Map<string, number>()
  for (const f of result.verdict.blocking) {
    if (ruleIndex.has(f.id)) continue
    ruleIndex.set(f.id, rules.length)
    rules.push(ruleOf(f))
  }
  return sarifLog({
    tool: sarifTool(rules),
    results: result.verdict.blocking.map((f) => ({
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id) ?? 0,
      level: levelOf(f.severity),
      message: { text: `${describeFinding(f)} Image: ${image}.` },
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: image },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }
        },
        message: { text: `${image}: ${f.package ?? f.id}${f.version === undefined ? "" : `@${f.version}`}` }
      }],
      partialFingerprints: {
        "ecrScanFinding/v1": [result.image.repositoryName, f.id, f.package ?? "", f.version ?? ""].join("|")
      }
    }))
  })
}

/**
 * The SARIF 2.1.0 log when there are no findings to judge (exit 3): a run without results whose invocation
 * did not succeed, saying why, so that an upload does not read as "no vulnerabilities".
 */
export const sarifNoFindings = (image: string, reason: string, message: string) =>
  sarifLog({
    tool: sarifTool([]),
    invocations: [{
      executionSuccessful: false,
      toolExecutionNotifications: [{
        level: "error" as const,
        descriptor: { id: reason },
        message: { text: `${image}: ${message}` }
      }]
    }],
    results: []
  })

/** Text made safe for XML content and attribute values: `&`, `<`, `>`, `"` and `'` escaped. */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;" })[c]!)
    // Characters XML 1.0 cannot hold at all are dropped.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")

/** A JUnit XML document of one suite, `ecr-scan gate: <image>`, of `cases` (lines of XML) with their totals. */
const junitDocument = (
  image: string,
  totals: { readonly tests: number; readonly failures: number; readonly errors: number },
  cases: ReadonlyArray<string>
): string => {
  const counts = `tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="0" time="0"`
  return [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    `<testsuites name="ecr-scan" ${counts}>`,
    `  <testsuite name="${escapeXml(`ecr-scan gate: ${image}`)}" ${counts}>`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    ""
  ].join("\n")
}

/** The JUnit XML report of a verdict: one failing test case per blocking finding, or one passing case. */
export const junit = (result: ScanGate.GateResult, imageTags?: ReadonlyArray<string>): string => {
  const image = imageName(result.image, imageTags)
  const repository = escapeXml(result.image.repositoryName)
  const { blocking } = result.verdict
  const cases = blocking.length === 0
    ? [`    <testcase classname="${repository}" name="${escapeXml(`${image} passed the gate`)}" time="0"/>`]
    : blocking.map((f) => {
      const name = escapeXml(`${f.id}${f.package === undefined ? "" : ` ${f.package}`}`)
      const description = describeFinding(f)
      const body = `${description}${f.uri === undefined ? "" : `\n${f.uri}`}\nImage: ${image}`
      return [
        `    <testcase classname="${repository}" name="${name}" time="0">`,
        `      <failure message="${escapeXml(description)}" type="${f.severity}">${escapeXml(body)}</failure>`,
        "    </testcase>"
      ].join("\n")
    })
  return junitDocument(image, { tests: Math.max(1, blocking.length), failures: blocking.length, errors: 0 }, cases)
}

/** The JUnit XML report when there are no findings to judge (exit 3): one test case in error, saying why. */
export const junitNoFindings = (repositoryName: string, image: string, reason: string, message: string): string =>
  junitDocument(image, { tests: 1, failures: 0, errors: 1 }, [
    `    <testcase classname="${escapeXml(repositoryName)}" name="${
      escapeXml(`${image} has findings to judge`)
    }" time="0">`,
    `      <error message="${escapeXml(message)}" type="${escapeXml(reason)}">${escapeXml(message)}</error>`,
    "    </testcase>"
  ])
