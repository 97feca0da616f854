/**
 * The house rules: every decision DESIGN.md makes where AWS is silent, as fields of one configuration
 * value. The defaults are the documented ones; each can be changed if AWS is shown to differ.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** The checks of `StartImageScan`, which the order of checks arranges. */
export type ScanCheck =
  | "validation"
  | "repository"
  | "image"
  | "imageState"
  | "scanType"
  | "imageWindow"
  | "accountQuota"

/** The house rules, resolved (durations in milliseconds). */
export interface ScanRules {
  /** Length of the per-image window, measured from the start of the last accepted scan (manual or on push). */
  readonly perImageWindowMillis: number
  /** Whether a scan that ended `FAILED` still holds the image's slot for the rest of the window. */
  readonly failedScanUsesSlot: boolean
  /** Whether a request refused by a state check (archived, unsupported type, ENHANCED) still uses the slot and quota. */
  readonly rejectedRequestUsesSlot: boolean
  /** Accepted scans allowed per rolling window per registry (account + region). */
  readonly accountQuotaLimit: number
  /** Length of the account quota's rolling window. */
  readonly accountQuotaWindowMillis: number
  /** What a scan on push does when the account quota is exhausted: record `LIMIT_EXCEEDED`, or record nothing. */
  readonly quotaExceededOnPush: "LIMIT_EXCEEDED" | "SKIP"
  /** `StartImageScan` on a registry whose scan type is ENHANCED. */
  readonly enhancedManualScan: "ValidationException" | "ALLOW"
  /** `imageId` with neither tag nor digest, and a malformed digest. */
  readonly invalidImageId: "InvalidParameterException" | "ImageNotFoundException"
  /** A tag and a digest that name different images. */
  readonly tagDigestMismatch: "ImageNotFoundException" | "InvalidParameterException"
  /** `StartImageScan` on an image index or manifest list. */
  readonly imageIndexScan: "UnsupportedImageTypeException" | "SCAN"
  /** The description of a scan of an image whose OS the scanner cannot read (it ends `FAILED`). */
  readonly unsupportedImageDescription: string
  /** Shortest and longest scan durations; each image's is fixed by its digest and the seed. */
  readonly scanDurationMinMillis: number
  readonly scanDurationMaxMillis: number
  /** How long an ENHANCED continuous scan stays `ACTIVE` before `SCAN_ELIGIBILITY_EXPIRED`. */
  readonly continuousScanEligibilityMillis: number
  /** How long a restore from the archive takes (`ACTIVATING` meanwhile, which also refuses scans). */
  readonly restoreDurationMillis: number
  /** Findings of a completed scan when the test has not fixed them: generated from digest and seed, or none. */
  readonly findings: "SEEDED" | "NONE"
  /** The order in which `StartImageScan` checks a request. */
  readonly checkOrder: ReadonlyArray<ScanCheck>
  /**
   * How often the registry applies each repository's lifecycle policy: at every multiple of this interval
   * since the epoch (midnight UTC with the default of 24 hours), at the registry's first call after it.
   */
  readonly lifecycleEvaluationIntervalMillis: number
  /** How long a lifecycle policy preview stays `IN_PROGRESS` before it is `COMPLETE`. */
  readonly lifecyclePreviewDurationMillis: number
}

/** The order of checks of DESIGN.md: validation, repository, image, image state, scan type, quota. */
export const DEFAULT_CHECK_ORDER: ReadonlyArray<ScanCheck> = [
  "validation",
  "repository",
  "image",
  "imageState",
  "scanType",
  "imageWindow",
  "accountQuota"
]

const HOUR = 3_600_000

/** The defaults of DESIGN.md's house rules. */
export const defaults: ScanRules = {
  perImageWindowMillis: 24 * HOUR,
  failedScanUsesSlot: true,
  rejectedRequestUsesSlot: false,
  accountQuotaLimit: 100_000,
  accountQuotaWindowMillis: 24 * HOUR,
  quotaExceededOnPush: "LIMIT_EXCEEDED",
  enhancedManualScan: "ValidationException",
  invalidImageId: "InvalidParameterException",
  tagDigestMismatch: "ImageNotFoundException",
  imageIndexScan: "UnsupportedImageTypeException",
  unsupportedImageDescription: "UnsupportedImageError: The operating system and/or package manager are not supported.",
  scanDurationMinMillis: 5_000,
  scanDurationMaxMillis: 15_000,
  continuousScanEligibilityMillis: 30 * 24 * HOUR,
  restoreDurationMillis: 20 * 60_000,
  findings: "SEEDED",
  checkOrder: DEFAULT_CHECK_ORDER,
  lifecycleEvaluationIntervalMillis: 24 * HOUR,
  lifecyclePreviewDurationMillis: 5_000
}

/** Overrides of the house rules, with durations in any form `Duration` accepts. */
export interface ScanRulesInput {
  readonly perImageWindow?: Duration.DurationInput
  readonly failedScanUsesSlot?: boolean
  readonly rejectedRequestUsesSlot?: boolean
  readonly accountQuotaLimit?: number
  readonly accountQuotaWindow?: Duration.DurationInput
  readonly quotaExceededOnPush?: ScanRules["quotaExceededOnPush"]
  readonly enhancedManualScan?: ScanRules["enhancedManualScan"]
  readonly invalidImageId?: ScanRules["invalidImageId"]
  readonly tagDigestMismatch?: ScanRules["tagDigestMismatch"]
  readonly imageIndexScan?: ScanRules["imageIndexScan"]
  readonly unsupportedImageDescription?: string
  readonly scanDuration?: { readonly min: Duration.DurationInput; readonly max: Duration.DurationInput }
  readonly continuousScanEligibility?: Duration.DurationInput
  readonly restoreDuration?: Duration.DurationInput
  readonly findings?: ScanRules["findings"]
  readonly checkOrder?: ReadonlyArray<ScanCheck>
  readonly lifecycleEvaluationInterval?: Duration.DurationInput
  readonly lifecyclePreviewDuration?: Duration.DurationInput
}

/** Milliseconds of a duration, or NaN for input that is not a duration (reported by `problemOf`). */
const millis = (input: Duration.DurationInput | undefined, fallback: number) =>
  input === undefined
    ? fallback
    : Option.match(Duration.decodeUnknown(input), { onNone: () => Number.NaN, onSome: Duration.toMillis })

const mustPrecede = (order: ReadonlyArray<ScanCheck>, a: ScanCheck, b: ScanCheck) => order.indexOf(a) < order.indexOf(b)

/**
 * Resolves overrides against the defaults, or says why they are unusable (a window that is not
 * positive, a check order that is not a permutation or that looks at an image before finding it).
 */
export const make = (input: ScanRulesInput = {}): Either.Either<ScanRules, string> => {
  const rules = resolve(input)
  const problem = problemOf(rules)
  return problem === undefined ? Either.right(rules) : Either.left(problem)
}

const resolve = (input: ScanRulesInput): ScanRules => ({
  perImageWindowMillis: millis(input.perImageWindow, defaults.perImageWindowMillis),
  failedScanUsesSlot: input.failedScanUsesSlot ?? defaults.failedScanUsesSlot,
  rejectedRequestUsesSlot: input.rejectedRequestUsesSlot ?? defaults.rejectedRequestUsesSlot,
  accountQuotaLimit: input.accountQuotaLimit ?? defaults.accountQuotaLimit,
  accountQuotaWindowMillis: millis(input.accountQuotaWindow, defaults.accountQuotaWindowMillis),
  quotaExceededOnPush: input.quotaExceededOnPush ?? defaults.quotaExceededOnPush,
  enhancedManualScan: input.enhancedManualScan ?? defaults.enhancedManualScan,
  invalidImageId: input.invalidImageId ?? defaults.invalidImageId,
  tagDigestMismatch: input.tagDigestMismatch ?? defaults.tagDigestMismatch,
  imageIndexScan: input.imageIndexScan ?? defaults.imageIndexScan,
  unsupportedImageDescription: input.unsupportedImageDescription ?? defaults.unsupportedImageDescription,
  scanDurationMinMillis: millis(input.scanDuration?.min, defaults.scanDurationMinMillis),
  scanDurationMaxMillis: millis(input.scanDuration?.max, defaults.scanDurationMaxMillis),
  continuousScanEligibilityMillis: millis(input.continuousScanEligibility, defaults.continuousScanEligibilityMillis),
  restoreDurationMillis: millis(input.restoreDuration, defaults.restoreDurationMillis),
  findings: input.findings ?? defaults.findings,
  checkOrder: input.checkOrder ?? defaults.checkOrder,
  lifecycleEvaluationIntervalMillis: millis(
    input.lifecycleEvaluationInterval,
    defaults.lifecycleEvaluationIntervalMillis
  ),
  lifecyclePreviewDurationMillis: millis(input.lifecyclePreviewDuration, defaults.lifecyclePreviewDurationMillis)
})

const problemOf = (rules: ScanRules): string | undefined => {
  if (!(rules.perImageWindowMillis > 0)) return "perImageWindow must be a positive duration"
  if (!(rules.accountQuotaWindowMillis > 0)) return "accountQuotaWindow must be a positive duration"
  if (!Number.isInteger(rules.accountQuotaLimit) || rules.accountQuotaLimit < 1) {
    return "accountQuotaLimit must be a positive integer"
  }
  if (!(rules.scanDurationMinMillis >= 0 && rules.scanDurationMaxMillis >= rules.scanDurationMinMillis)) {
    return "scanDuration must satisfy 0 <= min <= max"
  }
  if (!Number.isFinite(rules.scanDurationMaxMillis)) return "scanDuration.max must be finite"
  if (!(rules.continuousScanEligibilityMillis > 0)) return "continuousScanEligibility must be a positive duration"
  if (!(rules.restoreDurationMillis >= 0) || !Number.isFinite(rules.restoreDurationMillis)) {
    return "restoreDuration must be finite and not negative"
  }
  if (!(rules.lifecycleEvaluationIntervalMillis > 0) || !Number.isFinite(rules.lifecycleEvaluationIntervalMillis)) {
    return "lifecycleEvaluationInterval must be a finite positive duration"
  }
  if (!(rules.lifecyclePreviewDurationMillis >= 0) || !Number.isFinite(rules.lifecyclePreviewDurationMillis)) {
    return "lifecyclePreviewDuration must be finite and not negative"
  }
  const order = rules.checkOrder
  if (order.length !== DEFAULT_CHECK_ORDER.length || DEFAULT_CHECK_ORDER.some((check) => !order.includes(check))) {
    return `checkOrder must be a permutation of ${DEFAULT_CHECK_ORDER.join(", ")}`
  }
  if (!mustPrecede(order, "repository", "image") || !mustPrecede(order, "image", "imageState")) {
    return "checkOrder must find the repository before the image, and the image before its state"
  }
  if (!mustPrecede(order, "image", "imageWindow")) return "checkOrder must find the image before its window"
  return undefined
}

/** The house rules a backend runs with; the defaults unless a layer provides others. */
export class CurrentScanRules extends Context.Reference<CurrentScanRules>()("@ecr-scan/core/ScanRules", {
  defaultValue: (): ScanRules => defaults
}) {}
