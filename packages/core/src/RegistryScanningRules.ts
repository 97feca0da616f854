/**
 * Registry scanning rules: which repositories a rule's filters match (the wildcard table of the AWS
 * docs), the scan frequency in effect for a repository, and what a push into it starts.
 *
 * Filter semantics (docs, "Filters for repositories"): a filter without `*` matches any repository
 * name that contains it; a filter with `*` must match the whole name, `*` standing for zero or more
 * characters.
 *
 * @since 0.1.0
 */
import type {
  RegistryScanningConfiguration,
  RegistryScanningRule,
  ScanFrequency,
  ScanningRepositoryFilter,
  ScanType
} from "./ScanningConfiguration.js"

/** Whether `filter` matches `repositoryName`. */
export const matchesFilter = (filter: string, repositoryName: string): boolean => {
  if (!filter.includes("*")) return repositoryName.includes(filter)
  const parts = filter.split("*")
  const first = parts[0]
  const last = parts[parts.length - 1]
  if (!repositoryName.startsWith(first)) return false
  if (repositoryName.length < first.length + last.length) return false
  if (!repositoryName.endsWith(last)) return false
  // Greedy left-to-right placement of the middle parts between the fixed prefix and suffix.
  let at = first.length
  const end = repositoryName.length - last.length
  for (let i = 1; i < parts.length - 1; i++) {
    const found = repositoryName.indexOf(parts[i], at)
    if (found < 0 || found + parts[i].length > end) return false
    at = found + parts[i].length
  }
  return true
}

/** The configuration of a registry that was never configured: BASIC, no rules (every repository MANUAL). */
export const defaultConfiguration: Required<RegistryScanningConfiguration> = { scanType: "BASIC", rules: [] }

/**
 * Why a configuration cannot be applied, in the words of a `ValidationException`, or `undefined`.
 * BASIC supports SCAN_ON_PUSH (MANUAL is implicit); ENHANCED supports SCAN_ON_PUSH and CONTINUOUS_SCAN.
 */
export const configurationProblem = (configuration: RegistryScanningConfiguration): string | undefined => {
  const scanType = configuration.scanType ?? "BASIC"
  const rules = configuration.rules ?? []
  const seen = new Set<ScanFrequency>()
  for (const rule of rules) {
    if (scanType === "BASIC" && rule.scanFrequency === "CONTINUOUS_SCAN") {
      return "Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC."
    }
    if (scanType === "ENHANCED" && rule.scanFrequency === "MANUAL") {
      return "Scan frequency MANUAL is not supported for scan type ENHANCED."
    }
    if (seen.has(rule.scanFrequency)) return `Only one rule with scan frequency ${rule.scanFrequency} is allowed.`
    seen.add(rule.scanFrequency)
  }
  return undefined
}

/** The scanning settings in effect for a repository. */
export interface EffectiveScanning {
  readonly scanType: ScanType
  readonly scanFrequency: ScanFrequency
  /** The repository-level (legacy) flag, reported as stored. */
  readonly scanOnPush: boolean
  readonly appliedScanFilters: ReadonlyArray<ScanningRepositoryFilter>
}

const matching = (rule: RegistryScanningRule | undefined, repositoryName: string) =>
  rule === undefined ? [] : rule.repositoryFilters.filter((f) => matchesFilter(f.filter, repositoryName))

/**
 * The scan frequency of a repository. BASIC: SCAN_ON_PUSH when a SCAN_ON_PUSH filter matches or the
 * repository's own (legacy) flag is set, else MANUAL. ENHANCED: CONTINUOUS_SCAN wins over
 * SCAN_ON_PUSH when both match; no match means no automatic scans (reported as MANUAL).
 */
export const effectiveScanning = (
  configuration: RegistryScanningConfiguration,
  repository: { readonly name: string; readonly scanOnPush: boolean }
): EffectiveScanning => {
  const scanType = configuration.scanType ?? "BASIC"
  const rules = configuration.rules ?? []
  const onPush = matching(rules.find((r) => r.scanFrequency === "SCAN_ON_PUSH"), repository.name)
  const base = { scanType, scanOnPush: repository.scanOnPush }
  if (scanType === "ENHANCED") {
    const continuous = matching(rules.find((r) => r.scanFrequency === "CONTINUOUS_SCAN"), repository.name)
    if (continuous.length > 0) return { ...base, scanFrequency: "CONTINUOUS_SCAN", appliedScanFilters: continuous }
    if (onPush.length > 0) return { ...base, scanFrequency: "SCAN_ON_PUSH", appliedScanFilters: onPush }
    return { ...base, scanFrequency: "MANUAL", appliedScanFilters: [] }
  }
  if (onPush.length > 0) return { ...base, scanFrequency: "SCAN_ON_PUSH", appliedScanFilters: onPush }
  if (repository.scanOnPush) return { ...base, scanFrequency: "SCAN_ON_PUSH", appliedScanFilters: [] }
  return { ...base, scanFrequency: "MANUAL", appliedScanFilters: [] }
}

/** What pushing a new image into a repository starts. */
export type OnPush = "NONE" | "BASIC" | "ENHANCED_ON_PUSH" | "ENHANCED_CONTINUOUS"

/** What a push starts under the effective settings. */
export const onPush = (scanning: EffectiveScanning): OnPush => {
  if (scanning.scanType === "ENHANCED") {
    return scanning.scanFrequency === "CONTINUOUS_SCAN"
      ? "ENHANCED_CONTINUOUS"
      : scanning.scanFrequency === "SCAN_ON_PUSH"
      ? "ENHANCED_ON_PUSH"
      : "NONE"
  }
  return scanning.scanFrequency === "SCAN_ON_PUSH" ? "BASIC" : "NONE"
}
