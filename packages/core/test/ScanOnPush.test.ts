import {
  ImageModel,
  Manifest,
  RegistryScanningRules,
  type ScanLifecycle,
  type ScanningConfiguration,
  ScanOnPush,
  ScanQuota,
  ScanRules
} from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const HOUR = 3_600_000
const NOW = Date.UTC(2026, 2, 1, 12)
const DURATION = 7_000

const { MediaTypes } = ImageModel

const rules = (overrides: Partial<ScanOnPush.PushRules> = {}): ScanOnPush.PushRules => ({
  accountQuotaLimit: ScanRules.defaults.accountQuotaLimit,
  accountQuotaWindowMillis: ScanRules.defaults.accountQuotaWindowMillis,
  quotaExceededOnPush: ScanRules.defaults.quotaExceededOnPush,
  ...overrides
})

const image = (overrides: Partial<ScanOnPush.PushedImage> = {}): ScanOnPush.PushedImage => ({
  mediaType: MediaTypes.ociManifest,
  artifactMediaType: MediaTypes.ociConfig,
  references: [],
  ...overrides
})

const scanning = (
  scanType: ScanningConfiguration.ScanType,
  frequency: ScanningConfiguration.ScanFrequency | undefined,
  scanOnPush = false
) =>
  RegistryScanningRules.effectiveScanning(
    {
      scanType,
      rules: frequency === undefined ? [] : [{
        scanFrequency: frequency,
        repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }]
      }]
    },
    { name: "app", scanOnPush }
  )

const BASIC_ON_PUSH = scanning("BASIC", "SCAN_ON_PUSH")
const FULL = ScanQuota.fromArray([NOW - HOUR, NOW - 1])

/** The image fields a scan on push writes, as the memory backend holds them. */
interface Written {
  basicScan: ScanLifecycle.ScanRecord | undefined
  enhancedScan: ScanLifecycle.ScanRecord | undefined
  lastStarted: ScanLifecycle.ScanRecord | undefined
}

const fresh = (): Written => ({ basicScan: undefined, enhancedScan: undefined, lastStarted: undefined })

/** The memory backend's `scanOnPush` before the rule moved to the core (its scans last DURATION and COMPLETE). */
const original = (
  effective: RegistryScanningRules.EffectiveScanning,
  pushed: ScanOnPush.PushedImage,
  state: { quota: ScanQuota.ScanQuota },
  written: Written,
  now: number,
  houseRules: ScanOnPush.PushRules
) => {
  const startRecord = (kind: ScanLifecycle.ScanKind): ScanLifecycle.ScanRecord => ({
    kind,
    trigger: "PUSH",
    startedAt: now,
    completesAt: now + DURATION,
    outcome: "COMPLETE"
  })
  const kind = RegistryScanningRules.onPush(effective)
  if (
    kind === "NONE" || pushed.references.length > 0 || Manifest.MANIFEST_MEDIA_TYPES.has(pushed.mediaType) === false
  ) {
    return
  }
  if (pushed.artifactMediaType !== undefined && !ImageModel.isImageConfigMediaType(pushed.artifactMediaType)) return
  if (kind !== "BASIC") {
    written.enhancedScan = startRecord(kind)
    return
  }
  const decision = ScanQuota.check(state.quota, now, houseRules.accountQuotaLimit, houseRules.accountQuotaWindowMillis)
  state.quota = decision.quota
  if (!decision.admitted) {
    if (houseRules.quotaExceededOnPush === "LIMIT_EXCEEDED") {
      written.basicScan = {
        kind: "LIMIT_EXCEEDED",
        trigger: "PUSH",
        startedAt: now,
        completesAt: now,
        outcome: "COMPLETE"
      }
    }
    return
  }
  const record = startRecord("BASIC")
  written.basicScan = record
  written.lastStarted = record
  state.quota = ScanQuota.record(state.quota, now)
}

/** What the memory backend does with a decision. */
const apply = (
  decision: ScanOnPush.Decision,
  state: { quota: ScanQuota.ScanQuota },
  written: Written,
  now: number
) => {
  switch (decision._tag) {
    case "NotScanned":
      return
    case "Enhanced":
      written.enhancedScan = ScanOnPush.record(decision.kind, now, DURATION, "COMPLETE")
      return
    case "Basic": {
      const record = ScanOnPush.record(decision.kind, now, DURATION, "COMPLETE")
      written.basicScan = record
      written.lastStarted = record
      state.quota = decision.quota
      return
    }
    case "QuotaExhausted":
      state.quota = decision.quota
      if (decision.record !== undefined) written.basicScan = decision.record
      return
  }
}

const mediaType = fc.constantFrom(...Object.values(MediaTypes), "application/vnd.example.unknown+json")
const artifactMediaType = fc.constantFrom(
  undefined,
  MediaTypes.ociConfig,
  MediaTypes.dockerConfig,
  "application/vnd.cncf.helm.config.v1+json",
  "application/vnd.oci.empty.v1+json"
)
const pushedImage = fc.record({
  mediaType,
  artifactMediaType,
  references: fc.constantFrom([], [`sha256:${"a".repeat(64)}`])
})
const effective = fc.record({
  scanType: fc.constantFrom("BASIC" as const, "ENHANCED" as const),
  frequency: fc.constantFrom(undefined, "SCAN_ON_PUSH" as const, "CONTINUOUS_SCAN" as const, "MANUAL" as const),
  scanOnPush: fc.boolean()
}).map(({ frequency, scanOnPush, scanType }) => scanning(scanType, frequency, scanOnPush))
const houseRules = fc.record({
  accountQuotaLimit: fc.integer({ min: 1, max: 4 }),
  accountQuotaWindowMillis: fc.integer({ min: 1, max: 40 }),
  quotaExceededOnPush: fc.constantFrom("LIMIT_EXCEEDED" as const, "SKIP" as const)
})
/** A quota of earlier scans, at most 40 ms before `now`, and `now`. */
const quotaAndNow = fc.tuple(fc.array(fc.nat({ max: 40 }), { maxLength: 6 }), fc.nat({ max: 1000 }))
  .map(([ages, base]) => {
    const now = base + 40
    return { quota: ScanQuota.fromArray(ages.map((age) => now - age).sort((a, b) => a - b)), now }
  })

describe("ScanOnPush", () => {
  describe("decide", () => {
    it("a push into a repository that does not scan on push starts nothing", () => {
      expect(ScanOnPush.decide(scanning("BASIC", undefined), image(), ScanQuota.empty, NOW, rules())).toEqual({
        _tag: "NotScanned"
      })
    })

    it("the repository's own scanOnPush flag starts a basic scan under BASIC", () => {
      const decision = ScanOnPush.decide(scanning("BASIC", undefined, true), image(), ScanQuota.empty, NOW, rules())
      expect(decision._tag).toBe("Basic")
    })

    it("an admitted basic scan counts against the quota at the push's instant", () => {
      const decision = ScanOnPush.decide(BASIC_ON_PUSH, image(), ScanQuota.empty, NOW, rules())
      expect(decision._tag).toBe("Basic")
      if (decision._tag !== "Basic") return
      expect(ScanQuota.toArray(decision.quota)).toEqual([NOW])
    })

    it("an enhanced registry starts an enhanced scan of the kind its rules say, leaving the quota alone", () => {
      expect(
        ScanOnPush.decide(scanning("ENHANCED", "SCAN_ON_PUSH"), image(), FULL, NOW, rules({ accountQuotaLimit: 2 }))
      )
        .toEqual({ _tag: "Enhanced", kind: "ENHANCED_ON_PUSH" })
      expect(ScanOnPush.decide(scanning("ENHANCED", "CONTINUOUS_SCAN"), image(), FULL, NOW, rules())).toEqual({
        _tag: "Enhanced",
        kind: "ENHANCED_CONTINUOUS"
      })
    })

    it("an image index is not scanned itself", () => {
      const index = image({ mediaType: MediaTypes.ociIndex, artifactMediaType: undefined, references: ["sha256:x"] })
      expect(ScanOnPush.decide(BASIC_ON_PUSH, index, ScanQuota.empty, NOW, rules())._tag).toBe("NotScanned")
    })

    it("an artifact that is not an image (a Helm chart) is not scanned", () => {
      const chart = image({ artifactMediaType: "application/vnd.cncf.helm.config.v1+json" })
      expect(ScanOnPush.decide(BASIC_ON_PUSH, chart, ScanQuota.empty, NOW, rules())._tag).toBe("NotScanned")
    })

    it("a manifest without a config (schema 1) is scanned", () => {
      const v1 = image({ mediaType: MediaTypes.dockerManifestV1, artifactMediaType: undefined })
      expect(ScanOnPush.decide(BASIC_ON_PUSH, v1, ScanQuota.empty, NOW, rules())._tag).toBe("Basic")
    })

    it("an exhausted quota records LIMIT_EXCEEDED under the default house rule, and says when a slot frees", () => {
      const decision = ScanOnPush.decide(BASIC_ON_PUSH, image(), FULL, NOW, rules({ accountQuotaLimit: 2 }))
      expect(decision).toEqual({
        _tag: "QuotaExhausted",
        quota: FULL,
        record: { kind: "LIMIT_EXCEEDED", trigger: "PUSH", startedAt: NOW, completesAt: NOW, outcome: "COMPLETE" },
        nextSlotAt: NOW - HOUR + ScanRules.defaults.accountQuotaWindowMillis
      })
    })

    it("an exhausted quota records nothing under the house rule SKIP", () => {
      const decision = ScanOnPush.decide(
        BASIC_ON_PUSH,
        image(),
        FULL,
        NOW,
        rules({ accountQuotaLimit: 2, quotaExceededOnPush: "SKIP" })
      )
      expect(decision._tag).toBe("QuotaExhausted")
      if (decision._tag !== "QuotaExhausted") return
      expect(decision.record).toBeUndefined()
    })

    it("a refused push hands back the quota pruned of the scans that left the window", () => {
      const quota = ScanQuota.fromArray([NOW - 30, NOW - 20, NOW - 10])
      const decision = ScanOnPush.decide(
        BASIC_ON_PUSH,
        image(),
        quota,
        NOW,
        rules({ accountQuotaLimit: 2, accountQuotaWindowMillis: 25 })
      )
      expect(decision._tag).toBe("QuotaExhausted")
      if (decision._tag !== "QuotaExhausted") return
      expect(ScanQuota.toArray(decision.quota)).toEqual([NOW - 20, NOW - 10])
      expect(decision.nextSlotAt).toBe(NOW + 5)
    })

    it.prop("scan on push never scans an index or a non-image artifact", [
      effective,
      pushedImage,
      quotaAndNow,
      houseRules
    ], (
      [settings, pushed, { now, quota }, houseRules]
    ) => {
      const decision = ScanOnPush.decide(settings, pushed, quota, now, houseRules)
      const isIndex = pushed.references.length > 0
      const notAnImage = pushed.artifactMediaType !== undefined &&
        !ImageModel.isImageConfigMediaType(pushed.artifactMediaType)
      if (isIndex || notAnImage) expect(decision._tag).toBe("NotScanned")
    }, { fastCheck: { numRuns: 1000 } })

    it.prop("an admitted basic scan on push adds exactly one quota entry, at the push's instant", [
      pushedImage,
      quotaAndNow,
      houseRules
    ], ([pushed, { now, quota }, houseRules]) => {
      const decision = ScanOnPush.decide(BASIC_ON_PUSH, pushed, quota, now, houseRules)
      if (decision._tag !== "Basic") return
      const before = ScanQuota.prune(quota, now, houseRules.accountQuotaWindowMillis)
      expect(ScanQuota.toArray(decision.quota)).toEqual([...ScanQuota.toArray(before), now])
    }, { fastCheck: { numRuns: 1000 } })

    it.prop("a push the quota refuses adds no quota entry", [pushedImage, quotaAndNow, houseRules], (
      [pushed, { now, quota }, houseRules]
    ) => {
      const decision = ScanOnPush.decide(BASIC_ON_PUSH, pushed, quota, now, houseRules)
      if (decision._tag !== "QuotaExhausted") return
      expect(decision.quota.size).toBeGreaterThanOrEqual(houseRules.accountQuotaLimit)
      expect(ScanQuota.toArray(decision.quota)).toEqual(
        ScanQuota.toArray(ScanQuota.prune(quota, now, houseRules.accountQuotaWindowMillis))
      )
      expect(decision.nextSlotAt).toBeGreaterThan(now)
    }, { fastCheck: { numRuns: 1000 } })

    it.prop("an enhanced scan on push never touches the basic quota", [pushedImage, quotaAndNow, houseRules], (
      [pushed, { now, quota }, houseRules]
    ) => {
      for (const frequency of ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"] as const) {
        const decision = ScanOnPush.decide(scanning("ENHANCED", frequency), pushed, quota, now, houseRules)
        expect(decision._tag === "Enhanced" || decision._tag === "NotScanned").toBe(true)
      }
    })

    it.prop("applied as the backend applies it, writes exactly what the memory backend wrote", [
      effective,
      pushedImage,
      quotaAndNow,
      houseRules
    ], ([settings, pushed, { now, quota }, houseRules]) => {
      const before = { quota }
      const expected = fresh()
      original(settings, pushed, before, expected, now, houseRules)
      const after = { quota }
      const actual = fresh()
      apply(ScanOnPush.decide(settings, pushed, quota, now, houseRules), after, actual, now)
      expect(actual).toEqual(expected)
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected))
      expect(after.quota.size).toBe(before.quota.size)
      expect(ScanQuota.toArray(after.quota)).toEqual(ScanQuota.toArray(before.quota))
    }, { fastCheck: { numRuns: 2000 } })
  })

  describe("record", () => {
    it("starts at the push and completes after the given duration, triggered by the push", () => {
      expect(ScanOnPush.record("ENHANCED_ON_PUSH", NOW, 5_000, "UNSUPPORTED_IMAGE")).toEqual({
        kind: "ENHANCED_ON_PUSH",
        trigger: "PUSH",
        startedAt: NOW,
        completesAt: NOW + 5_000,
        outcome: "UNSUPPORTED_IMAGE"
      })
    })
  })
})
