/**
 * The once-per-24-hours rule: an image can be scanned once per rolling 24 hours from the start of its
 * last accepted scan, whichever tag or digest names it; a refusal does not move the window.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  appScannedAtT0,
  at,
  createRepository,
  DAY,
  failure,
  HOUR,
  inRegistry,
  noLayersImage,
  ociImage,
  perImageLimit,
  push,
  refusedWithoutChange,
  registry,
  scan,
  statusOf,
  T0,
  UNSUPPORTED_IMAGE_ERROR
} from "./fixtures.js"

describe("the per-image window", () => {
  it.effect("a scan at t is refused at t+24h-1ms with the per-image limit, next eligible at t+24h", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* push("app", ociImage(1), "v1")
      yield* at(5 * HOUR)
      yield* scan("app", { imageTag: "v1" })
      yield* at(5 * HOUR + DAY - 1)
      expect(yield* failure(scan("app", { imageTag: "v1" }))).toStrictEqual({
        _tag: "LimitExceededException",
        message: "The scan quota per image has been exceeded. Wait and try again.",
        limit: "PER_IMAGE",
        nextEligibleAt: new Date(T0 + 5 * HOUR + DAY)
      })
    }))

  it.effect("a scan at t is accepted again at exactly t+24h, which opens a new window", () =>
    inRegistry(function*() {
      yield* appScannedAtT0
      yield* at(DAY)
      const again = yield* scan("app", { imageTag: "v1" })
      expect(again.imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      yield* at(2 * DAY - 1)
      expect(yield* failure(scan("app", { imageTag: "v1" }))).toStrictEqual(perImageLimit(T0 + 2 * DAY))
    }))

  it.effect("the same image through another tag hits the same limit", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      // The same manifest pushed with a second tag is the same image.
      expect(yield* push("app", ociImage(1), "latest")).toBe(digest)
      yield* scan("app", { imageTag: "v1" })
      yield* at(12 * HOUR)
      expect(yield* failure(scan("app", { imageTag: "latest" }))).toStrictEqual(perImageLimit(T0 + DAY))
      expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual(perImageLimit(T0 + DAY))
      yield* at(DAY)
      expect((yield* scan("app", { imageTag: "latest" })).imageId).toStrictEqual({
        imageDigest: digest,
        imageTag: "latest"
      })
    }))

  it.effect("a refused scan does not move the window: the image is eligible at the first scan's t+24h", () =>
    inRegistry(function*() {
      yield* appScannedAtT0
      yield* at(23 * HOUR)
      const refused = yield* refusedWithoutChange(scan("app", { imageTag: "v1" }))
      expect(refused).toStrictEqual(perImageLimit(T0 + DAY))
      yield* at(DAY)
      expect((yield* scan("app", { imageTag: "v1" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }))

  it.effect("every image has its own window: scanning one does not hold back another", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* push("app", ociImage(1), "v1")
      yield* push("app", ociImage(2), "v2")
      yield* scan("app", { imageTag: "v1" })
      expect((yield* scan("app", { imageTag: "v2" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }))

  it.effect("the same manifest in two repositories is two images, each with its own window", () =>
    inRegistry(function*() {
      yield* createRepository("team/a")
      yield* createRepository("team/b")
      const a = yield* push("team/a", ociImage(1))
      const b = yield* push("team/b", ociImage(1))
      expect(b).toBe(a)
      yield* scan("team/a", { imageDigest: a })
      expect((yield* scan("team/b", { imageDigest: b })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }))

  it.effect("a scan that ended FAILED still holds the image's slot for the rest of the window", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* push("app", noLayersImage(1), "scratch")
      yield* scan("app", { imageTag: "scratch" })
      yield* at(HOUR)
      expect(yield* statusOf("app", { imageTag: "scratch" })).toStrictEqual({
        status: "FAILED",
        description: UNSUPPORTED_IMAGE_ERROR
      })
      expect(yield* failure(scan("app", { imageTag: "scratch" }))).toStrictEqual(perImageLimit(T0 + DAY))
    }))

  it.effect("with failedScanUsesSlot off, a FAILED scan frees the image as soon as it has failed", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* push("app", noLayersImage(1), "scratch")
      yield* scan("app", { imageTag: "scratch" })
      // Still running: the slot is held until the scan has failed.
      const refused = yield* failure(scan("app", { imageTag: "scratch" }))
      expect(refused._tag).toBe("LimitExceededException")
      const failedAt = (refused.nextEligibleAt as Date).getTime()
      expect(failedAt).toBeLessThan(T0 + DAY)
      yield* at(failedAt - T0 - 1)
      expect((yield* statusOf("app", { imageTag: "scratch" }))?.status).toBe("IN_PROGRESS")
      yield* at(failedAt - T0)
      expect((yield* statusOf("app", { imageTag: "scratch" }))?.status).toBe("FAILED")
      expect((yield* scan("app", { imageTag: "scratch" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }).pipe(Effect.provide(registry({ rules: { failedScanUsesSlot: false } }))))

  it.effect("the window is a house rule: with a one-hour window the image is eligible at t+1h", () =>
    Effect.gen(function*() {
      yield* appScannedAtT0
      yield* at(HOUR - 1)
      expect(yield* failure(scan("app", { imageTag: "v1" }))).toStrictEqual(perImageLimit(T0 + HOUR))
      yield* at(HOUR)
      expect((yield* scan("app", { imageTag: "v1" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }).pipe(Effect.provide(registry({ rules: { perImageWindow: "1 hour" } }))))

  it.effect("pushing the same manifest again under a new tag neither scans it nor resets its window", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app", { scanOnPush: true })
      yield* push("app", ociImage(1), "v1")
      yield* at(6 * HOUR)
      yield* push("app", ociImage(1), "v1-again")
      const driver = yield* MemoryRegistryDriver
      expect((yield* driver.quotaUsage).used).toBe(1)
      expect(yield* failure(scan("app", { imageTag: "v1-again" }))).toStrictEqual(perImageLimit(T0 + DAY))
    }))

  it.effect("a refusal by the per-image window leaves the image's tags and details untouched", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      yield* scan("app", { imageDigest: digest })
      const before = yield* ImageRegistry.describeImages({ repositoryName: "app" })
      yield* refusedWithoutChange(scan("app", { imageDigest: digest }))
      expect(yield* ImageRegistry.describeImages({ repositoryName: "app" })).toStrictEqual(before)
    }))
})
