/**
 * The memory registry on `TestClock`, for simulation tests of a scanning pipeline: a layer with the
 * registry, its driver and Effect's test services, the clock set to a chosen instant; a way to run a test
 * in a fresh one; and running a poller (the `ImageScanComplete` waiter, a deployment gate) to its end on
 * virtual time, moving the clock exactly to each instant something sleeps until, so no test waits on the
 * wall clock.
 *
 * @since 0.1.0
 */
import { type Api, type ImageScanner, Waiter } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as Chunk from "effect/Chunk"
import type * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import type * as TestServices from "effect/TestServices"

/** Where the test clock starts unless told otherwise: 2026-01-01T00:00:00Z. */
export const START = Date.parse("2026-01-01T00:00:00Z")

/** Options of a test registry: the memory registry's, and where the test clock starts. */
export interface TestRegistryOptions extends MemoryRegistry.MemoryRegistryOptions {
  /** The instant the test clock is set to before the test runs (default `START`). */
  readonly startTime?: DateTime.DateTime.Input
}

/**
 * What a test registry provides: the two ports, the memory registry's driver, change feed and direct
 * access, and Effect's test services (`TestClock` among them).
 */
export type TestRegistry = Layer.Layer.Success<ReturnType<typeof MemoryRegistry.layer>> | TestServices.TestServices

/**
 * A fresh memory registry (`MemoryRegistry.layer(options)`) with Effect's test services, the test clock set
 * to `options.startTime`. The registry reads its time from the test clock, so `TestClock.adjust` (or
 * `advance`, or `drive`) moves it: scans complete, the 24-hour rule and the account quota's window pass.
 */
export const layer = (
  options: TestRegistryOptions = {}
): Layer.Layer<TestRegistry, MemoryRegistry.InvalidMemoryRegistryOptions> => {
  const { startTime = START, ...registry } = options
  return Layer.merge(MemoryRegistry.layer(registry), Layer.effectDiscard(TestClock.setTime(startTime))).pipe(
    Layer.provideMerge(TestContext.TestContext)
  )
}

/**
 * Runs `self` in a fresh test registry (`layer(options)`): one registry per test, nothing shared.
 *
 * @example
 * ```ts
 * import { ImageRegistry, ImageScanner } from "@ecr-scan/core"
 * import { Fixtures, TestRegistry } from "@ecr-scan/testing"
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 *
 * it.effect("a scan is accepted again a day after the last one", () =>
 *   Effect.gen(function*() {
 *     const imageId = { imageTag: "v1" }
 *     yield* ImageRegistry.createRepository({ repositoryName: "app" })
 *     yield* ImageRegistry.putImage({ repositoryName: "app", imageManifest: Fixtures.image(1), imageTag: "v1" })
 *     yield* ImageScanner.startImageScan({ repositoryName: "app", imageId })
 *     const done = yield* TestRegistry.waitForScan({ repositoryName: "app", imageId })
 *     expect(done.imageScanStatus?.status).toBe("COMPLETE")
 *     yield* TestRegistry.advance("1 day")
 *     const again = yield* ImageScanner.startImageScan({ repositoryName: "app", imageId })
 *     expect(again.imageScanStatus?.status).toBe("IN_PROGRESS")
 *   }).pipe(TestRegistry.withRegistry({ seed: 42 })))
 * ```
 */
export const withRegistry: {
  (
    options?: TestRegistryOptions
  ): <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | MemoryRegistry.InvalidMemoryRegistryOptions, Exclude<R, TestRegistry>>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    options?: TestRegistryOptions
  ): Effect.Effect<A, E | MemoryRegistry.InvalidMemoryRegistryOptions, Exclude<R, TestRegistry>>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(self: Effect.Effect<A, E, R>, options?: TestRegistryOptions) => Effect.provide(self, layer(options))
)

/**
 * Moves the test clock forward by `duration`, running what was due meanwhile: the registry's scans that
 * complete, sleepers that wake (`TestClock.adjust`).
 */
export const advance = (duration: Duration.DurationInput): Effect.Effect<void> => TestClock.adjust(duration)

/** Options of `drive`. */
export interface DriveOptions {
  /** How many times at most the clock is moved before `drive` gives up with a defect (default 10,000). */
  readonly maxSteps?: number
}

/**
 * Runs `self` (an effect that sleeps on the clock: a poller, the waiter, a gate) in a fiber, moving the test
 * clock to the next instant something sleeps until, each time every fiber of the test is waiting, until
 * `self` ends; answers its outcome. Time moves exactly as far as the sleeps ask, never past the end. Meant
 * for effects that wait only on the clock, as everything on the memory registry does.
 */
export const drive = <A, E, R>(self: Effect.Effect<A, E, R>, options: DriveOptions = {}): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const maxSteps = options.maxSteps ?? 10_000
    const fiber = yield* Effect.fork(self)
    for (let step = 0;; step++) {
      // Moving by nothing waits until every fiber of the test is done or suspended.
      yield* TestClock.adjust(Duration.zero)
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      const sleeps = yield* TestClock.sleeps()
      if (step >= maxSteps) {
        yield* Fiber.interrupt(fiber)
        return yield* Effect.dieMessage(`TestRegistry.drive: still running after moving the clock ${maxSteps} times`)
      }
      // Nothing sleeping: the fiber waits on something other than the clock; look again.
      if (Chunk.isNonEmpty(sleeps)) yield* TestClock.setTime(Math.min(...sleeps))
    }
  })

/**
 * The `ImageScanComplete` waiter (`Waiter.waitForImageScanComplete`) run to its end on virtual time: the
 * first page of findings once the scan is `COMPLETE`, or the waiter's typed failure (`ImageScanFailed`,
 * `ImageScanWillNotComplete`, `ImageScanWaitTimeout`, or an error of `DescribeImageScanFindings`).
 */
export const waitForScan = (
  request: Api.RequestOf<"DescribeImageScanFindings">,
  options?: Waiter.WaitOptions & DriveOptions
): Effect.Effect<Api.DescribeImageScanFindingsResponse, Waiter.WaitError, ImageScanner> =>
  drive(Waiter.waitForImageScanComplete(request, options), options)
