/**
 * `ecr-scan gate --output sarif` and `--output junit` (run in-process) against the emulator: the SARIF log
 * validated against the official SARIF 2.1.0 JSON schema (OASIS errata01, draft-04, in fixtures/) and checked
 * for what GitHub code scanning needs; the JUnit XML read back with an XML parser (counts, one failure per
 * blocking finding, escaping); and the pure renderers of GateReports.ts.
 */
import AjvDraft04 from "ajv-draft-04"
import AjvFormats from "ajv-formats"
import { XMLParser } from "fast-xml-parser"
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import * as GateReports from "../../packages/cli/src/GateReports.js"
import { VERSION } from "../../packages/cli/src/Version.js"
import { imageManifest } from "../support/emulator.js"
import { gate, linesOf, scannedWith, type World, worlds } from "./support.js"

const SCHEMA = JSON.parse(
  await readFile(new URL("./fixtures/sarif-schema-2.1.0.json", import.meta.url), "utf8")
) as Record<string, unknown>

// CommonJS modules whose `default` export is also their `module.exports`: `.default` is the class and the plugin.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false })
AjvFormats.default(ajv)
const validateSarif = ajv.compile(SCHEMA)

/** Whether `log` is valid SARIF 2.1.0 by the official schema; the schema's errors when not. */
const expectValidSarif = (log: unknown) => {
  const valid = validateSarif(log)
  expect(validateSarif.errors ?? []).toEqual([])
  expect(valid).toBe(true)
}

// A package name with the characters XML must escape, as a scanner could report it.
const NASTY = "lib<&\"x'>"

const FINDINGS = [
  {
    name: "CVE-2026-0002",
    severity: "HIGH",
    uri: "https://example.com/CVE-2026-0002?a=1&b=2",
    attributes: [
      { key: "package_name", value: "zlib" },
      { key: "package_version", value: "1.2.11" },
      { key: "CVSS3_SCORE", value: "7.5" }
    ]
  },
  {
    name: "CVE-2026-0001",
    severity: "CRITICAL",
    attributes: [{ key: "package_name", value: "openssl" }, { key: "package_version", value: "3.0.1" }]
  },
  {
    name: "CVE-2026-0001",
    severity: "CRITICAL",
    attributes: [{ key: "package_name", value: NASTY }, { key: "package_version", value: "1.0<beta>" }]
  },
  { name: "CVE-2026-0004", severity: "MEDIUM", attributes: [{ key: "package_name", value: "curl" }] },
  { name: "CVE-2026-0003", severity: "LOW", attributes: [{ key: "package_name", value: "bash" }] }
]

/** A completed scan of `<repositoryName>:v1` with this file's findings. */
const scanned = (world: World, repositoryName: string, n: number) => scannedWith(world, repositoryName, n, FINDINGS)

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => name === "testcase" })

describe.concurrent("ecr-scan gate --output sarif|junit", () => {
  const { file, world } = worlds()

  it("sarif: valid by the official schema; a rule per id, a result per blocking finding, at the image", async () => {
    const w = await world()
    const digest = await scanned(w, "gate/sarif", 61)
    const finished = await w.ecrScan(gate("gate/sarif", "--fail-on", "LOW", "--output", "sarif"))
    expect(finished.code).toBe(1)
    const log = JSON.parse(finished.stdout)
    expectValidSarif(log)
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json")
    expect(log.version).toBe("2.1.0")
    expect(log.runs).toHaveLength(1)
    const [run] = log.runs
    expect(run.tool.driver).toMatchObject({ name: "ecr-scan", version: VERSION })
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//)
    // One rule per id: CVE-2026-0001 blocks twice (two packages) but is one rule.
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual([
      "CVE-2026-0001",
      "CVE-2026-0002",
      "CVE-2026-0004",
      "CVE-2026-0003"
    ])
    const zlib = run.tool.driver.rules[1]
    expect(zlib).toMatchObject({
      shortDescription: { text: expect.stringContaining("CVE-2026-0002") },
      helpUri: "https://example.com/CVE-2026-0002?a=1&b=2",
      properties: { "security-severity": "7.5", tags: ["security", "HIGH"] }
    })
    expect(run.tool.driver.rules[0].properties).not.toHaveProperty("security-severity")
    expect(run.tool.driver.rules[0]).not.toHaveProperty("helpUri")
    expect(run.results.map((r: any) => [r.ruleId, r.level])).toEqual([
      ["CVE-2026-0001", "error"],
      ["CVE-2026-0001", "error"],
      ["CVE-2026-0002", "error"],
      ["CVE-2026-0004", "warning"],
      ["CVE-2026-0003", "note"]
    ])
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId)
      expect(result.locations).toHaveLength(1)
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(`gate/sarif@${digest}`)
      expect(result.locations[0].physicalLocation.region.startLine).toBe(1)
      expect(Object.keys(result.partialFingerprints)).toHaveLength(1)
    }
    const fingerprints = run.results.map((r: any) => Object.values(r.partialFingerprints)[0])
    expect(new Set(fingerprints).size).toBe(fingerprints.length)
    expect(run.results[2].message.text).toContain("zlib version 1.2.11")
    expect(run.results[2].message.text).toContain("no fixed version known")
    // The verdict's text summary does not go to stdout with the report.
    expect(finished.stdout).not.toContain("BLOCKED")
  })

  it("sarif: a pass is a valid log with no results; --output-file takes it, the summary on stdout", async () => {
    const w = await world()
    await scanned(w, "gate/sarif-pass", 62)
    const path = await file("gate.sarif", "")
    const finished = await w.ecrScan(
      gate("gate/sarif-pass", "--max", "CRITICAL=2", "--output", "sarif", "--output-file", path)
    )
    expect(finished.code).toBe(0)
    const log = JSON.parse(await readFile(path, "utf8"))
    expectValidSarif(log)
    expect(log.runs[0].results).toEqual([])
    expect(log.runs[0].tool.driver.rules).toEqual([])
    expect(linesOf(finished.stdout)[0]).toMatch(/^PASSED {2}gate\/sarif-pass:v1/)
  })

  it("sarif: no findings to judge (exit 3) is a valid log whose invocation did not succeed", async () => {
    const w = await world()
    await w.given("gate/sarif-noscan", [imageManifest(63)])
    const finished = await w.ecrScan(gate("gate/sarif-noscan", "--no-start-scan", "--output", "sarif"))
    expect(finished.code).toBe(3)
    const log = JSON.parse(finished.stdout)
    expectValidSarif(log)
    expect(log.runs[0].results).toEqual([])
    expect(log.runs[0].invocations[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [{ level: "error", descriptor: { id: "NoScan" } }]
    })
  })

  it("junit: one testsuite, a failing testcase per blocking finding, escaped text read back intact", async () => {
    const w = await world()
    const digest = await scanned(w, "gate/junit", 64)
    const finished = await w.ecrScan(gate("gate/junit", "--fail-on", "HIGH", "--output", "junit"))
    expect(finished.code).toBe(1)
    expect(finished.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /)
    // The raw XML holds no unescaped special character from the finding.
    expect(finished.stdout).not.toContain(NASTY)
    expect(finished.stdout).toContain("lib&lt;&amp;&quot;x&apos;&gt;")
    const doc = xml.parse(finished.stdout)
    const suite = doc.testsuites.testsuite
    expect(suite["@name"]).toBe(`ecr-scan gate: gate/junit@${digest}`)
    expect(suite["@tests"]).toBe("3")
    expect(suite["@failures"]).toBe("3")
    expect(doc.testsuites["@tests"]).toBe("3")
    expect(doc.testsuites["@failures"]).toBe("3")
    const cases = suite.testcase as Array<any>
    expect(cases.map((c) => [c["@classname"], c["@name"], c.failure["@type"]])).toEqual([
      ["gate/junit", `CVE-2026-0001 ${NASTY}`, "CRITICAL"],
      ["gate/junit", "CVE-2026-0001 openssl", "CRITICAL"],
      ["gate/junit", "CVE-2026-0002 zlib", "HIGH"]
    ])
    expect(cases[0].failure["@message"]).toContain(`in package ${NASTY} version 1.0<beta>`)
    expect(cases[0].failure["#text"]).toContain(NASTY)
    expect(cases[2].failure["#text"]).toContain("https://example.com/CVE-2026-0002?a=1&b=2")
  })

  it("junit: a passing gate is one passing testcase", async () => {
    const w = await world()
    await scanned(w, "gate/junit-pass", 65)
    const finished = await w.ecrScan(
      gate("gate/junit-pass", "--ignore", "CVE-2026-0001", "--output", "junit")
    )
    expect(finished.code).toBe(0)
    const suite = xml.parse(finished.stdout).testsuites.testsuite
    expect(suite["@tests"]).toBe("1")
    expect(suite["@failures"]).toBe("0")
    expect(suite.testcase).toHaveLength(1)
    expect(suite.testcase[0]).not.toHaveProperty("failure")
    expect(suite.testcase[0]["@classname"]).toBe("gate/junit-pass")
  })

  it("junit: no findings to judge (exit 3) is one testcase in error", async () => {
    const w = await world()
    await w.given("gate/junit-noscan", [imageManifest(66)])
    const finished = await w.ecrScan(gate("gate/junit-noscan", "--no-start-scan", "--output", "junit"))
    expect(finished.code).toBe(3)
    const doc = xml.parse(finished.stdout)
    expect(doc.testsuites.testsuite).toMatchObject({ "@tests": "1", "@failures": "0", "@errors": "1" })
    expect(doc.testsuites.testsuite.testcase[0].error["@type"]).toBe("NoScan")
  })
})

describe("GateReports", () => {
  it("the schema bites: a log without a run's tool, or with an unknown level, is refused", () => {
    expect(validateSarif({ version: "2.1.0", runs: [{ results: [] }] })).toBe(false)
    expect(validateSarif({
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, level: "fatal" }] }]
    })).toBe(false)
    expect(validateSarif({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [] }] })).toBe(true)
  })

  it("levelOf: CRITICAL and HIGH error, MEDIUM warning, the rest note", () => {
    expect(
      ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"].map((s) => GateReports.levelOf(s as "LOW"))
    ).toEqual(["error", "error", "warning", "note", "note", "note"])
  })

  it("escapeXml: the five special characters, and characters XML cannot hold dropped", () => {
    expect(GateReports.escapeXml("a<b&c\"d'e>f\u0001g\th")).toBe("a&lt;b&amp;c&quot;d&apos;e&gt;fg\th")
  })

  it("sarif: fixed-in version and score, an image without a digest named by its tag", () => {
    const log = GateReports.sarif({
      image: { repositoryName: "shop/api", imageDigest: undefined },
      scan: { status: "COMPLETE", completedAt: undefined, started: false },
      verdict: {
        verdict: "BLOCKED",
        blocking: [{
          id: "CVE-2026-0009",
          severity: "INFORMATIONAL",
          package: "glibc",
          version: "2.35",
          fixedInVersion: "2.36",
          score: 3,
          kind: "enhanced"
        }],
        ignored: [],
        counts: { found: {}, ignored: {}, blocking: {} } as any,
        appliedIgnores: [],
        expiredIgnores: [],
        unusedIgnores: [],
        reasons: ["1 INFORMATIONAL finding at or above INFORMATIONAL"]
      }
    }, ["v7"])
    expectValidSarif(log)
    const [result] = log.runs[0].results
    expect(result.level).toBe("note")
    expect(result.message.text).toContain("fixed in version 2.36")
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe("shop/api:v7")
    expect(log.runs[0].tool.driver.rules[0].properties).toMatchObject({
      "security-severity": "3.0",
      tags: ["security", "INFORMATIONAL"]
    })
  })
})
