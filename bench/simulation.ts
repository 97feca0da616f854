/**
 * Thirty virtual days at 100,000 StartImageScan calls a day on `TestClock`, through the ports, as a
 * simulation test would run them: a seeded scenario of pushes and manual scans over a fixed pool of
 * images, the clock advanced in coarse steps (one `TestClock.adjust` costs milliseconds of wall time,
 * so each step carries its share of the day's calls instead of one adjust per call).
 *
 * The scenario: 20 repositories, half of them scanning on push; 60,000 images pushed at the start and
 * 4,000 more a day from the pool; each call is a rescan sweep (a cursor over every pushed image), a
 * pipeline scan of a recent image by tag, an audit scan of a random image by digest, or one of a few
 * bad requests (unknown tag, unknown repository, invalid repository name). Two storm days (10 and 20)
 * sweep nine calls in ten while a bulk import pushes 40,000 images, which runs into the account quota.
 *
 * @since 0.1.0
 */
import { type Api, ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { EventPublisher, MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as Fixtures from "./fixtures.js"

/** The shape of the scenario. */
export interface SimulationOptions {
  readonly days: number
  readonly callsPerDay: number
  readonly stepMinutes: number
  readonly initialImages: number
  readonly pushesPerDay: number
  /** Pushes on a storm day (a bulk import), on top of the sweep. */
  readonly stormPushes: number
  readonly seed: number
  /** Whether an events subscriber follows the registry (draining its buffer every step), to price the events. */
  readonly events: boolean
}

export const defaultOptions: SimulationOptions = {
  days: 30,
  callsPerDay: 100_000,
  stepMinutes: 30,
  initialImages: 60_000,
  pushesPerDay: 4_000,
  stormPushes: 40_000,
  seed: 42,
  events: false
}

/** What happened on one virtual day. */
export interface DayFigures {
  readonly day: number
  readonly calls: number
  readonly accepted: number
  readonly pushes: number
  /** Refusals by reason: the error tag, `LimitExceededException` split by which limit. */
  readonly refused: Record<string, number>
  /** The most scans the account quota counted in its rolling window at any step of the day. */
  readonly maxQuotaUsed: number
}

/** The outcome of the simulation. */
export interface SimulationResult {
  readonly options: SimulationOptions
  readonly wallSeconds: number
  readonly adjusts: number
  /** Where the wall time went (the initial pushes are outside these). */
  readonly wallMillis: { readonly pushes: number; readonly calls: number; readonly clock: number }
  readonly calls: number
  readonly pushes: number
  readonly accepted: number
  readonly refused: Record<string, number>
  readonly maxAcceptedPerDay: number
  readonly maxQuotaUsed: number
  readonly quotaLimit: number
  readonly days: ReadonlyArray<DayFigures>
  /** With `events`: how many events the subscriber received, by detail-type. */
  readonly events: Record<string, number> | undefined
}

const STORM_DAYS = new Set([10, 20])
const REPOSITORIES = Array.from({ length: 20 }, (_, r) => `sim/service-${String(r).padStart(2, "0")}`)
const SALT = 0x51a7

const repositoryOf = (i: number) => REPOSITORIES[i % REPOSITORIES.length]
const tagOf = (i: number) => `build-${i}`

/** The share of `total` that falls in step `k` of `steps`, so that the shares add up to `total`. */
const share = (total: number, steps: number, k: number) =>
  Math.floor(((k + 1) * total) / steps) - Math.floor((k * total) / steps)

const reasonOf = (error: { readonly _tag: string; readonly limit?: string | undefined }) =>
  error._tag === "LimitExceededException" ? `LimitExceededException/${error.limit ?? "?"}` : error._tag

/** The scenario as an Effect program over the ports and the driver. */
export const scenario = (options: SimulationOptions) =>
  Effect.gen(function*() {
    const registry = yield* ImageRegistry
    const scanner = yield* ImageScanner
    const driver = yield* MemoryRegistryDriver
    const random = Fixtures.makeRandom(options.seed)
    yield* TestClock.setTime(Date.parse("2026-01-05T00:00:00Z"))
    const events: Record<string, number> = {}
    const subscriber = options.events
      ? yield* Effect.flatMap(EventPublisher.MemoryEvents, (publisher) => publisher.subscribe)
      : undefined
    const drain = subscriber === undefined
      ? Effect.void
      : Effect.map(Queue.takeAll(subscriber), (chunk) => {
        for (const event of Chunk.toReadonlyArray(chunk)) {
          events[event["detail-type"]] = (events[event["detail-type"]] ?? 0) + 1
        }
      })
    for (const [r, repositoryName] of REPOSITORIES.entries()) {
      yield* registry.createRepository({ repositoryName, imageScanningConfiguration: { scanOnPush: r % 2 === 0 } })
    }
    const digests: Array<string> = []
    const push = Effect.suspend(() => {
      const i = digests.length
      return registry.putImage({
        repositoryName: repositoryOf(i),
        imageManifest: Fixtures.manifest(i, SALT),
        imageTag: tagOf(i)
      }).pipe(Effect.map((pushed) => digests.push(pushed.image!.imageId!.imageDigest!)))
    })
    for (let i = 0; i < options.initialImages; i++) yield* push

    const steps = Math.round((24 * 60) / options.stepMinutes)
    const days: Array<DayFigures> = []
    let adjusts = 0
    let cursor = 0
    /** Wall milliseconds spent pushing, calling StartImageScan, and reading the quota and adjusting the clock. */
    const wall = { pushes: 0, calls: 0, clock: 0 }
    for (let day = 1; day <= options.days; day++) {
      const sweepShare = STORM_DAYS.has(day) ? 0.9 : 0.3
      const refused: Record<string, number> = {}
      let accepted = 0
      let calls = 0
      let pushes = 0
      let maxQuotaUsed = 0
      for (let step = 0; step < steps; step++) {
        const t0 = performance.now()
        const stepPushes = share(STORM_DAYS.has(day) ? options.stormPushes : options.pushesPerDay, steps, step)
        for (let p = 0; p < stepPushes; p++) yield* push
        pushes += stepPushes
        const t1 = performance.now()
        const stepCalls = share(options.callsPerDay, steps, step)
        for (let c = 0; c < stepCalls; c++) {
          const n = digests.length
          const u = random.next()
          let request: Fixtures.ScanRequest
          if (u < 0.01) {
            request = { repositoryName: repositoryOf(calls), imageId: { imageTag: `missing-${calls}` } }
          } else if (u < 0.015) {
            request = { repositoryName: "sim/unknown", imageId: { imageTag: "latest" } }
          } else if (u < 0.02) {
            request = { repositoryName: "Sim_Service!", imageId: { imageTag: "latest" } }
          } else {
            const v = (u - 0.02) / 0.98
            if (v < sweepShare) {
              cursor = cursor + 1 >= n ? 0 : cursor + 1
              request = { repositoryName: repositoryOf(cursor), imageId: { imageDigest: digests[cursor] } }
            } else if (v < sweepShare + (1 - sweepShare) * 0.6) {
              const i = n - 1 - random.int(Math.min(n, 5_000))
              request = { repositoryName: repositoryOf(i), imageId: { imageTag: tagOf(i) } }
            } else {
              const i = random.int(n)
              request = { repositoryName: repositoryOf(i), imageId: { imageDigest: digests[i] } }
            }
          }
          const result = yield* Effect.either(scanner.startImageScan(request as Api.RequestOf<"StartImageScan">))
          if (result._tag === "Right") {
            accepted++
          } else {
            const reason = reasonOf(result.left as { readonly _tag: string; readonly limit?: string })
            refused[reason] = (refused[reason] ?? 0) + 1
          }
          calls++
        }
        const t2 = performance.now()
        const usage = yield* driver.quotaUsage
        if (usage.used > maxQuotaUsed) maxQuotaUsed = usage.used
        yield* TestClock.adjust(`${options.stepMinutes} minutes`)
        yield* drain
        adjusts++
        const t3 = performance.now()
        wall.pushes += t1 - t0
        wall.calls += t2 - t1
        wall.clock += t3 - t2
      }
      days.push({ day, calls, accepted, pushes, refused, maxQuotaUsed })
    }
    return { days, adjusts, pushes: digests.length, wall, events: options.events ? events : undefined }
  })

/** Runs the scenario on a fresh memory registry under `TestClock`, timing it on the wall clock. */
export const simulate = async (options: SimulationOptions = defaultOptions): Promise<SimulationResult> => {
  const start = performance.now()
  const { adjusts, days, events, pushes, wall } = await scenario(options).pipe(
    Effect.scoped,
    // With events, the subscriber's timer wakes once per step: the calls publish the completions before them.
    Effect.provide(MemoryRegistry.layer({
      seed: options.seed,
      events: { resolution: `${options.stepMinutes} minutes`, buffer: 1_000_000 }
    })),
    Effect.provide(TestContext.TestContext),
    Effect.orDie,
    Effect.runPromise
  )
  const wallSeconds = (performance.now() - start) / 1000
  const refused: Record<string, number> = {}
  for (const day of days) {
    for (const [reason, count] of Object.entries(day.refused)) refused[reason] = (refused[reason] ?? 0) + count
  }
  return {
    options,
    wallSeconds,
    adjusts,
    wallMillis: wall,
    calls: days.reduce((sum, d) => sum + d.calls, 0),
    pushes,
    accepted: days.reduce((sum, d) => sum + d.accepted, 0),
    refused,
    maxAcceptedPerDay: Math.max(...days.map((d) => d.accepted)),
    maxQuotaUsed: Math.max(...days.map((d) => d.maxQuotaUsed)),
    quotaLimit: 100_000,
    days,
    events
  }
}
