/**
 * The events conformance suite: what the `RegistryEvents` port delivers for what the ports do, written once
 * and run against each source of events: the memory registry's own, or the aws backend's reading an SQS
 * queue that the emulator (or an EventBridge rule) feeds. A case asserts the shapes of AWS's documentation
 * (spec/ecr-events.md), never what one source happens to do.
 *
 * `suite(name, layer, options)` registers the cases as vitest tests. The layer provides the two ports and
 * `RegistryEvents`; one subscriber follows `RegistryEvents.events` for the whole suite, on the suite's
 * virtual clock, from before the first case to after the last, and each case waits (in real time, at most
 * `eventTimeout`) for the events of its own repositories. A case listed in `expectedDifferences` runs as
 * `it.fails`, as in `Conformance`.
 *
 * @since 0.1.0
 */
import { Events, ImageRegistry, ImageScanner, RegistryEvents } from "@ecr-scan/core"
import { describe, expect, layer as layerTests } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Fixtures from "./Fixtures.js"
import { ACCOUNT, type Ports, repositoryNames, START } from "./internal/Options.js"
import * as SteppingClock from "./internal/SteppingClock.js"
import { createRepository, push } from "./internal/Steps.js"

export { START } from "./internal/Options.js"

/** The cases, by id. */
export const caseIds = [
  "push",
  "untaggedPush",
  "scanCompletes",
  "notBeforeCompletion",
  "delete",
  "wireShape"
] as const

/** One case's id. */
export type CaseId = typeof caseIds[number]

/** What a source of events brings to the suite. */
export interface Options<R = never> {
  /**
   * Virtual time. `"fiber"`: the registry and its events read the clock of the fiber that runs them (the
   * memory registry); a function: how to move the backend's own clock (the emulator's control endpoint).
   */
  readonly virtualTime: "fiber" | ((duration: Duration.Duration) => Effect.Effect<void, unknown, R>)
  /** How long (real time) a case waits for an event before it fails (default 20 seconds). */
  readonly eventTimeout?: Duration.DurationInput
  /** The account and region the events must carry (default `123456789012`, `us-east-1`). */
  readonly accountId?: string
  readonly region?: string
  /** Where the suite's repositories go (default `events-conformance`). */
  readonly repositoryPrefix?: string
  /** Cases where the source is known to differ from AWS: the sentence that says how. */
  readonly expectedDifferences?: { readonly [Id in CaseId]?: string }
}

interface Harness {
  readonly seen: Array<Events.RegistryEvent>
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  readonly repositoryName: (slug: string) => string
  readonly timeout: Duration.Duration
  readonly accountId: string
  readonly region: string
}

class HarnessTag extends Context.Tag("@ecr-scan/testing/EventsConformance/Harness")<HarnessTag, Harness>() {}

const liveClock = Clock.make()

/** The events of `repositoryName` once `count` of them satisfy `predicate` (waiting in real time). */
const eventsOf = (
  repositoryName: string,
  predicate: (event: Events.RegistryEvent) => boolean,
  count = 1
) =>
  Effect.flatMap(HarnessTag, (h) => {
    const matching = () => h.seen.filter((e) => repositoryOf(e) === repositoryName && predicate(e))
    const poll: Effect.Effect<Array<Events.RegistryEvent>, string> = Effect.suspend(() => {
      const found = matching()
      return found.length >= count ? Effect.succeed(found) : Effect.zipRight(Effect.sleep("20 millis"), poll)
    })
    return poll.pipe(
      Effect.timeoutFail({
        duration: h.timeout,
        onTimeout: () =>
          `waited ${Duration.format(h.timeout)} for ${count} event(s) of ${repositoryName}; saw ${
            JSON.stringify(h.seen.filter((e) => repositoryOf(e) === repositoryName).map((e) => e["detail-type"]))
          }`
      }),
      Effect.withClock(liveClock),
      Effect.orDieWith((message) => new Error(message))
    )
  })

/** The repository an event is about (Inspector's names it by ARN). */
const repositoryOf = (event: Events.RegistryEvent): string | undefined => {
  switch (event["detail-type"]) {
    case "ECR Image Action":
    case "ECR Image Scan":
      return event.detail["repository-name"]
    case "Inspector2 Scan":
      return event.detail["repository-name"].replace(/^arn:[^/]*\//, "")
    default:
      return undefined
  }
}

/** A new repository holding one image (its manifest distinct per repository): the image's digest. */
const pushed = (repositoryName: string, imageTag?: string) =>
  Effect.zipRight(createRepository(repositoryName), push(repositoryName, Fixtures.image(repositoryName), imageTag))

const isAction = (type: string) => (e: Events.RegistryEvent) =>
  e["detail-type"] === "ECR Image Action" && e.detail["action-type"] === type
const isScan = (e: Events.RegistryEvent) => e["detail-type"] === "ECR Image Scan"

type CaseRun = Effect.Effect<void, unknown, Ports | HarnessTag>

const cases: { readonly [Id in CaseId]: { readonly title: string; readonly run: CaseRun } } = {
  push: {
    title: "a push gives ECR Image Action PUSH with the repository, digest and tag, from the account and region",
    run: Effect.gen(function*() {
      const h = yield* HarnessTag
      const repositoryName = h.repositoryName("push")
      const digest = yield* pushed(repositoryName, "v1")
      const [event] = yield* eventsOf(repositoryName, isAction("PUSH"))
      expect(event).toMatchObject({
        version: "0",
        "detail-type": "ECR Image Action",
        source: "aws.ecr",
        account: h.accountId,
        region: h.region,
        resources: [],
        detail: { result: "SUCCESS", "repository-name": repositoryName, "image-digest": digest, "image-tag": "v1" }
      })
    })
  },
  untaggedPush: {
    title: "an untagged push's event has no image-tag",
    run: Effect.gen(function*() {
      const h = yield* HarnessTag
      const repositoryName = h.repositoryName("untagged")
      const digest = yield* pushed(repositoryName)
      const [event] = yield* eventsOf(repositoryName, isAction("PUSH"))
      expect(event!.detail).toMatchObject({ "image-digest": digest })
      expect("image-tag" in event!.detail).toBe(false)
    })
  },
  scanCompletes: {
    title: "a completed scan gives ECR Image Scan COMPLETE with the counts DescribeImageScanFindings reports",
    run: Effect.gen(function*() {
      const h = yield* HarnessTag
      const repositoryName = h.repositoryName("scan")
      const digest = yield* pushed(repositoryName, "v1")
      yield* ImageScanner.startImageScan({ repositoryName, imageId: { imageDigest: digest } })
      yield* h.advance("1 minute")
      const [event] = yield* eventsOf(repositoryName, isScan)
      const described = yield* ImageScanner.describeImageScanFindings({
        repositoryName,
        imageId: { imageDigest: digest }
      })
      expect(event).toMatchObject({
        source: "aws.ecr",
        resources: [`arn:aws:ecr:${h.region}:${h.accountId}:repository/${repositoryName}`],
        detail: {
          "scan-status": "COMPLETE",
          "repository-name": repositoryName,
          "finding-severity-counts": described.imageScanFindings?.findingSeverityCounts ?? {},
          "image-digest": digest,
          "image-tags": ["v1"]
        }
      })
      const completedAt = described.imageScanFindings?.imageScanCompletedAt
      expect(event!.time).toBe(Events.formatTime(completedAt!.getTime()))
    })
  },
  notBeforeCompletion: {
    title: "no scan event before the scan completes",
    run: Effect.gen(function*() {
      const h = yield* HarnessTag
      const repositoryName = h.repositoryName("in-progress")
      const digest = yield* pushed(repositoryName, "v1")
      yield* ImageScanner.startImageScan({ repositoryName, imageId: { imageDigest: digest } })
      // The push's event arrives; had a scan event been published at once, it would have come with it.
      yield* eventsOf(repositoryName, isAction("PUSH"))
      const status = yield* ImageScanner.describeImageScanFindings({ repositoryName, imageId: { imageDigest: digest } })
      expect(status.imageScanStatus?.status).toBe("IN_PROGRESS")
      expect(h.seen.filter((e) => repositoryOf(e) === repositoryName && isScan(e))).toStrictEqual([])
      yield* h.advance("1 minute")
      yield* eventsOf(repositoryName, isScan)
    })
  },
  delete: {
    title: "a delete by tag gives ECR Image Action DELETE with the tag",
    run: Effect.gen(function*() {
      const h = yield* HarnessTag
      const repositoryName = h.repositoryName("delete")
      const digest = yield* pushed(repositoryName, "old")
      yield* ImageRegistry.batchDeleteImage({ repositoryName, imageIds: [{ imageTag: "old" }] })
      const [event] = yield* eventsOf(repositoryName, isAction("DELETE"))
      expect(event!.detail).toStrictEqual({
        result: "SUCCESS",
        "repository-name": repositoryName,
        "image-digest": digest,
        "action-type": "DELETE",
        "image-tag": "old"
      })
    })
  },
  wireShape: {
    title: "every event decodes with the core's schemas, re-encodes to the same JSON, and has its own id",
    run: Effect.gen(function*() {
      const h = yield* HarnessTag
      const repositoryName = h.repositoryName("shape")
      const digest = yield* pushed(repositoryName, "v1")
      yield* ImageScanner.startImageScan({ repositoryName, imageId: { imageDigest: digest } })
      yield* h.advance("1 minute")
      yield* eventsOf(repositoryName, isScan)
      for (const event of h.seen) {
        const decoded = Events.decode(JSON.parse(JSON.stringify(event)))
        expect(Either.isRight(decoded)).toBe(true)
        expect(Events.toJson(Either.getOrThrow(decoded))).toBe(Events.toJson(event))
        expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      }
      expect(new Set(h.seen.map((e) => e.id)).size).toBe(h.seen.length)
    })
  }
}

/**
 * Registers the suite for one source of events: a `describe` named `name`, `layer` built before the first
 * case (and a subscriber started on its events) and released after the last.
 *
 * @example
 * ```ts
 * import { MemoryRegistry } from "@ecr-scan/memory-backend"
 * import { EventsConformance } from "@ecr-scan/testing"
 *
 * // In a test file: the memory registry's own events.
 * EventsConformance.suite("the memory registry's events", MemoryRegistry.layer({ seed: 1 }), { virtualTime: "fiber" })
 * ```
 */
export const suite = <R = never, E = never>(
  name: string,
  layer: Layer.Layer<Ports | RegistryEvents.RegistryEvents | R, E>,
  options: Options<NoInfer<R>>
): void => {
  const clock = SteppingClock.make(START)
  const repositoryName = repositoryNames(options.repositoryPrefix ?? "events-conformance")
  const timeout = Duration.decode(options.eventTimeout ?? "20 seconds")

  const harnessLayer = Layer.scoped(
    HarnessTag,
    Effect.gen(function*() {
      const context = yield* Effect.context<Ports | RegistryEvents.RegistryEvents | R>()
      const seen: Array<Events.RegistryEvent> = []
      // The suite's one subscriber, on the suite's clock (the memory registry's completions sleep on it).
      yield* Effect.forkScoped(
        Effect.withClock(
          Stream.runForEach(RegistryEvents.events, (event) => Effect.sync(() => seen.push(event))),
          clock
        ).pipe(Effect.catchAllCause(Effect.logError))
      )
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow()
      const { virtualTime } = options
      const advance = (duration: Duration.DurationInput) => {
        const decoded = Duration.decode(duration)
        const backend = typeof virtualTime === "function"
          ? Effect.orDie(Effect.provide(virtualTime(decoded), context) as Effect.Effect<void, unknown>)
          : Effect.void
        return Effect.zipRight(backend, clock.advance(decoded))
      }
      return {
        seen,
        advance,
        repositoryName,
        timeout,
        accountId: options.accountId ?? ACCOUNT,
        region: options.region ?? "us-east-1"
      } satisfies Harness
    })
  ).pipe(Layer.provideMerge(layer))

  layerTests(harnessLayer, { excludeTestServices: true, timeout: "60 seconds" })(name, (it) => {
    describe("events", () => {
      for (const id of caseIds) {
        const { run, title } = cases[id]
        const test = () => Effect.withClock(run, clock)
        const difference = options.expectedDifferences?.[id]
        if (difference !== undefined) {
          it.effect.fails(`${title} [expected difference: ${difference}]`, test, Duration.toMillis(timeout) + 10_000)
        } else {
          it.effect(title, test, Duration.toMillis(timeout) + 10_000)
        }
      }
    })
  })
}
