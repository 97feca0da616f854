/**
 * One `Schema.TaggedError` per ECR error, `_tag` equal to the AWS name, plus `UnknownEcrError` for
 * codes no operation lists and `TransportError` for requests that never got an answer.
 *
 * Refusals are on the hot path of a busy registry (most StartImageScan calls in a simulation are
 * refused by the 24 h rule), and an `Error` subclass costs microseconds to construct because of stack
 * capture and field validation. The message builders below therefore construct instances with the
 * native Error constructor alone and stack capture off: same prototype, same fields, a stack of one
 * line. `new X({ message })` stays available for tests and callers; both compare equal.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { EpochSeconds, formatImageId } from "./Identifiers.js"

const message = { message: Schema.String }

/** Internal error on the service side (HTTP 500). */
export class ServerException extends Schema.TaggedError<ServerException>()("ServerException", message) {}
/** A request member failed a constraint. */
export class InvalidParameterException
  extends Schema.TaggedError<InvalidParameterException>()("InvalidParameterException", message)
{}
/** The request failed a service-side validation (e.g. a manual scan on an ENHANCED registry). */
export class ValidationException extends Schema.TaggedError<ValidationException>()("ValidationException", message) {}
/** No repository of that name in the registry. */
export class RepositoryNotFoundException
  extends Schema.TaggedError<RepositoryNotFoundException>()("RepositoryNotFoundException", message)
{}
/** The repository exists; the image named by tag and/or digest does not. */
export class ImageNotFoundException
  extends Schema.TaggedError<ImageNotFoundException>()("ImageNotFoundException", message)
{}
/** The image has no scan record (never scanned, or hidden by a scan-type switch). */
export class ScanNotFoundException
  extends Schema.TaggedError<ScanNotFoundException>()("ScanNotFoundException", message)
{}
/** The artifact's media type cannot be scanned (image indexes, manifest lists, non-image artifacts). */
export class UnsupportedImageTypeException
  extends Schema.TaggedError<UnsupportedImageTypeException>()("UnsupportedImageTypeException", message)
{}
/** The image is in the archive storage class and must be restored before it can be scanned. */
export class ImageArchivedException
  extends Schema.TaggedError<ImageArchivedException>()("ImageArchivedException", message)
{}

/** Which limit refused a scan. */
export const LimitKind = Schema.Literal("PER_IMAGE", "ACCOUNT_QUOTA")
/** @since 0.1.0 */
export type LimitKind = typeof LimitKind.Type

/**
 * A service limit was hit. For scans, `limit` says which one (the once-per-24-hours rule for the image
 * or the account's 100,000 scans per 24 hours) and `nextEligibleAt` when a retry can succeed. Both
 * are known exactly to a backend that enforces the rules itself; from AWS they are inferred from the
 * message where possible.
 */
export class LimitExceededException extends Schema.TaggedError<LimitExceededException>()("LimitExceededException", {
  message: Schema.String,
  limit: Schema.optional(LimitKind),
  nextEligibleAt: Schema.optional(Schema.DateFromSelf)
}) {}

/**
 * What ecr-scan's bodies add to a `LimitExceededException` beyond AWS's `__type` and `message`: which
 * limit, and when the image is next eligible (epoch seconds on the wire). SDKs keep unknown members of
 * an error body, so the emulator's wire encoder writes them and the AWS backend's error decoder reads
 * them back.
 */
export const LimitExceededWireMembers = Schema.Struct({
  limit: Schema.optional(LimitKind),
  nextEligibleAt: Schema.optional(EpochSeconds)
})
/** @since 0.1.0 */
export type LimitExceededWireMembers = typeof LimitExceededWireMembers.Type

const encodeWireMembers = Schema.encodeSync(LimitExceededWireMembers)

/** The wire members of a `LimitExceededException`, in the order a body writes them; absent ones left out. */
export const limitExceededWireMembers = (
  error: LimitExceededWireMembers
): typeof LimitExceededWireMembers.Encoded =>
  error.limit === undefined && error.nextEligibleAt === undefined ? {} : encodeWireMembers(error)

const wireMember = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownOption(schema)
  return (value: unknown): A | undefined => value === undefined ? undefined : Option.getOrUndefined(decode(value))
}
const decodeLimit = wireMember(LimitExceededWireMembers.fields.limit.from)
const decodeNextEligibleAt = wireMember(LimitExceededWireMembers.fields.nextEligibleAt.from)

/**
 * The wire members an error body carries. Each is read on its own and one that does not decode counts as
 * absent: a body from a service that is not ecr-scan may carry anything under these names.
 */
export const fromLimitExceededWireMembers = (
  body: { readonly limit?: unknown; readonly nextEligibleAt?: unknown }
): LimitExceededWireMembers => {
  const limit = decodeLimit(body.limit)
  const nextEligibleAt = decodeNextEligibleAt(body.nextEligibleAt)
  return {
    ...(limit === undefined ? {} : { limit }),
    ...(nextEligibleAt === undefined ? {} : { nextEligibleAt })
  }
}

/** A repository of that name already exists. */
export class RepositoryAlreadyExistsException
  extends Schema.TaggedError<RepositoryAlreadyExistsException>()("RepositoryAlreadyExistsException", message)
{}
/** `DeleteRepository` without `force` on a repository that still holds images. */
export class RepositoryNotEmptyException
  extends Schema.TaggedError<RepositoryNotEmptyException>()("RepositoryNotEmptyException", message)
{}
/** `PutImage` changed nothing: same manifest, same tag. */
export class ImageAlreadyExistsException
  extends Schema.TaggedError<ImageAlreadyExistsException>()("ImageAlreadyExistsException", message)
{}
/** `PutImage` with an `imageDigest` that is not the digest of the manifest bytes. */
export class ImageDigestDoesNotMatchException
  extends Schema.TaggedError<ImageDigestDoesNotMatchException>()("ImageDigestDoesNotMatchException", message)
{}
/** `PutImage` would move a tag in an immutable repository. */
export class ImageTagAlreadyExistsException
  extends Schema.TaggedError<ImageTagAlreadyExistsException>()("ImageTagAlreadyExistsException", message)
{}
/** An image index references images that are not in the repository. */
export class ReferencedImagesNotFoundException
  extends Schema.TaggedError<ReferencedImagesNotFoundException>()("ReferencedImagesNotFoundException", message)
{}
/** Layers referenced by a manifest were never uploaded. */
export class LayersNotFoundException
  extends Schema.TaggedError<LayersNotFoundException>()("LayersNotFoundException", message)
{}
/** The requested storage class change is not possible from the image's current state. */
export class ImageStorageClassUpdateNotSupportedException extends Schema.TaggedError<
  ImageStorageClassUpdateNotSupportedException
>()("ImageStorageClassUpdateNotSupportedException", message) {}
/** A tag on a resource is invalid. */
export class InvalidTagParameterException
  extends Schema.TaggedError<InvalidTagParameterException>()("InvalidTagParameterException", message)
{}
/** More than 50 tags on a resource. */
export class TooManyTagsException extends Schema.TaggedError<TooManyTagsException>()("TooManyTagsException", message) {}
/** An AWS KMS failure while encrypting or decrypting. */
export class KmsException extends Schema.TaggedError<KmsException>()("KmsException", {
  message: Schema.String,
  kmsError: Schema.optional(Schema.String)
}) {}
/** A pull-through cache could not reach its upstream registry. */
export class UnableToGetUpstreamImageException
  extends Schema.TaggedError<UnableToGetUpstreamImageException>()("UnableToGetUpstreamImageException", message)
{}
/** The repository has no repository policy. */
export class RepositoryPolicyNotFoundException extends Schema.TaggedError<RepositoryPolicyNotFoundException>()(
  "RepositoryPolicyNotFoundException",
  message
) {}
/** The registry has no registry policy. */
export class RegistryPolicyNotFoundException extends Schema.TaggedError<RegistryPolicyNotFoundException>()(
  "RegistryPolicyNotFoundException",
  message
) {}
/** The repository has no lifecycle policy. */
export class LifecyclePolicyNotFoundException extends Schema.TaggedError<LifecyclePolicyNotFoundException>()(
  "LifecyclePolicyNotFoundException",
  message
) {}
/** A lifecycle policy preview of the repository is still in progress. */
export class LifecyclePolicyPreviewInProgressException
  extends Schema.TaggedError<LifecyclePolicyPreviewInProgressException>()(
    "LifecyclePolicyPreviewInProgressException",
    message
  )
{}
/** The repository has no lifecycle policy preview. */
export class LifecyclePolicyPreviewNotFoundException
  extends Schema.TaggedError<LifecyclePolicyPreviewNotFoundException>()(
    "LifecyclePolicyPreviewNotFoundException",
    message
  )
{}
/** The account's organization policy forbids the change. */
export class BlockedByOrganizationPolicyException
  extends Schema.TaggedError<BlockedByOrganizationPolicyException>()("BlockedByOrganizationPolicyException", message)
{}

/**
 * An error code that the operation does not model: throttling, access denied, authentication
 * failures, unknown operations, or a code this library has never seen.
 */
export class UnknownEcrError extends Schema.TaggedError<UnknownEcrError>()("UnknownEcrError", {
  code: Schema.String,
  message: Schema.String,
  httpStatus: Schema.optional(Schema.Number),
  requestId: Schema.optional(Schema.String)
}) {}

/** Why a request got no usable answer. */
export const TransportFailure = Schema.Literal("Network", "Timeout", "Aborted", "InvalidResponse")
/** @since 0.1.0 */
export type TransportFailure = typeof TransportFailure.Type

/** The request never got a usable answer: network failure, timeout, abort, or a response that does not decode. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: TransportFailure,
  message: Schema.String,
  cause: Schema.optional(Schema.Unknown)
}) {}

/** Every error class that has a name on the wire, by that name. */
export const ServiceErrors = {
  ServerException,
  InvalidParameterException,
  ValidationException,
  RepositoryNotFoundException,
  ImageNotFoundException,
  ScanNotFoundException,
  UnsupportedImageTypeException,
  ImageArchivedException,
  LimitExceededException,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageTagAlreadyExistsException,
  ReferencedImagesNotFoundException,
  LayersNotFoundException,
  ImageStorageClassUpdateNotSupportedException,
  InvalidTagParameterException,
  TooManyTagsException,
  KmsException,
  UnableToGetUpstreamImageException,
  BlockedByOrganizationPolicyException,
  RepositoryPolicyNotFoundException,
  RegistryPolicyNotFoundException,
  LifecyclePolicyNotFoundException,
  LifecyclePolicyPreviewInProgressException,
  LifecyclePolicyPreviewNotFoundException
} as const

/** The AWS name of an error the service models. */
export type ServiceErrorName = keyof typeof ServiceErrors
/** Any error the service models. */
export type ServiceError = InstanceType<(typeof ServiceErrors)[ServiceErrorName]>
/** Any failure an ECR port can report. */
export type EcrError = ServiceError | UnknownEcrError | TransportError

/** Whether `name` is the AWS name of a modelled error. */
export const isServiceErrorName = (name: string): name is ServiceErrorName =>
  Object.prototype.hasOwnProperty.call(ServiceErrors, name)

/** The HTTP status ECR answers a modelled error with: 500 for `ServerException`, 400 for the rest. */
export const httpStatus = (name: ServiceErrorName): 400 | 500 => name === "ServerException" ? 500 : 400

/**
 * Builds an error without running its constructor (no stack capture, no field validation): for the
 * rules and backends, which only ever pass fields they already know to be valid.
 */
export const unsafeMake = <C extends (new(props: any, options?: any) => any) & { readonly _tag: string }>(
  Class: C,
  fields: ConstructorParameters<C>[0]
): InstanceType<C> => {
  // A real Error (so it is an `[object Error]` to every inspector and equality), built by the native
  // constructor alone with stack capture switched off: the header line is the whole stack.
  const limit = V8Error.stackTraceLimit ?? 10
  V8Error.stackTraceLimit = 0
  const error = Reflect.construct(Error, [fields.message], Class)
  V8Error.stackTraceLimit = limit
  // Fields in the caller's order, then `_tag`: the order the Schema class constructor leaves them in.
  for (const key in fields) {
    if (key !== "message" && fields[key] !== undefined) error[key] = fields[key]
  }
  error._tag = Class._tag
  // What `Data.Error` keeps for `toJSON`, so both kinds of instance serialise alike.
  Object.defineProperty(error, plainArgs, { value: fields })
  return error
}

const plainArgs = Symbol.for("effect/Data/Error/plainArgs")
/** `Error` with V8's `stackTraceLimit` (elsewhere the property is inert). */
const V8Error = Error as ErrorConstructor & { stackTraceLimit?: number }

/** Builds the modelled error named `name` with `message`, or `undefined` if no such error is modelled. */
export const fromName = (name: string, errorMessage: string): ServiceError | undefined =>
  isServiceErrorName(name) ? unsafeMake(ServiceErrors[name], { message: errorMessage }) : undefined

/** An image identifier as messages print it. */
export interface ImageIdText {
  readonly imageDigest?: string | undefined
  readonly imageTag?: string | undefined
}

/** Names of the registry and repository in a message. */
export interface Where {
  readonly registryId: string
  readonly repositoryName: string
}

/** `RepositoryNotFoundException` with AWS's text. */
export const repositoryNotFound = (where: Where) =>
  unsafeMake(RepositoryNotFoundException, {
    message:
      `The repository with name '${where.repositoryName}' does not exist in the registry with id '${where.registryId}'`
  })

/** `ImageNotFoundException` with AWS's text (digest first, `null` for the part not given). */
export const imageNotFound = (where: Where, imageId: ImageIdText) =>
  unsafeMake(ImageNotFoundException, {
    message: `The image with imageId ${
      formatImageId(imageId)
    } does not exist within the repository with name '${where.repositoryName}' in the registry with id '${where.registryId}'`
  })

/** `ScanNotFoundException` with AWS's text (note the quotes around the braces, unlike `ImageNotFoundException`). */
export const scanNotFound = (where: Where, imageId: ImageIdText) =>
  unsafeMake(ScanNotFoundException, {
    message: `Image scan does not exist for the image with '${
      formatImageId(imageId)
    }' in the repository with name '${where.repositoryName}' in the registry with id '${where.registryId}'`
  })

/** AWS's text for the once-per-24-hours rule. */
export const PER_IMAGE_LIMIT_MESSAGE = "The scan quota per image has been exceeded. Wait and try again."

/** `LimitExceededException` for the per-image rule, with when the image is next eligible. */
export const perImageLimitExceeded = (nextEligibleAt: Date) =>
  unsafeMake(LimitExceededException, { message: PER_IMAGE_LIMIT_MESSAGE, limit: "PER_IMAGE", nextEligibleAt })

/** `LimitExceededException` for the account quota (AWS's wording is unknown; ours names the quota). */
export const accountQuotaExceeded = (
  registryId: string,
  quota: { readonly limit: number; readonly windowHours: number },
  nextEligibleAt: Date
) =>
  unsafeMake(LimitExceededException, {
    message: `The basic scan quota of ${quota.limit} scans per ${quota.windowHours} hours ` +
      `for the registry with id '${registryId}' has been exceeded. Wait and try again.`,
    limit: "ACCOUNT_QUOTA",
    nextEligibleAt
  })

/** `UnsupportedImageTypeException` with AWS's text. */
export const unsupportedImageType = (mediaType: string) =>
  unsafeMake(UnsupportedImageTypeException, {
    message:
      `An artifact with media type '${mediaType}' cannot be scanned. For more information, see the Amazon ECR documentation.`
  })

/** `ImageArchivedException` with the model's text. */
export const imageArchived = () =>
  unsafeMake(ImageArchivedException, { message: "The specified image is archived and cannot be scanned." })

/** `InvalidParameterException` in AWS's `Invalid parameter at '<member>' ...` format. */
export const invalidParameter = (text: string) => unsafeMake(InvalidParameterException, { message: text })

/** `ValidationException` with a message. */
export const validation = (text: string) => unsafeMake(ValidationException, { message: text })

/** `ServerException` with a message. */
export const server = (text: string) => unsafeMake(ServerException, { message: text })

/**
 * What AWS answers a caller that names a registry it has no access to: `AccessDeniedException`, an
 * error no ECR operation models, so it arrives as `UnknownEcrError`.
 */
export const accessDenied = (
  operation: string,
  caller: { readonly accountId: string; readonly region: string },
  target: Where
) =>
  unsafeMake(UnknownEcrError, {
    code: "AccessDeniedException",
    message:
      `User: arn:aws:iam::${caller.accountId}:root is not authorized to perform: ecr:${operation} on resource: ` +
      `arn:aws:ecr:${caller.region}:${target.registryId}:repository/${target.repositoryName} ` +
      `because no resource-based policy allows the ecr:${operation} action`,
    httpStatus: 400
  })

/** `RepositoryAlreadyExistsException` with AWS's text. */
export const repositoryAlreadyExists = (where: Where) =>
  unsafeMake(RepositoryAlreadyExistsException, {
    message:
      `The repository with name '${where.repositoryName}' already exists in the registry with id '${where.registryId}'`
  })

/** `LifecyclePolicyNotFoundException`: the repository has no lifecycle policy (moto's text; AWS documents none). */
export const lifecyclePolicyNotFound = (where: Where) =>
  unsafeMake(LifecyclePolicyNotFoundException, {
    message: `Lifecycle policy does not exist for the repository with name '${where.repositoryName}' ` +
      `in the registry with id '${where.registryId}'`
  })

/** `LifecyclePolicyPreviewNotFoundException`, worded as `lifecyclePolicyNotFound`. */
export const lifecyclePolicyPreviewNotFound = (where: Where) =>
  unsafeMake(LifecyclePolicyPreviewNotFoundException, {
    message: `Lifecycle policy preview does not exist for the repository with name '${where.repositoryName}' ` +
      `in the registry with id '${where.registryId}'`
  })

/** `LifecyclePolicyPreviewInProgressException`, worded as `lifecyclePolicyNotFound`. */
export const lifecyclePolicyPreviewInProgress = (where: Where) =>
  unsafeMake(LifecyclePolicyPreviewInProgressException, {
    message: `Lifecycle policy preview is already in progress for the repository with name ` +
      `'${where.repositoryName}' in the registry with id '${where.registryId}'`
  })

/** `RepositoryNotEmptyException` with AWS's text. */
export const repositoryNotEmpty = (where: Where) =>
  unsafeMake(RepositoryNotEmptyException, {
    message: `The repository with name '${where.repositoryName}' in registry with id '${where.registryId}' ` +
      `cannot be deleted because it still contains images`
  })

/** `ImageAlreadyExistsException` with AWS's text. */
export const imageAlreadyExists = (where: Where, imageDigest: string, imageTag: string | undefined) =>
  unsafeMake(ImageAlreadyExistsException, {
    message: `Image with digest '${imageDigest}' and tag '${imageTag ?? "null"}' already exists in the repository ` +
      `with name '${where.repositoryName}' in registry with id '${where.registryId}'`
  })

/** `ImageTagAlreadyExistsException` with AWS's text. */
export const imageTagAlreadyExists = (where: Where, imageTag: string) =>
  unsafeMake(ImageTagAlreadyExistsException, {
    message: `The image tag '${imageTag}' already exists in the '${where.repositoryName}' repository ` +
      `and cannot be overwritten because the repository is immutable.`
  })

/** `ImageDigestDoesNotMatchException` with the model's text. */
export const imageDigestDoesNotMatch = (given: string, computed: string) =>
  unsafeMake(ImageDigestDoesNotMatchException, {
    message: `The specified image digest '${given}' does not match the digest '${computed}' ` +
      `that Amazon ECR calculated for the image.`
  })

/** `ReferencedImagesNotFoundException` naming the missing digests. */
export const referencedImagesNotFound = (missing: ReadonlyArray<string>) =>
  unsafeMake(ReferencedImagesNotFoundException, {
    message: `The manifest list or image index references images that do not exist in the repository: ${
      missing.join(", ")
    }`
  })

/** `ImageStorageClassUpdateNotSupportedException` with the model's text. */
export const imageStorageClassUpdateNotSupported = () =>
  unsafeMake(ImageStorageClassUpdateNotSupportedException, {
    message: "The requested image storage class update is not supported."
  })
