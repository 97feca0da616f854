import { ScanLifecycle, ScanModel, ScanRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const t = Date.UTC(2026, 2, 1, 12)
const rules = ScanRules.defaults
const done = t + 10_000

const record = (
  kind: ScanLifecycle.ScanKind,
  outcome: ScanLifecycle.ScanOutcome = "COMPLETE"
): ScanLifecycle.ScanRecord => ({
  kind,
  trigger: kind === "BASIC" ? "MANUAL" : "PUSH",
  startedAt: t,
  completesAt: done,
  outcome
})

const active = ScanLifecycle.active
const statusAt = (r: ScanLifecycle.ScanRecord, now: number, storage: ScanLifecycle.StorageState = active) =>
  ScanLifecycle.statusAt(r, storage, now, rules)

describe("ScanLifecycle", () => {
  describe("basic scans", () => {
    it("are IN_PROGRESS, without a description, until they complete", () => {
      expect(statusAt(record("BASIC"), t)).toEqual({ status: "IN_PROGRESS", hasFindings: false })
      expect(statusAt(record("BASIC"), done - 1)).toEqual({ status: "IN_PROGRESS", hasFindings: false })
    })

    it("are COMPLETE with AWS's description exactly at completesAt", () => {
      expect(statusAt(record("BASIC"), done)).toEqual({
        status: "COMPLETE",
        description: "The scan was completed successfully.",
        completedAt: done,
        hasFindings: true
      })
    })

    it("that fail are FAILED with the UnsupportedImageError description and no findings", () => {
      expect(statusAt(record("BASIC", "FAILED"), done)).toEqual({
        status: "FAILED",
        description: "UnsupportedImageError: The operating system and/or package manager are not supported.",
        completedAt: done,
        hasFindings: false
      })
    })

    it("report the FAILED description the rules configure", () => {
      const custom = { ...rules, unsupportedImageDescription: "UnsupportedImageError: scratch image" }
      expect(ScanLifecycle.statusAt(record("BASIC", "FAILED"), active, done, custom).description).toBe(
        "UnsupportedImageError: scratch image"
      )
    })
  })

  describe("enhanced scans", () => {
    it("on push are PENDING, then COMPLETE", () => {
      expect(statusAt(record("ENHANCED_ON_PUSH"), done - 1)).toEqual({
        status: "PENDING",
        description: ScanLifecycle.descriptions.PENDING,
        hasFindings: false
      })
      expect(statusAt(record("ENHANCED_ON_PUSH"), done)).toMatchObject({ status: "COMPLETE", hasFindings: true })
    })

    it("that are continuous are ACTIVE with AWS's description until their eligibility expires", () => {
      const continuous = record("ENHANCED_CONTINUOUS")
      expect(statusAt(continuous, done - 1).status).toBe("PENDING")
      expect(statusAt(continuous, done)).toEqual({
        status: "ACTIVE",
        description: "Continuous scan is selected for image.",
        completedAt: done,
        hasFindings: true
      })
      const expiry = t + rules.continuousScanEligibilityMillis
      expect(statusAt(continuous, expiry - 1).status).toBe("ACTIVE")
      expect(statusAt(continuous, expiry)).toEqual({
        status: "SCAN_ELIGIBILITY_EXPIRED",
        description: ScanLifecycle.descriptions.SCAN_ELIGIBILITY_EXPIRED,
        completedAt: done,
        hasFindings: true
      })
    })

    it("of an image the scanner cannot read are UNSUPPORTED_IMAGE", () => {
      for (const outcome of ["FAILED", "UNSUPPORTED_IMAGE"] as const) {
        expect(statusAt(record("ENHANCED_ON_PUSH", outcome), done)).toEqual({
          status: "UNSUPPORTED_IMAGE",
          description: ScanLifecycle.descriptions.UNSUPPORTED_IMAGE,
          completedAt: done,
          hasFindings: false
        })
      }
    })

    it("whose findings cannot be returned are FINDINGS_UNAVAILABLE", () => {
      expect(statusAt(record("ENHANCED_CONTINUOUS", "FINDINGS_UNAVAILABLE"), done)).toEqual({
        status: "FINDINGS_UNAVAILABLE",
        description: ScanLifecycle.descriptions.FINDINGS_UNAVAILABLE,
        completedAt: done,
        hasFindings: false
      })
    })
  })

  describe("records that are not a running scan", () => {
    it("a scan on push refused by the account quota is LIMIT_EXCEEDED at once and for good", () => {
      const refused = record("LIMIT_EXCEEDED")
      for (const now of [t, done, t + 2 * DAY]) {
        expect(statusAt(refused, now)).toEqual({
          status: "LIMIT_EXCEEDED",
          description: ScanLifecycle.descriptions.LIMIT_EXCEEDED,
          hasFindings: false
        })
      }
      expect(ScanLifecycle.startedAScan(refused)).toBe(false)
      expect(ScanLifecycle.startedAScan(record("BASIC"))).toBe(true)
    })

    it("an archived image reports IMAGE_ARCHIVED whatever its scan", () => {
      const archived: ScanLifecycle.StorageState = { _tag: "Archived", archivedAt: t + HOUR }
      for (const kind of ["BASIC", "ENHANCED_CONTINUOUS", "LIMIT_EXCEEDED"] as const) {
        expect(statusAt(record(kind), t + 2 * HOUR, archived)).toEqual({
          status: "IMAGE_ARCHIVED",
          description: ScanLifecycle.descriptions.IMAGE_ARCHIVED,
          hasFindings: false
        })
      }
      expect(ScanLifecycle.imageStatusAt(archived, t + 2 * HOUR)).toBe("ARCHIVED")
    })

    it("an image being restored reports IMAGE_ARCHIVED until activeAt, then its scan again", () => {
      const restoring: ScanLifecycle.StorageState = {
        _tag: "Activating",
        archivedAt: t + HOUR,
        requestedAt: t + 2 * HOUR,
        activeAt: t + 2 * HOUR + rules.restoreDurationMillis
      }
      expect(statusAt(record("BASIC"), restoring.activeAt - 1, restoring).status).toBe("IMAGE_ARCHIVED")
      expect(ScanLifecycle.imageStatusAt(restoring, restoring.activeAt - 1)).toBe("ACTIVATING")
      expect(ScanLifecycle.isArchivedAt(restoring, restoring.activeAt - 1)).toBe(true)
      expect(statusAt(record("BASIC"), restoring.activeAt, restoring).status).toBe("COMPLETE")
      expect(ScanLifecycle.imageStatusAt(restoring, restoring.activeAt)).toBe("ACTIVE")
      expect(ScanLifecycle.isArchivedAt(restoring, restoring.activeAt)).toBe(false)
    })
  })

  it("every one of the ten statuses is reachable", () => {
    const archived: ScanLifecycle.StorageState = { _tag: "Archived", archivedAt: t }
    const reached = new Set([
      statusAt(record("BASIC"), t).status,
      statusAt(record("BASIC"), done).status,
      statusAt(record("BASIC", "FAILED"), done).status,
      statusAt(record("ENHANCED_ON_PUSH", "UNSUPPORTED_IMAGE"), done).status,
      statusAt(record("ENHANCED_CONTINUOUS"), done).status,
      statusAt(record("ENHANCED_ON_PUSH"), t).status,
      statusAt(record("ENHANCED_CONTINUOUS"), t + rules.continuousScanEligibilityMillis).status,
      statusAt(record("ENHANCED_CONTINUOUS", "FINDINGS_UNAVAILABLE"), done).status,
      statusAt(record("LIMIT_EXCEEDED"), t).status,
      statusAt(record("BASIC"), done, archived).status
    ])
    expect([...reached].sort()).toEqual([...ScanModel.SCAN_STATUSES].sort())
  })

  describe("scanDuration", () => {
    it.prop(
      "stays within [min, max] for any hash",
      [
        fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 10 * 60_000 }),
        fc.integer({ min: 0, max: 10 * 60_000 })
      ],
      ([hash, min, span]) => {
        const r = { ...rules, scanDurationMinMillis: min, scanDurationMaxMillis: min + span }
        const duration = ScanLifecycle.scanDuration(hash, r)
        expect(Number.isInteger(duration)).toBe(true)
        expect(duration).toBeGreaterThanOrEqual(min)
        expect(duration).toBeLessThanOrEqual(min + span)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it("is the minimum when min equals max, and depends on the hash otherwise", () => {
      expect(ScanLifecycle.scanDuration(12345, { ...rules, scanDurationMaxMillis: rules.scanDurationMinMillis })).toBe(
        rules.scanDurationMinMillis
      )
      const durations = new Set(Array.from({ length: 50 }, (_, i) => ScanLifecycle.scanDuration(i * 7919, rules)))
      expect(durations.size).toBeGreaterThan(1)
      expect(ScanLifecycle.scanDuration(42, rules)).toBe(ScanLifecycle.scanDuration(42, rules))
    })
  })
})
