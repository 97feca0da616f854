/**
 * The cases of the conformance suite, by group, in the order they run, and their ids.
 */
import { findingsCases } from "./FindingsCases.js"
import type { Case } from "./Harness.js"
import { registryCases } from "./RegistryCases.js"
import { scanCases } from "./ScanCases.js"
import { startErrorCases } from "./StartErrorCases.js"

/** The cases by group (a `describe` each), in the order they run. */
export const groups = [
  ["the registry around scanning", [
    "repository-lifecycle",
    "repository-name-pattern",
    "put-image-digest",
    "put-image-by-tag-and-digest",
    "put-image-missing-repository"
  ]],
  ["StartImageScan", ["start-by-digest", "start-by-tag", "scan-in-progress"]],
  ["the 24 hour rule", ["window-refuses", "window-reopens"]],
  ["scan on push", ["scan-on-push-starts", "scan-on-push-uses-slot"]],
  ["DescribeImageScanFindings", [
    "findings-complete",
    "findings-fixed",
    "findings-paginated",
    "findings-echo",
    "findings-scan-not-found",
    "findings-not-found"
  ]],
  ["the errors of StartImageScan", [
    "start-invalid-name",
    "start-invalid-before-sending",
    "start-empty-image-id",
    "start-repository-not-found",
    "start-image-not-found",
    "start-unsupported-image-type",
    "start-image-archived",
    "start-enhanced-registry",
    "start-server-exception"
  ]],
  ["the ImageScanComplete waiter", ["waiter-complete", "waiter-failed"]]
] as const

/** The id of a case. */
export type CaseId = (typeof groups)[number][1][number]

/** Every case id, in the order the suite runs them. */
export const caseIds: ReadonlyArray<CaseId> = groups.flatMap(([, ids]) => ids)

/** Every case, by id. */
export const cases: { readonly [K in CaseId]: Case } = {
  ...registryCases,
  ...scanCases,
  ...findingsCases,
  ...startErrorCases
}
