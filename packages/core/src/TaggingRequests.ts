/**
 * Request and response schemas of the tagging operations (`TagResource`, `UntagResource`,
 * `ListTagsForResource`, on repositories named by ARN) and of `PutImageTagMutability` (re-exported by `Api`
 * beside the operation table). The service model puts no constraint on a resource ARN, a tag key or a tag
 * value: those are the rules of `ResourceTags`, which the backends apply after these schemas.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { RegistryId, RepositoryName } from "./Identifiers.js"
import { ImageTagMutability, ImageTagMutabilityExclusionFilter, Tag } from "./RepositoryModel.js"
import { ImageTagMutabilityExclusionFilters } from "./Requests.js"

/**
 * An empty response: whatever object arrives decodes to `{}` and `{}` is what is sent. (A `Schema.Struct({})`
 * would let every member through, the SDK's `$metadata` included.)
 */
const emptyResponse = (identifier: string) =>
  Schema.transform(Schema.Object, Schema.Struct({}), { strict: true, decode: () => ({}), encode: () => ({}) })
    .annotations({ identifier })

// ---------------------------------------------------------------------------------------------------------------
// Tags

/** `TagResource` request: tags added to (or overwriting the values of) the resource's tags. */
export const TagResourceRequest = Schema.Struct({
  resourceArn: Schema.String,
  tags: Schema.Array(Tag)
}).annotations({ identifier: "TagResourceRequest" })
/** @since 0.1.0 */
export type TagResourceRequest = typeof TagResourceRequest.Type

/** `TagResource` response (empty). */
export const TagResourceResponse = emptyResponse("TagResourceResponse")
/** @since 0.1.0 */
export type TagResourceResponse = typeof TagResourceResponse.Type

/** `UntagResource` request: the keys of the tags to remove. */
export const UntagResourceRequest = Schema.Struct({
  resourceArn: Schema.String,
  tagKeys: Schema.Array(Schema.String)
}).annotations({ identifier: "UntagResourceRequest" })
/** @since 0.1.0 */
export type UntagResourceRequest = typeof UntagResourceRequest.Type

/** `UntagResource` response (empty). */
export const UntagResourceResponse = emptyResponse("UntagResourceResponse")
/** @since 0.1.0 */
export type UntagResourceResponse = typeof UntagResourceResponse.Type

/** `ListTagsForResource` request. */
export const ListTagsForResourceRequest = Schema.Struct({
  resourceArn: Schema.String
}).annotations({ identifier: "ListTagsForResourceRequest" })
/** @since 0.1.0 */
export type ListTagsForResourceRequest = typeof ListTagsForResourceRequest.Type

/** `ListTagsForResource` response: the resource's tags. */
export const ListTagsForResourceResponse = Schema.Struct({
  tags: Schema.optional(Schema.Array(Tag))
}).annotations({ identifier: "ListTagsForResourceResponse" })
/** @since 0.1.0 */
export type ListTagsForResourceResponse = typeof ListTagsForResourceResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// Tag mutability

/** `PutImageTagMutability` request: the repository's new setting, with its exclusion filters (1..5). */
export const PutImageTagMutabilityRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageTagMutability: ImageTagMutability,
  imageTagMutabilityExclusionFilters: Schema.optional(ImageTagMutabilityExclusionFilters)
}).annotations({ identifier: "PutImageTagMutabilityRequest" })
/** @since 0.1.0 */
export type PutImageTagMutabilityRequest = typeof PutImageTagMutabilityRequest.Type

/** `PutImageTagMutability` response: the setting as the repository now has it. */
export const PutImageTagMutabilityResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageTagMutability: Schema.optional(ImageTagMutability),
  imageTagMutabilityExclusionFilters: Schema.optional(Schema.Array(ImageTagMutabilityExclusionFilter))
}).annotations({ identifier: "PutImageTagMutabilityResponse" })
/** @since 0.1.0 */
export type PutImageTagMutabilityResponse = typeof PutImageTagMutabilityResponse.Type
