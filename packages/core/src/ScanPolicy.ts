/**
 * The policy of a scan gate and its verdict, pure: a severity threshold and/or per-severity maxima, an ignore
 * list whose entries may name a package and expire, and `evaluate`, which judges normalized findings at `now`.
 * Both shapes ECR returns count: basic `findings` and enhanced (Amazon Inspector) `enhancedFindings`, which
 * `findingsOf` turns into one `Finding` shape. Counts are always recomputed from the findings of every page,
 * never read from `findingSeverityCounts` (see spec/scan-gates.md, section 6).
 *
 * @since 0.1.0
 */
import * as Order from "effect/Order"
import * as Schema from "effect/Schema"
import type { EnhancedImageScanFinding, ImageScanFinding, ImageScanFindings } from "./ScanModel.js"
import { FindingSeverity, toFindingSeverity } from "./ScanModel.js"

/** A finding's severity: ECR's `FindingSeverity`. */
export const Severity = FindingSeverity
/** @since 0.1.0 */
export type Severity = typeof Severity.Type

// UNDEFINED ranks lowest, below INFORMATIONAL. It means "no priority from the source", and the gates that
// handle it never let it outrank anything: aj's threshold never fails on it, ce ranks it with INFORMATIONAL
// at the bottom (spec/scan-gates.md, sections 2.3 and 4). So `failOn: "UNDEFINED"` blocks every finding and
// `failOn: "INFORMATIONAL"` blocks every finding that has a severity.

/** The severities from most to least severe: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED. */
export const SEVERITIES_DESCENDING: ReadonlyArray<Severity> = [
  "CRITICAL",
  "HIGH",
  "MEDIUM",
  "LOW",
  "INFORMATIONAL",
  "UNDEFINED"
]

const RANKS: Record<Severity, number> = { UNDEFINED: 0, INFORMATIONAL: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 }

/** A severity's rank: 0 for UNDEFINED up to 5 for CRITICAL; higher is more severe. */
export const rank = (severity: Severity): number => RANKS[severity]

/** Severities from least to most severe (UNDEFINED first, CRITICAL last). */
export const SeverityOrder: Order.Order<Severity> = Order.mapInput(Order.number, rank)

/** Whether `severity` is at or above `threshold`: what "fail on `threshold` or higher" catches. */
export const isAtOrAbove = (severity: Severity, threshold: Severity): boolean => rank(severity) >= rank(threshold)

/**
 * The threshold a policy with neither `failOn` nor `maxCounts` gets: CRITICAL. Every gate in
 * spec/scan-gates.md that has a default fails at least on CRITICAL (gk's default is exactly `[CRITICAL]`,
 * ca's maxima default to 0 for CRITICAL and HIGH, aj's threshold defaults to HIGH or MEDIUM); a gate that
 * passes everything unless told otherwise (ce) is no gate. To pass everything, say so: `maxCounts: {}`.
 */
export const DEFAULT_FAIL_ON: Severity = "CRITICAL"

/**
 * One entry of the ignore list. `id` names a finding: its CVE id or finding name (basic `name`, enhanced
 * `vulnerabilityId`, or the enhanced `findingArn`), compared without regard to case. With `package`, only
 * findings in that package (exact name) are ignored. With `until` (an ISO 8601 instant; a date alone means
 * midnight UTC), the entry is expired from that instant on: at `now >= until` it no longer ignores anything.
 */
export const IgnoreEntry = Schema.Struct({
  id: Schema.String.pipe(Schema.minLength(1)),
  package: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  until: Schema.optional(Schema.Date),
  reason: Schema.optional(Schema.String)
}).annotations({ identifier: "IgnoreEntry" })
/** @since 0.1.0 */
export type IgnoreEntry = typeof IgnoreEntry.Type

/** The most findings of a severity that still pass: a partial record of severity to a non-negative integer. */
export const MaxCounts = Schema.partial(
  Schema.Record({ key: Severity, value: Schema.Int.pipe(Schema.nonNegative()) })
).annotations({ identifier: "MaxCounts" })
/** @since 0.1.0 */
export type MaxCounts = typeof MaxCounts.Type

/**
 * A gate's policy. `failOn` blocks every finding at or above a severity; `maxCounts` allows up to so many
 * findings of a severity and blocks them all past that. Together, a maximum replaces the threshold's zero
 * for its severity (`{ failOn: "HIGH", maxCounts: { HIGH: 5 } }`: any CRITICAL blocks, six HIGH block, five
 * do not); a maximum below the threshold adds to it. With neither, `failOn` is `DEFAULT_FAIL_ON`. `ignore`
 * (default empty) lists findings that do not count; `errorOnUnusedIgnores` (default false) blocks when an
 * unexpired entry matches no finding, so stale ignores get noticed. The defaults are `evaluate`'s: decoding
 * leaves absent members absent, so a policy encodes back to what was written. Unknown keys, at any depth, are refused.
 *
 * @example
 * ```ts
 * import { ScanPolicy } from "@ecr-scan/core"
 * import { Schema } from "effect"
 *
 * const policy = Schema.decodeUnknownSync(ScanPolicy.ScanPolicy)({
 *   failOn: "HIGH",
 *   maxCounts: { HIGH: 2 },
 *   ignore: [{ id: "CVE-2024-0001", package: "openssl", until: "2026-04-01", reason: "no fix yet" }]
 * })
 * const findings: ReadonlyArray<ScanPolicy.Finding> = [
 *   { id: "CVE-2024-0001", severity: "CRITICAL", package: "openssl", kind: "basic" },
 *   { id: "CVE-2024-0002", severity: "HIGH", package: "zlib", kind: "basic" }
 * ]
 * const verdict = ScanPolicy.evaluate(policy, findings, new Date("2026-03-01T00:00:00Z"))
 * verdict.verdict // "PASSED": the CRITICAL is ignored until April, one HIGH is within the maximum
 * ScanPolicy.evaluate(policy, findings, new Date("2026-04-01T00:00:00Z")).reasons
 * // ["1 CRITICAL finding at or above HIGH"]: the ignore expired
 * ```
 */
export const ScanPolicy = Schema.Struct({
  failOn: Schema.optional(Severity),
  maxCounts: Schema.optional(MaxCounts),
  ignore: Schema.optional(Schema.Array(IgnoreEntry)),
  errorOnUnusedIgnores: Schema.optional(Schema.Boolean)
}).annotations({
  identifier: "ScanPolicy",
  // A misspelt key (`unitl`, `idd`) would silently drop the rule it meant; ca's ignore files refuse them too.
  parseOptions: { onExcessProperty: "error" }
})
/** @since 0.1.0 */
export type ScanPolicy = typeof ScanPolicy.Type

/**
 * A finding of either scan kind, normalized: `id` is the CVE id or finding name, `score` the CVSS (basic) or
 * Inspector (enhanced) score, `uri` a link to the advisory; `arn` is the enhanced `findingArn`.
 */
export const Finding = Schema.Struct({
  id: Schema.String,
  severity: Severity,
  package: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String),
  fixedInVersion: Schema.optional(Schema.String),
  uri: Schema.optional(Schema.String),
  score: Schema.optional(Schema.Number),
  arn: Schema.optional(Schema.String),
  kind: Schema.Literal("basic", "enhanced")
}).annotations({ identifier: "Finding" })
/** @since 0.1.0 */
export type Finding = typeof Finding.Type

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/** Sets the optional members that have a value (exactOptionalPropertyTypes: no `undefined` members). */
const withOptional = <A extends object>(base: A, optional: { readonly [K in keyof A]?: A[K] | undefined }): A => {
  const out = { ...base } as Mutable<A>
  for (const key of Object.keys(optional) as Array<keyof A>) {
    const value = optional[key]
    if (value !== undefined) out[key] = value as A[keyof A]
  }
  return out
}

const scoreOf = (text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === "") return undefined
  const score = Number(text)
  return Number.isFinite(score) ? score : undefined
}

/** A basic finding, normalized: package and score from its attributes (CVSS3 preferred over CVSS2). */
export const fromBasic = (finding: ImageScanFinding): Finding => {
  const attribute = (key: string) => finding.attributes?.find((a) => a.key === key)?.value
  return withOptional<Finding>(
    { id: finding.name ?? "", severity: toFindingSeverity(finding.severity), kind: "basic" },
    {
      package: attribute("package_name"),
      version: attribute("package_version"),
      uri: finding.uri,
      score: scoreOf(attribute("CVSS3_SCORE")) ?? scoreOf(attribute("CVSS2_SCORE"))
    }
  )
}

/** An enhanced finding, normalized: its first vulnerable package, its Inspector score, its advisory's URL. */
export const fromEnhanced = (finding: EnhancedImageScanFinding): Finding => {
  const details = finding.packageVulnerabilityDetails
  const pkg = details?.vulnerablePackages?.[0]
  return withOptional<Finding>({
    id: details?.vulnerabilityId ?? finding.title ?? finding.findingArn ?? "",
    severity: toFindingSeverity(finding.severity),
    kind: "enhanced"
  }, {
    package: pkg?.name,
    version: pkg?.version,
    fixedInVersion: pkg?.fixedInVersion,
    uri: details?.sourceUrl ?? details?.referenceUrls?.[0] ?? finding.remediation?.recommendation?.url,
    score: finding.score ?? finding.scoreDetails?.cvss?.score,
    arn: finding.findingArn
  })
}

/**
 * Every finding of one page of `imageScanFindings`, or of all pages, normalized: basic `findings` then
 * `enhancedFindings`, page by page. An enhanced scan with no findings comes back as `findings: []` without
 * `enhancedFindings`; that is simply no findings.
 */
export const findingsOf = (
  pages: ImageScanFindings | ReadonlyArray<ImageScanFindings | undefined> | undefined
): ReadonlyArray<Finding> => {
  const list: ReadonlyArray<ImageScanFindings | undefined> = Array.isArray(pages)
    ? pages
    : [pages as ImageScanFindings | undefined]
  return list.flatMap((page) => [
    ...(page?.findings ?? []).map(fromBasic),
    ...(page?.enhancedFindings ?? []).map(fromEnhanced)
  ])
}

/** A count for every severity. */
export const SeverityCounts = Schema.Record({ key: Severity, value: Schema.Int.pipe(Schema.nonNegative()) })
  .annotations({ identifier: "SeverityCounts" })
/** @since 0.1.0 */
export type SeverityCounts = typeof SeverityCounts.Type

/** A finding the policy ignored, with the (first) entry that ignored it. */
export const IgnoredFinding = Schema.Struct({ finding: Finding, entry: IgnoreEntry }).annotations({
  identifier: "IgnoredFinding"
})
/** @since 0.1.0 */
export type IgnoredFinding = typeof IgnoredFinding.Type

/**
 * The judgement of a policy over findings at an instant. `blocking` is sorted by severity (most severe first),
 * then id, then package. `counts.found` counts every finding; `ignored` those an unexpired entry matched;
 * `blocking` those that block; the rest were tolerated (below the threshold or within a maximum). Every entry
 * of the ignore list is in exactly one of `appliedIgnores` (matched a finding), `expiredIgnores` (its `until`
 * is at or before `now`: it ignored nothing, whether or not it matched) and `unusedIgnores` (matched nothing).
 * `reasons` says why the verdict is BLOCKED, one line per cause, and is empty when it PASSED.
 */
export const Verdict = Schema.Struct({
  verdict: Schema.Literal("PASSED", "BLOCKED"),
  blocking: Schema.Array(Finding),
  ignored: Schema.Array(IgnoredFinding),
  counts: Schema.Struct({ found: SeverityCounts, ignored: SeverityCounts, blocking: SeverityCounts }),
  appliedIgnores: Schema.Array(IgnoreEntry),
  expiredIgnores: Schema.Array(IgnoreEntry),
  unusedIgnores: Schema.Array(IgnoreEntry),
  reasons: Schema.Array(Schema.String)
}).annotations({ identifier: "Verdict" })
/** @since 0.1.0 */
export type Verdict = typeof Verdict.Type

/** A zero count for every severity. */
export const zeroCounts = (): { -readonly [K in Severity]: number } => ({
  CRITICAL: 0,
  HIGH: 0,
  MEDIUM: 0,
  LOW: 0,
  INFORMATIONAL: 0,
  UNDEFINED: 0
})

/** Whether an ignore entry names a finding: same id or ARN (any case) and, if it names one, the same package. */
export const matches = (entry: IgnoreEntry, finding: Finding): boolean => {
  const id = entry.id.toUpperCase()
  const named = finding.id.toUpperCase() === id || (finding.arn !== undefined && finding.arn.toUpperCase() === id)
  return named && (entry.package === undefined || entry.package === finding.package)
}

/** Whether an ignore entry has expired at `now`: from its `until` instant on. */
export const isExpired = (entry: IgnoreEntry, now: number | Date): boolean =>
  entry.until !== undefined && toMillis(now) >= entry.until.getTime()

const toMillis = (now: number | Date): number => typeof now === "number" ? now : now.getTime()

/** Blocking order: most severe first, then by id, then by package. */
const blockingOrder: Order.Order<Finding> = Order.combine(
  Order.mapInput(Order.reverse(SeverityOrder), (finding: Finding) => finding.severity),
  Order.combine(
    Order.mapInput(Order.string, (finding: Finding) => finding.id),
    Order.mapInput(Order.string, (finding: Finding) => finding.package ?? "")
  )
)

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

const describeEntry = (entry: IgnoreEntry) => entry.package === undefined ? entry.id : `${entry.id} in ${entry.package}`

/**
 * Judges `findings` by `policy` at `now` (epoch milliseconds or a Date). Pure: the same arguments give the
 * same verdict. Ignoring more never blocks more (unless `errorOnUnusedIgnores` and the new entry matches
 * nothing), and a lower threshold never blocks less.
 *
 * @example
 * ```ts
 * import { ScanPolicy } from "@ecr-scan/core"
 *
 * const findings = ScanPolicy.findingsOf({
 *   findings: [{ name: "CVE-2024-0001", severity: "HIGH", attributes: [{ key: "package_name", value: "zlib" }] }]
 * })
 * const verdict = ScanPolicy.evaluate({ failOn: "HIGH" }, findings, Date.now())
 * verdict.verdict // "BLOCKED"
 * verdict.reasons // ["1 HIGH finding at or above HIGH"]
 * verdict.counts.found.HIGH // 1
 * ```
 */
export const evaluate = (policy: ScanPolicy, findings: ReadonlyArray<Finding>, now: number | Date): Verdict => {
  const ignore = policy.ignore ?? []
  const failOn = policy.failOn ?? (policy.maxCounts === undefined ? DEFAULT_FAIL_ON : undefined)
  const maxCounts: MaxCounts = policy.maxCounts ?? {}

  const expired = ignore.filter((entry) => isExpired(entry, now))
  const live = ignore.filter((entry) => !isExpired(entry, now))
  const used = new Set<IgnoreEntry>()

  const found = zeroCounts()
  const ignoredCounts = zeroCounts()
  const ignored: Array<IgnoredFinding> = []
  const remaining: Array<Finding> = []
  for (const finding of findings) {
    found[finding.severity]++
    let first: IgnoreEntry | undefined
    for (const entry of live) {
      if (!matches(entry, finding)) continue
      used.add(entry)
      first ??= entry
    }
    if (first === undefined) {
      remaining.push(finding)
    } else {
      ignoredCounts[finding.severity]++
      ignored.push({ finding, entry: first })
    }
  }

  // The most findings of each severity that pass: an explicit maximum, else none at or above the threshold.
  const allowance = (severity: Severity): number => {
    const max = maxCounts[severity]
    if (max !== undefined) return max
    return failOn !== undefined && isAtOrAbove(severity, failOn) ? 0 : Infinity
  }

  const remainingCounts = zeroCounts()
  for (const finding of remaining) remainingCounts[finding.severity]++

  const reasons: Array<string> = []
  const blockingSeverities = new Set<Severity>()
  for (const severity of SEVERITIES_DESCENDING) {
    const n = remainingCounts[severity]
    const max = allowance(severity)
    if (n <= max) continue
    blockingSeverities.add(severity)
    reasons.push(
      maxCounts[severity] !== undefined
        ? `${severity}: ${n} over the maximum ${max}`
        : `${plural(n, `${severity} finding`)} at or above ${failOn}`
    )
  }

  const blocking = remaining.filter((finding) => blockingSeverities.has(finding.severity)).sort(blockingOrder)
  const blockingCounts = zeroCounts()
  for (const finding of blocking) blockingCounts[finding.severity]++

  const appliedIgnores = live.filter((entry) => used.has(entry))
  const unusedIgnores = live.filter((entry) => !used.has(entry))
  if (policy.errorOnUnusedIgnores === true) {
    for (const entry of unusedIgnores) reasons.push(`unused ignore ${describeEntry(entry)} (errorOnUnusedIgnores)`)
  }

  return {
    verdict: reasons.length === 0 ? "PASSED" : "BLOCKED",
    blocking,
    ignored,
    counts: { found, ignored: ignoredCounts, blocking: blockingCounts },
    appliedIgnores,
    expiredIgnores: expired,
    unusedIgnores,
    reasons
  }
}
