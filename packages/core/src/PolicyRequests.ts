/**
 * Request and response schemas of the policy operations (re-exported by `Api` beside the operation table): a
 * repository's policy (`SetRepositoryPolicy`, `GetRepositoryPolicy`, `DeleteRepositoryPolicy`) and the
 * registry's (`PutRegistryPolicy`, `GetRegistryPolicy`, `DeleteRegistryPolicy`). The schemas check the policy
 * text's length only; whether it is a policy document ECR would store is `PolicyDocuments`'s check.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"
import { RegistryId, RepositoryName } from "./Identifiers.js"
import { MAX_POLICY_TEXT_LENGTH } from "./PolicyDocuments.js"

/** A policy document's text (`RepositoryPolicyText`, `RegistryPolicyText`): 0 to 10,240 characters. */
export const PolicyDocumentText = Schema.String.pipe(Schema.filter(Constraints.length(0, MAX_POLICY_TEXT_LENGTH)))
  .annotations({ identifier: "PolicyDocumentText" })
/** @since 0.1.0 */
export type PolicyDocumentText = typeof PolicyDocumentText.Type

// ---------------------------------------------------------------------------------------------------------------
// Repository policies

/**
 * `SetRepositoryPolicy` request. `force` is accepted and changes nothing: ECR asks for it when the policy
 * would lock the caller out of setting another, which only an IAM evaluation could tell, and none is made.
 */
export const SetRepositoryPolicyRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  policyText: PolicyDocumentText,
  force: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "SetRepositoryPolicyRequest" })
/** @since 0.1.0 */
export type SetRepositoryPolicyRequest = typeof SetRepositoryPolicyRequest.Type

/** `SetRepositoryPolicy` response: the policy as stored (the text given). */
export const SetRepositoryPolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  policyText: Schema.optional(PolicyDocumentText)
}).annotations({ identifier: "SetRepositoryPolicyResponse" })
/** @since 0.1.0 */
export type SetRepositoryPolicyResponse = typeof SetRepositoryPolicyResponse.Type

/** `GetRepositoryPolicy` request. */
export const GetRepositoryPolicyRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName
}).annotations({ identifier: "GetRepositoryPolicyRequest" })
/** @since 0.1.0 */
export type GetRepositoryPolicyRequest = typeof GetRepositoryPolicyRequest.Type

/** `GetRepositoryPolicy` response. */
export const GetRepositoryPolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  policyText: Schema.optional(PolicyDocumentText)
}).annotations({ identifier: "GetRepositoryPolicyResponse" })
/** @since 0.1.0 */
export type GetRepositoryPolicyResponse = typeof GetRepositoryPolicyResponse.Type

/** `DeleteRepositoryPolicy` request. */
export const DeleteRepositoryPolicyRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName
}).annotations({ identifier: "DeleteRepositoryPolicyRequest" })
/** @since 0.1.0 */
export type DeleteRepositoryPolicyRequest = typeof DeleteRepositoryPolicyRequest.Type

/** `DeleteRepositoryPolicy` response: the policy that was deleted. */
export const DeleteRepositoryPolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  policyText: Schema.optional(PolicyDocumentText)
}).annotations({ identifier: "DeleteRepositoryPolicyResponse" })
/** @since 0.1.0 */
export type DeleteRepositoryPolicyResponse = typeof DeleteRepositoryPolicyResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// The registry policy

/** `PutRegistryPolicy` request. */
export const PutRegistryPolicyRequest = Schema.Struct({
  policyText: PolicyDocumentText
}).annotations({ identifier: "PutRegistryPolicyRequest" })
/** @since 0.1.0 */
export type PutRegistryPolicyRequest = typeof PutRegistryPolicyRequest.Type

/** `PutRegistryPolicy` response: the policy as stored (the text given). */
export const PutRegistryPolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  policyText: Schema.optional(PolicyDocumentText)
}).annotations({ identifier: "PutRegistryPolicyResponse" })
/** @since 0.1.0 */
export type PutRegistryPolicyResponse = typeof PutRegistryPolicyResponse.Type

/** `GetRegistryPolicy` request (no members). */
export const GetRegistryPolicyRequest = Schema.Struct({}).annotations({ identifier: "GetRegistryPolicyRequest" })
/** @since 0.1.0 */
export type GetRegistryPolicyRequest = typeof GetRegistryPolicyRequest.Type

/** `GetRegistryPolicy` response. */
export const GetRegistryPolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  policyText: Schema.optional(PolicyDocumentText)
}).annotations({ identifier: "GetRegistryPolicyResponse" })
/** @since 0.1.0 */
export type GetRegistryPolicyResponse = typeof GetRegistryPolicyResponse.Type

/** `DeleteRegistryPolicy` request (no members). */
export const DeleteRegistryPolicyRequest = Schema.Struct({}).annotations({ identifier: "DeleteRegistryPolicyRequest" })
/** @since 0.1.0 */
export type DeleteRegistryPolicyRequest = typeof DeleteRegistryPolicyRequest.Type

/** `DeleteRegistryPolicy` response: the policy that was deleted. */
export const DeleteRegistryPolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  policyText: Schema.optional(PolicyDocumentText)
}).annotations({ identifier: "DeleteRegistryPolicyResponse" })
/** @since 0.1.0 */
export type DeleteRegistryPolicyResponse = typeof DeleteRegistryPolicyResponse.Type
