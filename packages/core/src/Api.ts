/**
 * The operation table: every operation this library speaks, with its request and response schemas (from
 * `Requests`, re-exported here), the errors the service model lists for it, and the port method that serves
 * it. The emulator dispatches on it, the CLI and the AWS backend map through it, and the ports are derived
 * from it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Errors from "./Errors.js"
import * as FastCodecs from "./FastCodecs.js"
import {
  BatchDeleteImageRequest,
  BatchDeleteImageResponse,
  BatchGetImageRequest,
  BatchGetImageResponse,
  BatchGetRepositoryScanningConfigurationRequest,
  BatchGetRepositoryScanningConfigurationResponse,
  CreateRepositoryRequest,
  CreateRepositoryResponse,
  DeleteRepositoryRequest,
  DeleteRepositoryResponse,
  DescribeImageScanFindingsRequest,
  DescribeImageScanFindingsResponse,
  DescribeImagesRequest,
  DescribeImagesResponse,
  DescribeRepositoriesRequest,
  DescribeRepositoriesResponse,
  GetRegistryScanningConfigurationRequest,
  GetRegistryScanningConfigurationResponse,
  PutImageRequest,
  PutImageResponse,
  PutImageScanningConfigurationRequest,
  PutImageScanningConfigurationResponse,
  PutRegistryScanningConfigurationRequest,
  PutRegistryScanningConfigurationResponse,
  StartImageScanRequest,
  StartImageScanResponse,
  UpdateImageStorageClassRequest,
  UpdateImageStorageClassResponse
} from "./Requests.js"

import * as LifecycleRequests from "./LifecycleRequests.js"
import * as PolicyRequests from "./PolicyRequests.js"
import * as RegistryRequests from "./RegistryRequests.js"
import * as TaggingRequests from "./TaggingRequests.js"

export * from "./LifecycleRequests.js"
export * from "./PolicyRequests.js"
export * from "./RegistryRequests.js"
export * from "./Requests.js"
export * from "./TaggingRequests.js"

// ---------------------------------------------------------------------------------------------------------------
// The operation table

/** The ports an operation can belong to. */
export type PortName = "ImageScanner" | "ImageRegistry"

/**
 * One operation: its wire name, schemas, the errors the service model lists for it, the port and method that
 * serve it, and optional hand-written fast paths (a request guard that accepts only what the schema accepts, a
 * response decoder that gives what the schema decodes; see `FastCodecs`).
 */
export interface Operation<
  Name extends string,
  Req extends Schema.Schema.AnyNoContext,
  Res extends Schema.Schema.AnyNoContext,
  E extends Errors.ServiceErrorName,
  P extends PortName,
  M extends string
> {
  readonly name: Name
  readonly request: Req
  readonly response: Res
  readonly errors: ReadonlyArray<E>
  readonly port: P
  readonly method: M
  /** A guard faster than the request schema: what it accepts the schema accepts; the schema decides the rest. */
  readonly fastRequest?: ((u: unknown) => boolean) | undefined
  /** A decoder faster than the response schema, for the shapes it knows; `undefined` leaves `u` to the schema. */
  readonly fastResponse?: ((u: unknown) => Schema.Schema.Type<Res> | undefined) | undefined
}

const operation = <
  Name extends string,
  Req extends Schema.Schema.AnyNoContext,
  Res extends Schema.Schema.AnyNoContext,
  const E extends ReadonlyArray<Errors.ServiceErrorName>,
  P extends PortName,
  M extends string
>(
  name: Name,
  served: { readonly port: P; readonly method: M },
  request: Req,
  response: Res,
  errors: E,
  fast: {
    readonly request?: (u: unknown) => boolean
    readonly response?: (u: unknown) => Schema.Schema.Type<Res> | undefined
  } = {}
): Operation<Name, Req, Res, E[number], P, M> => ({
  name,
  request,
  response,
  errors,
  port: served.port,
  method: served.method,
  fastRequest: fast.request,
  fastResponse: fast.response
})

const scanner = <M extends string>(method: M) => ({ port: "ImageScanner" as const, method })
const registry = <M extends string>(method: M) => ({ port: "ImageRegistry" as const, method })

/**
 * Every operation, keyed by its wire name, with the error lists of the service model (botocore 1.43.11) and
 * the port method that serves it. This is the one list of operations: the ports' interfaces, the request
 * validators, the emulator's dispatch, the CLI and both backends are derived from it, so adding an operation
 * here makes the compiler name every backend that lacks it.
 */
export const Operations = {
  StartImageScan: operation(
    "StartImageScan",
    scanner("startImageScan"),
    StartImageScanRequest,
    StartImageScanResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "UnsupportedImageTypeException",
      "LimitExceededException",
      "RepositoryNotFoundException",
      "ImageNotFoundException",
      "ValidationException",
      "ImageArchivedException"
    ],
    { request: FastCodecs.isStartImageScanRequest, response: FastCodecs.fastStartImageScanResponse }
  ),
  DescribeImageScanFindings: operation(
    "DescribeImageScanFindings",
    scanner("describeImageScanFindings"),
    DescribeImageScanFindingsRequest,
    DescribeImageScanFindingsResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "ImageNotFoundException",
      "ScanNotFoundException",
      "ValidationException"
    ],
    { request: FastCodecs.isDescribeImageScanFindingsRequest }
  ),
  CreateRepository: operation(
    "CreateRepository",
    registry("createRepository"),
    CreateRepositoryRequest,
    CreateRepositoryResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "InvalidTagParameterException",
      "TooManyTagsException",
      "RepositoryAlreadyExistsException",
      "LimitExceededException",
      "KmsException"
    ]
  ),
  DescribeRepositories: operation(
    "DescribeRepositories",
    registry("describeRepositories"),
    DescribeRepositoriesRequest,
    DescribeRepositoriesResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException"]
  ),
  DeleteRepository: operation(
    "DeleteRepository",
    registry("deleteRepository"),
    DeleteRepositoryRequest,
    DeleteRepositoryResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "RepositoryNotEmptyException",
      "KmsException"
    ]
  ),
  PutImage: operation("PutImage", registry("putImage"), PutImageRequest, PutImageResponse, [
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
  BatchGetImage: operation("BatchGetImage", registry("batchGetImage"), BatchGetImageRequest, BatchGetImageResponse, [
    "ServerException",
    "InvalidParameterException",
    "RepositoryNotFoundException",
    "LimitExceededException",
    "UnableToGetUpstreamImageException"
  ]),
  BatchDeleteImage: operation(
    "BatchDeleteImage",
    registry("batchDeleteImage"),
    BatchDeleteImageRequest,
    BatchDeleteImageResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException"]
  ),
  DescribeImages: operation(
    "DescribeImages",
    registry("describeImages"),
    DescribeImagesRequest,
    DescribeImagesResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ImageNotFoundException"]
  ),
  PutImageScanningConfiguration: operation(
    "PutImageScanningConfiguration",
    registry("putImageScanningConfiguration"),
    PutImageScanningConfigurationRequest,
    PutImageScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ValidationException"]
  ),
  PutRegistryScanningConfiguration: operation(
    "PutRegistryScanningConfiguration",
    registry("putRegistryScanningConfiguration"),
    PutRegistryScanningConfigurationRequest,
    PutRegistryScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "ValidationException", "BlockedByOrganizationPolicyException"]
  ),
  GetRegistryScanningConfiguration: operation(
    "GetRegistryScanningConfiguration",
    registry("getRegistryScanningConfiguration"),
    GetRegistryScanningConfigurationRequest,
    GetRegistryScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "ValidationException"]
  ),
  BatchGetRepositoryScanningConfiguration: operation(
    "BatchGetRepositoryScanningConfiguration",
    registry("batchGetRepositoryScanningConfiguration"),
    BatchGetRepositoryScanningConfigurationRequest,
    BatchGetRepositoryScanningConfigurationResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ValidationException"]
  ),
  UpdateImageStorageClass: operation(
    "UpdateImageStorageClass",
    registry("updateImageStorageClass"),
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
  ),
  ListImages: operation(
    "ListImages",
    registry("listImages"),
    RegistryRequests.ListImagesRequest,
    RegistryRequests.ListImagesResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException"
    ]
  ),
  DescribeRegistry: operation(
    "DescribeRegistry",
    registry("describeRegistry"),
    RegistryRequests.DescribeRegistryRequest,
    RegistryRequests.DescribeRegistryResponse,
    ["ServerException", "InvalidParameterException", "ValidationException"]
  ),
  GetAuthorizationToken: operation(
    "GetAuthorizationToken",
    registry("getAuthorizationToken"),
    RegistryRequests.GetAuthorizationTokenRequest,
    RegistryRequests.GetAuthorizationTokenResponse,
    ["ServerException", "InvalidParameterException"]
  ),
  TagResource: operation(
    "TagResource",
    registry("tagResource"),
    TaggingRequests.TagResourceRequest,
    TaggingRequests.TagResourceResponse,
    [
      "InvalidParameterException",
      "InvalidTagParameterException",
      "TooManyTagsException",
      "RepositoryNotFoundException",
      "ServerException"
    ]
  ),
  UntagResource: operation(
    "UntagResource",
    registry("untagResource"),
    TaggingRequests.UntagResourceRequest,
    TaggingRequests.UntagResourceResponse,
    [
      "InvalidParameterException",
      "InvalidTagParameterException",
      "TooManyTagsException",
      "RepositoryNotFoundException",
      "ServerException"
    ]
  ),
  ListTagsForResource: operation(
    "ListTagsForResource",
    registry("listTagsForResource"),
    TaggingRequests.ListTagsForResourceRequest,
    TaggingRequests.ListTagsForResourceResponse,
    ["InvalidParameterException", "RepositoryNotFoundException", "ServerException"]
  ),
  PutImageTagMutability: operation(
    "PutImageTagMutability",
    registry("putImageTagMutability"),
    TaggingRequests.PutImageTagMutabilityRequest,
    TaggingRequests.PutImageTagMutabilityResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException"]
  ),
  SetRepositoryPolicy: operation(
    "SetRepositoryPolicy",
    registry("setRepositoryPolicy"),
    PolicyRequests.SetRepositoryPolicyRequest,
    PolicyRequests.SetRepositoryPolicyResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException"]
  ),
  GetRepositoryPolicy: operation(
    "GetRepositoryPolicy",
    registry("getRepositoryPolicy"),
    PolicyRequests.GetRepositoryPolicyRequest,
    PolicyRequests.GetRepositoryPolicyResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "RepositoryPolicyNotFoundException"
    ]
  ),
  DeleteRepositoryPolicy: operation(
    "DeleteRepositoryPolicy",
    registry("deleteRepositoryPolicy"),
    PolicyRequests.DeleteRepositoryPolicyRequest,
    PolicyRequests.DeleteRepositoryPolicyResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "RepositoryPolicyNotFoundException"
    ]
  ),
  PutRegistryPolicy: operation(
    "PutRegistryPolicy",
    registry("putRegistryPolicy"),
    PolicyRequests.PutRegistryPolicyRequest,
    PolicyRequests.PutRegistryPolicyResponse,
    ["ServerException", "InvalidParameterException", "ValidationException"]
  ),
  GetRegistryPolicy: operation(
    "GetRegistryPolicy",
    registry("getRegistryPolicy"),
    PolicyRequests.GetRegistryPolicyRequest,
    PolicyRequests.GetRegistryPolicyResponse,
    ["ServerException", "InvalidParameterException", "RegistryPolicyNotFoundException", "ValidationException"]
  ),
  DeleteRegistryPolicy: operation(
    "DeleteRegistryPolicy",
    registry("deleteRegistryPolicy"),
    PolicyRequests.DeleteRegistryPolicyRequest,
    PolicyRequests.DeleteRegistryPolicyResponse,
    ["ServerException", "InvalidParameterException", "RegistryPolicyNotFoundException", "ValidationException"]
  ),
  PutLifecyclePolicy: operation(
    "PutLifecyclePolicy",
    registry("putLifecyclePolicy"),
    LifecycleRequests.PutLifecyclePolicyRequest,
    LifecycleRequests.PutLifecyclePolicyResponse,
    ["ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ValidationException"]
  ),
  GetLifecyclePolicy: operation(
    "GetLifecyclePolicy",
    registry("getLifecyclePolicy"),
    LifecycleRequests.GetLifecyclePolicyRequest,
    LifecycleRequests.GetLifecyclePolicyResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "LifecyclePolicyNotFoundException",
      "ValidationException"
    ]
  ),
  DeleteLifecyclePolicy: operation(
    "DeleteLifecyclePolicy",
    registry("deleteLifecyclePolicy"),
    LifecycleRequests.DeleteLifecyclePolicyRequest,
    LifecycleRequests.DeleteLifecyclePolicyResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "LifecyclePolicyNotFoundException",
      "ValidationException"
    ]
  ),
  StartLifecyclePolicyPreview: operation(
    "StartLifecyclePolicyPreview",
    registry("startLifecyclePolicyPreview"),
    LifecycleRequests.StartLifecyclePolicyPreviewRequest,
    LifecycleRequests.StartLifecyclePolicyPreviewResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "LifecyclePolicyNotFoundException",
      "LifecyclePolicyPreviewInProgressException",
      "ValidationException"
    ]
  ),
  GetLifecyclePolicyPreview: operation(
    "GetLifecyclePolicyPreview",
    registry("getLifecyclePolicyPreview"),
    LifecycleRequests.GetLifecyclePolicyPreviewRequest,
    LifecycleRequests.GetLifecyclePolicyPreviewResponse,
    [
      "ServerException",
      "InvalidParameterException",
      "RepositoryNotFoundException",
      "LifecyclePolicyPreviewNotFoundException",
      "ValidationException"
    ]
  )
} as const

/** The wire name of an operation. */
export type OperationName = keyof typeof Operations

/** Every operation's wire name, in the table's order. */
export const operationNames: ReadonlyArray<OperationName> = Object.keys(Operations) as Array<OperationName>

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
/** The failures of an operation: its modelled errors, codes it does not model, and transport failures. */
export type Failure<Name extends OperationName> = ErrorOf<Name> | Errors.UnknownEcrError | Errors.TransportError

/** One operation's implementation: the request as a caller sends it, to the response or a typed failure. */
export type Handler<Name extends OperationName> = (
  request: RequestOf<Name>
) => Effect.Effect<ResponseOf<Name>, Failure<Name>>

/** The operations a port serves. */
export type OperationsOf<P extends PortName> = {
  [K in OperationName]: (typeof Operations)[K]["port"] extends P ? K : never
}[OperationName]

/** The port method that serves an operation. */
export type MethodOf<Name extends OperationName> = (typeof Operations)[Name]["method"]

/** A port's service: one method per operation the table assigns to it. */
export type PortService<P extends PortName> = {
  readonly [K in OperationsOf<P> as MethodOf<K>]: Handler<K>
}
