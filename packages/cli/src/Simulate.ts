/**
 * `ecr-scan simulate SCENARIO.json`: a deterministic simulation on the in-memory registry and a
 * virtual clock. A scenario creates repositories, pushes images (each named image has a fixed
 * manifest), scans, moves time, plans faults, fixes outcomes and expects EventBridge events; the command
 * prints a timeline, the registry's events in it at their instants (unless `--no-events`), and a summary of
 * statuses, limits hit, findings and events. The same scenario and seed print the same bytes (event ids are
 * derived from the seed). The events and the `expectEvent` step are SimulateEvents.ts's.
 *
 * The command's definition is SimulateCommand.ts, which loads this module (and the memory backend) only
 * when a simulation runs.
 *
 * @since 0.1.0
 */
import { type Errors, ImageRegistry, ImageScanner, ManifestBuilder, ScannerReports } from "@ecr-scan/core"
import { Durations } from "@ecr-scan/emulator"
import { MemoryRegistry, MemoryRegistryDriver, VirtualClock } from "@ecr-scan/memory-backend"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"
import * as CliFailure from "./CliFailure.js"
import { shortDigest } from "./EventText.js"
import * as SimulateEvents from "./SimulateEvents.js"
import { load, MAX_STEPS, numbered, type Ref, type Scenario, type Step } from "./SimulateScenario.js"
import * as Stdio from "./Stdio.js"

/** The scenario's schema and its reading (SimulateScenario.ts). */
export { load, Scenario, Step } from "./SimulateScenario.js"

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`

/** The fixed manifest of a named image: the same name is always the same digest. */
export const manifestOf = (image: string, layers = 1) =>
  ManifestBuilder.image({
    config: { digest: sha256(`config:${image}`), size: 1000 + image.length },
    layers: Array.from({ length: layers }, (_, i) => ({ digest: sha256(`layer:${image}:${i}`), size: 100_000 + i }))
  })

const digestOf = (image: string, layers = 1) => sha256(manifestOf(image, layers))

const clockText = (millis: number) => {
  const total = Math.floor(millis / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `+${String(h).padStart(3, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`
}

/** How a scenario runs: whether its timeline shows the registry's events (by default it does). */
export interface RunOptions {
  readonly events?: boolean | undefined
}

/**
 * Runs a scenario and returns what it prints; an `expectEvent` step that does not hold fails with the
 * timeline up to it.
 */
export const run = (scenario: Scenario, seedOverride: Option.Option<string>, options: RunOptions = {}) =>
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
    const recorder = yield* SimulateEvents.subscribe(clock)
    const window = SimulateEvents.makeWindow()
    const eventCounts = new Map<string, number>()
    // The events the registry published during a step (and the completions since), each at its instant.
    const record = Effect.map(recorder.collect, (events) => {
      for (const event of events) {
        eventCounts.set(event["detail-type"], (eventCounts.get(event["detail-type"]) ?? 0) + 1)
        if (options.events === false) continue
        const at = Math.max(0, SimulateEvents.instantOf(event) - startMillis)
        lines.push(`${clockText(Number.isFinite(at) ? at : 0)}  ${SimulateEvents.line(event)}`)
      }
    })
    let executed = 0

    const runSteps = (
      steps: ReadonlyArray<Step>,
      at: string,
      iterations: ReadonlyArray<number>
    ): Effect.Effect<void, CliFailure.CliFailure | SimulateEvents.ExpectationFailed, ImageScanner | ImageRegistry> =>
      Effect.forEach(steps, (step, index) =>
        Effect.gen(function*() {
          if (++executed > MAX_STEPS) return yield* CliFailure.usage(`scenario: more than ${MAX_STEPS} steps`)
          const path = `${at}[${index}]`
          const name = iterations.length === 0 ? path : `${path} (repeat iteration ${iterations.join(".")})`
          if (!("expectEvent" in step) && !("repeat" in step)) window.step(recorder.all.length)
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
              say(`put-image ${p.repository}:${p.tag ?? p.image} -> ${shortDigest(digest)}${onPush}`)
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
          } else if ("expectEvent" in step) {
            const from = window.start(step.expectEvent.since)
            const verdict = SimulateEvents.check(step.expectEvent, recorder.all.slice(from))
            if (Either.isLeft(verdict)) {
              return yield* CliFailure.usage(`scenario: ${name}: expectEvent: ${verdict.left}`)
            }
            say(verdict.right.line)
            if (verdict.right.failure !== undefined) {
              return yield* new SimulateEvents.ExpectationFailed({
                output: `${lines.join("\n")}\n`,
                message: `${name} at ${
                  clockText(clock.unsafeCurrentTimeMillis() - startMillis)
                }: ${verdict.right.failure}`
              })
            }
          } else {
            for (let i = 0; i < Math.min(step.repeat, MAX_STEPS); i++) {
              yield* runSteps(numbered(step.steps, i + 1), `${path}.steps`, [...iterations, i + 1])
            }
          }
          if (!("repeat" in step)) yield* record
        }), { discard: true })

    yield* runSteps(scenario.steps, "steps", []).pipe(Effect.withClock(clock))

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
      `  account quota: ${usage.used} of ${usage.limit} used in the last 24 h`,
      `  events: ${list(eventCounts)}`
    )
    return `${lines.join("\n")}\n`
  }).pipe(
    Effect.scoped,
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

/** Runs the scenario of a file, and prints its timeline and summary (the `simulate` command's work). */
export const runFile = (path: string, seedOverride: Option.Option<string>, options: RunOptions = {}) =>
  Effect.flatMap(load(path), (scenario) => run(scenario, seedOverride, options)).pipe(
    Effect.flatMap(Stdio.out),
    // A failed expectation: the timeline up to it, then why, and exit 1 (as a test that fails).
    Effect.catchTag("ExpectationFailed", (failed) =>
      Effect.zipRight(
        Stdio.out(failed.output),
        new CliFailure.CliFailure({
          exitCode: EXPECTATION_FAILED,
          stderr: `\necr-scan: simulate: expectation failed: ${failed.message}\n`
        })
      ))
  )

/** The exit code of a simulation whose `expectEvent` did not hold. */
export const EXPECTATION_FAILED = 1
