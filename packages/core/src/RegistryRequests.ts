/**
 * Request and response schemas of the registry's read operations beside scanning: `ListImages`,
 * `DescribeRegistry` and `GetAuthorizationToken` (re-exported by `Api` beside the operation table), with the
 * service model's constraints (botocore `ecr/2015-09-21`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"
import { ImageIdentifier, RegistryId, RepositoryName, Timestamp } from "./Identifiers.js"
import { DescribeImagesFilter, MaxResults, NextToken } from "./Requests.js"

// ---------------------------------------------------------------------------------------------------------------
// ListImages

/** Which images `ListImages` lists: by tag status and (archival) image status, as `DescribeImagesFilter`. */
export const ListImagesFilter = DescribeImagesFilter.annotations({ identifier: "ListImagesFilter" })
/** @since 0.1.0 */
export type ListImagesFilter = typeof ListImagesFilter.Type

/** `ListImages` request (paginated by `maxResults`/`nextToken`). */
export const ListImagesRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  nextToken: Schema.optional(NextToken),
  maxResults: Schema.optional(MaxResults),
  filter: Schema.optional(ListImagesFilter)
}).annotations({ identifier: "ListImagesRequest" })
/** @since 0.1.0 */
export type ListImagesRequest = typeof ListImagesRequest.Type

/** `ListImages` response: one identifier per tag of a tagged image, the digest alone for an untagged one. */
export const ListImagesResponse = Schema.Struct({
  imageIds: Schema.optional(Schema.Array(ImageIdentifier)),
  nextToken: Schema.optional(Schema.String)
}).annotations({ identifier: "ListImagesResponse" })
/** @since 0.1.0 */
export type ListImagesResponse = typeof ListImagesResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// DescribeRegistry

/** Where a replication rule copies images to (`ReplicationDestination`). */
export const ReplicationDestination = Schema.Struct({
  region: Schema.String,
  registryId: Schema.String
}).annotations({ identifier: "ReplicationDestination" })
/** @since 0.1.0 */
export type ReplicationDestination = typeof ReplicationDestination.Type

/** Which repositories a replication rule applies to (`RepositoryFilter`). */
export const ReplicationRepositoryFilter = Schema.Struct({
  filter: Schema.String,
  filterType: Schema.String
}).annotations({ identifier: "RepositoryFilter" })
/** @since 0.1.0 */
export type ReplicationRepositoryFilter = typeof ReplicationRepositoryFilter.Type

/** One replication rule (`ReplicationRule`). */
export const ReplicationRule = Schema.Struct({
  destinations: Schema.Array(ReplicationDestination),
  repositoryFilters: Schema.optional(Schema.Array(ReplicationRepositoryFilter))
}).annotations({ identifier: "ReplicationRule" })
/** @since 0.1.0 */
export type ReplicationRule = typeof ReplicationRule.Type

/** A registry's replication configuration (`ReplicationConfiguration`). */
export const ReplicationConfiguration = Schema.Struct({
  rules: Schema.Array(ReplicationRule)
}).annotations({ identifier: "ReplicationConfiguration" })
/** @since 0.1.0 */
export type ReplicationConfiguration = typeof ReplicationConfiguration.Type

/** `DescribeRegistry` request (no members). */
export const DescribeRegistryRequest = Schema.Struct({}).annotations({ identifier: "DescribeRegistryRequest" })
/** @since 0.1.0 */
export type DescribeRegistryRequest = typeof DescribeRegistryRequest.Type

/** `DescribeRegistry` response. */
export const DescribeRegistryResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  replicationConfiguration: Schema.optional(ReplicationConfiguration)
}).annotations({ identifier: "DescribeRegistryResponse" })
/** @since 0.1.0 */
export type DescribeRegistryResponse = typeof DescribeRegistryResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// GetAuthorizationToken

/** `GetAuthorizationToken` request: `registryIds` is deprecated in the model, and still accepted (1..10 ids). */
export const GetAuthorizationTokenRequest = Schema.Struct({
  registryIds: Schema.optional(Schema.Array(RegistryId).pipe(Schema.filter(Constraints.length(1, 10))))
}).annotations({ identifier: "GetAuthorizationTokenRequest" })
/** @since 0.1.0 */
export type GetAuthorizationTokenRequest = typeof GetAuthorizationTokenRequest.Type

/** One registry's credentials (`AuthorizationData`): a base64 `AWS:<password>`, its expiry and the endpoint. */
export const AuthorizationData = Schema.Struct({
  authorizationToken: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Timestamp),
  proxyEndpoint: Schema.optional(Schema.String)
}).annotations({ identifier: "AuthorizationData" })
/** @since 0.1.0 */
export type AuthorizationData = typeof AuthorizationData.Type

/** `GetAuthorizationToken` response. */
export const GetAuthorizationTokenResponse = Schema.Struct({
  authorizationData: Schema.optional(Schema.Array(AuthorizationData))
}).annotations({ identifier: "GetAuthorizationTokenResponse" })
/** @since 0.1.0 */
export type GetAuthorizationTokenResponse = typeof GetAuthorizationTokenResponse.Type
