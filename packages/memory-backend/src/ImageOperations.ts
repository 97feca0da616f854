/**
 * The memory engine's image operations: push (with the core's tag immutability, archive-on-push and
 * scan-on-push rules), batch get and delete, describe, and archive/restore (the core's `ImageArchival`).
 *
 * @since 0.1.0
 */
import {
  type Api,
  Constraints,
  Errors,
  FindingsPage,
  type Identifiers,
  ImageArchival,
  ImageListing,
  type ImageModel,
  ImageResolution,
  Manifest,
  PagingRules,
  RegistryScanningRules,
  ScanLifecycle,
  ScanOnPush,
  TagMutability
} from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { createHash } from "node:crypto"
import type { Engine, Step } from "./Engine.js"
import * as Lookups from "./Lookups.js"
import type { ImageState, RepositoryState } from "./RegistryState.js"
import * as Snapshot from "./Snapshot.js"

const sha256 = (text: string) =>
  `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}` as Identifiers.ImageDigest

/** Scan on push: the core decides from the repository's effective scanning and the quota; this writes it down. */
const scanOnPush = (engine: Engine, repository: RepositoryState, image: ImageState, now: number) => {
  const s = engine.state
  const scanning = RegistryScanningRules.effectiveScanning(s.scanning, {
    name: repository.name,
    scanOnPush: repository.scanOnPush
  })
  const decision = ScanOnPush.decide(scanning, image, s.quota, now, engine.config.rules)
  switch (decision._tag) {
    case "NotScanned":
      return
    case "Enhanced":
      return Lookups.recordScan(
        engine,
        repository,
        image,
        Lookups.startRecord(engine, decision.kind, "PUSH", repository, image, now),
        false
      )
    case "QuotaExhausted":
      s.quota = decision.quota
      if (decision.record !== undefined) Lookups.recordScan(engine, repository, image, decision.record, false)
      return
    case "Basic":
      Lookups.recordScan(
        engine,
        repository,
        image,
        Lookups.startRecord(engine, "BASIC", "PUSH", repository, image, now),
        true
      )
      s.quota = decision.quota
      Lookups.quotaAppended(engine, now)
  }
}

const putImage: Step<"PutImage"> = (engine, input, now) => {
  const opened = Lookups.openRequest(engine, "PutImage", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target } = opened
  const info = Manifest.parse(request.imageManifest, request.imageManifestMediaType)
  if (Either.isLeft(info)) return Exit.fail(info.left)
  const digest = sha256(request.imageManifest)
  if (request.imageDigest !== undefined && request.imageDigest !== digest) {
    return Exit.fail(Errors.imageDigestDoesNotMatch(request.imageDigest, digest))
  }
  const missing = info.right.references.filter((d) => !repository.images.has(d))
  if (missing.length > 0) return Exit.fail(Errors.referencedImagesNotFound(missing))
  const tag = request.imageTag
  const existing = repository.images.get(digest)
  const tagOwner = tag === undefined ? undefined : repository.tagIndex.get(tag)
  const restored = existing === undefined ? undefined : ImageArchival.onPush(existing.storage, now)
  if (existing !== undefined && (tag === undefined || tagOwner === digest) && restored === undefined) {
    return Exit.fail(Errors.imageAlreadyExists(target, digest, tag))
  }
  if (
    tag !== undefined && tagOwner !== undefined && tagOwner !== digest &&
    TagMutability.isImmutable(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters, tag)
  ) {
    return Exit.fail(Errors.imageTagAlreadyExists(target, tag))
  }
  // Every check passed: write.
  if (tag !== undefined && tagOwner !== undefined && tagOwner !== digest) {
    const previous = repository.images.get(tagOwner)!
    previous.tags = previous.tags.filter((t) => t !== tag)
  }
  let image = existing
  if (image === undefined) {
    const sizeInBytes = info.right.isIndex
      ? Math.max(0, ...info.right.references.map((d) => repository.images.get(d)!.sizeInBytes))
      : info.right.sizeInBytes
    image = {
      digest,
      manifest: request.imageManifest,
      mediaType: info.right.mediaType,
      artifactMediaType: info.right.artifactMediaType,
      sizeInBytes,
      scannable: info.right.layerCount > 0,
      subjectDigest: info.right.subjectDigest as Identifiers.ImageDigest | undefined,
      references: info.right.references,
      pushedAt: now,
      // Sized for the tag it gets now: `[]` then `push` would reserve room for 17.
      tags: tag === undefined ? [] : [tag],
      storage: ScanLifecycle.active,
      lastArchivedAt: undefined,
      lastActivatedAt: undefined,
      lastStarted: undefined,
      basicScan: undefined,
      enhancedScan: undefined
    }
    repository.images.set(digest, image)
    if (tag !== undefined) repository.tagIndex.set(tag, digest)
    // Reported before the scan it may start, so that a subscriber sees the image before its scan.
    engine.changes?.push({ _tag: "ImagePut", repositoryName: repository.name, image: Snapshot.imageSnapshot(image) })
    scanOnPush(engine, repository, image, now)
  } else {
    if (restored !== undefined) {
      image.storage = restored.storage
      image.lastActivatedAt = restored.lastActivatedAt
      engine.changes?.push({
        _tag: "ImageRestored",
        repositoryName: repository.name,
        imageDigest: digest,
        storage: restored.storage,
        lastActivatedAt: restored.lastActivatedAt,
        scanResultsCleared: false
      })
    }
    if (tag !== undefined && tagOwner !== digest) {
      image.tags.push(tag)
      repository.tagIndex.set(tag, digest)
      engine.changes?.push({ _tag: "ImageTagged", repositoryName: repository.name, imageDigest: digest, imageTag: tag })
    }
  }
  return Exit.succeed({
    image: {
      registryId: target.registryId,
      repositoryName: request.repositoryName,
      imageId: tag === undefined ? { imageDigest: digest } : { imageDigest: digest, imageTag: tag },
      imageManifest: request.imageManifest,
      imageManifestMediaType: image.mediaType
    }
  } as Api.PutImageResponse)
}

type BatchFailure = ImageModel.ImageFailure
const batchFailure = (imageId: ImageResolution.ImageIdInput, code: BatchFailure["failureCode"], reason: string) =>
  ({ imageId, failureCode: code, failureReason: reason }) as BatchFailure

/** Resolves one entry of a batch request, answering problems as failures rather than errors. */
const resolveEntry = (repository: RepositoryState, imageId: ImageResolution.ImageIdInput) => {
  // The model puts no pattern on the digest: a malformed one fails this entry only.
  const malformed = imageId.imageDigest === undefined ? undefined : Constraints.imageDigest(imageId.imageDigest)
  if (malformed !== undefined) {
    return { failure: batchFailure(imageId, "InvalidImageDigest", `Invalid request parameters: ${malformed}`) }
  }
  if (imageId.imageDigest === undefined && imageId.imageTag === undefined) {
    return {
      failure: batchFailure(
        imageId,
        "MissingDigestAndTag",
        "Invalid request parameters: both tag and digest cannot be null"
      )
    }
  }
  const resolved = ImageResolution.resolve(Lookups.lookup, repository, imageId)
  if (resolved === "mismatch") {
    return {
      failure: batchFailure(
        imageId,
        "ImageTagDoesNotMatchDigest",
        "Invalid request parameters: given tag does not map to the given digest"
      )
    }
  }
  return resolved === undefined
    ? { failure: batchFailure(imageId, "ImageNotFound", "Requested image not found") }
    : { image: resolved }
}

/**
 * The work of a batch operation: the request opened (`Lookups.openRequest`), then `f` run, in the request's
 * order, on each entry that names an image of the repository. Answers the failures (the entries that name no
 * image, and those `f` answers one for) in that order, or the error that refuses the whole request.
 */
const forEachEntry = <Name extends "BatchGetImage" | "BatchDeleteImage">(
  engine: Engine,
  operation: Name,
  input: unknown,
  f: (
    imageId: Api.RequestTypeOf<Name>["imageIds"][number],
    image: ImageState,
    opened: { readonly request: Api.RequestTypeOf<Name>; readonly repository: RepositoryState }
  ) => BatchFailure | undefined
) => {
  const opened = Lookups.openRequest(engine, operation, input)
  if (Lookups.isError(opened)) return opened
  const failures: Array<BatchFailure> = []
  for (const imageId of opened.request.imageIds) {
    const { failure, image } = resolveEntry(opened.repository, imageId)
    const failed = image === undefined ? failure : f(imageId, image, opened)
    if (failed !== undefined) failures.push(failed)
  }
  return failures
}

const batchGetImage: Step<"BatchGetImage"> = (engine, input) => {
  const images: Array<ImageModel.Image> = []
  const failures = forEachEntry(engine, "BatchGetImage", input, (imageId, entry, { request }) => {
    images.push({
      registryId: engine.config.accountId,
      repositoryName: request.repositoryName,
      imageId: ImageResolution.echo(imageId, entry.digest),
      imageManifest: entry.manifest,
      imageManifestMediaType: entry.mediaType
    } as ImageModel.Image)
    return undefined
  })
  return Lookups.isError(failures) ? Exit.fail(failures) : Exit.succeed({ images, failures })
}

const batchDeleteImage: Step<"BatchDeleteImage"> = (engine, input) => {
  const deleted: Array<Identifiers.ImageIdentifier> = []
  const failures = forEachEntry(engine, "BatchDeleteImage", input, (imageId, entry, { repository }) => {
    const referencedBy = Array.from(repository.images.values()).find((i) => i.references.includes(entry.digest))
    if (referencedBy !== undefined && (imageId.imageTag === undefined || entry.tags.length <= 1)) {
      return batchFailure(
        imageId,
        "ImageReferencedByManifestList",
        `Requested image is referenced by manifest list: [${referencedBy.digest}]`
      )
    }
    // By tag: untag, and delete the image with its last tag. By digest: delete with every tag.
    const removedTags = imageId.imageTag !== undefined && imageId.imageDigest === undefined
      ? [imageId.imageTag]
      : [...entry.tags]
    for (const tag of removedTags) repository.tagIndex.delete(tag)
    entry.tags = entry.tags.filter((t) => !removedTags.includes(t))
    const at = { repositoryName: repository.name, imageDigest: entry.digest }
    if (entry.tags.length === 0) {
      repository.images.delete(entry.digest)
      engine.changes?.push({ _tag: "ImageDeleted", ...at, imageTags: removedTags })
    } else if (engine.changes !== undefined) {
      for (const tag of removedTags) engine.changes.push({ _tag: "ImageUntagged", ...at, imageTag: tag })
    }
    if (removedTags.length === 0) deleted.push({ imageDigest: entry.digest })
    for (const tag of removedTags) deleted.push({ imageDigest: entry.digest, imageTag: tag })
    return undefined
  })
  return Lookups.isError(failures) ? Exit.fail(failures) : Exit.succeed({ imageIds: deleted, failures })
}

const describeImages: Step<"DescribeImages"> = (engine, input, now) => {
  const opened = Lookups.openRequest(engine, "DescribeImages", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target } = opened
  if (request.imageIds !== undefined) {
    const conflict = PagingRules.explicitListConflict("DescribeImages", request)
    if (conflict !== undefined) return Exit.fail(conflict)
    const details: Array<ImageModel.ImageDetail> = []
    for (const imageId of request.imageIds) {
      const image = Lookups.openImage(engine, repository, target, imageId)
      if (Lookups.isError(image)) return Exit.fail(image)
      details.push(Lookups.imageDetail(engine, repository, image, now))
    }
    return Exit.succeed({ imageDetails: details })
  }
  const tagStatus = request.filter?.tagStatus ?? ImageListing.DEFAULT_TAG_STATUS
  const imageStatus = request.filter?.imageStatus ?? ImageListing.DEFAULT_IMAGE_STATUS
  const selected: Array<ImageState> = []
  for (const image of repository.images.values()) {
    if (!ImageListing.selectsTags(tagStatus, image.tags.length)) continue
    if (!ImageListing.selectsStatus(imageStatus, ScanLifecycle.imageStatusAt(image.storage, now))) continue
    selected.push(image)
  }
  const page = FindingsPage.page(selected, `images/${repository.name}`, request.nextToken, request.maxResults)
  if (Either.isLeft(page)) return Exit.fail(page.left)
  return Exit.succeed({
    imageDetails: page.right.items.map((image) => Lookups.imageDetail(engine, repository, image, now)),
    ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
  })
}

const updateImageStorageClass: Step<"UpdateImageStorageClass"> = (engine, input, now) => {
  const opened = Lookups.openImageOf(engine, "UpdateImageStorageClass", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target, image } = opened
  const decided = ImageArchival.updateStorageClass(image, request.targetStorageClass, now, engine.config.rules)
  if (Either.isLeft(decided)) return Exit.fail(decided.left)
  const transition = decided.right
  const at = { repositoryName: repository.name, imageDigest: image.digest }
  image.storage = transition.storage
  if (transition._tag === "Archive") {
    image.lastArchivedAt = transition.lastArchivedAt
    engine.changes?.push({ _tag: "ImageArchived", ...at, storage: transition.storage, at: now })
  } else {
    image.lastActivatedAt = transition.lastActivatedAt
    if (transition.clearsScanResults) {
      image.basicScan = undefined
      image.enhancedScan = undefined
    }
    engine.changes?.push({
      _tag: "ImageRestored",
      ...at,
      storage: transition.storage,
      lastActivatedAt: transition.lastActivatedAt,
      scanResultsCleared: transition.clearsScanResults
    })
  }
  return Exit.succeed({
    registryId: target.registryId,
    repositoryName: request.repositoryName,
    imageId: ImageResolution.echo(request.imageId, image.digest),
    imageStatus: ScanLifecycle.imageStatusAt(image.storage, now)
  } as Api.UpdateImageStorageClassResponse)
}

/** The image operations' steps. */
export const steps = {
  PutImage: putImage,
  BatchGetImage: batchGetImage,
  BatchDeleteImage: batchDeleteImage,
  DescribeImages: describeImages,
  UpdateImageStorageClass: updateImageStorageClass
}
