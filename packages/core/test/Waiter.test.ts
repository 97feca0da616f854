import { type Api, Errors, ImageScanner, type ScanModel, Waiter } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"

const request = { repositoryName: "app", imageId: { imageTag: "v1" } }

type Step = ScanModel.ScanStatus | Errors.ScanNotFoundException | Errors.RepositoryNotFoundException

const response = (status: ScanModel.ScanStatus, description?: string): Api.DescribeImageScanFindingsResponse =>
  ({
    repositoryName: "app",
    imageId: { imageTag: "v1" },
    imageScanStatus: description === undefined ? { status } : { status, description }
  }) as Api.DescribeImageScanFindingsResponse

const scanNotFound = Errors.scanNotFound({ registryId: "123456789012", repositoryName: "app" }, { imageTag: "v1" })

/**
 * A stub scanner whose describeImageScanFindings answers the scripted steps in turn (the last one forever),
 * and the number of polls it has answered.
 */
const scripted = (steps: ReadonlyArray<Step>, descriptions: Partial<Record<ScanModel.ScanStatus, string>> = {}) => {
  const polls = { count: 0 }
  const layer = Layer.succeed(ImageScanner, {
    startImageScan: () => Effect.die("not used by the waiter"),
    describeImageScanFindings: () =>
      Effect.suspend(() => {
        const step = steps[Math.min(polls.count, steps.length - 1)]
        polls.count++
        return typeof step === "string" ? Effect.succeed(response(step, descriptions[step])) : Effect.fail(step)
      })
  })
  return { polls, layer }
}

const inProgress = (n: number): Array<Step> => Array.from({ length: n }, () => "IN_PROGRESS" as const)

describe("Waiter.waitForImageScanComplete", () => {
  it.effect("succeeds with the COMPLETE response after as many polls as it took, five seconds apart", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted([...inProgress(3), "COMPLETE"], {
        COMPLETE: "The scan was completed successfully."
      })
      const fiber = yield* Effect.fork(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("14 seconds")
      expect(polls.count).toBe(3)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      expect(polls.count).toBe(4)
      expect(result.imageScanStatus).toEqual({
        status: "COMPLETE",
        description: "The scan was completed successfully."
      })
    }))

  it.effect("keeps polling through PENDING as through IN_PROGRESS", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted(["PENDING", "PENDING", "COMPLETE"])
      const fiber = yield* Effect.fork(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("10 seconds")
      expect((yield* Fiber.join(fiber)).imageScanStatus?.status).toBe("COMPLETE")
      expect(polls.count).toBe(3)
    }))

  it.effect("fails with ImageScanFailed carrying the description when the scan ends FAILED", () =>
    Effect.gen(function*() {
      const description = "UnsupportedImageError: The operating system and/or package manager are not supported."
      const { layer, polls } = scripted([...inProgress(2), "FAILED"], { FAILED: description })
      const fiber = yield* Effect.fork(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toBeInstanceOf(Waiter.ImageScanFailed)
      expect(error).toMatchObject({ _tag: "ImageScanFailed", description })
      expect(polls.count).toBe(3)
    }))

  it.effect("fails at once with ImageScanWillNotComplete on ACTIVE, after a single poll", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted(["ACTIVE", "COMPLETE"], { ACTIVE: "Continuous scan is selected for image." })
      const error = yield* Effect.flip(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      expect(error).toMatchObject({
        _tag: "ImageScanWillNotComplete",
        status: "ACTIVE",
        description: "Continuous scan is selected for image."
      })
      expect(polls.count).toBe(1)
    }))

  it.effect("fails at once on every status that never completes", () =>
    Effect.gen(function*() {
      const never = [
        "ACTIVE",
        "UNSUPPORTED_IMAGE",
        "LIMIT_EXCEEDED",
        "IMAGE_ARCHIVED",
        "SCAN_ELIGIBILITY_EXPIRED",
        "FINDINGS_UNAVAILABLE"
      ] as const
      for (const status of never) {
        const { layer, polls } = scripted([status])
        const error = yield* Effect.flip(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
        expect(error).toMatchObject({ _tag: "ImageScanWillNotComplete", status })
        expect(polls.count).toBe(1)
      }
    }))

  it.effect("gives up with ImageScanWaitTimeout after maxAttempts polls of a scan that stays IN_PROGRESS", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted(["IN_PROGRESS"])
      const fiber = yield* Effect.fork(
        Waiter.waitForImageScanComplete(request, { maxAttempts: 4 }).pipe(Effect.provide(layer))
      )
      yield* TestClock.adjust("1 hour")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "ImageScanWaitTimeout", lastStatus: "IN_PROGRESS" })
      expect(polls.count).toBe(4)
    }))

  it.effect("by default makes the model's 60 attempts", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted(["IN_PROGRESS"])
      const fiber = yield* Effect.fork(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("1 hour")
      expect((yield* Effect.flip(Fiber.join(fiber)))._tag).toBe("ImageScanWaitTimeout")
      expect(polls.count).toBe(60)
    }))

  it.effect("honours a custom delay", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted(["IN_PROGRESS", "COMPLETE"])
      const fiber = yield* Effect.fork(
        Waiter.waitForImageScanComplete(request, { delay: "1 minute" }).pipe(Effect.provide(layer))
      )
      yield* TestClock.adjust("59 seconds")
      expect(polls.count).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(polls.count).toBe(2)
    }))

  it.effect("retries ScanNotFoundException by default (the record of a scan on push appears late)", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted([scanNotFound, scanNotFound, "IN_PROGRESS", "COMPLETE"])
      const fiber = yield* Effect.fork(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("15 seconds")
      expect((yield* Fiber.join(fiber)).imageScanStatus?.status).toBe("COMPLETE")
      expect(polls.count).toBe(4)
    }))

  it.effect("fails on the first ScanNotFoundException with retryScanNotFound: false", () =>
    Effect.gen(function*() {
      const { layer, polls } = scripted([scanNotFound, "COMPLETE"])
      const exit = yield* Effect.exit(
        Waiter.waitForImageScanComplete(request, { retryScanNotFound: false }).pipe(Effect.provide(layer))
      )
      expect(exit).toEqual(Exit.fail(scanNotFound))
      expect(polls.count).toBe(1)
    }))

  it.effect("does not retry other errors of DescribeImageScanFindings", () =>
    Effect.gen(function*() {
      const missing = Errors.repositoryNotFound({ registryId: "123456789012", repositoryName: "app" })
      const { layer, polls } = scripted([missing, "COMPLETE"])
      const exit = yield* Effect.exit(Waiter.waitForImageScanComplete(request).pipe(Effect.provide(layer)))
      expect(exit).toEqual(Exit.fail(missing))
      expect(polls.count).toBe(1)
    }))
})
