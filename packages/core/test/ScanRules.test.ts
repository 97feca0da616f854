import { ScanRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either } from "effect"

const HOUR = 3_600_000

const problem = (input: ScanRules.ScanRulesInput) =>
  Either.match(ScanRules.make(input), { onLeft: (reason) => reason, onRight: () => undefined })

describe("ScanRules.make", () => {
  it("without overrides gives the defaults", () => {
    expect(ScanRules.make()).toEqual(Either.right(ScanRules.defaults))
  })

  it("the defaults are DESIGN.md's house rules", () => {
    expect(ScanRules.defaults).toMatchObject({
      // rolling 24 h from the start of the last accepted scan
      perImageWindowMillis: 24 * HOUR,
      // a FAILED scan uses the slot
      failedScanUsesSlot: true,
      // a rejected request uses neither the slot nor the quota
      rejectedRequestUsesSlot: false,
      // 100,000 accepted scans per rolling 24 h per registry
      accountQuotaLimit: 100_000,
      accountQuotaWindowMillis: 24 * HOUR,
      // quota hit by a scan on push: status LIMIT_EXCEEDED
      quotaExceededOnPush: "LIMIT_EXCEEDED",
      enhancedManualScan: "ValidationException",
      invalidImageId: "InvalidParameterException",
      tagDigestMismatch: "ImageNotFoundException",
      imageIndexScan: "UnsupportedImageTypeException",
      unsupportedImageDescription:
        "UnsupportedImageError: The operating system and/or package manager are not supported."
    })
    expect(ScanRules.defaults.scanDurationMinMillis).toBeLessThanOrEqual(ScanRules.defaults.scanDurationMaxMillis)
  })

  it("the default order of checks is validation, repository, image, image state, scan type, then the limits", () => {
    expect(ScanRules.defaults.checkOrder).toEqual([
      "validation",
      "repository",
      "image",
      "imageState",
      "scanType",
      "imageWindow",
      "accountQuota"
    ])
  })

  it("resolves durations given in any Duration form to milliseconds", () => {
    const rules = Either.getOrThrow(
      ScanRules.make({
        perImageWindow: "12 hours",
        accountQuotaWindow: 60_000,
        scanDuration: { min: "1 second", max: "2 minutes" },
        restoreDuration: "0 millis"
      })
    )
    expect(rules).toMatchObject({
      perImageWindowMillis: 12 * HOUR,
      accountQuotaWindowMillis: 60_000,
      scanDurationMinMillis: 1_000,
      scanDurationMaxMillis: 120_000,
      restoreDurationMillis: 0
    })
  })

  it("keeps the defaults of everything not overridden", () => {
    const rules = Either.getOrThrow(ScanRules.make({ failedScanUsesSlot: false }))
    expect(rules).toEqual({ ...ScanRules.defaults, failedScanUsesSlot: false })
  })

  it("rejects a window that is not positive", () => {
    expect(problem({ perImageWindow: 0 })).toBe("perImageWindow must be a positive duration")
    expect(problem({ perImageWindow: -5 })).toBe("perImageWindow must be a positive duration")
    expect(problem({ accountQuotaWindow: "0 seconds" })).toBe("accountQuotaWindow must be a positive duration")
  })

  it("rejects a duration it cannot read, with a reason rather than a throw", () => {
    expect(problem({ perImageWindow: "a fortnight" as never })).toBe("perImageWindow must be a positive duration")
    expect(problem({ scanDuration: { min: "soon" as never, max: "5 seconds" } })).toBe(
      "scanDuration must satisfy 0 <= min <= max"
    )
  })

  it("rejects an account quota limit that is not a positive integer", () => {
    expect(problem({ accountQuotaLimit: 0 })).toBe("accountQuotaLimit must be a positive integer")
    expect(problem({ accountQuotaLimit: 2.5 })).toBe("accountQuotaLimit must be a positive integer")
  })

  it("rejects a scan duration range whose minimum exceeds its maximum, or that is infinite", () => {
    expect(problem({ scanDuration: { min: "2 minutes", max: "1 minute" } })).toBe(
      "scanDuration must satisfy 0 <= min <= max"
    )
    expect(problem({ scanDuration: { min: 0, max: Duration.infinity } })).toBe("scanDuration.max must be finite")
  })

  it("rejects a check order that is not a permutation of the checks", () => {
    const reason = "checkOrder must be a permutation of validation, repository, image, imageState, scanType, " +
      "imageWindow, accountQuota"
    expect(problem({ checkOrder: ["validation", "repository", "image", "imageState", "scanType", "imageWindow"] }))
      .toBe(reason)
    expect(
      problem({
        checkOrder: ["validation", "repository", "image", "imageState", "scanType", "imageWindow", "imageWindow"]
      })
    ).toBe(reason)
  })

  it("rejects a check order that looks at an image before finding it", () => {
    expect(
      problem({
        checkOrder: ["validation", "image", "repository", "imageState", "scanType", "imageWindow", "accountQuota"]
      })
    ).toBe("checkOrder must find the repository before the image, and the image before its state")
    expect(
      problem({
        checkOrder: ["validation", "repository", "imageState", "image", "scanType", "imageWindow", "accountQuota"]
      })
    ).toBe("checkOrder must find the repository before the image, and the image before its state")
    expect(
      problem({
        checkOrder: ["validation", "repository", "imageWindow", "image", "imageState", "scanType", "accountQuota"]
      })
    ).toBe("checkOrder must find the image before its window")
  })

  it("accepts any order that finds the repository, then the image, before looking at the image", () => {
    expect(
      problem({
        checkOrder: ["accountQuota", "scanType", "repository", "validation", "image", "imageWindow", "imageState"]
      })
    ).toBeUndefined()
  })

  it.effect("CurrentScanRules holds the defaults unless a layer provides others", () =>
    Effect.gen(function*() {
      expect(yield* ScanRules.CurrentScanRules).toBe(ScanRules.defaults)
      const custom = { ...ScanRules.defaults, accountQuotaLimit: 5 }
      expect(
        yield* ScanRules.CurrentScanRules.pipe(Effect.provideService(ScanRules.CurrentScanRules, custom))
      ).toBe(custom)
    }))
})
