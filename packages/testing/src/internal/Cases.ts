/**
 * The cases of the conformance suite, by group, in the order they run, and their ids.
 */
import { findingsCases } from "./FindingsCases.js"
import type { Case } from "./Harness.js"
import { lifecycleCases } from "./LifecycleCases.js"
import { policyCases } from "./PolicyCases.js"
import { registryCases } from "./RegistryCases.js"
import { registryInfoCases } from "./RegistryInfoCases.js"
import { scanCases } from "./ScanCases.js"
import { startErrorCases } from "./StartErrorCases.js"
import { taggingCases } from "./TaggingCases.js"

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
  ["the ImageScanComplete waiter", ["waiter-complete", "waiter-failed"]],
  ["lifecycle policies and their preview", [
    "lifecycle-policy-put-get-delete",
    "lifecycle-policy-never-evaluated",
    "lifecycle-policy-invalid",
    "lifecycle-preview",
    "lifecycle-policy-applied"
  ]],
  ["ListImages, DescribeRegistry and GetAuthorizationToken", [
    "list-images-ids",
    "list-images-tag-status",
    "list-images-paged",
    "list-images-repository-not-found",
    "describe-registry",
    "authorization-token",
    "authorization-token-expiry"
  ]],
  ["repository and registry policies", [
    "repository-policy-round-trip",
    "repository-policy-invalid",
    "registry-policy-round-trip",
    "registry-policy-invalid"
  ]],
  ["tags and tag mutability", [
    "tags-from-create",
    "tags-tag-untag",
    "tags-invalid-arn",
    "tags-repository-not-found",
    "tags-too-many",
    "tag-mutability-immutable",
    "tag-mutability-exclusion",
    "tag-mutability-filters-mismatch"
  ]]
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
  ...startErrorCases,
  ...lifecycleCases,
  ...registryInfoCases,
  ...policyCases,
  ...taggingCases
}
