/**
 * The scan lifecycle on the virtual clock: IN_PROGRESS until the scan's completion instant (fixed by the
 * seed and the digest), then COMPLETE with findings fixed by the seed, or FAILED for an image whose OS
 * the scanner cannot read. Completion instants are found by probing fresh registries, never assumed.
 */
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failedScan,
  findings,
  HOUR,
  inRegistry,
  noLayersImage,
  ociImage,
  push,
  registry,
  scan,
  statusOf,
  statusReply,
  T0,
  UNSUPPORTED_IMAGE_ERROR
} from "./fixtures.js"

const COMPLETE = { status: "COMPLETE", description: "The scan was completed successfully." }

/** In a fresh registry of `seed`: push `manifest`, scan it at T0, and read its status at T0 + `offset`. */
const statusAfter = (seed: string, manifest: string, offset: number) =>
  Effect.gen(function*() {
    yield* at(0)
    yield* createRepository("app")
    const digest = yield* push("app", manifest)
    yield* scan("app", { imageDigest: digest })
    yield* at(offset)
    return (yield* statusOf("app", { imageDigest: digest }))?.status
  }).pipe(Effect.provide(registry({ seed })))

/**
 * The offset from its start at which a scan turns COMPLETE, found by bisection over fresh registries
 * (one registry's time never runs backwards, so each probe needs its own).
 */
const completionOffset = (seed: string, manifest: string) =>
  Effect.gen(function*() {
    let inProgress = 0
    let complete = HOUR
    expect(yield* statusAfter(seed, manifest, inProgress)).toBe("IN_PROGRESS")
    expect(yield* statusAfter(seed, manifest, complete)).toBe("COMPLETE")
    while (complete - inProgress > 1) {
      const middle = Math.floor((inProgress + complete) / 2)
      const status = yield* statusAfter(seed, manifest, middle)
      if (status === "COMPLETE") complete = middle
      else inProgress = middle
    }
    return complete
  })

/** The findings response of image `n`, scanned at T0 and read an hour later, in a fresh registry of `seed`. */
const completedFindings = (seed: string, n: number) =>
  Effect.gen(function*() {
    yield* at(0)
    yield* createRepository("app")
    const digest = yield* push("app", ociImage(n))
    yield* scan("app", { imageDigest: digest })
    yield* at(HOUR)
    return yield* findings("app", { imageDigest: digest }, { maxResults: 1000 })
  }).pipe(Effect.provide(registry({ seed })))

describe("the scan lifecycle", () => {
  it.effect("a scan is IN_PROGRESS until its completion instant and COMPLETE from that very millisecond", () =>
    Effect.gen(function*() {
      const completesAt = yield* completionOffset("lifecycle", ociImage(1))
      // Within the house range of scan durations (5 to 15 seconds).
      expect(completesAt).toBeGreaterThanOrEqual(5_000)
      expect(completesAt).toBeLessThanOrEqual(15_000)
      yield* Effect.gen(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* scan("app", { imageDigest: digest })
        yield* at(completesAt - 1)
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({ status: "IN_PROGRESS" })
        yield* at(completesAt)
        const response = yield* findings("app", { imageDigest: digest })
        expect(response.imageScanStatus).toStrictEqual(COMPLETE)
        expect(response.imageScanFindings?.imageScanCompletedAt).toStrictEqual(new Date(T0 + completesAt))
      }).pipe(Effect.provide(registry({ seed: "lifecycle" })))
    }))

  it.effect("the completion instant is the same in two fresh registries with the same seed and digest", () =>
    Effect.gen(function*() {
      const first = yield* completionOffset("replay", ociImage(7))
      const second = yield* completionOffset("replay", ociImage(7))
      expect(second).toBe(first)
    }))

  it.effect("with the scan duration fixed at ten seconds, a scan completes exactly ten seconds after it started", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* at(HOUR)
      yield* scan("app", { imageDigest: digest })
      yield* at(HOUR + 9_999)
      expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({ status: "IN_PROGRESS" })
      yield* at(HOUR + 10_000)
      expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual(COMPLETE)
    }).pipe(Effect.provide(registry({ rules: { scanDuration: { min: "10 seconds", max: "10 seconds" } } }))))

  it.effect("a completed scan reports the findings fixed for the image, with counts by severity", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      const driver = yield* MemoryRegistryDriver
      const fixed = [
        { name: "CVE-2099-0001", severity: "HIGH" as const, uri: "https://example.test/CVE-2099-0001" },
        { name: "CVE-2099-0002", severity: "LOW" as const },
        { name: "CVE-2099-0003", severity: "LOW" as const, attributes: [{ key: "package_name", value: "zlib" }] }
      ]
      yield* driver.setFindings({ imageDigest: digest }, fixed)
      yield* scan("app", { imageTag: "v1" })
      yield* at(10_000)
      expect(yield* findings("app", { imageTag: "v1" })).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName: "app",
        imageId: { imageDigest: digest, imageTag: "v1" },
        imageScanStatus: COMPLETE,
        imageScanFindings: {
          imageScanCompletedAt: new Date(T0 + 10_000),
          vulnerabilitySourceUpdatedAt: new Date(T0 + 10_000),
          findingSeverityCounts: { HIGH: 1, LOW: 2 },
          findings: fixed
        }
      })
    }).pipe(Effect.provide(registry({ rules: { scanDuration: { min: "10 seconds", max: "10 seconds" } } }))))

  it.effect("two registries with the same seed report identical findings", () =>
    Effect.gen(function*() {
      for (const n of [1, 2, 3]) {
        const first = yield* completedFindings("same", n)
        const second = yield* completedFindings("same", n)
        expect(first.imageScanStatus).toStrictEqual(COMPLETE)
        expect(second).toStrictEqual(first)
      }
    }))

  it.effect("a different seed reports different findings for at least one of a few images", () =>
    Effect.gen(function*() {
      const differing: Array<number> = []
      for (const n of [1, 2, 3, 4, 5]) {
        const a = yield* completedFindings("seed-a", n)
        const b = yield* completedFindings("seed-b", n)
        if (JSON.stringify(a.imageScanFindings?.findings) !== JSON.stringify(b.imageScanFindings?.findings)) {
          differing.push(n)
        }
      }
      expect(differing.length).toBeGreaterThan(0)
    }))

  describe("an image whose OS the scanner cannot read", () => {
    it.effect("an image without layers is accepted IN_PROGRESS and ends FAILED with no findings", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", noLayersImage(1), "scratch")
        const started = yield* scan("app", { imageTag: "scratch" })
        expect(started.imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
        yield* at(HOUR)
        expect(yield* findings("app", { imageTag: "scratch" })).toStrictEqual(
          failedScan("app", { imageDigest: digest, imageTag: "scratch" })
        )
      }))

    it.effect("setScanOutcome FAILED makes an ordinary image's next scan end FAILED with no findings", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        const driver = yield* MemoryRegistryDriver
        yield* driver.setScanOutcome({ imageDigest: digest }, "FAILED")
        expect((yield* scan("app", { imageDigest: digest })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
        yield* at(HOUR)
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual(
          failedScan("app", { imageDigest: digest })
        )
      }))

    it.effect("an outcome set while a scan runs applies to the next scan, not to the running one", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* scan("app", { imageDigest: digest })
        const driver = yield* MemoryRegistryDriver
        yield* driver.setScanOutcome({ imageDigest: digest }, "FAILED")
        yield* at(HOUR)
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual(COMPLETE)
        yield* at(DAY)
        yield* scan("app", { imageDigest: digest })
        yield* at(DAY + HOUR)
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({
          status: "FAILED",
          description: UNSUPPORTED_IMAGE_ERROR
        })
      }))

    it.effect("an outcome set for one repository leaves the same digest in another repository alone", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("team/a")
        yield* createRepository("team/b")
        const digest = yield* push("team/a", ociImage(1))
        yield* push("team/b", ociImage(1))
        const driver = yield* MemoryRegistryDriver
        yield* driver.setScanOutcome({ imageDigest: digest, repositoryName: "team/a" }, "FAILED")
        yield* scan("team/a", { imageDigest: digest })
        yield* scan("team/b", { imageDigest: digest })
        yield* at(HOUR)
        expect((yield* statusOf("team/a", { imageDigest: digest }))?.status).toBe("FAILED")
        expect((yield* statusOf("team/b", { imageDigest: digest }))?.status).toBe("COMPLETE")
      }))
  })

  it.effect("a rescan 24 hours later is IN_PROGRESS without the old findings, then COMPLETE at its own instant", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      const driver = yield* MemoryRegistryDriver
      yield* driver.setFindings({ imageDigest: digest }, [{ name: "CVE-2099-0001", severity: "CRITICAL" }])
      yield* scan("app", { imageDigest: digest })
      yield* at(HOUR)
      expect((yield* findings("app", { imageDigest: digest })).imageScanFindings?.imageScanCompletedAt)
        .toStrictEqual(new Date(T0 + 10_000))
      yield* at(DAY)
      yield* scan("app", { imageDigest: digest })
      expect(yield* findings("app", { imageDigest: digest })).toStrictEqual(
        statusReply("app", { imageDigest: digest }, { status: "IN_PROGRESS" })
      )
      yield* at(DAY + 10_000)
      const rescanned = yield* findings("app", { imageDigest: digest })
      expect(rescanned.imageScanStatus).toStrictEqual(COMPLETE)
      expect(rescanned.imageScanFindings?.imageScanCompletedAt).toStrictEqual(new Date(T0 + DAY + 10_000))
    }).pipe(Effect.provide(registry({ rules: { scanDuration: { min: "10 seconds", max: "10 seconds" } } }))))
})
