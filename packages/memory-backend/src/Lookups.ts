/**
 * What every operation module of the memory engine does first: find the repository and the image a request
 * names (with the access check of a foreign registry id), and the records and views built from the state.
 * Lookups only: no rule is decided here.
 *
 * @since 0.1.0
 */
import {
  type Api,
  Errors,
  type Identifiers,
  type ImageModel,
  ImageResolution,
  RequestValidators,
  ScanLifecycle,
  type ScanModel
} from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Engine } from "./Engine.js"
import * as RegistryState from "./RegistryState.js"
import type { ImageState, RepositoryState } from "./RegistryState.js"
import * as Snapshot from "./Snapshot.js"
import * as SyntheticFindings from "./SyntheticFindings.js"

/** A date from epoch milliseconds. */
export const date = (millis: number) => new Date(millis)

/** The registry and repository a request names (its own registry when it names none). */
export const where = (engine: Engine, registryId: string | undefined, repositoryName: string): Errors.Where => ({
  registryId: registryId ?? engine.config.accountId,
  repositoryName
})

/** `AccessDeniedException` when `target` is another account's registry. */
export const accessDenied = (engine: Engine, operation: string, target: Errors.Where) =>
  target.registryId === engine.config.accountId
    ? undefined
    : Errors.accessDenied(operation, { accountId: engine.config.accountId, region: engine.config.region }, target)

/** How the core's image resolution reads this state. */
export const lookup: ImageResolution.ImageLookup<RepositoryState, ImageState> = {
  imageByDigest: (repository, digest) => repository.images.get(digest),
  imageByTag: (repository, tag) => {
    const digest = repository.tagIndex.get(tag)
    return digest === undefined ? undefined : repository.images.get(digest)
  }
}

/** Whether a lookup's result is an error. */
export const isError = (value: unknown): value is Errors.EcrError =>
  typeof value === "object" && value !== null && "_tag" in value && typeof value._tag === "string" &&
  value instanceof Error

/** Access and the repository: the first checks of every repository-scoped operation (after validation). */
export const openRepository = (
  engine: Engine,
  operation: string,
  request: { readonly registryId?: string | undefined; readonly repositoryName: string }
): RepositoryState | Errors.RepositoryNotFoundException | Errors.UnknownEcrError => {
  const target = where(engine, request.registryId, request.repositoryName)
  const denied = accessDenied(engine, operation, target)
  if (denied !== undefined) return denied
  return engine.state.repositories.get(request.repositoryName) ?? Errors.repositoryNotFound(target)
}

/** The image an `imageId` names in a repository, or the `ImageNotFoundException` ECR answers. */
export const openImage = (
  engine: Engine,
  repository: RepositoryState,
  target: Errors.Where,
  imageId: ImageResolution.ImageIdInput
): ImageState | Errors.ImageNotFoundException | Errors.InvalidParameterException => {
  const image = ImageResolution.resolve(lookup, repository, imageId)
  if (image === undefined || image === "mismatch") {
    return ImageResolution.notFound(target, imageId, image === "mismatch", engine.config.rules)
  }
  return image
}

/** The operations whose (typed) request has the members of `Shape`. */
type OperationsWith<Shape> = {
  [Name in Api.OperationName]: Api.RequestTypeOf<Name> extends Shape ? Name : never
}[Api.OperationName]

type RepositoryRequest = { readonly registryId?: string | undefined; readonly repositoryName: string }
type ImageRequest = RepositoryRequest & { readonly imageId: ImageResolution.ImageIdInput }

/**
 * The opening of a repository-scoped operation: the request validated, then access and the repository
 * (`openRepository`). Answers the typed request, the repository and where it is, or the first error.
 */
export const openRequest = <Name extends OperationsWith<RepositoryRequest>>(
  engine: Engine,
  operation: Name,
  input: unknown
) => {
  const validated = RequestValidators.validators[operation](input)
  if (Either.isLeft(validated)) return validated.left
  const request = validated.right as Api.RequestTypeOf<Name> & RepositoryRequest
  const repository = openRepository(engine, operation, request)
  if (isError(repository)) return repository
  return { request, repository, target: where(engine, request.registryId, request.repositoryName) }
}

/** `openRequest`, then the image the request's `imageId` names (`openImage`). */
export const openImageOf = <Name extends OperationsWith<ImageRequest>>(
  engine: Engine,
  operation: Name,
  input: unknown
) => {
  const opened = openRequest(engine, operation, input)
  if (isError(opened)) return opened
  const request = opened.request as Api.RequestTypeOf<Name> & ImageRequest
  const image = openImage(engine, opened.repository, opened.target, request.imageId)
  if (isError(image)) return image
  return { ...opened, request, image }
}

/** An operation's failure as a step's result. */
export const fail = <Name extends Api.OperationName>(error: Api.Failure<Name>) =>
  Exit.fail(error) as Exit.Exit<never, Api.Failure<Name>>

/** What a test fixed for an image in a repository (or in every repository). */
export const overrideFor = (engine: Engine, repositoryName: string, digest: string) => {
  const { overrides } = engine.state
  // Most registries have none: no key is built for them.
  if (overrides.size === 0) return undefined
  return overrides.get(RegistryState.overrideKey(digest, repositoryName)) ?? overrides.get(digest)
}

/** A new scan record of an image: its duration from the seed, its outcome from the overrides or the image. */
export const startRecord = (
  engine: Engine,
  kind: ScanLifecycle.ScanKind,
  trigger: ScanLifecycle.ScanTrigger,
  repository: RepositoryState,
  image: ImageState,
  now: number
): ScanLifecycle.ScanRecord => ({
  kind,
  trigger,
  startedAt: now,
  completesAt: now +
    ScanLifecycle.scanDuration(SyntheticFindings.durationHash(engine.config.seed, image.digest), engine.config.rules),
  outcome: overrideFor(engine, repository.name, image.digest)?.outcome ?? (image.scannable ? "COMPLETE" : "FAILED")
})

/** Writes a scan record onto its image (basic or enhanced by its kind) and reports it. */
export const recordScan = (
  engine: Engine,
  repository: RepositoryState,
  image: ImageState,
  record: ScanLifecycle.ScanRecord,
  holdsSlot: boolean
) => {
  if (record.kind === "BASIC" || record.kind === "LIMIT_EXCEEDED") image.basicScan = record
  else image.enhancedScan = record
  if (holdsSlot) image.lastStarted = record
  engine.changes?.push({
    _tag: "ScanStarted",
    repositoryName: repository.name,
    imageDigest: image.digest,
    record,
    holdsSlot
  })
}

/** Reports an accepted scan's quota entry. */
export const quotaAppended = (engine: Engine, now: number) => engine.changes?.push({ _tag: "QuotaAppended", at: now })

/** The findings a scan of an image reports: the test's, or the seed's. */
export const findingsOf = (
  engine: Engine,
  repository: RepositoryState,
  image: ImageState,
  startedAt: number
): ReadonlyArray<ScanModel.ImageScanFinding> =>
  overrideFor(engine, repository.name, image.digest)?.findings ??
    (engine.config.rules.findings === "SEEDED"
      ? SyntheticFindings.generate(engine.config.seed, image.digest, startedAt)
      : [])

/** An image as `DescribeImages` shows it. */
export const imageDetail = (
  engine: Engine,
  repository: RepositoryState,
  image: ImageState,
  now: number
): ImageModel.ImageDetail =>
  ({
    registryId: engine.config.accountId,
    repositoryName: repository.name,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: date(image.pushedAt),
    imageManifestMediaType: image.mediaType,
    ...(image.artifactMediaType === undefined ? {} : { artifactMediaType: image.artifactMediaType }),
    ...(image.subjectDigest === undefined ? {} : { subjectManifestDigest: image.subjectDigest }),
    imageStatus: ScanLifecycle.imageStatusAt(image.storage, now),
    ...(image.lastArchivedAt === undefined ? {} : { lastArchivedAt: date(image.lastArchivedAt) }),
    ...(image.lastActivatedAt === undefined ? {} : { lastActivatedAt: date(image.lastActivatedAt) })
  }) as ImageModel.ImageDetail

/** The image's value for the change feed (only built while someone subscribes). */
export const imageValue = (image: ImageState) => Snapshot.imageSnapshot(image)

/** An image digest, branded. */
export const digestOf = (digest: string) => digest as Identifiers.ImageDigest

/**
 * Reports a repository's settings as they now are (after its tags, tag mutability, repository policy or
 * lifecycle policy changed): the durable layer writes them, a subscriber follows them.
 */
export const repositoryUpdated = (engine: Engine, repository: RepositoryState) => {
  if (engine.changes === undefined) return
  const { images: _images, ...settings } = Snapshot.repositorySnapshot(repository, [])
  engine.changes.push({ _tag: "RepositoryUpdated", repository: settings })
}
