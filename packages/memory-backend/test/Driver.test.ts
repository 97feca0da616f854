/**
 * The test driver: planned faults (the next N calls fail, or a seeded probability), unmodelled codes
 * arriving as UnknownEcrError, typed refusals of unusable plans, snapshots that round-trip the whole
 * state through reset and restore, and a registry clock that never runs backwards.
 */
import { ImageRegistry, ScannerReports } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import {
  accountQuotaLimit,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  HOUR,
  inRegistry,
  noLayersImage,
  observe,
  ociImage,
  ociIndex,
  perImageLimit,
  plain,
  push,
  refusedWithoutChange,
  registry,
  scan,
  statusOf,
  T0
} from "./fixtures.js"

const SERVER_EXCEPTION = { _tag: "ServerException", message: "An internal error occurred." }

const driver = MemoryRegistryDriver

describe("the driver", () => {
  describe("fault plans", () => {
    it.effect("the next N calls of an operation fail with ServerException, exactly N, then calls succeed", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* (yield* driver).planFault({ operation: "StartImageScan", count: 3 })
        for (let i = 0; i < 3; i++) {
          expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual(SERVER_EXCEPTION)
        }
        expect((yield* scan("app", { imageDigest: digest })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("a plan for one operation leaves the others alone", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* (yield* driver).planFault({ operation: "StartImageScan", count: 1 })
        const digest = yield* push("app", ociImage(1))
        expect((yield* failure(scan("app", { imageDigest: digest })))._tag).toBe("ServerException")
      }))

    it.effect("a faulted call changes no state: a failed push stores nothing, a failed scan uses no slot or quota", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* createRepository("app", { scanOnPush: true })
        const digest = yield* push("app", ociImage(1), "v1")
        yield* at(DAY)
        yield* d.planFault({ operation: "PutImage", count: 1 })
        yield* d.planFault({ operation: "StartImageScan", count: 1 })
        const before = yield* observe
        // Only the plans themselves are spent by the faulted calls.
        const apartFromPlans = (observed: typeof before) => ({
          ...observed,
          snapshot: { ...observed.snapshot, faults: [] }
        })
        expect(yield* failure(push("app", ociImage(2), "v2"))).toStrictEqual(SERVER_EXCEPTION)
        expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual(SERVER_EXCEPTION)
        const after = yield* observe
        expect(apartFromPlans(after)).toStrictEqual(apartFromPlans(before))
        expect(after.snapshot.faults).toStrictEqual([])
        expect((yield* scan("app", { imageDigest: digest })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
        yield* push("app", ociImage(2), "v2")
      }))

    it.effect("a plan for every operation (*) fails the next calls whatever they are", () =>
      inRegistry(function*() {
        yield* (yield* driver).planFault({ operation: "*", count: 2, message: "Service unavailable." })
        const expected = { _tag: "ServerException", message: "Service unavailable." }
        expect(yield* failure(createRepository("app"))).toStrictEqual(expected)
        expect(yield* failure(ImageRegistry.getRegistryScanningConfiguration({}))).toStrictEqual(expected)
        yield* createRepository("app")
      }))

    it.effect("ThrottlingException, which no operation models, arrives as UnknownEcrError carrying its code", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* (yield* driver).planFault({
          operation: "StartImageScan",
          error: "ThrottlingException",
          message: "Rate exceeded"
        })
        expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual({
          _tag: "UnknownEcrError",
          code: "ThrottlingException",
          message: "Rate exceeded",
          httpStatus: 400
        })
      }))

    it.effect("a modelled error of the operation arrives as that error", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* (yield* driver).planFault({ operation: "DescribeImageScanFindings", error: "ScanNotFoundException" })
        expect(yield* failure(findings("app", { imageDigest: digest }))).toStrictEqual({
          _tag: "ScanNotFoundException",
          message: "Injected ScanNotFoundException"
        })
      }))

    it.effect("a probability plan fails the same calls for the same seed, and some but not all of them", () =>
      Effect.gen(function*() {
        const pattern = (seed: string) =>
          Effect.gen(function*() {
            yield* (yield* driver).planFault({ operation: "GetRegistryScanningConfiguration", probability: 0.5 })
            const results = yield* Effect.forEach(
              Array.from({ length: 64 }),
              () => Effect.either(ImageRegistry.getRegistryScanningConfiguration({}))
            )
            return results.map(Either.isLeft)
          }).pipe(Effect.provide(registry({ seed })))
        const first = yield* pattern("faults")
        expect(yield* pattern("faults")).toStrictEqual(first)
        expect(first.some((failed) => failed)).toBe(true)
        expect(first.some((failed) => !failed)).toBe(true)
      }))

    it.effect("after reset, a probability plan fails the same calls as in a fresh registry of the same seed", () =>
      Effect.gen(function*() {
        const d = yield* driver
        const pattern = Effect.gen(function*() {
          yield* d.planFault({ operation: "GetRegistryScanningConfiguration", probability: 0.5 })
          const results = yield* Effect.forEach(
            Array.from({ length: 32 }),
            () => Effect.either(ImageRegistry.getRegistryScanningConfiguration({}))
          )
          return results.map(Either.isLeft)
        })
        const fresh = yield* pattern
        yield* d.reset
        expect(yield* pattern).toStrictEqual(fresh)
      }).pipe(Effect.provide(registry({ seed: "replay" }))))

    it.effect("clearFaults cancels every plan", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* d.planFault({ operation: "*", count: 5 })
        yield* d.clearFaults
        yield* createRepository("app")
      }))

    describe("refuses an unusable plan with InvalidFaultPlan", () => {
      const cases = [
        {
          what: "a probability above 1",
          plan: { operation: "StartImageScan" as const, probability: 1.5 },
          message: "probability must be between 0 and 1, got 1.5"
        },
        {
          what: "a count of zero",
          plan: { operation: "StartImageScan" as const, count: 0 },
          message: "count must be a positive integer, got 0"
        },
        {
          what: "a fractional count",
          plan: { operation: "StartImageScan" as const, count: 1.5 },
          message: "count must be a positive integer, got 1.5"
        },
        {
          what: "an unknown operation",
          plan: { operation: "ScanEverything" as never },
          message: "unknown operation 'ScanEverything'"
        },
        {
          what: "a modelled error the operation cannot raise",
          plan: { operation: "StartImageScan" as const, error: "ScanNotFoundException" },
          message: "ScanNotFoundException is not an error of StartImageScan; an unmodelled code (such as " +
            "ThrottlingException) arrives as UnknownEcrError"
        }
      ]
      for (const c of cases) {
        it.effect(c.what, () =>
          inRegistry(function*() {
            const d = yield* driver
            const before = yield* d.snapshot
            expect(yield* failure(d.planFault(c.plan))).toStrictEqual({ _tag: "InvalidFaultPlan", message: c.message })
            expect(yield* d.snapshot).toStrictEqual(before)
          }))
      }
    })
  })

  describe("snapshots", () => {
    /** A registry with something of everything: repositories, tags, an index, scans, quota, overrides, plans. */
    const populate = Effect.gen(function*() {
      const d = yield* driver
      yield* at(0)
      yield* createRepository("app", { scanOnPush: true })
      yield* ImageRegistry.createRepository({ repositoryName: "locked", imageTagMutability: "IMMUTABLE" })
      const one = yield* push("app", ociImage(1), "v1")
      const two = yield* push("app", noLayersImage(2))
      yield* push("app", ociIndex([one, two]), "multi")
      const locked = yield* push("locked", ociImage(3), "v3")
      yield* d.setFindings({ imageDigest: one }, [{ name: "CVE-2099-0001", severity: "CRITICAL" }])
      yield* d.setScanOutcome({ imageDigest: locked, repositoryName: "locked" }, "FAILED")
      yield* at(HOUR)
      yield* scan("locked", { imageDigest: locked })
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "lock*", filterType: "WILDCARD" }] }]
      })
      yield* d.planFault({ operation: "BatchDeleteImage", count: 2 })
      return { one, locked }
    })

    /** What the ports say about the registry. */
    const view = Effect.gen(function*() {
      const images = (repositoryName: string) =>
        ImageRegistry.describeImages({ repositoryName, filter: { tagStatus: "ANY", imageStatus: "ANY" } })
      return {
        repositories: yield* ImageRegistry.describeRepositories({}),
        app: yield* images("app"),
        locked: yield* images("locked"),
        configuration: yield* ImageRegistry.getRegistryScanningConfiguration({}),
        appFindings: yield* findings("app", { imageTag: "v1" }),
        lockedFindings: yield* findings("locked", { imageTag: "v3" })
      }
    })

    it.effect("snapshot, reset and restore round-trip the state: the snapshot is equal and so is every answer", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* populate
        yield* at(2 * HOUR)
        const answers = yield* view
        const snapshot = yield* d.snapshot
        yield* d.reset
        yield* d.restore(snapshot)
        expect(yield* d.snapshot).toStrictEqual(snapshot)
        expect(yield* view).toStrictEqual(answers)
      }))

    it.effect("a snapshot survives JSON: restoring its parsed text gives the same state", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* populate
        const snapshot = yield* d.snapshot
        yield* d.reset
        yield* d.restore(JSON.parse(JSON.stringify(snapshot)))
        expect(yield* d.snapshot).toStrictEqual(snapshot)
      }))

    it.effect("a restored registry keeps its rules in force: windows, quota, overrides and planned faults", () =>
      Effect.gen(function*() {
        const d = yield* driver
        const { locked, one } = yield* populate
        const snapshot = yield* d.snapshot
        yield* d.reset
        yield* d.restore(snapshot)
        yield* at(2 * HOUR)
        expect(yield* failure(scan("app", { imageDigest: one }))).toStrictEqual(perImageLimit(T0 + DAY))
        expect(yield* failure(scan("locked", { imageDigest: locked }))).toStrictEqual(perImageLimit(T0 + HOUR + DAY))
        expect(yield* d.quotaUsage).toStrictEqual({ used: 3, limit: 3, nextSlotAt: new Date(T0 + DAY) })
        const fresh = yield* push("app", ociImage(9))
        expect((yield* statusOf("app", { imageDigest: fresh }))?.status).toBe("LIMIT_EXCEEDED")
        expect(yield* failure(scan("app", { imageDigest: fresh }))).toStrictEqual(accountQuotaLimit(3, T0 + DAY))
        expect((yield* statusOf("locked", { imageDigest: locked }))?.status).toBe("FAILED")
        const deleting = ImageRegistry.batchDeleteImage({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] })
        expect((yield* failure(deleting))._tag).toBe("ServerException")
        expect((yield* failure(deleting))._tag).toBe("ServerException")
        expect((yield* deleting).failures).toStrictEqual([{
          imageId: { imageTag: "v1" },
          failureCode: "ImageReferencedByManifestList",
          failureReason: expect.stringContaining("Requested image is referenced by manifest list")
        }])
      }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 3 } }))))

    it.effect("reset empties the registry: no repositories, quota unused, default configuration, no overrides or plans", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* populate
        yield* d.reset
        expect(yield* ImageRegistry.describeRepositories({})).toStrictEqual({ repositories: [] })
        expect((yield* d.quotaUsage).used).toBe(0)
        expect((yield* ImageRegistry.getRegistryScanningConfiguration({})).scanningConfiguration).toStrictEqual({
          scanType: "BASIC",
          rules: []
        })
        const snapshot = yield* d.snapshot
        expect(snapshot.overrides).toStrictEqual([])
        expect(snapshot.faults).toStrictEqual([])
        expect(snapshot.quota).toStrictEqual([])
        // The planned BatchDeleteImage faults are gone with the rest.
        yield* createRepository("app")
        const deleted = yield* ImageRegistry.batchDeleteImage({ repositoryName: "app", imageIds: [{ imageTag: "x" }] })
        expect(deleted.imageIds).toStrictEqual([])
      }))

    it.effect("restore refuses a snapshot whose manifest no longer parses, with InvalidSnapshot, keeping the state", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* populate
        const snapshot = yield* d.snapshot
        const broken = {
          ...snapshot,
          repositories: snapshot.repositories.map((r) => ({
            ...r,
            images: r.images.map((image, i) => i === 0 ? { ...image, manifest: "{" } : image)
          }))
        }
        const error = yield* failure(d.restore(broken))
        expect(error._tag).toBe("InvalidSnapshot")
        expect(error.message).toContain("Invalid JSON syntax")
        expect(yield* d.snapshot).toStrictEqual(snapshot)
      }))
  })

  describe("the registry's clock", () => {
    it.effect("never runs backwards: setting the test clock earlier does not reopen a window", () =>
      inRegistry(function*() {
        const d = yield* driver
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* at(DAY + HOUR)
        yield* scan("app", { imageDigest: digest })
        yield* at(0)
        expect(yield* d.now).toStrictEqual(new Date(T0 + DAY + HOUR))
        expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual(perImageLimit(T0 + 2 * DAY + HOUR))
        // Moving the test clock forward past the registry's instant moves the registry with it.
        yield* at(2 * DAY + HOUR)
        expect((yield* scan("app", { imageDigest: digest })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("never runs backwards: setting the test clock earlier does not bring back quota the window freed", () =>
      Effect.gen(function*() {
        const d = yield* driver
        yield* at(0)
        yield* createRepository("app")
        yield* scan("app", { imageDigest: yield* push("app", ociImage(1)) })
        yield* at(DAY)
        expect((yield* d.quotaUsage).used).toBe(0)
        const second = yield* push("app", ociImage(2))
        yield* scan("app", { imageDigest: second })
        yield* TestClock.setTime(T0 + HOUR)
        expect(yield* d.quotaUsage).toStrictEqual({ used: 1, limit: 1, nextSlotAt: new Date(T0 + 2 * DAY) })
        const third = yield* push("app", ociImage(3))
        expect(yield* failure(scan("app", { imageDigest: third }))).toStrictEqual(accountQuotaLimit(1, T0 + 2 * DAY))
        expect(plain(yield* Effect.flip(scan("app", { imageDigest: second })))).toStrictEqual(
          perImageLimit(T0 + 2 * DAY)
        )
      }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 1 } }))))
  })

  describe("findings from a scanner's report", () => {
    const report = (name: string): unknown =>
      JSON.parse(
        Fs.readFileSync(
          Path.join(Path.dirname(fileURLToPath(import.meta.url)), "../../core/test/fixtures", name),
          "utf8"
        )
      )

    it.effect("a Trivy report's vulnerabilities become the findings a completed scan reports", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        const trivy = report("trivy-report.json")
        yield* (yield* driver).setFindingsFromReport({ imageDigest: digest }, trivy)
        yield* scan("app", { imageDigest: digest })
        yield* at(HOUR)
        const reply = yield* findings("app", { imageDigest: digest }, { maxResults: 1000 })
        expect(reply.imageScanFindings?.findings).toStrictEqual(
          Either.getOrThrow(ScannerReports.decodeTrivy(trivy))
        )
        expect(reply.imageScanFindings?.findingSeverityCounts).toStrictEqual({
          CRITICAL: 1,
          HIGH: 1,
          MEDIUM: 1,
          LOW: 1,
          UNDEFINED: 1
        })
      }))

    it.effect("a Grype report's matches, under enhanced scanning, arrive as enhanced findings with fixed-in versions", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* ImageRegistry.putRegistryScanningConfiguration({
          scanType: "ENHANCED",
          rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]
        })
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        const grype = report("grype-report.json")
        yield* (yield* driver).setFindingsFromReport({ imageDigest: digest, repositoryName: "app" }, grype)
        yield* at(HOUR)
        const reply = yield* findings("app", { imageDigest: digest }, { maxResults: 1000 })
        const expected = Either.getOrThrow(ScannerReports.decodeGrype(grype))
        const enhanced = reply.imageScanFindings?.enhancedFindings ?? []
        expect(enhanced.map((f) => f.packageVulnerabilityDetails?.vulnerabilityId).sort()).toStrictEqual(
          expected.map((f) => f.name).sort()
        )
        const fixable = expected.filter((f) => f.attributes?.some((a) => a.key === ScannerReports.FIXED_IN_VERSION))
        expect(fixable.length).toBeGreaterThan(0)
        for (const basic of fixable) {
          const fixedIn = basic.attributes?.find((a) => a.key === ScannerReports.FIXED_IN_VERSION)?.value
          const finding = enhanced.find((f) => f.packageVulnerabilityDetails?.vulnerabilityId === basic.name)
          expect(finding?.packageVulnerabilityDetails?.vulnerablePackages?.[0]?.fixedInVersion).toBe(fixedIn)
        }
      }))

    it.effect("a document that is no report is refused with what is wrong with it, changing nothing", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        const refusal = yield* refusedWithoutChange(
          Effect.flatMap(
            driver,
            (d) => d.setFindingsFromReport({ imageDigest: digest }, { SchemaVersion: 2, Results: 7 })
          )
        )
        expect(refusal._tag).toBe("InvalidScannerReport")
        expect(refusal.message).toMatch(/^Not a Trivy JSON report \(SchemaVersion 2\):\n/)
        const other = yield* refusedWithoutChange(
          Effect.flatMap(driver, (d) => d.setFindingsFromReport({ imageDigest: digest }, "findings"))
        )
        expect(other.message).toMatch(/^Not a scanner report: expected a Trivy JSON report/)
      }))
  })
})
