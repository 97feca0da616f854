/**
 * The account quota: 100,000 accepted basic scans (manual and on push) per rolling 24 hours per
 * registry. The full quota is filled once; the other tests use a small `accountQuotaLimit`.
 */
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  accountQuotaLimit,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  HOUR,
  inRegistry,
  ociImage,
  perImageLimit,
  push,
  refusedWithoutChange,
  registry,
  scan,
  statusOf,
  T0
} from "./fixtures.js"

const LIMIT_EXCEEDED_ON_PUSH = {
  status: "LIMIT_EXCEEDED",
  description: "The basic scan quota for this registry was exceeded when the image was pushed; it was not scanned."
}

const quotaUsage = Effect.flatMap(MemoryRegistryDriver, (driver) => driver.quotaUsage)

/** Pushes images `from..to-1` into `repositoryName` and starts a manual scan of each. */
const scanMany = (repositoryName: string, from: number, to: number) =>
  Effect.gen(function*() {
    for (let n = from; n < to; n++) {
      const digest = yield* push(repositoryName, ociImage(n))
      yield* scan(repositoryName, { imageDigest: digest })
    }
  })

describe("the account quota", () => {
  it.effect("the 100,000th scan of a window is accepted, the next refused, and a slot frees as the oldest leaves", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("manual")
      yield* createRepository("bulk", { scanOnPush: true })
      const first = yield* push("manual", ociImage(0))
      yield* scan("manual", { imageDigest: first })
      yield* at(HOUR)
      // 99,998 scans on push: with the first, 99,999 scans are counted.
      for (let n = 1; n < 99_999; n++) yield* push("bulk", ociImage(n))
      expect(yield* quotaUsage).toStrictEqual({ used: 99_999, limit: 100_000, nextSlotAt: undefined })
      const last = yield* push("manual", ociImage(100_000))
      const next = yield* push("manual", ociImage(100_001))

      const accepted = yield* scan("manual", { imageDigest: last })
      expect(accepted.imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      expect(yield* quotaUsage).toStrictEqual({ used: 100_000, limit: 100_000, nextSlotAt: new Date(T0 + DAY) })
      // (A snapshot of 100,000 images is too large to compare twice here; the other tests compare snapshots.)
      const refused = yield* failure(scan("manual", { imageDigest: next }))
      expect(yield* quotaUsage).toStrictEqual({ used: 100_000, limit: 100_000, nextSlotAt: new Date(T0 + DAY) })
      expect((yield* failure(findings("manual", { imageDigest: next })))._tag).toBe("ScanNotFoundException")
      expect(refused).toStrictEqual({
        _tag: "LimitExceededException",
        message: "The basic scan quota of 100000 scans per 24 hours for the registry with id '123456789012' " +
          "has been exceeded. Wait and try again.",
        limit: "ACCOUNT_QUOTA",
        nextEligibleAt: new Date(T0 + DAY)
      })

      yield* at(DAY - 1)
      expect(yield* failure(scan("manual", { imageDigest: next }))).toStrictEqual(
        accountQuotaLimit(100_000, T0 + DAY)
      )
      yield* at(DAY)
      expect((yield* scan("manual", { imageDigest: next })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      // One slot freed, and it is taken again: the next frees when the scans on push leave the window.
      const another = yield* push("manual", ociImage(100_002))
      expect(yield* failure(scan("manual", { imageDigest: another }))).toStrictEqual(
        accountQuotaLimit(100_000, T0 + HOUR + DAY)
      )
    }))

  it.effect("a slot frees exactly when the oldest counted scan leaves the 24 hour window", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* scanMany("app", 0, 1)
      yield* at(HOUR)
      yield* scanMany("app", 1, 2)
      yield* at(2 * HOUR)
      yield* scanMany("app", 2, 3)
      const waiting = yield* push("app", ociImage(3))
      expect(yield* failure(scan("app", { imageDigest: waiting }))).toStrictEqual(accountQuotaLimit(3, T0 + DAY))
      yield* at(DAY - 1)
      expect(yield* failure(scan("app", { imageDigest: waiting }))).toStrictEqual(accountQuotaLimit(3, T0 + DAY))
      yield* at(DAY)
      expect((yield* scan("app", { imageDigest: waiting })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      const later = yield* push("app", ociImage(4))
      expect(yield* failure(scan("app", { imageDigest: later }))).toStrictEqual(
        accountQuotaLimit(3, T0 + HOUR + DAY)
      )
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 3 } }))))

  it.effect("a scan on push counts against the quota like a manual scan", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("auto", { scanOnPush: true })
      yield* createRepository("manual")
      yield* push("auto", ociImage(1))
      yield* push("auto", ociImage(2))
      expect(yield* quotaUsage).toStrictEqual({ used: 2, limit: 2, nextSlotAt: new Date(T0 + DAY) })
      const digest = yield* push("manual", ociImage(3))
      expect(yield* failure(scan("manual", { imageDigest: digest }))).toStrictEqual(accountQuotaLimit(2, T0 + DAY))
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 2 } }))))

  it.effect("a scan on push while the quota is exhausted records LIMIT_EXCEEDED and does not use the image's slot", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("manual")
      yield* createRepository("auto", { scanOnPush: true })
      yield* scanMany("manual", 0, 2)
      yield* at(HOUR)
      const digest = yield* push("auto", ociImage(10), "v1")
      expect(yield* findings("auto", { imageTag: "v1" })).toStrictEqual({
        registryId: "123456789012",
        repositoryName: "auto",
        imageId: { imageDigest: digest, imageTag: "v1" },
        imageScanStatus: LIMIT_EXCEEDED_ON_PUSH
      })
      expect(yield* quotaUsage).toStrictEqual({ used: 2, limit: 2, nextSlotAt: new Date(T0 + DAY) })
      // A manual scan now is refused by the quota, not by the image's window.
      expect(yield* failure(scan("auto", { imageTag: "v1" }))).toStrictEqual(accountQuotaLimit(2, T0 + DAY))
      // The push was at T0+1h; had it used the image's slot, the image would wait until T0+25h.
      yield* at(DAY)
      expect((yield* scan("auto", { imageTag: "v1" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      expect(yield* statusOf("auto", { imageTag: "v1" })).toStrictEqual({ status: "IN_PROGRESS" })
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 2 } }))))

  it.effect("with quotaExceededOnPush SKIP, a scan on push over the quota records no scan at all", () =>
    Effect.gen(function*() {
      yield* createRepository("auto", { scanOnPush: true })
      const first = yield* push("auto", ociImage(1))
      const second = yield* push("auto", ociImage(2))
      expect((yield* statusOf("auto", { imageDigest: first }))?.status).toBe("IN_PROGRESS")
      expect(yield* failure(findings("auto", { imageDigest: second }))).toStrictEqual({
        _tag: "ScanNotFoundException",
        message: `Image scan does not exist for the image with '{imageDigest:'${second}', imageTag:'null'}' in the ` +
          "repository with name 'auto' in the registry with id '123456789012'"
      })
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 1, quotaExceededOnPush: "SKIP" } }))))

  it.effect("refusals use no quota: a per-image refusal, an unknown image and an unknown repository leave it as it was", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* scan("app", { imageDigest: digest })
      yield* refusedWithoutChange(scan("app", { imageDigest: digest }))
      yield* refusedWithoutChange(scan("app", { imageTag: "missing" }))
      yield* refusedWithoutChange(scan("missing", { imageTag: "missing" }))
      expect((yield* quotaUsage).used).toBe(1)
    }))

  it.effect("the quota counts the scans of every repository of the registry together", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("team/a")
      yield* createRepository("team/b")
      yield* scanMany("team/a", 0, 2)
      yield* scanMany("team/b", 2, 4)
      const digest = yield* push("team/b", ociImage(5))
      expect(yield* failure(scan("team/b", { imageDigest: digest }))).toStrictEqual(accountQuotaLimit(4, T0 + DAY))
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 4 } }))))

  it.effect("quotaUsage reports the scans counted now and forgets those that left the window", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* scanMany("app", 0, 2)
      yield* at(12 * HOUR)
      yield* scanMany("app", 2, 3)
      expect(yield* quotaUsage).toStrictEqual({ used: 3, limit: 10, nextSlotAt: undefined })
      yield* at(DAY)
      expect(yield* quotaUsage).toStrictEqual({ used: 1, limit: 10, nextSlotAt: undefined })
      yield* at(12 * HOUR + DAY)
      expect(yield* quotaUsage).toStrictEqual({ used: 0, limit: 10, nextSlotAt: undefined })
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 10 } }))))

  it.effect("the image's window is checked before the quota: a rescanned image reports PER_IMAGE", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* scan("app", { imageDigest: digest })
      yield* scanMany("app", 2, 3)
      expect((yield* quotaUsage).used).toBe(2)
      expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual(perImageLimit(T0 + DAY))
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 2 } }))))
})
