/**
 * The checks and defaults of `CreateRepository`: after request validation, in this order, access to the
 * registry, a repository of that name already there, at most 50 tags, and exclusion filters exactly with
 * the `*_WITH_EXCLUSION` mutabilities. A request that passes yields the settings to store, with AWS's
 * defaults filled in: `MUTABLE`, `AES256` encryption (KMS without a key means the AWS managed key), and no
 * scan on push.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { CreateRepositoryRequest } from "./Api.js"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"
import type { RepositoryName } from "./Identifiers.js"
import type { EncryptionConfiguration, ImageTagMutability } from "./RepositoryModel.js"
import * as ResourceTags from "./ResourceTags.js"

/** The most tags a resource can have (`ResourceTags.MAX_TAGS`). */
export const MAX_TAGS = ResourceTags.MAX_TAGS

/** The message of the `TooManyTagsException` for more than `MAX_TAGS` tags. */
export const TOO_MANY_TAGS_MESSAGE = ResourceTags.TOO_MANY_TAGS_MESSAGE

/** The AWS managed KMS key of ECR in a registry: what `KMS` encryption without a `kmsKey` uses. */
export const awsManagedKmsKey = (region: string, accountId: string): string =>
  `arn:aws:kms:${region}:${accountId}:alias/aws/ecr`

/** What `createRepository` needs to know besides the request. */
export interface CreateRepositoryContext {
  /** The registry this backend serves: the default `registryId`, and the account of the managed KMS key. */
  readonly accountId: string
  readonly region: string
  /** The error for a registry the caller may not use (another account's), checked first. */
  readonly accessDenied: (where: Errors.Where) => Errors.UnknownEcrError | undefined
  /** Whether the registry already has a repository of the requested name. */
  readonly exists: boolean
}

/** The errors `createRepository` decides (validation errors come before, from `RequestValidators`). */
export type CreateRepositoryFailure =
  | Errors.UnknownEcrError
  | Errors.RepositoryAlreadyExistsException
  | Errors.TooManyTagsException
  | Errors.InvalidTagParameterException
  | Errors.InvalidParameterException

/** The settings of a new repository, every default filled in; the backend adds its (empty) images. */
export interface RepositorySettings {
  readonly name: RepositoryName
  readonly createdAt: number
  readonly imageTagMutability: ImageTagMutability
  readonly imageTagMutabilityExclusionFilters: ReadonlyArray<
    { readonly filterType: "WILDCARD"; readonly filter: string }
  >
  readonly encryptionConfiguration: EncryptionConfiguration
  readonly tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>
  readonly scanOnPush: boolean
}

const FILTERS = "imageTagMutabilityExclusionFilters"

/**
 * Why exclusion filters do not fit the mutability, as an `InvalidParameterException`, or `undefined`: filters
 * with `MUTABLE` or `IMMUTABLE`, or none with a `*_WITH_EXCLUSION` mutability.
 */
export const exclusionFiltersProblem = (
  mutability: ImageTagMutability,
  filterCount: number
): Errors.InvalidParameterException | undefined => {
  if ((mutability === "MUTABLE" || mutability === "IMMUTABLE") && filterCount > 0) {
    return Errors.invalidParameter(
      Constraints.invalidParameterMessage(
        FILTERS,
        "can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION"
      )
    )
  }
  if ((mutability === "IMMUTABLE_WITH_EXCLUSION" || mutability === "MUTABLE_WITH_EXCLUSION") && filterCount === 0) {
    return Errors.invalidParameter(Constraints.invalidParameterMessage(FILTERS, `must be specified with ${mutability}`))
  }
  return undefined
}

/** The encryption a repository gets: `AES256` when none is asked for, the AWS managed key for `KMS` without one. */
export const encryptionOf = (
  requested: EncryptionConfiguration | undefined,
  region: string,
  accountId: string
): EncryptionConfiguration => {
  const encryption = requested ?? { encryptionType: "AES256" as const }
  return encryption.encryptionType === "KMS" && encryption.kmsKey === undefined
    ? { encryptionType: "KMS", kmsKey: awsManagedKmsKey(region, accountId) }
    : encryption
}

/**
 * Decides a validated `CreateRepository` request at `now`: the first failing check's error, or the settings of
 * the repository to store.
 */
export const createRepository = (
  request: CreateRepositoryRequest,
  context: CreateRepositoryContext,
  now: number
): Either.Either<RepositorySettings, CreateRepositoryFailure> => {
  const where: Errors.Where = {
    registryId: request.registryId ?? context.accountId,
    repositoryName: request.repositoryName
  }
  const denied = context.accessDenied(where)
  if (denied !== undefined) return Either.left(denied)
  if (context.exists) return Either.left(Errors.repositoryAlreadyExists(where))
  const tags = request.tags ?? []
  if (tags.length > MAX_TAGS) {
    return Either.left(Errors.unsafeMake(Errors.TooManyTagsException, { message: TOO_MANY_TAGS_MESSAGE }))
  }
  // The same limits as TagResource (a key of 1..128 characters, no `aws:` prefix, ...).
  const tagProblem = ResourceTags.tagsProblem(tags)
  if (tagProblem !== undefined) return Either.left(tagProblem)
  const mutability = request.imageTagMutability ?? "MUTABLE"
  const filters = request.imageTagMutabilityExclusionFilters ?? []
  const problem = exclusionFiltersProblem(mutability, filters.length)
  if (problem !== undefined) return Either.left(problem)
  return Either.right({
    name: request.repositoryName,
    createdAt: now,
    imageTagMutability: mutability,
    imageTagMutabilityExclusionFilters: filters,
    encryptionConfiguration: encryptionOf(request.encryptionConfiguration, context.region, context.accountId),
    tags,
    scanOnPush: request.imageScanningConfiguration?.scanOnPush ?? false
  })
}
