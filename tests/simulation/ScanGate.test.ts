/**
 * The deployment gate on the memory backend, on virtual time: each test is one behaviour of `ScanGate.check`,
 * the clock moved by `TestClock` while the gate waits in a fiber.
 */
import { ImageRegistry, ScanGate, type ScanModel } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { Fixtures, TestRegistry } from "@ecr-scan/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schedule, TestClock } from "effect"

const repositoryName = "gate/app"
const image = { repositoryName, imageId: { imageTag: "v1" } }
const rules = { scanDuration: { min: 60_000, max: 60_000 } }

/** A repository with one pushed image (tag v1), no scan yet; its findings fixed by the test. */
const pushed = (findings: ReadonlyArray<ScanModel.ImageScanFinding>, options: { scanOnPush?: boolean } = {}) =>
  Effect.gen(function*() {
    yield* ImageRegistry.createRepository({
      repositoryName,
      imageScanningConfiguration: { scanOnPush: options.scanOnPush ?? false }
    })
    const manifest = Fixtures.image("gate")
    yield* ImageRegistry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" })
    const driver = yield* MemoryRegistryDriver
    yield* driver.setFindings({ imageDigest: Fixtures.digestOf(manifest) }, findings)
    return Fixtures.digestOf(manifest)
  })

const finding = (name: string, severity: ScanModel.FindingSeverity, pkg = "openssl") =>
  Fixtures.finding(name, severity, pkg)

/** Runs the gate in a fiber and moves the clock until it ends (at most `minutes` virtual minutes). */
const gate = (policy: Parameters<typeof ScanGate.check>[1], options?: ScanGate.CheckOptions, minutes = 10) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(ScanGate.check(image, policy, options))
    for (let m = 0; m < minutes * 12; m++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") break
      yield* TestClock.adjust("5 seconds")
    }
    return yield* Fiber.await(fiber)
  })

const inRegistry = <A, E>(effect: Effect.Effect<A, E, TestRegistry.TestRegistry>) =>
  Effect.provide(effect, TestRegistry.layer({ seed: "gate", rules }))

describe("ScanGate.check on the memory backend", () => {
  it.effect("starts a scan when there is none, waits for it and passes an image without findings", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([])
      const exit = yield* gate({ failOn: "HIGH" })
      expect(Exit.isSuccess(exit)).toBe(true)
      if (Exit.isSuccess(exit)) {
        expect(exit.value.verdict.verdict).toBe("PASSED")
        expect(exit.value.scan).toMatchObject({ status: "COMPLETE", started: true })
      }
    })))

  it.effect("blocks on a finding at or above the threshold", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([finding("CVE-2026-0001", "HIGH"), finding("CVE-2026-0002", "LOW")])
      const exit = yield* gate({ failOn: "HIGH" })
      expect(Exit.isSuccess(exit) && exit.value.verdict.verdict).toBe("BLOCKED")
      expect(Exit.isSuccess(exit) && exit.value.verdict.blocking.map((f) => f.id)).toStrictEqual(["CVE-2026-0001"])
    })))

  it.effect("does not block on an ignored finding", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([finding("CVE-2026-0001", "CRITICAL")])
      const exit = yield* gate({ failOn: "HIGH", ignore: [{ id: "CVE-2026-0001", reason: "not reachable" }] })
      expect(Exit.isSuccess(exit) && exit.value.verdict.verdict).toBe("PASSED")
    })))

  it.effect("judges the scan started on push without starting another", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([finding("CVE-2026-0003", "CRITICAL")], { scanOnPush: true })
      const exit = yield* gate({ failOn: "CRITICAL" })
      expect(Exit.isSuccess(exit) && exit.value.scan.started).toBe(false)
      expect(Exit.isSuccess(exit) && exit.value.verdict.verdict).toBe("BLOCKED")
    })))

  it.effect("fails with NoScan when told not to start one", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([])
      const exit = yield* gate({}, { startScan: false })
      expect(exit).toStrictEqual(Exit.fail(new ScanGate.NoScan({ repositoryName })))
    })))

  it.effect("fails with ScanFailed, carrying the status's description, when the scan ends FAILED", () =>
    inRegistry(Effect.gen(function*() {
      const digest = yield* pushed([])
      const driver = yield* MemoryRegistryDriver
      yield* driver.setScanOutcome({ imageDigest: digest }, "FAILED")
      const exit = yield* gate({})
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error._tag).toBe("ScanFailed")
        expect((exit.cause.error as ScanGate.ScanFailed).description).toBeDefined()
      }
    })))

  it.effect("times out at the schedule's end, with the last status", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([])
      // Three reads, 5 seconds apart: the minute-long scan is still in progress at the last one.
      const schedule = Schedule.intersect(Schedule.spaced("5 seconds"), Schedule.recurs(2))
      const exit = yield* gate({}, { schedule })
      expect(exit).toStrictEqual(Exit.fail(new ScanGate.GateTimedOut({ repositoryName, lastStatus: "IN_PROGRESS" })))
    })))

  it.effect("counts findings over several pages", () =>
    inRegistry(Effect.gen(function*() {
      const many = Array.from({ length: 250 }, (_, i) => finding(`CVE-2026-${1000 + i}`, "MEDIUM"))
      yield* pushed(many)
      const exit = yield* gate({ failOn: "CRITICAL" })
      expect(Exit.isSuccess(exit) && exit.value.verdict.counts.found.MEDIUM).toBe(250)
    })))

  it.effect("blocks when a severity goes over its maximum count", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed(Array.from({ length: 6 }, (_, i) => finding(`CVE-2026-010${i}`, "HIGH")))
      const exit = yield* gate({ maxCounts: { HIGH: 5 } })
      expect(Exit.isSuccess(exit) && exit.value.verdict.verdict).toBe("BLOCKED")
      expect(Exit.isSuccess(exit) && exit.value.verdict.reasons).toStrictEqual(["HIGH: 6 over the maximum 5"])
    })))

  it.effect("an ignore that expires mid-simulation blocks from its expiry instant on", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([finding("CVE-2026-0200", "CRITICAL")])
      const until = new Date(TestRegistry.START + 2 * 3_600_000)
      const policy = { failOn: "HIGH" as const, ignore: [{ id: "CVE-2026-0200", until }] }
      const before = yield* gate(policy)
      expect(Exit.isSuccess(before) && before.value.verdict.verdict).toBe("PASSED")
      yield* TestClock.adjust("2 hours")
      const after = yield* gate(policy)
      expect(Exit.isSuccess(after) && after.value.verdict.verdict).toBe("BLOCKED")
      expect(Exit.isSuccess(after) && after.value.verdict.expiredIgnores.map((e) => e.id)).toStrictEqual([
        "CVE-2026-0200"
      ])
    })))

  it.effect("reports an unused ignore, and blocks on it with errorOnUnusedIgnores", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([])
      const ignore = [{ id: "CVE-2026-0300" }]
      const reported = yield* gate({ failOn: "HIGH", ignore })
      expect(Exit.isSuccess(reported) && reported.value.verdict.unusedIgnores.map((e) => e.id)).toStrictEqual([
        "CVE-2026-0300"
      ])
      expect(Exit.isSuccess(reported) && reported.value.verdict.verdict).toBe("PASSED")
      const strict = yield* gate({ failOn: "HIGH", ignore, errorOnUnusedIgnores: true })
      expect(Exit.isSuccess(strict) && strict.value.verdict.verdict).toBe("BLOCKED")
    })))

  it.effect("fails with ImageArchived for an archived image", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([], { scanOnPush: true })
      yield* ImageRegistry.updateImageStorageClass({ ...image, targetStorageClass: "ARCHIVE" })
      const exit = yield* gate({})
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("ImageArchived")
    })))

  it.effect("fails with ScanLimitExceeded when the account quota refused the scan on push", () =>
    Effect.provide(
      Effect.gen(function*() {
        yield* pushed([], { scanOnPush: true })
        yield* ImageRegistry.putImage({ repositoryName, imageManifest: Fixtures.image("second"), imageTag: "v2" })
        const exit = yield* Effect.fork(ScanGate.check({ repositoryName, imageId: { imageTag: "v2" } }, {})).pipe(
          Effect.flatMap(Fiber.await)
        )
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("ScanLimitExceeded")
      }),
      TestRegistry.layer({ seed: "gate", rules: { ...rules, accountQuotaLimit: 1 } })
    ))

  it.effect("judges an ACTIVE continuous enhanced scan as complete", () =>
    inRegistry(Effect.gen(function*() {
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "ENHANCED",
        rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]
      })
      yield* pushed([finding("CVE-2026-0400", "MEDIUM")])
      const exit = yield* gate({ failOn: "HIGH" }, { consistencyDelay: "1 second" })
      expect(Exit.isSuccess(exit) && exit.value.scan.status).toBe("ACTIVE")
      expect(Exit.isSuccess(exit) && exit.value.verdict.counts.found.MEDIUM).toBe(1)
      expect(Exit.isSuccess(exit) && exit.value.verdict.verdict).toBe("PASSED")
    })))

  it.effect("waits out enhanced findings that change between reads, and judges the settled ones", () =>
    inRegistry(Effect.gen(function*() {
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "ENHANCED",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]
      })
      const digest = yield* pushed([finding("CVE-2026-0500", "LOW")])
      const fiber = yield* Effect.fork(ScanGate.check(image, { failOn: "HIGH" }, { consistencyDelay: "30 seconds" }))
      // The scan completes at 60 s and is read with one LOW finding; Inspector then updates it to a CRITICAL one.
      yield* TestClock.adjust("70 seconds")
      const driver = yield* MemoryRegistryDriver
      yield* driver.setFindings({ imageDigest: digest }, [finding("CVE-2026-0501", "CRITICAL")])
      yield* TestClock.adjust("60 seconds")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isSuccess(exit) && exit.value.scan.status).toBe("COMPLETE")
      expect(Exit.isSuccess(exit) && exit.value.verdict.blocking.map((f) => f.id)).toStrictEqual(["CVE-2026-0501"])
    })))

  it.effect("fails with UnsupportedImage when the scanner cannot scan the image", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([])
      const driver = yield* MemoryRegistryDriver
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "ENHANCED",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]
      })
      // The outcome is fixed before the push: its scan on push ends UNSUPPORTED_IMAGE.
      yield* driver.setScanOutcome({ imageDigest: Fixtures.digestOf(Fixtures.image("other")) }, "UNSUPPORTED_IMAGE")
      yield* ImageRegistry.putImage({ repositoryName, imageManifest: Fixtures.image("other"), imageTag: "v2" })
      const fiber = yield* Effect.fork(ScanGate.check({ repositoryName, imageId: { imageTag: "v2" } }, {}))
      yield* TestClock.adjust("2 minutes")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("UnsupportedImage")
    })))

  it.effect("judges the scan already there when the 24-hour rule refuses the scan it would start", () =>
    inRegistry(Effect.gen(function*() {
      // Another pipeline's scan lands between the gate's first read and its StartImageScan: the first read
      // misses it (a planned ScanNotFoundException), the start is refused by the 24-hour rule, the gate reads
      // again and judges that scan.
      yield* pushed([finding("CVE-2026-0600", "CRITICAL")], { scanOnPush: true })
      const driver = yield* MemoryRegistryDriver
      yield* driver.planFault({ operation: "DescribeImageScanFindings", error: "ScanNotFoundException", count: 1 })
      const exit = yield* gate({ failOn: "CRITICAL" })
      expect(Exit.isSuccess(exit) && exit.value.scan).toMatchObject({ status: "COMPLETE", started: false })
      expect(Exit.isSuccess(exit) && exit.value.verdict.verdict).toBe("BLOCKED")
    })))

  it.effect("times out at exactly the instant of its last read, not a moment earlier", () =>
    inRegistry(Effect.gen(function*() {
      yield* pushed([])
      // Reads at 0, 5 and 10 seconds; the minute-long scan is in progress at each: the gate gives up at 10 s.
      const schedule = Schedule.intersect(Schedule.spaced("5 seconds"), Schedule.recurs(2))
      const fiber = yield* Effect.fork(ScanGate.check(image, {}, { schedule }))
      yield* TestClock.adjust("9999 millis")
      expect((yield* Fiber.poll(fiber))._tag).toBe("None")
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toStrictEqual(Exit.fail(new ScanGate.GateTimedOut({ repositoryName, lastStatus: "IN_PROGRESS" })))
    })))
})
