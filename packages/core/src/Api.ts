/**
 * Request and response schemas of every operation this library speaks, and the table of operations
 * (name, schemas, modelled errors) that the emulator dispatches on and the AWS backend maps through.
 * Each schema encodes to the exact wire JSON of awsJson1_1: timestamps as epoch seconds, absent
 * members omitted.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"
import type * as Errors from "./Errors.js"
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
import { ImageScanFindings, ImageScanStatus, SCAN_STATUSES } from "./ScanModel.js"
import {
  RegistryScanningConfiguration,
  RegistryScanningRule,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
  ScanType
} from "./ScanningConfiguration.js"

const maxResults = Constraints.range(1, 1000)
const MaxResults = Schema.Number.pipe(Schema.filter(maxResults))
const NextToken = Schema.String.pipe(Schema.filter(Constraints.nextToken))
const listOf = <S extends Schema.Schema.Any>(item: S, min: number, max: number) =>
  Schema.Array(item).pipe(Schema.filter(Constraints.length(min, max)))

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

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isOptionalValid = (u: unknown, check: Constraints.Check<string>) =>
  u === undefined || (typeof u === "string" && check(u) === undefined)

const isImageIdRequired = (u: unknown) =>
  isRecord(u) && (u.imageDigest !== undefined || u.imageTag !== undefined) &&
  isOptionalValid(u.imageDigest, Constraints.imageDigest) && isOptionalValid(u.imageTag, Constraints.imageTag)

/**
 * A fast, hand-written guard for `StartImageScanRequest`, the hottest request: what it accepts the
 * schema accepts (property-tested); the schema decides the rest.
 */
export const isStartImageScanRequest = (u: unknown): boolean =>
  isRecord(u) && typeof u.repositoryName === "string" && Constraints.repositoryName(u.repositoryName) === undefined &&
  isOptionalValid(u.registryId, Constraints.registryId) && isImageIdRequired(u.imageId)

const isOptionalRecord = (u: unknown): u is Record<string, unknown> | undefined => u === undefined || isRecord(u)
const isScanStatus = (u: unknown) => u === undefined || (typeof u === "string" && SCAN_STATUS_SET.has(u))
const SCAN_STATUS_SET: ReadonlySet<string> = new Set(SCAN_STATUSES)

/**
 * A fast, hand-written decoder of `StartImageScanResponse`, the hottest response: the members the
 * schema knows, copied out of a value the schema accepts, and nothing else (an SDK's `$metadata` stays
 * behind); `undefined` when the value is anything else, for the schema to decide. What it returns is
 * what the schema decodes the value to (property-tested).
 */
export const fastStartImageScanResponse = (u: unknown): StartImageScanResponse | undefined => {
  if (!isRecord(u)) return undefined
  const { imageId, imageScanStatus, registryId, repositoryName } = u
  if (
    !isOptionalValid(registryId, Constraints.registryId) || !isOptionalValid(repositoryName, Constraints.repositoryName)
  ) return undefined
  if (!isOptionalRecord(imageId) || !isOptionalRecord(imageScanStatus)) return undefined
  if (
    imageId !== undefined &&
    !(isOptionalValid(imageId.imageDigest, Constraints.imageDigest) &&
      isOptionalValid(imageId.imageTag, Constraints.imageTag))
  ) return undefined
  if (
    imageScanStatus !== undefined &&
    !(isScanStatus(imageScanStatus.status) &&
      (imageScanStatus.description === undefined || typeof imageScanStatus.description === "string"))
  ) return undefined
  // Every member was checked above: the copies are the branded values the schema would give.
  const out: Record<string, unknown> = {}
  if (registryId !== undefined) out.registryId = registryId
  if (repositoryName !== undefined) out.repositoryName = repositoryName
  if (imageId !== undefined) {
    const id: Record<string, unknown> = {}
    if (imageId.imageDigest !== undefined) id.imageDigest = imageId.imageDigest
    if (imageId.imageTag !== undefined) id.imageTag = imageId.imageTag
    out.imageId = id
  }
  if (imageScanStatus !== undefined) {
    const status: Record<string, unknown> = {}
    if (imageScanStatus.status !== undefined) status.status = imageScanStatus.status
    if (imageScanStatus.description !== undefined) status.description = imageScanStatus.description
    out.imageScanStatus = status
  }
  return out as StartImageScanResponse
}

/** The fast guard of `DescribeImageScanFindingsRequest` (see `isStartImageScanRequest`). */
export const isDescribeImageScanFindingsRequest = (u: unknown): boolean =>
  isStartImageScanRequest(u) && isOptionalValid((u as Record<string, unknown>).nextToken, Constraints.nextToken) &&
  isOptionalMaxResults((u as Record<string, unknown>).maxResults)

const isOptionalMaxResults = (u: unknown) => u === undefined || (typeof u === "number" && maxResults(u) === undefined)

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
  imageTagMutabilityExclusionFilters: Schema.optional(listOf(ImageTagMutabilityExclusionFilter, 1, 5)),
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

/** `BatchGetImage` request. */
export const BatchGetImageRequest = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: RepositoryName,
  imageIds: listOf(ImageIdentifier, 1, 100),
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
  imageIds: listOf(ImageIdentifier, 1, 100)
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

/** Which images `DescribeImages` lists: by tag status and (archival) image status. */
export const DescribeImagesFilter = Schema.Struct({
  tagStatus: Schema.optional(Schema.Literal("TAGGED", "UNTAGGED", "ANY")),
  imageStatus: Schema.optional(Schema.Literal("ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"))
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

// ---------------------------------------------------------------------------------------------------------------
// The operation table

/** One operation: its wire name, schemas and the errors the service model lists for it. */
export interface Operation<
  Name extends string,
  Req extends Schema.Schema.AnyNoContext,
  Res extends Schema.Schema.AnyNoContext,
  E extends Errors.ServiceErrorName
> {
  readonly name: Name
  readonly request: Req
  readonly response: Res
  readonly errors: ReadonlyArray<E>
}

const operation = <
  Name extends string,
  Req extends Schema.Schema.AnyNoContext,
  Res extends Schema.Schema.AnyNoContext,
  const E extends ReadonlyArray<Errors.ServiceErrorName>
>(name: Name, request: Req, response: Res, errors: E): Operation<Name, Req, Res, E[number]> => ({
  name,
  request,
  response,
  errors
})

/** Every operation, keyed by its wire name, with the error lists of the service model (botocore 1.43.11). */
export const Operations = {
  StartImageScan: operation("StartImageScan", StartImageScanRequest, StartImageScanResponse, [
    "ServerException",
    "InvalidParameterException",
    "UnsupportedImageTypeException",
    "LimitExceededException",
    "RepositoryNotFoundException",
    "ImageNotFoundException",
    "ValidationException",
    "ImageArchivedException"
  ]),
  DescribeImageScanFindings: operation(
    "DescribeImageScanFindings",
    DescribeImageScanFindingsRequest,
    DescribeImageScanFindingsResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "ImageNotFoundException",
      "ScanNotFoundException",
      "ValidationException"
    ]
  ),
  CreateRepository: operation("CreateRepository", CreateRepositoryRequest, CreateRepositoryResponse, [
    "ServerException",
    "InvalidParameterException",
    "InvalidTagParameterException",
    "TooManyTagsException",
    "RepositoryAlreadyExistsException",
    "LimitExceededException",
    "KmsException"
  ]),
  DescribeRepositories: operation("DescribeRepositories", DescribeRepositoriesRequest, DescribeRepositoriesResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException"
  ]),
  DeleteRepository: operation("DeleteRepository", DeleteRepositoryRequest, DeleteRepositoryResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException",
    "RepositoryNotEmptyException",
    "KmsException"
  ]),
  PutImage: operation("PutImage", PutImageRequest, PutImageResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException",
    "ImageAlreadyExistsException",
    "LayersNotFoundException",
    "ReferencedImagesNotFoundException",
    "LimitExceededException",
    "ImageTagAlreadyExistsException",
    "ImageDigestDoesNotMatchException",
    "KmsException"
  ]),
  BatchGetImage: operation("BatchGetImage", BatchGetImageRequest, BatchGetImageResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException",
    "LimitExceededException",
    "UnableToGetUpstreamImageException"
  ]),
  BatchDeleteImage: operation("BatchDeleteImage", BatchDeleteImageRequest, BatchDeleteImageResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException"
  ]),
  DescribeImages: operation("DescribeImages", DescribeImagesRequest, DescribeImagesResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException",
    "ImageNotFoundException"
  ]),
  PutImageScanningConfiguration: operation(
    "PutImageScanningConfiguration",
    PutImageScanningConfigurationRequest,
    PutImageScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ValidationException"]
  ),
  PutRegistryScanningConfiguration: operation(
    "PutRegistryScanningConfiguration",
    PutRegistryScanningConfigurationRequest,
    PutRegistryScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "ValidationException", "BlockedByOrganizationPolicyException"]
  ),
  GetRegistryScanningConfiguration: operation(
    "GetRegistryScanningConfiguration",
    GetRegistryScanningConfigurationRequest,
    GetRegistryScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "ValidationException"]
  ),
  BatchGetRepositoryScanningConfiguration: operation(
    "BatchGetRepositoryScanningConfiguration",
    BatchGetRepositoryScanningConfigurationRequest,
    BatchGetRepositoryScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ValidationException"]
  ),
  UpdateImageStorageClass: operation(
    "UpdateImageStorageClass",
    UpdateImageStorageClassRequest,
    UpdateImageStorageClassResponse,
    [
      "InvalidParameterException",
      "ImageNotFoundException",
      "ImageStorageClassUpdateNotSupportedException",
      "RepositoryNotFoundException",
      "ServerException",
      "ValidationException"
    ]
  )
} as const

/** The wire name of an operation. */
export type OperationName = keyof typeof Operations

/** Whether `name` is an operation this library speaks. */
export const isOperationName = (name: string): name is OperationName =>
  Object.prototype.hasOwnProperty.call(Operations, name)

/** The request type (what a caller sends, as plain JSON-like data) of an operation. */
export type RequestOf<Name extends OperationName> = Schema.Schema.Encoded<(typeof Operations)[Name]["request"]>
/** The validated request type of an operation. */
export type RequestTypeOf<Name extends OperationName> = Schema.Schema.Type<(typeof Operations)[Name]["request"]>
/** The response type of an operation. */
export type ResponseOf<Name extends OperationName> = Schema.Schema.Type<(typeof Operations)[Name]["response"]>
/** The modelled errors of an operation. */
export type ErrorOf<Name extends OperationName> = InstanceType<
  (typeof Errors.ServiceErrors)[(typeof Operations)[Name]["errors"][number]]
>
