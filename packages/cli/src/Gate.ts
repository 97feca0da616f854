/**
 * `ecr-scan gate`: `ScanGate.check` on the chosen backend, its verdict as a report (text, JSON, or SARIF
 * and JUnit XML from GateReports.ts) and an exit code: 0 passed, 1 blocked, 3 no findings to judge (a final
 * status, no scan, or the timeout), 252 a usage error, 254 a service error, 255 anything else. Loaded only
 * when `gate` runs (GateCommand.ts).
 *
 * @since 0.1.0
 */
import { Api, type Errors, ImageScanner, ScanGate, ScanPolicy } from "@ecr-scan/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Backend from "./Backend.js"
import * as CliFailure from "./CliFailure.js"
import * as Commands from "./Commands.js"
import * as GateReports from "./GateReports.js"
import * as OperationCommand from "./OperationCommand.js"
import { timestamp } from "./Output.js"
import * as Stdio from "./Stdio.js"

/** The exit codes of a gate's verdicts. */
export const GateExit = { passed: 0, blocked: 1, noFindings: 3 } as const

/** What `gate` was given on the command line. */
export interface GateArgs extends Backend.BackendChoice {
  readonly registryId: Option.Option<string>
  readonly repositoryName: string
  readonly imageId: string
  readonly failOn: Option.Option<ScanPolicy.Severity>
  readonly max: Option.Option<string>
  readonly ignore: ReadonlyArray<string>
  readonly ignoreFile: Option.Option<string>
  readonly errorOnUnusedIgnores: boolean
  readonly noStartScan: boolean
  readonly timeout: string
  readonly output: "text" | "json" | "sarif" | "junit"
  readonly outputFile: Option.Option<string>
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/** A duration as typed on a command line (`500ms`, `5s`, `2m30s`, `1h`) in milliseconds, or what is wrong. */
export const parseTimeout = (text: string): Either.Either<number, string> => {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  const whole = parts.map((p) => p[0]).join("")
  if (parts.length === 0 || whole !== text.trim()) {
    return Either.left(`expected a duration such as 30s, 10m or 1m30s, got '${text}'`)
  }
  const millis = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]], 0)
  return millis > 0 ? Either.right(millis) : Either.left("the duration must be more than zero")
}

/** Reads spaced every 5 seconds (or every `timeout`, if shorter), as many as fit in `timeout`. */
export const scheduleOf = (timeoutMillis: number): Schedule.Schedule<unknown, unknown> => {
  const spacing = Math.min(5_000, timeoutMillis)
  return Schedule.intersect(
    Schedule.spaced(Duration.millis(spacing)),
    Schedule.recurs(Math.max(0, Math.floor(timeoutMillis / spacing)))
  )
}

/** `--max CRITICAL=0,HIGH=5` as the policy's maximums, or what is wrong. */
export const parseMax = (text: string): Either.Either<ScanPolicy.MaxCounts, string> => {
  const record: Record<string, number> = {}
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const match = /^([A-Za-z]+)=(\d+)$/.exec(part)
    if (match === null) return Either.left(`expected SEVERITY=COUNT[,SEVERITY=COUNT...], got '${part}'`)
    const severity = match[1].toUpperCase()
    if (!ScanPolicy.SEVERITIES_DESCENDING.includes(severity as ScanPolicy.Severity)) {
      return Either.left(`unknown severity '${match[1]}' (one of ${ScanPolicy.SEVERITIES_DESCENDING.join(", ")})`)
    }
    record[severity] = Number(match[2])
  }
  if (Object.keys(record).length === 0) return Either.left(`expected SEVERITY=COUNT[,SEVERITY=COUNT...], got '${text}'`)
  return Either.mapLeft(
    Schema.decodeUnknownEither(ScanPolicy.MaxCounts)(record),
    (error) => ParseResult.TreeFormatter.formatErrorSync(error)
  )
}

/** What an ignore file holds: a list of ignore entries, or a whole policy. */
const IgnoreFile = Schema.Union(Schema.Array(ScanPolicy.IgnoreEntry), ScanPolicy.ScanPolicy)

/** YAML text as data, or the syntax error with its line; `yaml` is loaded only when an ignore file is YAML. */
const parseYaml = (path: string, text: string) =>
  Effect.flatMap(
    // yaml is CommonJS: Node gives its exports by name, the bundle (esbuild) as the default export alone.
    Effect.promise(() =>
      import("yaml").then((module) =>
        typeof module.parse === "function" ? module : (module as unknown as { default: typeof module }).default
      )
    ),
    (yaml) =>
      Effect.try({
        try: (): unknown => yaml.parse(text),
        // The message's first line names the line and column: "Map keys must be unique at line 3, column 5:".
        catch: (error) =>
          CliFailure.parameter(
            "ignore-file",
            `Invalid YAML in ${path}: ${(error as Error).message.split("\n")[0].replace(/:$/, "")}`
          )
      })
  )

/** An ignore file's text as data: `.json` JSON, `.yaml`/`.yml` YAML, anything else JSON, or YAML if not JSON. */
const parseIgnoreFile = (path: string, text: string) => {
  if (/\.ya?ml$/i.test(path)) return parseYaml(path, text)
  const json = Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (error) => CliFailure.parameter("ignore-file", `Invalid JSON in ${path}: ${(error as Error).message}`)
  })
  return /\.json$/i.test(path) ? json : Effect.orElse(json, () => parseYaml(path, text))
}

const readIgnoreFile = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Effect.mapError(
      fs.readFileString(path),
      (error) => CliFailure.parameter("ignore-file", `Unable to read ${path}: ${error.message}`)
    )
    const parsed = yield* parseIgnoreFile(path, text)
    const decoded = yield* Either.mapLeft(
      Schema.decodeUnknownEither(IgnoreFile, { onExcessProperty: "error" })(parsed),
      (error) => CliFailure.parameter("ignore-file", ParseResult.TreeFormatter.formatErrorSync(error))
    )
    return Array.isArray(decoded)
      ? { ignore: decoded as ReadonlyArray<ScanPolicy.IgnoreEntry> } satisfies ScanPolicy.ScanPolicy
      : decoded as ScanPolicy.ScanPolicy
  })

/** The policy: the ignore file's, then the flags over it (ignore lists add up). */
const policyOf = (args: GateArgs) =>
  Effect.gen(function*() {
    const base: ScanPolicy.ScanPolicy = Option.isSome(args.ignoreFile)
      ? yield* readIgnoreFile(args.ignoreFile.value)
      : {}
    const maxCounts = Option.isSome(args.max)
      ? yield* Either.mapLeft(parseMax(args.max.value), (problem) => CliFailure.parameter("max", problem))
      : base.maxCounts
    const failOn = Option.getOrElse(args.failOn, () => base.failOn)
    const ignore = [...(base.ignore ?? []), ...args.ignore.map((id) => ({ id }))]
    return {
      ...(failOn === undefined ? {} : { failOn }),
      ...(maxCounts === undefined ? {} : { maxCounts }),
      ...(ignore.length === 0 ? {} : { ignore }),
      ...(args.errorOnUnusedIgnores || base.errorOnUnusedIgnores === true ? { errorOnUnusedIgnores: true } : {})
    } satisfies ScanPolicy.ScanPolicy
  })

/**
 * The call a service error came from: the gate reads findings and, when there is no scan, starts one. An
 * error only StartImageScan gives (the quota, an unsupported or archived image, a registry that scans with
 * Amazon Inspector) came from the start; any other, from the read.
 */
const failedOperation = (error: Errors.EcrError): "StartImageScan" | "DescribeImageScanFindings" =>
  (Api.Operations.StartImageScan.errors as ReadonlyArray<string>).includes(error._tag) &&
    (error._tag === "ValidationException" ||
      !(Api.Operations.DescribeImageScanFindings.errors as ReadonlyArray<string>).includes(error._tag))
    ? "StartImageScan"
    : "DescribeImageScanFindings"

const statusOf = (error: ScanGate.NoFindings): string | null =>
  error._tag === "GateTimedOut" ? error.lastStatus ?? null : error._tag === "NoScan" ? null : error.status

const findingJson = (f: ScanPolicy.Finding) => ({
  id: f.id,
  severity: f.severity,
  ...(f.package === undefined ? {} : { package: f.package }),
  ...(f.version === undefined ? {} : { version: f.version }),
  ...(f.fixedInVersion === undefined ? {} : { fixedInVersion: f.fixedInVersion }),
  ...(f.uri === undefined ? {} : { uri: f.uri })
})

const entryJson = (e: ScanPolicy.IgnoreEntry) => ({
  id: e.id,
  ...(e.package === undefined ? {} : { package: e.package }),
  ...(e.until === undefined ? {} : { until: e.until.toISOString() }),
  ...(e.reason === undefined ? {} : { reason: e.reason })
})

interface Subject {
  readonly repositoryName: string
  readonly imageDigest: string | undefined
  readonly imageTags: ReadonlyArray<string> | undefined
}

const imageJson = (image: Subject) => ({
  repositoryName: image.repositoryName,
  ...(image.imageDigest === undefined ? {} : { imageDigest: image.imageDigest }),
  ...(image.imageTags === undefined ? {} : { imageTags: image.imageTags })
})

/** The JSON report of a verdict. */
export const jsonReport = (result: ScanGate.GateResult, imageTags: ReadonlyArray<string> | undefined) => {
  const { verdict } = result
  return {
    verdict: verdict.verdict,
    image: imageJson({ ...result.image, imageTags }),
    scan: {
      status: result.scan.status,
      ...(result.scan.completedAt === undefined ? {} : { completedAt: result.scan.completedAt.toISOString() }),
      started: result.scan.started
    },
    counts: verdict.counts,
    reasons: verdict.reasons,
    blocking: verdict.blocking.map(findingJson),
    ignored: verdict.ignored.map((i) => ({ ...findingJson(i.finding), entry: entryJson(i.entry) })),
    expiredIgnores: verdict.expiredIgnores.map(entryJson),
    unusedIgnores: verdict.unusedIgnores.map(entryJson)
  }
}

const pad = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd()

const describeEntry = (e: ScanPolicy.IgnoreEntry) =>
  `${e.id}${e.package === undefined ? "" : ` in ${e.package}`}${
    e.until === undefined ? "" : ` (until ${timestamp(e.until)})`
  }${e.reason === undefined ? "" : `: ${e.reason}`}`

/** The text report of a verdict: the summary, the per-severity table, the blocking findings, the stale ignores. */
export const textReport = (result: ScanGate.GateResult, imageTags: ReadonlyArray<string> | undefined): string => {
  const { verdict } = result
  const lines: Array<string> = []
  const tags = imageTags === undefined || imageTags.length === 0 ? "" : `:${imageTags.join(",")}`
  lines.push(
    `${verdict.verdict}  ${result.image.repositoryName}${tags}${
      result.image.imageDigest === undefined ? "" : ` (${result.image.imageDigest})`
    }`
  )
  lines.push(
    `Scan: ${result.scan.status}${
      result.scan.completedAt === undefined ? "" : `, completed ${timestamp(result.scan.completedAt)}`
    }${result.scan.started ? " (started by the gate)" : ""}`
  )
  for (const reason of verdict.reasons) lines.push(`Blocked: ${reason}`)
  lines.push("")
  const widths = [13, 5, 7, 8]
  lines.push(pad(["SEVERITY", "FOUND", "IGNORED", "BLOCKING"], widths))
  for (const severity of ScanPolicy.SEVERITIES_DESCENDING) {
    lines.push(pad([
      severity,
      String(verdict.counts.found[severity] ?? 0),
      String(verdict.counts.ignored[severity] ?? 0),
      String(verdict.counts.blocking[severity] ?? 0)
    ], widths))
  }
  if (verdict.blocking.length > 0) {
    lines.push("", "Blocking findings:")
    for (const f of verdict.blocking) {
      const pkg = f.package === undefined ? "" : `  ${f.package}${f.version === undefined ? "" : ` ${f.version}`}`
      const fixed = f.fixedInVersion === undefined ? "" : `  (fixed in ${f.fixedInVersion})`
      lines.push(`  ${f.severity.padEnd(13)} ${f.id}${pkg}${fixed}${f.uri === undefined ? "" : `  ${f.uri}`}`)
    }
  }
  if (verdict.expiredIgnores.length > 0) {
    lines.push("", "Expired ignores:", ...verdict.expiredIgnores.map((e) => `  ${describeEntry(e)}`))
  }
  if (verdict.unusedIgnores.length > 0) {
    lines.push("", "Unused ignores:", ...verdict.unusedIgnores.map((e) => `  ${describeEntry(e)}`))
  }
  return `${lines.join("\n")}\n`
}

/** Runs the gate: prints the report, and fails with the verdict's exit code unless it passed. */
export const run = (args: GateArgs) =>
  Effect.gen(function*() {
    const timeout = yield* Either.mapLeft(parseTimeout(args.timeout), (p) => CliFailure.parameter("timeout", p))
    const policy = yield* policyOf(args)
    const request = yield* OperationCommand.buildRequest(Commands.startImageScan, Option.none(), {
      registryId: args.registryId,
      repositoryName: Option.some(args.repositoryName),
      imageId: Option.some(args.imageId)
    })
    const imageId = request.imageId as { imageDigest?: string; imageTag?: string }
    const imageTags = imageId.imageTag === undefined ? undefined : [imageId.imageTag]
    const image: ScanGate.GateImage = {
      ...(Option.isSome(args.registryId) ? { registryId: args.registryId.value } : {}),
      repositoryName: args.repositoryName,
      imageId
    }
    const layer = yield* Backend.layer(args)
    const subject = `${args.repositoryName} ${JSON.stringify(imageId)}`
    const tty = (yield* Stdio.stderrTerminal).tty
    // Progress on stderr: one line each, or a live line on a terminal (cleared and rewritten).
    const progress = (text: string) => Stdio.err(tty ? `\r\u001b[2K${text}` : `${text}\n`)
    yield* progress(`gate: waiting for the scan of ${subject} (timeout ${args.timeout})`)
    // Each status read (the first page of a read) is reported.
    let reads = 0
    const watched = Effect.flatMap(ImageScanner, (scanner) =>
      Effect.provideService(
        ScanGate.check(image, policy, { startScan: !args.noStartScan, schedule: scheduleOf(timeout) }),
        ImageScanner,
        {
          ...scanner,
          describeImageScanFindings: (input) =>
            Effect.tap(scanner.describeImageScanFindings(input), (response) => {
              if (input.nextToken !== undefined) return Effect.void
              reads++
              return progress(
                `gate: scan of ${subject}: ${response.imageScanStatus?.status ?? "no status"} (read ${reads})`
              )
            })
        }
      ))
    const outcome = yield* watched.pipe(Effect.either, Effect.provide(layer))
    if (tty) yield* Stdio.err("\r\u001b[2K")
    const write = (report: string, summary: string) =>
      Option.match(args.outputFile, {
        onNone: () => Stdio.out(report),
        onSome: (path) =>
          Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, report)).pipe(
            Effect.mapError((error) =>
              new CliFailure.CliFailure({
                exitCode: CliFailure.ExitCode.other,
                stderr: `\nUnable to write ${path}: ${error.message}\n`
              })
            ),
            Effect.zipRight(Stdio.out(summary))
          )
      })
    if (Either.isLeft(outcome)) {
      const error = outcome.left
      if (!ScanGate.isNoFindings(error)) {
        return yield* CliFailure.fromEcrError(
          failedOperation(error as Errors.EcrError),
          error as Errors.EcrError,
          Option.getOrUndefined(args.endpointUrl)
        )
      }
      const status = statusOf(error)
      const summary = `NO_FINDINGS  ${args.repositoryName}${imageTags === undefined ? "" : `:${imageTags[0]}`}` +
        ` (status: ${status ?? "none"})\n${error.message}\n`
      const name = GateReports.imageName(
        { repositoryName: args.repositoryName, imageDigest: imageId.imageDigest },
        imageTags
      )
      const report = args.output === "json"
        ? `${
          JSON.stringify(
            {
              verdict: "NO_FINDINGS",
              image: imageJson({ repositoryName: args.repositoryName, imageDigest: imageId.imageDigest, imageTags }),
              scan: { status },
              reason: error._tag,
              message: error.message
            },
            null,
            2
          )
        }\n`
        : args.output === "sarif"
        ? `${JSON.stringify(GateReports.sarifNoFindings(name, error._tag, error.message), null, 2)}\n`
        : args.output === "junit"
        ? GateReports.junitNoFindings(args.repositoryName, name, error._tag, error.message)
        : summary
      yield* write(report, summary)
      return yield* new CliFailure.CliFailure({ exitCode: GateExit.noFindings, stderr: `\n${error.message}\n` })
    }
    const result = outcome.right
    const summary = textReport(result, imageTags)
    const report = args.output === "json"
      ? `${JSON.stringify(jsonReport(result, imageTags), null, 2)}\n`
      : args.output === "sarif"
      ? `${JSON.stringify(GateReports.sarif(result, imageTags), null, 2)}\n`
      : args.output === "junit"
      ? GateReports.junit(result, imageTags)
      : summary
    yield* write(report, summary)
    if (result.verdict.verdict === "BLOCKED") {
      return yield* new CliFailure.CliFailure({ exitCode: GateExit.blocked, stderr: "" })
    }
  })
