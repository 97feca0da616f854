/**
 * The whole decision of `StartImageScan`, as a pure function of the request, a read-only view of the
 * registry, the house rules and `now`. Checks run in the configured order (by default validation,
 * repository, image, image state, scan type, per-image window, account quota); the first that fails
 * decides the error. An accepted scan comes back with the quota that counts it; the backend applies it.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { StartImageScanRequest } from "./Api.js"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"
import type { ImageIdentifier } from "./Identifiers.js"
import { isImageConfigMediaType, isImageIndexMediaType } from "./ImageModel.js"
import * as ImageResolution from "./ImageResolution.js"
import * as ImageScanWindow from "./ImageScanWindow.js"
import * as RequestValidators from "./RequestValidators.js"
import { isArchivedAt, type ScanRecord, type StorageState } from "./ScanLifecycle.js"
import type { ScanType } from "./ScanningConfiguration.js"
import * as ScanQuota from "./ScanQuota.js"
import type { ScanRules } from "./ScanRules.js"

/** What the rule needs to know about an image. */
export interface ImageFacts {
  readonly digest: string
  /** The manifest's media type. */
  readonly mediaType: string
  /** The config's media type (`artifactMediaType`), when the manifest has a config. */
  readonly artifactMediaType: string | undefined
  readonly storage: StorageState
  /** The last basic scan that started for this image (the one that holds its slot, if any). */
  readonly lastStarted: ScanRecord | undefined
}

/** A read-only view of one registry, as the backend holds it. */
export interface RegistryView<R, I extends ImageFacts> extends ImageResolution.ImageLookup<R, I> {
  /** The registry this backend serves (the default `registryId`). */
  readonly registryId: string
  readonly scanType: ScanType
  readonly quota: ScanQuota.ScanQuota
  /** The repository of that name in that registry, if it exists. */
  readonly repository: (registryId: string, repositoryName: string) => R | undefined
  /** The error for a registry the caller may not use (another account's), checked before the repository. */
  readonly accessDenied: (where: Errors.Where) => Errors.UnknownEcrError | undefined
}

/** The errors `StartImageScan` decides. */
export type StartImageScanFailure =
  | Errors.InvalidParameterException
  | Errors.RepositoryNotFoundException
  | Errors.ImageNotFoundException
  | Errors.UnsupportedImageTypeException
  | Errors.ImageArchivedException
  | Errors.ValidationException
  | Errors.LimitExceededException
  | Errors.UnknownEcrError

/** The decision. */
export type Decision<R, I> =
  | {
    readonly _tag: "Accepted"
    readonly request: StartImageScanRequest
    readonly registryId: string
    readonly repository: R
    readonly image: I
    /** The `imageId` to answer with. */
    readonly imageId: ImageIdentifier
    /** The quota, counting this scan. */
    readonly quota: ScanQuota.ScanQuota
  }
  | {
    readonly _tag: "Refused"
    readonly error: StartImageScanFailure
    /**
     * Set when the house rules charge a refused request (`rejectedRequestUsesSlot`): the image whose
     * slot is used and the quota that counts it.
     */
    readonly charge?: { readonly repository: R; readonly image: I; readonly quota: ScanQuota.ScanQuota }
  }

const validate = RequestValidators.validators.StartImageScan

/** The message of the `ValidationException` for a manual scan on an ENHANCED registry. */
export const ENHANCED_MANUAL_SCAN_MESSAGE =
  "Manual scans are not supported when the registry scan type is ENHANCED; images are scanned by Amazon Inspector."

const refused = <R, I>(error: StartImageScanFailure): Decision<R, I> => ({ _tag: "Refused", error })

/** The checks that look at the image's state, in this order: archived first, then what it is. */
const imageStateError = (image: ImageFacts, now: number, rules: ScanRules): StartImageScanFailure | undefined => {
  if (isArchivedAt(image.storage, now)) return Errors.imageArchived()
  if (rules.imageIndexScan === "UnsupportedImageTypeException" && isImageIndexMediaType(image.mediaType)) {
    return Errors.unsupportedImageType(image.mediaType)
  }
  if (image.artifactMediaType !== undefined && !isImageConfigMediaType(image.artifactMediaType)) {
    return Errors.unsupportedImageType(image.artifactMediaType)
  }
  return undefined
}

/**
 * Whether the house rule answers this invalid request as "image not found": its only fault is an `imageId` with
 * neither member, or a malformed digest. Such a request goes on to the repository and image checks, which cannot
 * find that image, so the order of checks still holds (a missing repository is reported first).
 */
const isUnresolvableImageId = (input: unknown, rules: ScanRules): boolean => {
  if (rules.invalidImageId !== "ImageNotFoundException") return false
  const request = input as {
    registryId?: unknown
    repositoryName?: unknown
    imageId?: { imageDigest?: unknown; imageTag?: unknown }
  }
  const id = request?.imageId
  if (typeof request?.repositoryName !== "string" || typeof id !== "object" || id === null || Array.isArray(id)) {
    return false
  }
  if (
    request.registryId !== undefined &&
    (typeof request.registryId !== "string" || Constraints.registryId(request.registryId) !== undefined)
  ) return false
  const { imageDigest: digest, imageTag: tag } = id
  if (digest !== undefined && typeof digest !== "string") return false
  if (tag !== undefined && (typeof tag !== "string" || Constraints.imageTag(tag) !== undefined)) return false
  if (Constraints.repositoryName(request.repositoryName) !== undefined) return false
  const malformed = digest !== undefined && Constraints.imageDigest(digest) !== undefined
  return malformed || (digest === undefined && tag === undefined)
}

/** Validates `input`, letting through what the house rule answers as "image not found" at the image check. */
const validateUnderRules = (input: unknown, rules: ScanRules) => {
  const result = validate(input)
  return result._tag === "Left" && isUnresolvableImageId(input, rules)
    ? Either.right(input as StartImageScanRequest)
    : result
}

/**
 * Decides a `StartImageScan` call. `input` is whatever the caller sent; it is validated here, at the
 * position the check order gives validation.
 */
export const decide = <R, I extends ImageFacts>(
  input: unknown,
  registry: RegistryView<R, I>,
  now: number,
  rules: ScanRules
): Decision<R, I> => {
  let request: StartImageScanRequest | undefined
  let repository: R | undefined
  let image: I | undefined
  let quota: ScanQuota.ScanQuota = registry.quota
  // Fields read before validation has run are read defensively.
  const raw = input as { registryId?: unknown; repositoryName?: unknown; imageId?: ImageResolution.ImageIdInput }
  const registryId = () =>
    request?.registryId ?? (typeof raw?.registryId === "string" ? raw.registryId : registry.registryId)
  const where = (): Errors.Where => ({ registryId: registryId(), repositoryName: request!.repositoryName })
  for (const check of rules.checkOrder) {
    switch (check) {
      case "validation": {
        const result = validateUnderRules(input, rules)
        if (result._tag === "Left") return refused(result.left)
        request = result.right
        break
      }
      case "repository": {
        if (request === undefined) {
          // Validation comes later in this order: only a well-formed name can be looked up.
          const result = validateUnderRules(input, rules)
          if (result._tag === "Left") return refused(result.left)
          request = result.right
        }
        const denied = registry.accessDenied(where())
        if (denied !== undefined) return refused(denied)
        repository = registry.repository(registryId(), request.repositoryName)
        if (repository === undefined) return refused(Errors.repositoryNotFound(where()))
        break
      }
      case "image": {
        const resolved = ImageResolution.resolve(registry, repository!, request!.imageId)
        if (resolved === undefined || resolved === "mismatch") {
          return refused(ImageResolution.notFound(where(), request!.imageId, resolved === "mismatch", rules))
        }
        image = resolved
        break
      }
      case "imageState": {
        const error = imageStateError(image!, now, rules)
        if (error !== undefined) return refusedCharging(error, repository!, image!, quota, now, rules)
        break
      }
      case "scanType": {
        if (registry.scanType === "ENHANCED" && rules.enhancedManualScan === "ValidationException") {
          const error = Errors.validation(ENHANCED_MANUAL_SCAN_MESSAGE)
          return image === undefined ? refused(error) : refusedCharging(error, repository!, image, quota, now, rules)
        }
        break
      }
      case "imageWindow": {
        const nextEligibleAt = ImageScanWindow.check(image!.lastStarted, now, rules)
        if (nextEligibleAt !== undefined) return refused(Errors.perImageLimitExceeded(new Date(nextEligibleAt)))
        break
      }
      case "accountQuota": {
        const decision = ScanQuota.check(quota, now, rules.accountQuotaLimit, rules.accountQuotaWindowMillis)
        quota = decision.quota
        if (!decision.admitted) {
          return refused(
            Errors.accountQuotaExceeded(
              registryId(),
              { limit: rules.accountQuotaLimit, windowHours: rules.accountQuotaWindowMillis / 3_600_000 },
              new Date(decision.nextSlotAt)
            )
          )
        }
        break
      }
    }
  }
  return {
    _tag: "Accepted",
    request: request!,
    registryId: registryId(),
    repository: repository!,
    image: image!,
    imageId: ImageResolution.echo(request!.imageId, image!.digest),
    quota: ScanQuota.record(quota, now)
  }
}

const refusedCharging = <R, I>(
  error: StartImageScanFailure,
  repository: R,
  image: I,
  quota: ScanQuota.ScanQuota,
  now: number,
  rules: ScanRules
): Decision<R, I> =>
  rules.rejectedRequestUsesSlot
    ? { _tag: "Refused", error, charge: { repository, image, quota: ScanQuota.record(quota, now) } }
    : { _tag: "Refused", error }
