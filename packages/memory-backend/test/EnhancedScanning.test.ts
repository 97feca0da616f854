/**
 * ENHANCED registries (Amazon Inspector): no manual scans (ValidationException), continuous scanning of
 * the repositories a CONTINUOUS_SCAN filter matches (PENDING, then ACTIVE), and the basic scan records
 * hidden while ENHANCED is on and shown again after switching back to BASIC.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  HOUR,
  inRegistry,
  ociImage,
  push,
  quotaUsed,
  refusedWithoutChange,
  scan,
  statusOf,
  statusReply
} from "./fixtures.js"

type Frequency = "SCAN_ON_PUSH" | "CONTINUOUS_SCAN" | "MANUAL"

const configure = (
  scanType: "BASIC" | "ENHANCED",
  rules: ReadonlyArray<readonly [Frequency, ReadonlyArray<string>]> = []
) =>
  ImageRegistry.putRegistryScanningConfiguration({
    scanType,
    rules: rules.map(([scanFrequency, filters]) => ({
      scanFrequency,
      repositoryFilters: filters.map((filter) => ({ filter, filterType: "WILDCARD" as const }))
    }))
  })

const PENDING = { status: "PENDING", description: "The image is waiting for its initial scan." }
const ACTIVE = { status: "ACTIVE", description: "Continuous scan is selected for image." }

describe("an ENHANCED registry", () => {
  it.effect("refuses StartImageScan with ValidationException, changing nothing", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      const response = yield* configure("ENHANCED")
      expect(response).toStrictEqual({ registryScanningConfiguration: { scanType: "ENHANCED", rules: [] } })
      expect(yield* refusedWithoutChange(scan("app", { imageDigest: digest }))).toStrictEqual({
        _tag: "ValidationException",
        message:
          "Manual scans are not supported when the registry scan type is ENHANCED; images are scanned by Amazon Inspector."
      })
    }))

  it.effect("scans a push into a repository a CONTINUOUS_SCAN filter matches: PENDING, then ACTIVE", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* configure("ENHANCED", [["CONTINUOUS_SCAN", ["prod*"]]])
      yield* createRepository("prod-api")
      const digest = yield* push("prod-api", ociImage(1), "v1")
      expect(yield* findings("prod-api", { imageTag: "v1" })).toStrictEqual(
        statusReply("prod-api", { imageDigest: digest, imageTag: "v1" }, PENDING)
      )
      yield* at(HOUR)
      const active = yield* findings("prod-api", { imageTag: "v1" })
      expect(active.imageScanStatus).toStrictEqual(ACTIVE)
      expect(active.imageScanFindings?.findings).toBeUndefined()
      expect(Array.isArray(active.imageScanFindings?.enhancedFindings)).toBe(true)
      // Inspector's scans are not basic scans: they use no basic quota.
      expect(yield* quotaUsed).toBe(0)
    }))

  it.effect("reports enhanced findings in Inspector's shape, about the image they were found in", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* configure("ENHANCED", [["CONTINUOUS_SCAN", ["*"]]])
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      const driver = yield* MemoryRegistryDriver
      yield* driver.setFindings({ imageDigest: digest }, [{
        name: "CVE-2099-0001",
        severity: "HIGH",
        attributes: [{ key: "package_name", value: "zlib" }, { key: "package_version", value: "1.2.3" }]
      }])
      yield* at(HOUR)
      const response = yield* findings("app", { imageDigest: digest })
      expect(response.imageScanFindings?.findingSeverityCounts).toStrictEqual({ HIGH: 1 })
      const [finding] = response.imageScanFindings?.enhancedFindings ?? []
      expect(finding).toMatchObject({
        awsAccountId: ACCOUNT,
        severity: "HIGH",
        title: "CVE-2099-0001",
        type: "PACKAGE_VULNERABILITY",
        packageVulnerabilityDetails: {
          vulnerabilityId: "CVE-2099-0001",
          vulnerablePackages: [{ name: "zlib", version: "1.2.3" }]
        },
        resources: [{ details: { awsEcrContainerImage: { imageHash: digest, repositoryName: "app" } } }]
      })
    }))

  it.effect("a continuous scan stays ACTIVE for the eligibility period, then SCAN_ELIGIBILITY_EXPIRED", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* configure("ENHANCED", [["CONTINUOUS_SCAN", ["*"]]])
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* at(30 * DAY - 1)
      expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual(ACTIVE)
      yield* at(30 * DAY)
      expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({
        status: "SCAN_ELIGIBILITY_EXPIRED",
        description: "The image is no longer eligible for continuous scanning."
      })
    }))

  it.effect("a repository matched only by SCAN_ON_PUSH is scanned once: PENDING, then COMPLETE", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* configure("ENHANCED", [["SCAN_ON_PUSH", ["app"]], ["CONTINUOUS_SCAN", ["prod*"]]])
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual(PENDING)
      yield* at(HOUR)
      expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({
        status: "COMPLETE",
        description: "The scan was completed successfully."
      })
    }))

  it.effect("a repository matched by no filter is not scanned on push", () =>
    inRegistry(function*() {
      yield* configure("ENHANCED", [["CONTINUOUS_SCAN", ["prod*"]]])
      yield* createRepository("staging-api")
      const digest = yield* push("staging-api", ociImage(1))
      expect((yield* failure(findings("staging-api", { imageDigest: digest })))._tag).toBe("ScanNotFoundException")
    }))

  it.effect("when SCAN_ON_PUSH and CONTINUOUS_SCAN filters both match, CONTINUOUS_SCAN wins", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* configure("ENHANCED", [["SCAN_ON_PUSH", ["*"]], ["CONTINUOUS_SCAN", ["prod*"]]])
      yield* createRepository("prod-api")
      const digest = yield* push("prod-api", ociImage(1))
      yield* at(HOUR)
      expect(yield* statusOf("prod-api", { imageDigest: digest })).toStrictEqual(ACTIVE)
      const configuration = yield* ImageRegistry.batchGetRepositoryScanningConfiguration({
        repositoryNames: ["prod-api"]
      })
      expect(configuration.scanningConfigurations?.[0]?.scanFrequency).toBe("CONTINUOUS_SCAN")
      expect(configuration.scanningConfigurations?.[0]?.appliedScanFilters).toStrictEqual([
        { filter: "prod*", filterType: "WILDCARD" }
      ])
    }))

  it.effect("switching to ENHANCED hides the basic scans, and switching back to BASIC shows them again", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("prod-api", { scanOnPush: true })
      const basic = yield* push("prod-api", ociImage(1))
      yield* at(HOUR)
      const before = yield* findings("prod-api", { imageDigest: basic })
      expect(before.imageScanStatus?.status).toBe("COMPLETE")

      yield* configure("ENHANCED", [["CONTINUOUS_SCAN", ["prod*"]]])
      expect((yield* failure(findings("prod-api", { imageDigest: basic })))._tag).toBe("ScanNotFoundException")
      const enhanced = yield* push("prod-api", ociImage(2))
      expect(yield* statusOf("prod-api", { imageDigest: enhanced })).toStrictEqual(PENDING)

      yield* at(2 * HOUR)
      yield* configure("BASIC")
      expect(yield* findings("prod-api", { imageDigest: basic })).toStrictEqual(before)
      // The image pushed under ENHANCED has no basic scan to show.
      expect((yield* failure(findings("prod-api", { imageDigest: enhanced })))._tag).toBe("ScanNotFoundException")
    }))

  describe("refuses a configuration the scan type does not support, with ValidationException", () => {
    const cases = [
      {
        what: "CONTINUOUS_SCAN under BASIC",
        call: configure("BASIC", [["CONTINUOUS_SCAN", ["*"]]]),
        message: "Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC."
      },
      {
        what: "MANUAL under ENHANCED",
        call: configure("ENHANCED", [["MANUAL", ["*"]]]),
        message: "Scan frequency MANUAL is not supported for scan type ENHANCED."
      },
      {
        what: "two rules of one frequency",
        call: configure("BASIC", [["SCAN_ON_PUSH", ["a*"]], ["SCAN_ON_PUSH", ["b*"]]]),
        message: "Only one rule with scan frequency SCAN_ON_PUSH is allowed."
      }
    ]
    for (const c of cases) {
      it.effect(`${c.what}, and the registry keeps its configuration`, () =>
        inRegistry(function*() {
          yield* configure("BASIC", [["SCAN_ON_PUSH", ["prod*"]]])
          const before = yield* ImageRegistry.getRegistryScanningConfiguration({})
          expect(yield* refusedWithoutChange(c.call)).toStrictEqual({ _tag: "ValidationException", message: c.message })
          expect(yield* ImageRegistry.getRegistryScanningConfiguration({})).toStrictEqual(before)
        }))
    }
  })
})
