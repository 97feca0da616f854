import { ImageScanWindow, type ScanLifecycle, ScanRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const t = Date.UTC(2026, 2, 1, 12)

const rules = (input: ScanRules.ScanRulesInput = {}) => Either.getOrThrow(ScanRules.make(input))

const basicScan = (
  outcome: ScanLifecycle.ScanOutcome,
  trigger: "MANUAL" | "PUSH" = "MANUAL"
): ScanLifecycle.ScanRecord => ({
  kind: "BASIC",
  trigger,
  startedAt: t,
  completesAt: t + 10_000,
  outcome
})

describe("ImageScanWindow", () => {
  it("an image never scanned may be scanned", () => {
    expect(ImageScanWindow.check(undefined, t, ScanRules.defaults)).toBeUndefined()
  })

  it("a scan at t refuses another at t + 24h - 1ms and admits one at t + 24h", () => {
    const record = basicScan("COMPLETE")
    expect(ImageScanWindow.check(record, t, ScanRules.defaults)).toBe(t + DAY)
    expect(ImageScanWindow.check(record, t + DAY - 1, ScanRules.defaults)).toBe(t + DAY)
    expect(ImageScanWindow.check(record, t + DAY, ScanRules.defaults)).toBeUndefined()
  })

  it("a scan on push holds the slot just like a manual scan", () => {
    const record = basicScan("COMPLETE", "PUSH")
    expect(ImageScanWindow.check(record, t + HOUR, ScanRules.defaults)).toBe(t + DAY)
  })

  it("by default a FAILED scan holds the slot for the whole window", () => {
    const record = basicScan("FAILED")
    expect(ImageScanWindow.check(record, record.completesAt, ScanRules.defaults)).toBe(t + DAY)
    expect(ImageScanWindow.check(record, t + DAY, ScanRules.defaults)).toBeUndefined()
  })

  it("with failedScanUsesSlot: false a FAILED scan frees the slot when it completes", () => {
    const lenient = rules({ failedScanUsesSlot: false })
    const record = basicScan("FAILED")
    expect(ImageScanWindow.check(record, record.completesAt - 1, lenient)).toBe(record.completesAt)
    expect(ImageScanWindow.check(record, record.completesAt, lenient)).toBeUndefined()
  })

  it("with failedScanUsesSlot: false a COMPLETE scan still holds the slot", () => {
    const lenient = rules({ failedScanUsesSlot: false })
    expect(ImageScanWindow.check(basicScan("COMPLETE"), t + HOUR, lenient)).toBe(t + DAY)
  })

  it("a LIMIT_EXCEEDED record holds no slot", () => {
    const record: ScanLifecycle.ScanRecord = {
      kind: "LIMIT_EXCEEDED",
      trigger: "PUSH",
      startedAt: t,
      completesAt: t,
      outcome: "COMPLETE"
    }
    expect(ImageScanWindow.check(record, t, ScanRules.defaults)).toBeUndefined()
  })

  it("the window length follows the rules", () => {
    const hourly = rules({ perImageWindow: "1 hour" })
    const record = basicScan("COMPLETE")
    expect(ImageScanWindow.check(record, t + HOUR - 1, hourly)).toBe(t + HOUR)
    expect(ImageScanWindow.check(record, t + HOUR, hourly)).toBeUndefined()
  })

  it.prop(
    "a scan is refused exactly while now is before the end of the window",
    [fc.integer({ min: 0, max: 2 * DAY }), fc.integer({ min: 1, max: 2 * DAY })],
    ([offset, windowMillis]) => {
      const r = { ...ScanRules.defaults, perImageWindowMillis: windowMillis }
      const next = ImageScanWindow.check(basicScan("COMPLETE"), t + offset, r)
      expect(next).toBe(offset < windowMillis ? t + windowMillis : undefined)
    }
  )
})
