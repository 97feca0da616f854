/**
 * The scan lifecycle over all ten scan statuses. A scan's status is never stored: it is computed
 * from the scan record (when it started, how long it takes, how it ends), the image's storage state
 * and `now`. No background fiber moves scans along; reading the clock is enough. The record and the
 * storage state are Schemas: snapshots store them as they are.
 *
 * Basic:     IN_PROGRESS --(duration)--> COMPLETE | FAILED
 * Enhanced:  PENDING --(duration)--> COMPLETE (scan on push) | ACTIVE --(eligibility)--> SCAN_ELIGIBILITY_EXPIRED
 *            PENDING --(duration)--> UNSUPPORTED_IMAGE | FINDINGS_UNAVAILABLE
 * Either:    LIMIT_EXCEEDED (a scan on push refused by the account quota), IMAGE_ARCHIVED (archived image)
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { ScanStatus } from "./ScanModel.js"
import type { ScanRules } from "./ScanRules.js"

// No annotations on these schemas: the control endpoints, `simulate` and snapshot restores report a
// body that does not decode with the schema's own text, and an identifier or description would change it.

/** How a scan ends once its duration has passed. */
export const ScanOutcome = Schema.Literal("COMPLETE", "FAILED", "UNSUPPORTED_IMAGE", "FINDINGS_UNAVAILABLE")
/** @since 0.1.0 */
export type ScanOutcome = typeof ScanOutcome.Type

/**
 * What kind of scan a record is: `BASIC` (manual or on push), `ENHANCED_ON_PUSH` (scanned once),
 * `ENHANCED_CONTINUOUS` (monitored until its eligibility expires), or `LIMIT_EXCEEDED` (a scan on push
 * that the account quota refused: nothing ran).
 */
export const ScanKind = Schema.Literal("BASIC", "ENHANCED_ON_PUSH", "ENHANCED_CONTINUOUS", "LIMIT_EXCEEDED")
/** @since 0.1.0 */
export type ScanKind = typeof ScanKind.Type

/** What started a scan. */
export const ScanTrigger = Schema.Literal("MANUAL", "PUSH")
/** @since 0.1.0 */
export type ScanTrigger = typeof ScanTrigger.Type

/**
 * One scan of one image. Immutable; a new scan replaces the record. Instants are epoch milliseconds;
 * `completesAt` is `startedAt` plus the scan's duration.
 */
export const ScanRecord = Schema.Struct({
  kind: ScanKind,
  trigger: ScanTrigger,
  startedAt: Schema.Number,
  completesAt: Schema.Number,
  outcome: ScanOutcome
})
/** @since 0.1.0 */
export type ScanRecord = typeof ScanRecord.Type

/**
 * An image's storage state as far as scanning cares: active, archived at `archivedAt`, or being
 * restored (requested at `requestedAt`, back at `activeAt`). Instants are epoch milliseconds.
 */
export const StorageState = Schema.Union(
  Schema.TaggedStruct("Active", {}),
  Schema.TaggedStruct("Archived", { archivedAt: Schema.Number }),
  Schema.TaggedStruct("Activating", { archivedAt: Schema.Number, requestedAt: Schema.Number, activeAt: Schema.Number })
)
/** @since 0.1.0 */
export type StorageState = typeof StorageState.Type

/** The storage state of a never-archived image. */
export const active: StorageState = { _tag: "Active" }

/** The image status `DescribeImages` reports, at `now`. */
export const imageStatusAt = (storage: StorageState, now: number): "ACTIVE" | "ARCHIVED" | "ACTIVATING" =>
  storage._tag === "Active"
    ? "ACTIVE"
    : storage._tag === "Archived"
    ? "ARCHIVED"
    : now >= storage.activeAt
    ? "ACTIVE"
    : "ACTIVATING"

/** Whether the image is archived (or still being restored) at `now`, so that it cannot be scanned. */
export const isArchivedAt = (storage: StorageState, now: number): boolean => imageStatusAt(storage, now) !== "ACTIVE"

/** The descriptions that accompany each status (AWS's where known, the house's otherwise). */
export const descriptions = {
  COMPLETE: "The scan was completed successfully.",
  ACTIVE: "Continuous scan is selected for image.",
  PENDING: "The image is waiting for its initial scan.",
  SCAN_ELIGIBILITY_EXPIRED: "The image is no longer eligible for continuous scanning.",
  FINDINGS_UNAVAILABLE: "Findings are not available for this image.",
  UNSUPPORTED_IMAGE: "The operating system and/or package manager are not supported.",
  LIMIT_EXCEEDED: "The basic scan quota for this registry was exceeded when the image was pushed; it was not scanned.",
  IMAGE_ARCHIVED: "The image is archived and cannot be scanned. Restore it to scan it again."
} as const

/** A status with its description, and when the scan completed if it has. */
export interface StatusView {
  readonly status: ScanStatus
  readonly description?: string
  /** When the scan finished (COMPLETE, FAILED, ACTIVE, ...): the findings' `imageScanCompletedAt`. */
  readonly completedAt?: number
  /** Whether findings can be shown (COMPLETE, ACTIVE, SCAN_ELIGIBILITY_EXPIRED). */
  readonly hasFindings: boolean
}

const view = (status: ScanStatus, hasFindings: boolean, description?: string, completedAt?: number): StatusView => {
  const out: { -readonly [K in keyof StatusView]: StatusView[K] } = { status, hasFindings }
  if (description !== undefined) out.description = description
  if (completedAt !== undefined) out.completedAt = completedAt
  return out
}

/** The status of `record` at `now`, for an image in `storage`. */
export const statusAt = (record: ScanRecord, storage: StorageState, now: number, rules: ScanRules): StatusView => {
  if (isArchivedAt(storage, now)) return view("IMAGE_ARCHIVED", false, descriptions.IMAGE_ARCHIVED)
  if (record.kind === "LIMIT_EXCEEDED") return view("LIMIT_EXCEEDED", false, descriptions.LIMIT_EXCEEDED)
  const basic = record.kind === "BASIC"
  if (now < record.completesAt) return basic ? view("IN_PROGRESS", false) : view("PENDING", false, descriptions.PENDING)
  switch (record.outcome) {
    case "FAILED":
      return basic
        ? view("FAILED", false, rules.unsupportedImageDescription, record.completesAt)
        : view("UNSUPPORTED_IMAGE", false, descriptions.UNSUPPORTED_IMAGE, record.completesAt)
    case "UNSUPPORTED_IMAGE":
      return view("UNSUPPORTED_IMAGE", false, descriptions.UNSUPPORTED_IMAGE, record.completesAt)
    case "FINDINGS_UNAVAILABLE":
      return view("FINDINGS_UNAVAILABLE", false, descriptions.FINDINGS_UNAVAILABLE, record.completesAt)
    case "COMPLETE":
      if (record.kind !== "ENHANCED_CONTINUOUS") {
        return view("COMPLETE", true, descriptions.COMPLETE, record.completesAt)
      }
      return now < record.startedAt + rules.continuousScanEligibilityMillis
        ? view("ACTIVE", true, descriptions.ACTIVE, record.completesAt)
        : view("SCAN_ELIGIBILITY_EXPIRED", true, descriptions.SCAN_ELIGIBILITY_EXPIRED, record.completesAt)
  }
}

/** Whether a record started a scan (and so counts against the per-image window and the account quota). */
export const startedAScan = (record: ScanRecord): boolean => record.kind !== "LIMIT_EXCEEDED"

/**
 * The scan duration of an image: fixed by its digest and the seed, within the configured range, so a
 * simulation replays identically. `hash` is any 32-bit hash of digest and seed.
 */
export const scanDuration = (hash: number, rules: ScanRules): number => {
  const span = rules.scanDurationMaxMillis - rules.scanDurationMinMillis
  return span <= 0 ? rules.scanDurationMinMillis : rules.scanDurationMinMillis + ((hash >>> 0) % (span + 1))
}
