/**
 * Scan on push: what pushing a new image starts, as a value the backend applies. The registry's rules
 * (or the repository's legacy flag) say whether a push is scanned and how; an index is not scanned itself
 * (its images are, as they are pushed), nor is a non-image artifact; an enhanced scan is Inspector's and
 * does not count against the basic quota; a basic scan takes a slot of the account quota, and when there
 * is none the house rule `quotaExceededOnPush` says whether the image records `LIMIT_EXCEEDED`.
 *
 * The scan's duration and outcome depend on the backend's seed and test overrides, so the backend builds
 * the record of a started scan itself (`record` below does the rest).
 *
 * @since 0.1.0
 */
import { isImageConfigMediaType } from "./ImageModel.js"
import { MANIFEST_MEDIA_TYPES } from "./Manifest.js"
import * as RegistryScanningRules from "./RegistryScanningRules.js"
import type { ScanKind, ScanOutcome, ScanRecord } from "./ScanLifecycle.js"
import * as ScanQuota from "./ScanQuota.js"
import type { ScanRules } from "./ScanRules.js"

/** What the rule needs to know about the pushed image. */
export interface PushedImage {
  /** The manifest's media type. */
  readonly mediaType: string
  /** The config's media type, when the manifest has a config. */
  readonly artifactMediaType: string | undefined
  /** The digests an index references (none for a single image). */
  readonly references: ReadonlyArray<string>
}

/** The house rules this decision reads. */
export type PushRules = Pick<ScanRules, "accountQuotaLimit" | "accountQuotaWindowMillis" | "quotaExceededOnPush">

/** What a push starts. */
export type Decision =
  /** No scan: scanning on push is off, or the image is an index or not an image. The quota is untouched. */
  | { readonly _tag: "NotScanned" }
  /** An enhanced scan of this kind starts: store it as the image's enhanced scan. The quota is untouched. */
  | { readonly _tag: "Enhanced"; readonly kind: "ENHANCED_ON_PUSH" | "ENHANCED_CONTINUOUS" }
  /**
   * A basic scan starts: store it as the image's basic scan and as the scan holding its slot, and keep `quota`,
   * which counts it.
   */
  | { readonly _tag: "Basic"; readonly kind: "BASIC"; readonly quota: ScanQuota.ScanQuota }
  /**
   * The account quota has no slot: keep `quota` (pruned, not counting the push) and, when `record` is set (the
   * house rule `LIMIT_EXCEEDED`), store it as the image's basic scan; it does not hold the image's slot.
   */
  | {
    readonly _tag: "QuotaExhausted"
    readonly quota: ScanQuota.ScanQuota
    readonly record: ScanRecord | undefined
    /** When the quota next has a slot. */
    readonly nextSlotAt: number
  }

const NOT_SCANNED: Decision = { _tag: "NotScanned" }

/** Whether a push of this image can be scanned at all: a single image (not an index, not another artifact). */
export const isScannableOnPush = (image: PushedImage): boolean =>
  image.references.length === 0 && MANIFEST_MEDIA_TYPES.has(image.mediaType) &&
  (image.artifactMediaType === undefined || isImageConfigMediaType(image.artifactMediaType))

/** The record of a scan on push that the account quota refused: nothing ran, and it is final at once. */
export const limitExceededRecord = (now: number): ScanRecord => ({
  kind: "LIMIT_EXCEEDED",
  trigger: "PUSH",
  startedAt: now,
  completesAt: now,
  outcome: "COMPLETE"
})

/**
 * Decides what pushing a new image at `now` starts, under the repository's effective scanning settings
 * (`RegistryScanningRules.effectiveScanning`) and the registry's account quota. Only a `Basic` or
 * `QuotaExhausted` decision carries a quota to store; the others leave it as it was.
 */
export const decide = (
  scanning: RegistryScanningRules.EffectiveScanning,
  image: PushedImage,
  quota: ScanQuota.ScanQuota,
  now: number,
  rules: PushRules
): Decision => {
  const kind = RegistryScanningRules.onPush(scanning)
  if (kind === "NONE" || !isScannableOnPush(image)) return NOT_SCANNED
  if (kind !== "BASIC") return { _tag: "Enhanced", kind }
  const decision = ScanQuota.check(quota, now, rules.accountQuotaLimit, rules.accountQuotaWindowMillis)
  if (!decision.admitted) {
    return {
      _tag: "QuotaExhausted",
      quota: decision.quota,
      record: rules.quotaExceededOnPush === "LIMIT_EXCEEDED" ? limitExceededRecord(now) : undefined,
      nextSlotAt: decision.nextSlotAt
    }
  }
  return { _tag: "Basic", kind: "BASIC", quota: ScanQuota.record(decision.quota, now) }
}

/**
 * The record of a scan started on push at `now`, given what the backend draws for it: its duration
 * (`ScanLifecycle.scanDuration`) and its outcome.
 */
export const record = (
  kind: Exclude<ScanKind, "LIMIT_EXCEEDED">,
  now: number,
  durationMillis: number,
  outcome: ScanOutcome
): ScanRecord => ({ kind, trigger: "PUSH", startedAt: now, completesAt: now + durationMillis, outcome })
