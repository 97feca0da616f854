/**
 * Request and response schemas of every operation this library speaks (re-exported by `Api` beside the
 * operation table). Each schema encodes to the exact wire JSON of awsJson1_1: timestamps as epoch seconds,
 * absent members omitted.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"
import {
  ImageDigest,
  ImageIdentifier,
  ImageIdentifierRequired,
  ImageTag,
  RegistryId,
  RepositoryName
} from "./Identifiers.js"
import { Image, ImageDetail, ImageFailure, ImageStatus, TargetStorageClass } from "./ImageModel.js"
import {
  EncryptionConfiguration,
  ImageScanningConfiguration,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  Repository,
  Tag
} from "./RepositoryModel.js"
import { ImageScanFindings, ImageScanStatus } from "./ScanModel.js"
import {
  RegistryScanningConfiguration,
  RegistryScanningRule,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
  ScanType
} from "./ScanningConfiguration.js"

/** `maxResults` of a paginated request: 1 to 1,000. */
export const MaxResults = Schema.Number.pipe(Schema.filter(Constraints.range(1, 1000)))
/** `nextToken` of a paginated request: opaque, 1 to 4,096 characters. */
export const NextToken = Schema.String.pipe(Schema.filter(Constraints.nextToken))
const listOf = <S extends Schema.Schema.Any>(item: S, min: number, max: number) =>
  Schema.Array(item).pipe(Schema.filter(Constraints.length(min, max)))

/** `imageTagMutabilityExclusionFilters` of a request: 1 to 5 filters. */
export const ImageTagMutabilityExclusionFilters = listOf(ImageTagMutabilityExclusionFilter, 1, 5)

// ---------------------------------------------------------------------------------------------------------------
// Scanning

/** `StartImageScan` request. */
export const StartImageScanRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageId: ImageIdentifierRequired
}).annotations({ identifier: "StartImageScanRequest" })
/** @since 0.1.0 */
export type StartImageScanRequest = typeof StartImageScanRequest.Type

/** `StartImageScan` response. */
export const StartImageScanResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageId: Schema.optional(ImageIdentifier),
  imageScanStatus: Schema.optional(ImageScanStatus)
}).annotations({ identifier: "StartImageScanResponse" })
/** @since 0.1.0 */
export type StartImageScanResponse = typeof StartImageScanResponse.Type

/** `DescribeImageScanFindings` request (paginated by `maxResults`/`nextToken`). */
export const DescribeImageScanFindingsRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageId: ImageIdentifierRequired,
  nextToken: Schema.optional(NextToken),
  maxResults: Schema.optional(MaxResults)
}).annotations({ identifier: "DescribeImageScanFindingsRequest" })
/** @since 0.1.0 */
export type DescribeImageScanFindingsRequest = typeof DescribeImageScanFindingsRequest.Type

/** `DescribeImageScanFindings` response. */
export const DescribeImageScanFindingsResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageId: Schema.optional(ImageIdentifier),
  imageScanStatus: Schema.optional(ImageScanStatus),
  imageScanFindings: Schema.optional(ImageScanFindings),
  nextToken: Schema.optional(Schema.String)
}).annotations({ identifier: "DescribeImageScanFindingsResponse" })
/** @since 0.1.0 */
export type DescribeImageScanFindingsResponse = typeof DescribeImageScanFindingsResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// Repositories

/** `CreateRepository` request. */
export const CreateRepositoryRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  tags: Schema.optional(Schema.Array(Tag)),
  imageTagMutability: Schema.optional(ImageTagMutability),
  imageTagMutabilityExclusionFilters: Schema.optional(ImageTagMutabilityExclusionFilters),
  imageScanningConfiguration: Schema.optional(ImageScanningConfiguration),
  encryptionConfiguration: Schema.optional(EncryptionConfiguration)
}).annotations({ identifier: "CreateRepositoryRequest" })
/** @since 0.1.0 */
export type CreateRepositoryRequest = typeof CreateRepositoryRequest.Type

/** `CreateRepository` response. */
export const CreateRepositoryResponse = Schema.Struct({
  repository: Schema.optional(Repository)
}).annotations({ identifier: "CreateRepositoryResponse" })
/** @since 0.1.0 */
export type CreateRepositoryResponse = typeof CreateRepositoryResponse.Type

/** `DescribeRepositories` request. */
export const DescribeRepositoriesRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryNames: Schema.optional(listOf(RepositoryName, 1, 100)),
  nextToken: Schema.optional(NextToken),
  maxResults: Schema.optional(MaxResults)
}).annotations({ identifier: "DescribeRepositoriesRequest" })
/** @since 0.1.0 */
export type DescribeRepositoriesRequest = typeof DescribeRepositoriesRequest.Type

/** `DescribeRepositories` response. */
export const DescribeRepositoriesResponse = Schema.Struct({
  repositories: Schema.optional(Schema.Array(Repository)),
  nextToken: Schema.optional(Schema.String)
}).annotations({ identifier: "DescribeRepositoriesResponse" })
/** @since 0.1.0 */
export type DescribeRepositoriesResponse = typeof DescribeRepositoriesResponse.Type

/** `DeleteRepository` request (`force` deletes a repository that still holds images). */
export const DeleteRepositoryRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  force: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "DeleteRepositoryRequest" })
/** @since 0.1.0 */
export type DeleteRepositoryRequest = typeof DeleteRepositoryRequest.Type

/** `DeleteRepository` response. */
export const DeleteRepositoryResponse = Schema.Struct({
  repository: Schema.optional(Repository)
}).annotations({ identifier: "DeleteRepositoryResponse" })
/** @since 0.1.0 */
export type DeleteRepositoryResponse = typeof DeleteRepositoryResponse.Type

/** `PutImageScanningConfiguration` request (repository-level, deprecated in favour of registry rules). */
export const PutImageScanningConfigurationRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageScanningConfiguration: ImageScanningConfiguration
}).annotations({ identifier: "PutImageScanningConfigurationRequest" })
/** @since 0.1.0 */
export type PutImageScanningConfigurationRequest = typeof PutImageScanningConfigurationRequest.Type

/** `PutImageScanningConfiguration` response. */
export const PutImageScanningConfigurationResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageScanningConfiguration: Schema.optional(ImageScanningConfiguration)
}).annotations({ identifier: "PutImageScanningConfigurationResponse" })
/** @since 0.1.0 */
export type PutImageScanningConfigurationResponse = typeof PutImageScanningConfigurationResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// Images

/** `PutImage` request: the digest is computed from the exact manifest bytes. */
export const PutImageRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageManifest: Schema.String.pipe(Schema.filter(Constraints.imageManifest)),
  imageManifestMediaType: Schema.optional(Schema.String.pipe(Schema.filter(Constraints.mediaType))),
  imageTag: Schema.optional(ImageTag),
  imageDigest: Schema.optional(ImageDigest)
}).annotations({ identifier: "PutImageRequest" })
/** @since 0.1.0 */
export type PutImageRequest = typeof PutImageRequest.Type

/** `PutImage` response. */
export const PutImageResponse = Schema.Struct({
  image: Schema.optional(Image)
}).annotations({ identifier: "PutImageResponse" })
/** @since 0.1.0 */
export type PutImageResponse = typeof PutImageResponse.Type

/**
 * An `imageIds` entry of `BatchGetImage` and `BatchDeleteImage`: the model puts no pattern on
 * `ImageIdentifier.imageDigest`, and the service answers a malformed digest as a per-image failure
 * (`InvalidImageDigest`) rather than refusing the request, so the digest is any string here.
 */
export const BatchImageIdentifier = Schema.Struct({
  imageDigest: Schema.optional(Schema.String),
  imageTag: Schema.optional(ImageTag)
}).annotations({ identifier: "ImageIdentifier" })
/** @since 0.1.0 */
export type BatchImageIdentifier = typeof BatchImageIdentifier.Type

/** `BatchGetImage` request. */
export const BatchGetImageRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageIds: listOf(BatchImageIdentifier, 1, 100),
  acceptedMediaTypes: Schema.optional(listOf(Schema.String, 1, 100))
}).annotations({ identifier: "BatchGetImageRequest" })
/** @since 0.1.0 */
export type BatchGetImageRequest = typeof BatchGetImageRequest.Type

/** `BatchGetImage` response. */
export const BatchGetImageResponse = Schema.Struct({
  images: Schema.optional(Schema.Array(Image)),
  failures: Schema.optional(Schema.Array(ImageFailure))
}).annotations({ identifier: "BatchGetImageResponse" })
/** @since 0.1.0 */
export type BatchGetImageResponse = typeof BatchGetImageResponse.Type

/** `BatchDeleteImage` request. */
export const BatchDeleteImageRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageIds: listOf(BatchImageIdentifier, 1, 100)
}).annotations({ identifier: "BatchDeleteImageRequest" })
/** @since 0.1.0 */
export type BatchDeleteImageRequest = typeof BatchDeleteImageRequest.Type

/** `BatchDeleteImage` response. */
export const BatchDeleteImageResponse = Schema.Struct({
  imageIds: Schema.optional(Schema.Array(ImageIdentifier)),
  failures: Schema.optional(Schema.Array(ImageFailure))
}).annotations({ identifier: "BatchDeleteImageResponse" })
/** @since 0.1.0 */
export type BatchDeleteImageResponse = typeof BatchDeleteImageResponse.Type

/** Which images a listing selects by their tags (`TagStatus`). */
export const TagStatus = Schema.Literal("TAGGED", "UNTAGGED", "ANY")
/** @since 0.1.0 */
export type TagStatus = typeof TagStatus.Type

/** Which images a listing selects by their (archival) status (`ImageStatusFilter`). */
export const ImageStatusFilter = Schema.Literal("ACTIVE", "ARCHIVED", "ACTIVATING", "ANY")
/** @since 0.1.0 */
export type ImageStatusFilter = typeof ImageStatusFilter.Type

/** Which images `DescribeImages` lists: by tag status and (archival) image status. */
export const DescribeImagesFilter = Schema.Struct({
  tagStatus: Schema.optional(TagStatus),
  imageStatus: Schema.optional(ImageStatusFilter)
}).annotations({ identifier: "DescribeImagesFilter" })
/** @since 0.1.0 */
export type DescribeImagesFilter = typeof DescribeImagesFilter.Type

/** `DescribeImages` request. */
export const DescribeImagesRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageIds: Schema.optional(listOf(ImageIdentifier, 1, 100)),
  nextToken: Schema.optional(NextToken),
  maxResults: Schema.optional(MaxResults),
  filter: Schema.optional(DescribeImagesFilter)
}).annotations({ identifier: "DescribeImagesRequest" })
/** @since 0.1.0 */
export type DescribeImagesRequest = typeof DescribeImagesRequest.Type

/** `DescribeImages` response. */
export const DescribeImagesResponse = Schema.Struct({
  imageDetails: Schema.optional(Schema.Array(ImageDetail)),
  nextToken: Schema.optional(Schema.String)
}).annotations({ identifier: "DescribeImagesResponse" })
/** @since 0.1.0 */
export type DescribeImagesResponse = typeof DescribeImagesResponse.Type

/** `UpdateImageStorageClass` request: archive an image, or restore an archived one. */
export const UpdateImageStorageClassRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageId: ImageIdentifierRequired,
  targetStorageClass: TargetStorageClass
}).annotations({ identifier: "UpdateImageStorageClassRequest" })
/** @since 0.1.0 */
export type UpdateImageStorageClassRequest = typeof UpdateImageStorageClassRequest.Type

/** `UpdateImageStorageClass` response. */
export const UpdateImageStorageClassResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageId: Schema.optional(ImageIdentifier),
  imageStatus: Schema.optional(ImageStatus)
}).annotations({ identifier: "UpdateImageStorageClassResponse" })
/** @since 0.1.0 */
export type UpdateImageStorageClassResponse = typeof UpdateImageStorageClassResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// Registry scanning configuration

/** `PutRegistryScanningConfiguration` request. */
export const PutRegistryScanningConfigurationRequest = Schema.Struct({
  scanType: Schema.optional(ScanType),
  rules: Schema.optional(listOf(RegistryScanningRule, 0, 2))
}).annotations({ identifier: "PutRegistryScanningConfigurationRequest" })
/** @since 0.1.0 */
export type PutRegistryScanningConfigurationRequest = typeof PutRegistryScanningConfigurationRequest.Type

/** `PutRegistryScanningConfiguration` response. */
export const PutRegistryScanningConfigurationResponse = Schema.Struct({
  registryScanningConfiguration: Schema.optional(RegistryScanningConfiguration)
}).annotations({ identifier: "PutRegistryScanningConfigurationResponse" })
/** @since 0.1.0 */
export type PutRegistryScanningConfigurationResponse = typeof PutRegistryScanningConfigurationResponse.Type

/** `GetRegistryScanningConfiguration` request (no members). */
export const GetRegistryScanningConfigurationRequest = Schema.Struct({})
  .annotations({ identifier: "GetRegistryScanningConfigurationRequest" })
/** @since 0.1.0 */
export type GetRegistryScanningConfigurationRequest = typeof GetRegistryScanningConfigurationRequest.Type

/** `GetRegistryScanningConfiguration` response. */
export const GetRegistryScanningConfigurationResponse = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  scanningConfiguration: Schema.optional(RegistryScanningConfiguration)
}).annotations({ identifier: "GetRegistryScanningConfigurationResponse" })
/** @since 0.1.0 */
export type GetRegistryScanningConfigurationResponse = typeof GetRegistryScanningConfigurationResponse.Type

/** `BatchGetRepositoryScanningConfiguration` request. */
export const BatchGetRepositoryScanningConfigurationRequest = Schema.Struct({
  repositoryNames: listOf(RepositoryName, 1, 25)
}).annotations({ identifier: "BatchGetRepositoryScanningConfigurationRequest" })
/** @since 0.1.0 */
export type BatchGetRepositoryScanningConfigurationRequest = typeof BatchGetRepositoryScanningConfigurationRequest.Type

/** `BatchGetRepositoryScanningConfiguration` response. */
export const BatchGetRepositoryScanningConfigurationResponse = Schema.Struct({
  scanningConfigurations: Schema.optional(Schema.Array(RepositoryScanningConfiguration)),
  failures: Schema.optional(Schema.Array(RepositoryScanningConfigurationFailure))
}).annotations({ identifier: "BatchGetRepositoryScanningConfigurationResponse" })
/** @since 0.1.0 */
export type BatchGetRepositoryScanningConfigurationResponse =
  typeof BatchGetRepositoryScanningConfigurationResponse.Type
