/**
 * `ecr-scan simulate SCENARIO.json`: a deterministic simulation on the in-memory registry and a
 * virtual clock. A scenario creates repositories, pushes images (each named image has a fixed
 * manifest), scans, moves time, plans faults and fixes outcomes; the command prints a timeline and a
 * summary of statuses, limits hit and findings. The same scenario and seed print the same bytes.
 *
 * The command's definition is SimulateCommand.ts, which loads this module (and the memory backend) only
 * when a simulation runs.
 *
 * @since 0.1.0
 */
import {
  Errors,
  FaultPlan,
  ImageRegistry,
  ImageScanner,
  ManifestBuilder,
  ScanLifecycle,
  ScanModel,
  ScannerReports
} from "@ecr-scan/core"
import { Durations } from "@ecr-scan/emulator"
import { MemoryRegistry, MemoryRegistryDriver, VirtualClock } from "@ecr-scan/memory-backend"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import * as CliFailure from "./CliFailure.js"
import * as Files from "./Files.js"
import * as Stdio from "./Stdio.js"

const Ref = Schema.Struct({
  repository: Schema.String,
  tag: Schema.optional(Schema.String),
  image: Schema.optional(Schema.String)
})

// A scenario's fault takes no message: the timeline names the error.
const FaultStep = FaultPlan.FaultPlanInput.pipe(Schema.omit("message"))

/** One step of a scenario. */
export const Step: Schema.Schema<Step> = Schema.suspend(() =>
  Schema.Union(
    Schema.Struct({
      createRepository: Schema.Struct({ name: Schema.String, scanOnPush: Schema.optional(Schema.Boolean) })
    }),
    Schema.Struct({
      push: Schema.Struct({
        repository: Schema.String,
        image: Schema.String,
        tag: Schema.optional(Schema.String),
        layers: Schema.optional(Schema.Number)
      })
    }),
    Schema.Struct({ scan: Ref }),
    Schema.Struct({ describe: Ref }),
    Schema.Struct({ archive: Ref }),
    Schema.Struct({ restore: Ref }),
    Schema.Struct({ advance: Schema.String }),
    Schema.Struct({ fault: FaultStep }),
    Schema.Struct({ outcome: Schema.Struct({ image: Schema.String, outcome: ScanLifecycle.ScanOutcome }) }),
    Schema.Struct({
      findings: Schema.Struct({ image: Schema.String, findings: Schema.Array(ScanModel.ImageScanFinding) })
    }),
    // A scanner's report is read when the step runs: it carries members no scenario schema should list.
    Schema.Struct({ findings: Schema.Struct({ image: Schema.String, trivy: Schema.Unknown }) }),
    Schema.Struct({ findings: Schema.Struct({ image: Schema.String, grype: Schema.Unknown }) }),
    Schema.Struct({ registryScanning: Schema.Struct({ scanType: Schema.Literal("BASIC", "ENHANCED") }) }),
    Schema.Struct({ repeat: Schema.Number, steps: Schema.Array(Step) })
  )
)
/** @since 0.1.0 */
export type Step =
  | { readonly createRepository: { readonly name: string; readonly scanOnPush?: boolean | undefined } }
  | {
    readonly push: {
      readonly repository: string
      readonly image: string
      readonly tag?: string | undefined
      readonly layers?: number | undefined
    }
  }
  | { readonly scan: typeof Ref.Type }
  | { readonly describe: typeof Ref.Type }
  | { readonly archive: typeof Ref.Type }
  | { readonly restore: typeof Ref.Type }
  | { readonly advance: string }
  | { readonly fault: typeof FaultStep.Type }
  | { readonly outcome: { readonly image: string; readonly outcome: ScanLifecycle.ScanOutcome } }
  | { readonly findings: { readonly image: string; readonly findings: ReadonlyArray<ScanModel.ImageScanFinding> } }
  | { readonly findings: { readonly image: string; readonly trivy: unknown } }
  | { readonly findings: { readonly image: string; readonly grype: unknown } }
  | { readonly registryScanning: { readonly scanType: "BASIC" | "ENHANCED" } }
  | { readonly repeat: number; readonly steps: ReadonlyArray<Step> }

/** A scenario. */
export const Scenario = Schema.Struct({
  seed: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
  start: Schema.optional(Schema.String),
  accountQuotaLimit: Schema.optional(Schema.Number),
  scanDuration: Schema.optional(Schema.String),
  steps: Schema.Array(Step)
})
/** @since 0.1.0 */
export type Scenario = typeof Scenario.Type

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`

/** The fixed manifest of a named image: the same name is always the same digest. */
export const manifestOf = (image: string, layers = 1) =>
  ManifestBuilder.image({
    config: { digest: sha256(`config:${image}`), size: 1000 + image.length },
    layers: Array.from({ length: layers }, (_, i) => ({ digest: sha256(`layer:${image}:${i}`), size: 100_000 + i }))
  })

const digestOf = (image: string, layers = 1) => sha256(manifestOf(image, layers))

const MAX_STEPS = 1_000_000

/** The steps of a `repeat`, with `{n}` in every string replaced by the iteration (1, 2, ...). */
const numbered = (steps: ReadonlyArray<Step>, n: number): ReadonlyArray<Step> => {
  const map = (value: unknown): unknown =>
    typeof value === "string"
      ? value.replaceAll("{n}", String(n))
      : Array.isArray(value)
      ? value.map(map)
      : typeof value === "object" && value !== null
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v)]))
      : value
  return map(steps) as ReadonlyArray<Step>
}

const clockText = (millis: number) => {
  const total = Math.floor(millis / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `+${String(h).padStart(3, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`
}

/** Runs a scenario and returns what it prints. */
export const run = (scenario: Scenario, seedOverride: Option.Option<string>) =>
  Effect.gen(function*() {
    const startMillis = scenario.start === undefined ? Date.parse("2026-01-01T00:00:00Z") : Date.parse(scenario.start)
    if (!Number.isFinite(startMillis)) {
      return yield* CliFailure.usage(`scenario: start is not an instant: ${scenario.start}`)
    }
    const duration = scenario.scanDuration === undefined
      ? Either.right({ min: 5_000, max: 15_000 })
      : Durations.parseDurationRange(scenario.scanDuration)
    if (Either.isLeft(duration)) return yield* CliFailure.usage(`scenario: scanDuration: ${duration.left}`)
    const seed = Option.getOrElse(seedOverride, () => String(scenario.seed ?? 0))
    const clock = VirtualClock.unsafeMake(startMillis)
    const lines: Array<string> = []
    const digests = new Map<string, string>()
    const counts = {
      pushes: 0,
      scansAccepted: 0,
      refused: new Map<string, number>()
    }
    const say = (text: string) => lines.push(`${clockText(clock.unsafeCurrentTimeMillis() - startMillis)}  ${text}`)
    const refusal = (error: { readonly _tag: string; readonly message: string } & Errors.LimitExceededWireMembers) => {
      const key = error._tag === "LimitExceededException" && error.limit !== undefined
        ? `${error._tag} (${error.limit === "PER_IMAGE" ? "per image" : "account quota"})`
        : error._tag
      counts.refused.set(key, (counts.refused.get(key) ?? 0) + 1)
      const next = error.nextEligibleAt === undefined
        ? ""
        : `, next eligible ${clockText(error.nextEligibleAt.getTime() - startMillis)}`
      return `${key}${next}`
    }
    const imageIdOf = (ref: typeof Ref.Type) =>
      ref.tag !== undefined
        ? { imageTag: ref.tag }
        : { imageDigest: digests.get(ref.image ?? "") ?? digestOf(ref.image ?? "") }
    const label = (ref: typeof Ref.Type) => `${ref.repository}:${ref.tag ?? ref.image ?? "?"}`
    const driver = yield* MemoryRegistryDriver
    let executed = 0

    const runSteps = (
      steps: ReadonlyArray<Step>
    ): Effect.Effect<void, CliFailure.CliFailure, ImageScanner | ImageRegistry> =>
      Effect.forEach(steps, (step) =>
        Effect.gen(function*() {
          if (++executed > MAX_STEPS) return yield* CliFailure.usage(`scenario: more than ${MAX_STEPS} steps`)
          if ("createRepository" in step) {
            const r = step.createRepository
            const result = yield* Effect.either(ImageRegistry.createRepository({
              repositoryName: r.name,
              imageScanningConfiguration: { scanOnPush: r.scanOnPush ?? false }
            }))
            say(
              `create-repository ${r.name}${r.scanOnPush ? " (scan on push)" : ""} -> ${
                Either.isRight(result) ? "created" : refusal(result.left)
              }`
            )
          } else if ("push" in step) {
            const p = step.push
            const result = yield* Effect.either(ImageRegistry.putImage({
              repositoryName: p.repository,
              imageManifest: manifestOf(p.image, p.layers ?? 1),
              ...(p.tag === undefined ? {} : { imageTag: p.tag })
            }))
            if (Either.isRight(result)) {
              counts.pushes++
              const digest = result.right.image?.imageId?.imageDigest ?? ""
              digests.set(p.image, digest)
              const scan = yield* Effect.either(ImageScanner.describeImageScanFindings({
                repositoryName: p.repository,
                imageId: { imageDigest: digest }
              }))
              const onPush = Either.isRight(scan) ? ` (scan on push: ${scan.right.imageScanStatus?.status})` : ""
              say(`put-image ${p.repository}:${p.tag ?? p.image} -> ${digest.slice(0, 19)}${onPush}`)
            } else {
              say(`put-image ${p.repository}:${p.tag ?? p.image} -> ${refusal(result.left)}`)
            }
          } else if ("scan" in step) {
            const result = yield* Effect.either(ImageScanner.startImageScan({
              repositoryName: step.scan.repository,
              imageId: imageIdOf(step.scan)
            }))
            if (Either.isRight(result)) counts.scansAccepted++
            say(
              `start-image-scan ${label(step.scan)} -> ${
                Either.isRight(result) ? result.right.imageScanStatus?.status : refusal(result.left)
              }`
            )
          } else if ("describe" in step) {
            const result = yield* Effect.either(ImageScanner.describeImageScanFindings({
              repositoryName: step.describe.repository,
              imageId: imageIdOf(step.describe)
            }))
            say(`describe-image-scan-findings ${label(step.describe)} -> ${
              Either.isRight(result)
                ? `${result.right.imageScanStatus?.status}${
                  result.right.imageScanFindings?.findingSeverityCounts === undefined
                    ? ""
                    : ` ${JSON.stringify(result.right.imageScanFindings.findingSeverityCounts)}`
                }`
                : result.left._tag
            }`)
          } else if ("archive" in step || "restore" in step) {
            const ref = "archive" in step ? step.archive : step.restore
            const result = yield* Effect.either(ImageRegistry.updateImageStorageClass({
              repositoryName: ref.repository,
              imageId: imageIdOf(ref),
              targetStorageClass: "archive" in step ? "ARCHIVE" : "STANDARD"
            }))
            say(
              `update-image-storage-class ${label(ref)} ${"archive" in step ? "ARCHIVE" : "STANDARD"} -> ${
                Either.isRight(result) ? result.right.imageStatus : result.left._tag
              }`
            )
          } else if ("advance" in step) {
            const millis = Durations.parseDuration(step.advance)
            if (Either.isLeft(millis)) return yield* CliFailure.usage(`scenario: advance: ${millis.left}`)
            clock.unsafeSetTime(clock.unsafeCurrentTimeMillis() + millis.right)
          } else if ("fault" in step) {
            const planned = yield* Effect.either(driver.planFault(step.fault))
            if (Either.isLeft(planned)) return yield* CliFailure.usage(`scenario: fault: ${planned.left.message}`)
            say(
              `plan fault: next ${step.fault.count ?? 1} ${step.fault.operation} -> ${
                step.fault.error ?? "ServerException"
              }`
            )
          } else if ("outcome" in step) {
            const digest = digests.get(step.outcome.image) ?? digestOf(step.outcome.image)
            yield* driver.setScanOutcome({ imageDigest: digest }, step.outcome.outcome)
            say(`set outcome of ${step.outcome.image} -> ${step.outcome.outcome}`)
          } else if ("findings" in step) {
            const source = step.findings
            const findings = "findings" in source
              ? Either.right(source.findings)
              : "trivy" in source
              ? ScannerReports.decodeTrivy(source.trivy)
              : ScannerReports.decodeGrype(source.grype)
            if (Either.isLeft(findings)) {
              return yield* CliFailure.usage(`scenario: findings of ${source.image}: ${findings.left}`)
            }
            const digest = digests.get(source.image) ?? digestOf(source.image)
            yield* driver.setFindings({ imageDigest: digest }, findings.right)
            say(`set ${findings.right.length} findings of ${source.image}`)
          } else if ("registryScanning" in step) {
            const result = yield* Effect.either(ImageRegistry.putRegistryScanningConfiguration({
              scanType: step.registryScanning.scanType
            }))
            say(
              `put-registry-scanning-configuration ${step.registryScanning.scanType} -> ${
                Either.isRight(result) ? "ok" : result.left._tag
              }`
            )
          } else {
            for (let i = 0; i < Math.min(step.repeat, MAX_STEPS); i++) yield* runSteps(numbered(step.steps, i + 1))
          }
        }), { discard: true })

    yield* runSteps(scenario.steps).pipe(Effect.withClock(clock))

    // Summary: the final status of every pushed image, the refusals, the findings.
    const usage = yield* Effect.withClock(driver.quotaUsage, clock)
    const snapshot = yield* driver.snapshot
    const statuses = new Map<string, number>()
    const severities = new Map<string, number>()
    for (const repository of snapshot.repositories) {
      for (const image of repository.images) {
        const result = yield* Effect.either(
          ImageScanner.describeImageScanFindings({
            repositoryName: repository.name,
            imageId: { imageDigest: image.digest }
          }).pipe(Effect.withClock(clock))
        )
        const status = Either.isRight(result) ? result.right.imageScanStatus?.status ?? "?" : "NOT_SCANNED"
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (Either.isRight(result)) {
          for (const [severity, n] of Object.entries(result.right.imageScanFindings?.findingSeverityCounts ?? {})) {
            severities.set(severity, (severities.get(severity) ?? 0) + (n ?? 0))
          }
        }
      }
    }
    const list = (m: Map<string, number>) =>
      m.size === 0 ? "none" : [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(", ")
    lines.push(
      "",
      `summary after ${clockText(clock.unsafeCurrentTimeMillis() - startMillis).slice(1)} (seed ${seed})`,
      `  images pushed: ${counts.pushes}; scans accepted: ${counts.scansAccepted}`,
      `  refused: ${list(counts.refused)}`,
      `  latest scan status per image: ${list(statuses)}`,
      `  findings of the latest scans: ${list(severities)}`,
      `  account quota: ${usage.used} of ${usage.limit} used in the last 24 h`
    )
    return `${lines.join("\n")}\n`
  }).pipe(
    Effect.provide(MemoryRegistry.layer({
      seed: Option.getOrElse(seedOverride, () => String(scenario.seed ?? 0)),
      rules: {
        ...(scenario.accountQuotaLimit === undefined ? {} : { accountQuotaLimit: scenario.accountQuotaLimit }),
        ...(scenario.scanDuration === undefined
          ? {}
          : Either.match(Durations.parseDurationRange(scenario.scanDuration), {
            onLeft: () => ({}),
            onRight: (d) => ({ scanDuration: d })
          }))
      }
    })),
    Effect.catchTag("InvalidMemoryRegistryOptions", (e) => CliFailure.usage(`scenario: ${e.message}`))
  )

/** The kinds of step, each the one key of its object. */
const STEP_KINDS = [
  "createRepository",
  "push",
  "scan",
  "describe",
  "archive",
  "restore",
  "advance",
  "fault",
  "outcome",
  "findings",
  "registryScanning",
  "repeat"
]

/**
 * Where a step of no known kind is, said plainly: the schema's report of a union that matched no
 * member lists every kind of step with its full type.
 */
const unknownStep = (steps: unknown, at: string): string | undefined => {
  if (!Array.isArray(steps)) return undefined
  for (const [i, step] of steps.entries()) {
    if (typeof step !== "object" || step === null || Array.isArray(step)) continue
    const keys = Object.keys(step)
    const kind = keys.find((key) => STEP_KINDS.includes(key))
    if (kind === undefined) {
      return `${at}[${i}]: unknown step ${keys.map((key) => JSON.stringify(key)).join(", ") || "{}"}; ` +
        `a step is one of: ${STEP_KINDS.join(", ")}`
    }
    const inner = kind === "repeat" ? unknownStep((step as { steps?: unknown }).steps, `${at}[${i}].steps`) : undefined
    if (inner !== undefined) return inner
  }
  return undefined
}

/** Reads and decodes a scenario file. */
export const load = (path: string): Effect.Effect<Scenario, CliFailure.CliFailure, FileSystem.FileSystem> =>
  Effect.flatMap(
    Effect.mapError(Files.readText(path), (problem) => CliFailure.usage(`cannot read scenario ${path}: ${problem}`)),
    (text) => decode(path, text)
  )

/** Decodes the text of a scenario file. */
const decode = (path: string, text: string): Either.Either<Scenario, CliFailure.CliFailure> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(CliFailure.usage(`scenario ${path} is not valid JSON: ${(error as Error).message}`))
  }
  const unknown = typeof json === "object" && json !== null
    ? unknownStep((json as { steps?: unknown }).steps, "steps")
    : undefined
  if (unknown !== undefined) {
    return Either.left(CliFailure.usage(`scenario ${path} is not a valid scenario: ${unknown}`))
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(Scenario)(json, { onExcessProperty: "error" }),
    (error) =>
      CliFailure.usage(`scenario ${path} is not a valid scenario:\n${ParseResult.TreeFormatter.formatErrorSync(error)}`)
  )
}

/** Runs the scenario of a file, and prints its timeline and summary (the `simulate` command's work). */
export const runFile = (path: string, seedOverride: Option.Option<string>) =>
  Effect.flatMap(Effect.flatMap(load(path), (scenario) => run(scenario, seedOverride)), Stdio.out)
