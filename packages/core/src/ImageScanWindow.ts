/**
 * The per-image rule: an image can be scanned once per rolling window (24 h by default), counted
 * from the start of the last accepted scan, manual or on push. A scan at `t` refuses another until
 * `t + window` exactly; a FAILED scan holds the slot unless the house rules say otherwise.
 *
 * @since 0.1.0
 */
import { type ScanRecord, startedAScan } from "./ScanLifecycle.js"
import type { ScanRules } from "./ScanRules.js"

/** When the image may be scanned again after `record`. */
export const slotFreeAt = (record: ScanRecord, rules: ScanRules): number => {
  if (!startedAScan(record)) return record.startedAt
  if (!rules.failedScanUsesSlot && record.outcome !== "COMPLETE") return record.completesAt
  return record.startedAt + rules.perImageWindowMillis
}

/**
 * Checks the window at `now` given the last scan that started for the image: `undefined` when a scan
 * may start, else the instant the image is next eligible.
 */
export const check = (lastStarted: ScanRecord | undefined, now: number, rules: ScanRules): number | undefined => {
  if (lastStarted === undefined) return undefined
  const free = slotFreeAt(lastStarted, rules)
  return now < free ? free : undefined
}
