/**
 * Registry- and repository-level scanning configuration shapes.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"
import { RepositoryName } from "./Identifiers.js"

/** `BASIC` (ECR's own scanner) or `ENHANCED` (Amazon Inspector). */
export const ScanType = Schema.Literal("BASIC", "ENHANCED").annotations({ identifier: "ScanType" })
/** @since 0.1.0 */
export type ScanType = typeof ScanType.Type

/** How often repositories matching a rule are scanned. */
export const ScanFrequency = Schema.Literal("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL")
  .annotations({ identifier: "ScanFrequency" })
/** @since 0.1.0 */
export type ScanFrequency = typeof ScanFrequency.Type

/** A repository filter of a scanning rule (`filterType` is always `WILDCARD`). */
export const ScanningRepositoryFilter = Schema.Struct({
  filter: Schema.String.pipe(Schema.filter(Constraints.scanningFilter)),
  filterType: Schema.Literal("WILDCARD")
}).annotations({ identifier: "ScanningRepositoryFilter" })
/** @since 0.1.0 */
export type ScanningRepositoryFilter = typeof ScanningRepositoryFilter.Type

/** A registry scanning rule: a frequency and the repositories it applies to. */
export const RegistryScanningRule = Schema.Struct({
  scanFrequency: ScanFrequency,
  repositoryFilters: Schema.Array(ScanningRepositoryFilter).pipe(Schema.maxItems(100))
}).annotations({ identifier: "RegistryScanningRule" })
/** @since 0.1.0 */
export type RegistryScanningRule = typeof RegistryScanningRule.Type

/** The registry's scanning configuration: a scan type and up to two rules. */
export const RegistryScanningConfiguration = Schema.Struct({
  scanType: Schema.optional(ScanType),
  rules: Schema.optional(Schema.Array(RegistryScanningRule).pipe(Schema.maxItems(2)))
}).annotations({ identifier: "RegistryScanningConfiguration" })
/** @since 0.1.0 */
export type RegistryScanningConfiguration = typeof RegistryScanningConfiguration.Type

/** The scanning settings in effect for one repository. */
export const RepositoryScanningConfiguration = Schema.Struct({
  repositoryArn: Schema.optional(Schema.String),
  repositoryName: Schema.optional(RepositoryName),
  scanOnPush: Schema.optional(Schema.Boolean),
  scanFrequency: Schema.optional(ScanFrequency),
  appliedScanFilters: Schema.optional(Schema.Array(ScanningRepositoryFilter))
}).annotations({ identifier: "RepositoryScanningConfiguration" })
/** @since 0.1.0 */
export type RepositoryScanningConfiguration = typeof RepositoryScanningConfiguration.Type

/** A repository `BatchGetRepositoryScanningConfiguration` could not answer for. */
export const RepositoryScanningConfigurationFailure = Schema.Struct({
  repositoryName: Schema.optional(RepositoryName),
  failureCode: Schema.optional(Schema.Literal("REPOSITORY_NOT_FOUND")),
  failureReason: Schema.optional(Schema.String)
}).annotations({ identifier: "RepositoryScanningConfigurationFailure" })
/** @since 0.1.0 */
export type RepositoryScanningConfigurationFailure = typeof RepositoryScanningConfigurationFailure.Type
