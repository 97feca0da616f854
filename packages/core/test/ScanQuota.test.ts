import { ScanQuota } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Non-decreasing call times built from small gaps, so that windows overlap and fill up. */
const callTimes = (maxGap: number) =>
  fc.tuple(fc.nat({ max: 1_000_000 }), fc.array(fc.nat({ max: maxGap }), { minLength: 1, maxLength: 200 }))
    .map(([start, gaps]) => {
      let t = start
      return gaps.map((gap) => (t += gap))
    })

const scenario = fc.record({
  limit: fc.integer({ min: 1, max: 6 }),
  windowMillis: fc.integer({ min: 1, max: 50 }),
  times: callTimes(12)
})

interface Run {
  readonly admitted: ReadonlyArray<number>
  readonly refusals: ReadonlyArray<{ readonly at: number; readonly nextSlotAt: number; readonly before: number }>
  readonly quota: ScanQuota.ScanQuota
}

/** Feeds every call to `check`, and `record`s the admitted ones, the way a backend does. */
const run = (times: ReadonlyArray<number>, limit: number, windowMillis: number): Run => {
  let quota = ScanQuota.empty
  const admitted: Array<number> = []
  const refusals: Array<{ at: number; nextSlotAt: number; before: number }> = []
  for (const t of times) {
    const decision = ScanQuota.check(quota, t, limit, windowMillis)
    if (decision.admitted) {
      quota = ScanQuota.record(decision.quota, t)
      admitted.push(t)
    } else {
      quota = decision.quota
      refusals.push({ at: t, nextSlotAt: decision.nextSlotAt, before: admitted.length })
    }
  }
  return { admitted, refusals, quota }
}

/** Admitted times inside the half-open window `(t - window, t]`. */
const inWindow = (admitted: ReadonlyArray<number>, t: number, windowMillis: number) =>
  admitted.filter((a) => a > t - windowMillis && a <= t)

describe("ScanQuota", () => {
  it.prop("never admits more than limit scans in any window (t - window, t]", [scenario], ([s]) => {
    const { admitted } = run(s.times, s.limit, s.windowMillis)
    for (const t of admitted) {
      expect(inWindow(admitted, t, s.windowMillis).length).toBeLessThanOrEqual(s.limit)
    }
  }, { fastCheck: { numRuns: 500 } })

  it.prop("refuses a call only when the window ending at it already holds limit scans", [scenario], ([s]) => {
    const { admitted, refusals } = run(s.times, s.limit, s.windowMillis)
    for (const refusal of refusals) {
      const before = admitted.slice(0, refusal.before)
      expect(inWindow(before, refusal.at, s.windowMillis).length).toBe(s.limit)
    }
  }, { fastCheck: { numRuns: 500 } })

  it.prop("a refusal's nextSlotAt is when the oldest counted scan leaves the window", [scenario], ([s]) => {
    const { admitted, refusals } = run(s.times, s.limit, s.windowMillis)
    for (const refusal of refusals) {
      const counted = inWindow(admitted.slice(0, refusal.before), refusal.at, s.windowMillis)
      expect(refusal.nextSlotAt).toBe(Math.min(...counted) + s.windowMillis)
      expect(refusal.nextSlotAt).toBeGreaterThan(refusal.at)
    }
  }, { fastCheck: { numRuns: 500 } })

  it.prop(
    "after a refusal, a call at nextSlotAt - 1 is refused and a call at nextSlotAt is admitted",
    [scenario],
    ([s]) => {
      const { quota } = run(s.times, s.limit, s.windowMillis)
      const last = s.times[s.times.length - 1]
      // Fill the window at the last instant, so the next call is certainly refused.
      let q = quota
      for (;;) {
        const decision = ScanQuota.check(q, last, s.limit, s.windowMillis)
        if (!decision.admitted) break
        q = ScanQuota.record(decision.quota, last)
      }
      const refusal = ScanQuota.check(q, last, s.limit, s.windowMillis)
      if (refusal.admitted) throw new Error("a full window admitted a call")
      const justBefore = ScanQuota.check(refusal.quota, refusal.nextSlotAt - 1, s.limit, s.windowMillis)
      expect(justBefore.admitted).toBe(false)
      if (!justBefore.admitted) expect(justBefore.nextSlotAt).toBe(refusal.nextSlotAt)
      expect(ScanQuota.check(justBefore.quota, refusal.nextSlotAt, s.limit, s.windowMillis).admitted).toBe(true)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop("countAt and toArray agree with the admitted times still in the window", [scenario], ([s]) => {
    const { admitted, quota } = run(s.times, s.limit, s.windowMillis)
    const last = s.times[s.times.length - 1]
    const expected = inWindow(admitted, last, s.windowMillis)
    expect(ScanQuota.countAt(quota, last, s.windowMillis)).toBe(expected.length)
    expect(ScanQuota.toArray(ScanQuota.prune(quota, last, s.windowMillis))).toEqual(expected)
    expect(ScanQuota.toArray(ScanQuota.fromArray(ScanQuota.toArray(quota)))).toEqual(ScanQuota.toArray(quota))
  })

  it("a scan at t counts while now < t + window and not at t + window", () => {
    const quota = ScanQuota.record(ScanQuota.empty, 1_000)
    expect(ScanQuota.countAt(quota, 1_000 + DAY - 1, DAY)).toBe(1)
    expect(ScanQuota.countAt(quota, 1_000 + DAY, DAY)).toBe(0)
    expect(ScanQuota.oldest(quota)).toBe(1_000)
  })

  it("admits 100,000 scans at one instant, refuses the 100,001st, and admits it exactly 24 hours later", () => {
    const t = Date.UTC(2026, 0, 1)
    let quota = ScanQuota.empty
    for (let i = 0; i < 100_000; i++) {
      const decision = ScanQuota.check(quota, t, 100_000, DAY)
      if (!decision.admitted) throw new Error(`scan ${i + 1} was refused`)
      quota = ScanQuota.record(decision.quota, t)
    }
    const refused = ScanQuota.check(quota, t, 100_000, DAY)
    expect(refused.admitted).toBe(false)
    if (refused.admitted) return
    expect(refused.nextSlotAt).toBe(t + DAY)
    expect(ScanQuota.check(refused.quota, t + DAY - 1, 100_000, DAY).admitted).toBe(false)
    const later = ScanQuota.check(refused.quota, t + DAY, 100_000, DAY)
    expect(later.admitted).toBe(true)
    // All 100,000 left the window together.
    expect(later.quota.size).toBe(0)
  })
})
