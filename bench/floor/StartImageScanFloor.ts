/**
 * The floor of the memory benchmark: the rules of `StartImageScan` in plain TypeScript, written for
 * the benchmark only, with no Effect, no Schema and no `Error` objects. It answers what the memory
 * backend answers for the workloads the benchmark runs: validation of `registryId`, `repositoryName`,
 * `imageDigest` and `imageTag` with the same whole-string patterns and lengths, the repository and the
 * image looked up in Maps, tag to digest resolution, the archived and image-index checks, the per-image
 * 24 h window, the account quota over a rolling window (an O(1) ring buffer), the scan recorded with a
 * duration derived from a hash of the digest, and the `IN_PROGRESS` response. Refusals are plain objects.
 *
 * It is the "how fast could this possibly be" reference: the backend is reported as a fraction of it.
 *
 * @since 0.1.0
 */

const REGISTRY_ID = /^[0-9]{12}$/
const REPOSITORY_NAME = /^(?:[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*)$/
const IMAGE_DIGEST = /^[a-zA-Z0-9\-_+.]+:[a-fA-F0-9]+$/

const HOUR = 3_600_000
const INDEX_MEDIA_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json"
])
const CONFIG_MEDIA_TYPES = new Set([
  "application/vnd.docker.container.image.v1+json",
  "application/vnd.oci.image.config.v1+json"
])
const PER_IMAGE_MESSAGE = "The scan quota per image has been exceeded. Wait and try again."
const REPOSITORY_NAME_TEXT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"

/** A request as a caller sends it. */
export interface FloorRequest {
  readonly registryId?: string | undefined
  readonly repositoryName: string
  readonly imageId: { readonly imageDigest?: string | undefined; readonly imageTag?: string | undefined }
}

/** The answer to an accepted request. */
export interface FloorResponse {
  readonly _tag?: undefined
  readonly registryId: string
  readonly repositoryName: string
  readonly imageId: { readonly imageDigest: string; readonly imageTag?: string }
  readonly imageScanStatus: { readonly status: "IN_PROGRESS" }
}

/** A refusal: the AWS error name and message, and for limits which one and when to retry. */
export interface FloorRefusal {
  readonly _tag: string
  readonly message: string
  readonly limit?: "PER_IMAGE" | "ACCOUNT_QUOTA"
  readonly nextEligibleAt?: number
}

/** One scan of one image. */
export interface FloorScan {
  readonly startedAt: number
  readonly completesAt: number
  readonly outcome: "COMPLETE" | "FAILED"
}

/** One image. */
export interface FloorImage {
  readonly digest: string
  readonly mediaType: string
  readonly artifactMediaType: string | undefined
  readonly scannable: boolean
  archived: boolean
  /** Start of the last accepted scan (holds the per-image slot); `-Infinity` before the first. */
  lastStartedAt: number
  lastScan: FloorScan | undefined
}

interface FloorRepository {
  readonly name: string
  readonly images: Map<string, FloorImage>
  readonly tags: Map<string, string>
}

/** The rolling-window account quota: the start times still in the window, in a growable ring buffer. */
class RingQuota {
  private times: Float64Array
  private head = 0
  size = 0

  constructor(capacity: number) {
    this.times = new Float64Array(Math.max(16, capacity))
  }

  /** Drops the times that have left the window at `now`. */
  prune(now: number, windowMillis: number): void {
    const times = this.times
    const capacity = times.length
    while (this.size > 0 && times[this.head] + windowMillis <= now) {
      this.head = this.head + 1 === capacity ? 0 : this.head + 1
      this.size--
    }
  }

  oldest(): number {
    return this.times[this.head]
  }

  record(now: number): void {
    if (this.size === this.times.length) this.grow()
    const at = this.head + this.size
    this.times[at >= this.times.length ? at - this.times.length : at] = now
    this.size++
  }

  private grow(): void {
    const next = new Float64Array(this.times.length * 2)
    for (let i = 0; i < this.size; i++) next[i] = this.times[(this.head + i) % this.times.length]
    this.times = next
    this.head = 0
  }
}

/** The options of the floor: the house rules that matter to StartImageScan. */
export interface FloorOptions {
  readonly registryId?: string
  readonly seed?: string
  readonly accountQuotaLimit?: number
  readonly accountQuotaWindowMillis?: number
  readonly perImageWindowMillis?: number
  readonly scanDurationMinMillis?: number
  readonly scanDurationMaxMillis?: number
}

const invalid = (member: string, constraint: string): FloorRefusal => ({
  _tag: "InvalidParameterException",
  message: `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`
})

/** The plain-TypeScript registry. */
export class StartImageScanFloor {
  readonly registryId: string
  readonly scanType: "BASIC" | "ENHANCED" = "BASIC"
  private readonly seed: string
  private readonly limit: number
  private readonly quotaWindow: number
  private readonly imageWindow: number
  private readonly durationMin: number
  private readonly durationSpan: number
  private readonly repositories = new Map<string, FloorRepository>()
  private readonly quota: RingQuota

  constructor(options: FloorOptions = {}) {
    this.registryId = options.registryId ?? "123456789012"
    this.seed = options.seed ?? "0"
    this.limit = options.accountQuotaLimit ?? 100_000
    this.quotaWindow = options.accountQuotaWindowMillis ?? 24 * HOUR
    this.imageWindow = options.perImageWindowMillis ?? 24 * HOUR
    this.durationMin = options.scanDurationMinMillis ?? 5_000
    this.durationSpan = (options.scanDurationMaxMillis ?? 15_000) - this.durationMin
    this.quota = new RingQuota(Math.min(this.limit, 1 << 16))
  }

  createRepository(name: string): void {
    if (!this.repositories.has(name)) this.repositories.set(name, { name, images: new Map(), tags: new Map() })
  }

  /** Adds an image (setup, not timed). */
  putImage(
    repositoryName: string,
    image: {
      readonly digest: string
      readonly tag?: string | undefined
      readonly mediaType: string
      readonly artifactMediaType: string | undefined
      readonly layerCount: number
    }
  ): void {
    const repository = this.repositories.get(repositoryName)!
    if (!repository.images.has(image.digest)) {
      repository.images.set(image.digest, {
        digest: image.digest,
        mediaType: image.mediaType,
        artifactMediaType: image.artifactMediaType,
        scannable: image.layerCount > 0,
        archived: false,
        lastStartedAt: Number.NEGATIVE_INFINITY,
        lastScan: undefined
      })
    }
    if (image.tag !== undefined) repository.tags.set(image.tag, image.digest)
  }

  /** The 32-bit FNV-1a hash of seed, NUL and digest, without building the concatenation. */
  private durationHash(digest: string): number {
    let h = 0x811c9dc5
    const seed = this.seed
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193)
    h = Math.imul(h, 0x01000193)
    for (let i = 0; i < digest.length; i++) h = Math.imul(h ^ digest.charCodeAt(i), 0x01000193)
    return h >>> 0
  }

  /** StartImageScan at `now`. */
  startImageScan(request: FloorRequest, now: number): FloorResponse | FloorRefusal {
    // validation
    if (typeof request !== "object" || request === null) return invalid("request", "must be an object")
    const { imageId, registryId, repositoryName } = request
    if (registryId !== undefined && (typeof registryId !== "string" || !REGISTRY_ID.test(registryId))) {
      return invalid("registryId", "must satisfy regular expression [0-9]{12}")
    }
    if (typeof repositoryName !== "string") return invalid("repositoryName", "must not be null")
    if (repositoryName.length < 2) return invalid("repositoryName", "must have length greater than or equal to 2")
    if (repositoryName.length > 256) return invalid("repositoryName", "must have length less than or equal to 256")
    if (!REPOSITORY_NAME.test(repositoryName)) {
      return invalid("repositoryName", `must satisfy regular expression '${REPOSITORY_NAME_TEXT}'`)
    }
    if (typeof imageId !== "object" || imageId === null) return invalid("imageId", "must not be null")
    const { imageDigest, imageTag } = imageId
    if (imageDigest !== undefined && (typeof imageDigest !== "string" || !IMAGE_DIGEST.test(imageDigest))) {
      return invalid("imageId.imageDigest", "image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'")
    }
    if (imageTag !== undefined) {
      if (typeof imageTag !== "string") return invalid("imageId.imageTag", "must be a string")
      if (imageTag.length < 1) return invalid("imageId.imageTag", "must have length greater than or equal to 1")
      if (imageTag.length > 300) return invalid("imageId.imageTag", "must have length less than or equal to 300")
    }
    if (imageDigest === undefined && imageTag === undefined) {
      return invalid("imageId", "both tag and digest cannot be null")
    }
    // repository
    const registry = registryId ?? this.registryId
    if (registry !== this.registryId) {
      return {
        _tag: "AccessDeniedException",
        message: `not authorized to perform: ecr:StartImageScan on resource ${registry}/${repositoryName}`
      }
    }
    const repository = this.repositories.get(repositoryName)
    if (repository === undefined) {
      return {
        _tag: "RepositoryNotFoundException",
        message: `The repository with name '${repositoryName}' does not exist in the registry with id '${registry}'`
      }
    }
    // image: by tag (checked against the digest when both are given), else by digest
    let image: FloorImage | undefined
    if (imageTag !== undefined) {
      const digest = repository.tags.get(imageTag)
      image = digest === undefined ? undefined : repository.images.get(digest)
      if (image !== undefined && imageDigest !== undefined && image.digest !== imageDigest) image = undefined
    } else {
      image = repository.images.get(imageDigest!)
    }
    if (image === undefined) {
      return {
        _tag: "ImageNotFoundException",
        message: `The image with imageId {imageDigest:'${imageDigest ?? "null"}', imageTag:'${
          imageTag ?? "null"
        }'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registry}'`
      }
    }
    // image state
    if (image.archived) {
      return { _tag: "ImageArchivedException", message: "The specified image is archived and cannot be scanned." }
    }
    if (INDEX_MEDIA_TYPES.has(image.mediaType)) {
      return {
        _tag: "UnsupportedImageTypeException",
        message: `An artifact with media type '${image.mediaType}' cannot be scanned.`
      }
    }
    if (image.artifactMediaType !== undefined && !CONFIG_MEDIA_TYPES.has(image.artifactMediaType)) {
      return {
        _tag: "UnsupportedImageTypeException",
        message: `An artifact with media type '${image.artifactMediaType}' cannot be scanned.`
      }
    }
    // scan type
    if (this.scanType === "ENHANCED") {
      return { _tag: "ValidationException", message: "Manual scans are not supported on ENHANCED registries." }
    }
    // per-image window
    const freeAt = image.lastStartedAt + this.imageWindow
    if (now < freeAt) {
      return { _tag: "LimitExceededException", message: PER_IMAGE_MESSAGE, limit: "PER_IMAGE", nextEligibleAt: freeAt }
    }
    // account quota
    const quota = this.quota
    quota.prune(now, this.quotaWindow)
    if (quota.size >= this.limit) {
      return {
        _tag: "LimitExceededException",
        message: `The basic scan quota of ${this.limit} scans per ${this.quotaWindow / HOUR} hours ` +
          `for the registry with id '${registry}' has been exceeded. Wait and try again.`,
        limit: "ACCOUNT_QUOTA",
        nextEligibleAt: quota.oldest() + this.quotaWindow
      }
    }
    // accepted: record the scan and answer
    quota.record(now)
    const span = this.durationSpan
    const duration = span <= 0 ? this.durationMin : this.durationMin + (this.durationHash(image.digest) % (span + 1))
    image.lastStartedAt = now
    image.lastScan = { startedAt: now, completesAt: now + duration, outcome: image.scannable ? "COMPLETE" : "FAILED" }
    return {
      registryId: registry,
      repositoryName,
      imageId: imageTag === undefined ? { imageDigest: image.digest } : { imageDigest: image.digest, imageTag },
      imageScanStatus: { status: "IN_PROGRESS" }
    }
  }
}
