/**
 * Request and response schemas of the lifecycle policy operations (`PutLifecyclePolicy`, `GetLifecyclePolicy`,
 * `DeleteLifecyclePolicy`, `StartLifecyclePolicyPreview`, `GetLifecyclePolicyPreview`), with the service
 * model's constraints (botocore's ECR model, 2015-09-21). Re-exported by `Api` beside the operation table.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"
import { ImageDigest, ImageIdentifier, ImageTag, RegistryId, RepositoryName, Timestamp } from "./Identifiers.js"
import { NextToken, TagStatus } from "./Requests.js"

/** `LifecyclePolicyText`: 100 to 30,720 characters (what they say is `LifecyclePolicy.parse`'s to check). */
export const LifecyclePolicyText = Schema.String.pipe(Schema.filter(Constraints.length(100, 30_720)))

/** The status of a lifecycle policy preview. */
export const LifecyclePolicyPreviewStatus = Schema.Literal("IN_PROGRESS", "COMPLETE", "EXPIRED", "FAILED")
/** @since 0.1.0 */
export type LifecyclePolicyPreviewStatus = typeof LifecyclePolicyPreviewStatus.Type

const RepositoryRequest = {
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName
}

/** `PutLifecyclePolicy` request. */
export const PutLifecyclePolicyRequest = Schema.Struct({
  ...RepositoryRequest,
  lifecyclePolicyText: LifecyclePolicyText
}).annotations({ identifier: "PutLifecyclePolicyRequest" })
/** @since 0.1.0 */
export type PutLifecyclePolicyRequest = typeof PutLifecyclePolicyRequest.Type

/** `PutLifecyclePolicy` response. */
export const PutLifecyclePolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  lifecyclePolicyText: Schema.optional(Schema.String)
}).annotations({ identifier: "PutLifecyclePolicyResponse" })
/** @since 0.1.0 */
export type PutLifecyclePolicyResponse = typeof PutLifecyclePolicyResponse.Type

/** `GetLifecyclePolicy` request. */
export const GetLifecyclePolicyRequest = Schema.Struct(RepositoryRequest).annotations({
  identifier: "GetLifecyclePolicyRequest"
})
/** @since 0.1.0 */
export type GetLifecyclePolicyRequest = typeof GetLifecyclePolicyRequest.Type

/** `GetLifecyclePolicy` response (`lastEvaluatedAt` is the epoch when the policy was never applied). */
export const GetLifecyclePolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  lifecyclePolicyText: Schema.optional(Schema.String),
  lastEvaluatedAt: Schema.optional(Timestamp)
}).annotations({ identifier: "GetLifecyclePolicyResponse" })
/** @since 0.1.0 */
export type GetLifecyclePolicyResponse = typeof GetLifecyclePolicyResponse.Type

/** `DeleteLifecyclePolicy` request. */
export const DeleteLifecyclePolicyRequest = Schema.Struct(RepositoryRequest).annotations({
  identifier: "DeleteLifecyclePolicyRequest"
})
/** @since 0.1.0 */
export type DeleteLifecyclePolicyRequest = typeof DeleteLifecyclePolicyRequest.Type

/** `DeleteLifecyclePolicy` response: the policy deleted. */
export const DeleteLifecyclePolicyResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  lifecyclePolicyText: Schema.optional(Schema.String),
  lastEvaluatedAt: Schema.optional(Timestamp)
}).annotations({ identifier: "DeleteLifecyclePolicyResponse" })
/** @since 0.1.0 */
export type DeleteLifecyclePolicyResponse = typeof DeleteLifecyclePolicyResponse.Type

/** `StartLifecyclePolicyPreview` request: the given policy text, or the repository's policy. */
export const StartLifecyclePolicyPreviewRequest = Schema.Struct({
  ...RepositoryRequest,
  lifecyclePolicyText: Schema.optional(LifecyclePolicyText)
}).annotations({ identifier: "StartLifecyclePolicyPreviewRequest" })
/** @since 0.1.0 */
export type StartLifecyclePolicyPreviewRequest = typeof StartLifecyclePolicyPreviewRequest.Type

/** `StartLifecyclePolicyPreview` response. */
export const StartLifecyclePolicyPreviewResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  lifecyclePolicyText: Schema.optional(Schema.String),
  status: Schema.optional(LifecyclePolicyPreviewStatus)
}).annotations({ identifier: "StartLifecyclePolicyPreviewResponse" })
/** @since 0.1.0 */
export type StartLifecyclePolicyPreviewResponse = typeof StartLifecyclePolicyPreviewResponse.Type

/** `GetLifecyclePolicyPreview` request (paginated by `maxResults`, 1 to 100, and `nextToken`). */
export const GetLifecyclePolicyPreviewRequest = Schema.Struct({
  ...RepositoryRequest,
  imageIds: Schema.optional(Schema.Array(ImageIdentifier).pipe(Schema.filter(Constraints.length(1, 100)))),
  nextToken: Schema.optional(NextToken),
  maxResults: Schema.optional(Schema.Number.pipe(Schema.filter(Constraints.range(1, 100)))),
  filter: Schema.optional(Schema.Struct({ tagStatus: Schema.optional(TagStatus) }))
}).annotations({ identifier: "GetLifecyclePolicyPreviewRequest" })
/** @since 0.1.0 */
export type GetLifecyclePolicyPreviewRequest = typeof GetLifecyclePolicyPreviewRequest.Type

/** One image a previewed policy would act on. */
export const LifecyclePolicyPreviewResult = Schema.Struct({
  imageTags: Schema.optional(Schema.Array(ImageTag)),
  imageDigest: Schema.optional(ImageDigest),
  imagePushedAt: Schema.optional(Timestamp),
  action: Schema.optional(Schema.Struct({
    type: Schema.optional(Schema.Literal("EXPIRE", "TRANSITION")),
    targetStorageClass: Schema.optional(Schema.Literal("ARCHIVE"))
  })),
  appliedRulePriority: Schema.optional(Schema.Number),
  storageClass: Schema.optional(Schema.Literal("ARCHIVE", "STANDARD"))
}).annotations({ identifier: "LifecyclePolicyPreviewResult" })
/** @since 0.1.0 */
export type LifecyclePolicyPreviewResult = typeof LifecyclePolicyPreviewResult.Type

/** `GetLifecyclePolicyPreview` response. */
export const GetLifecyclePolicyPreviewResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  lifecyclePolicyText: Schema.optional(Schema.String),
  status: Schema.optional(LifecyclePolicyPreviewStatus),
  nextToken: Schema.optional(Schema.String),
  previewResults: Schema.optional(Schema.Array(LifecyclePolicyPreviewResult)),
  summary: Schema.optional(Schema.Struct({
    expiringImageTotalCount: Schema.optional(Schema.Number),
    transitioningImageTotalCounts: Schema.optional(Schema.Array(Schema.Struct({
      targetStorageClass: Schema.optional(Schema.Literal("ARCHIVE")),
      imageTotalCount: Schema.optional(Schema.Number)
    })))
  }))
}).annotations({ identifier: "GetLifecyclePolicyPreviewResponse" })
/** @since 0.1.0 */
export type GetLifecyclePolicyPreviewResponse = typeof GetLifecyclePolicyPreviewResponse.Type
