/**
 * Fixtures of the memory backend's behaviour tests: manifests of every kind a registry meets (OCI and
 * Docker images with layers, an image without layers that no scanner can read, an OCI index, a Docker
 * manifest list, a Helm chart), their digests computed here independently of the backend, and the
 * setup steps most tests share. Everything goes through the ports. The manifests are built by the core's
 * `ManifestBuilder`, with every media type given from the table below.
 */
import { ImageRegistry, ImageScanner, ManifestBuilder } from "@ecr-scan/core"
import { type Journal, MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type { YieldWrap } from "effect/Utils"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

// ---------------------------------------------------------------------------------------------------------------
// Time

/** One hour, in milliseconds. */
export const HOUR = 3_600_000
/** One day, in milliseconds. */
export const DAY = 24 * HOUR
/** The instant most tests start at. */
export const T0 = Date.parse("2026-03-01T09:00:00.000Z")

/** Sets the test clock to `T0 + offset` (milliseconds). */
export const at = (offset: number) => TestClock.setTime(T0 + offset)

// ---------------------------------------------------------------------------------------------------------------
// Manifests

/** The account id of a registry built with the default options. */
export const ACCOUNT = "123456789012"

/** The ARN of repository `name` (in the default registry unless told otherwise). */
export const repositoryArn = (name: string, region = "us-east-1", account = ACCOUNT) =>
  `arn:aws:ecr:${region}:${account}:repository/${name}`

/** Media types, written out here rather than read from the code under test. */
export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  helmConfig: "application/vnd.cncf.helm.config.v1+json",
  helmChart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
} as const

/** `sha256:` and the lowercase hex SHA-256 of the exact UTF-8 bytes of `text`. */
export const digestOf = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`

const blob = (kind: string, n: number) => digestOf(`${kind}/${n}`)

/** A single-platform OCI image `n` with a config and two layers. */
export const ociImage = (n: number) =>
  ManifestBuilder.image({
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: blob("config", n), size: 1469 },
    layers: [
      { mediaType: MediaType.ociLayer, digest: blob("layer-a", n), size: 3_370_706 },
      { mediaType: MediaType.ociLayer, digest: blob("layer-b", n), size: 2_048 }
    ]
  })

/** A single-platform Docker schema 2 image `n` with a config and one layer. */
export const dockerImage = (n: number) =>
  ManifestBuilder.image({
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: blob("docker-config", n), size: 7023 },
    layers: [{ mediaType: MediaType.dockerLayer, digest: blob("docker-layer", n), size: 32_654 }]
  })

/** An OCI image `n` with a config and no layers: there is no OS for the scanner to read. */
export const noLayersImage = (n: number) =>
  ManifestBuilder.image({
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: blob("scratch-config", n), size: 233 },
    layers: []
  })

/** A Helm chart pushed as an OCI artifact: an image manifest whose config is not an image config. */
export const helmChart = (n: number) =>
  ManifestBuilder.image({
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.helmConfig, digest: blob("helm-config", n), size: 117 },
    layers: [{ mediaType: MediaType.helmChart, digest: blob("helm-chart", n), size: 3_961 }]
  })

const platforms = [{ architecture: "amd64", os: "linux" }, { architecture: "arm64", os: "linux" }]

const indexOf = (mediaType: string, entryMediaType: string, manifests: ReadonlyArray<string>) =>
  ManifestBuilder.index({
    mediaType,
    manifests: manifests.map((digest, i) => ({
      mediaType: entryMediaType,
      digest,
      size: 1000 + i,
      platform: platforms[i % platforms.length]
    }))
  })

/** An OCI image index over `manifests` (digests of OCI images already in the repository). */
export const ociIndex = (manifests: ReadonlyArray<string>) =>
  indexOf(MediaType.ociIndex, MediaType.ociManifest, manifests)

/** A Docker manifest list over `manifests` (digests of Docker images already in the repository). */
export const dockerManifestList = (manifests: ReadonlyArray<string>) =>
  indexOf(MediaType.dockerManifestList, MediaType.dockerManifest, manifests)

// ---------------------------------------------------------------------------------------------------------------
// Layers and setup

/** A fresh in-memory registry. */
export const registry = (options: MemoryRegistry.MemoryRegistryOptions = {}) => MemoryRegistry.layer(options)

/** A test's body (an `Effect.gen` body) run in a fresh in-memory registry with the default options. */
export const inRegistry = <Eff extends YieldWrap<Effect.Effect<any, any, any>>, A>(
  body: () => Generator<Eff, A, never>
) => Effect.gen(body).pipe(Effect.provide(registry()))

/** Creates a repository, optionally scanning on push. */
export const createRepository = (repositoryName: string, options: { readonly scanOnPush?: boolean } = {}) =>
  ImageRegistry.createRepository({
    repositoryName,
    ...(options.scanOnPush === undefined ? {} : { imageScanningConfiguration: { scanOnPush: options.scanOnPush } })
  })

/** Pushes a manifest (optionally tagged) and answers the digest the registry gave it. */
export const push = (repositoryName: string, imageManifest: string, imageTag?: string) =>
  ImageRegistry.putImage({ repositoryName, imageManifest, ...(imageTag === undefined ? {} : { imageTag }) }).pipe(
    Effect.map((response) => response.image!.imageId!.imageDigest!)
  )

/** Starts a scan of the image named by `imageId`. */
export const scan = (repositoryName: string, imageId: { readonly imageDigest?: string; readonly imageTag?: string }) =>
  ImageScanner.startImageScan({ repositoryName, imageId })

/** At `T0`: repository `app`, image `ociImage(1)` pushed as `v1`, and a scan of it started. */
export const appScannedAtT0 = Effect.gen(function*() {
  yield* at(0)
  yield* createRepository("app")
  yield* push("app", ociImage(1), "v1")
  yield* scan("app", { imageTag: "v1" })
})

/** Describes the findings of the image named by `imageId`. */
export const findings = (
  repositoryName: string,
  imageId: { readonly imageDigest?: string; readonly imageTag?: string },
  page: { readonly maxResults?: number; readonly nextToken?: string } = {}
) => ImageScanner.describeImageScanFindings({ repositoryName, imageId, ...page })

/** The scan status of an image, as `DescribeImageScanFindings` reports it. */
export const statusOf = (
  repositoryName: string,
  imageId: { readonly imageDigest?: string; readonly imageTag?: string }
) => Effect.map(findings(repositoryName, imageId), (response) => response.imageScanStatus)

// ---------------------------------------------------------------------------------------------------------------
// Errors

/**
 * An error as plain data: `_tag`, `message` and every other field it carries (no stack), so that a test
 * can assert the whole error with `toStrictEqual` and an unexpected extra field fails it.
 */
export const plain = (error: unknown): Record<string, unknown> => {
  const e = error as Record<string, unknown>
  const out: Record<string, unknown> = { _tag: e._tag, message: e.message }
  for (const key of Object.getOwnPropertyNames(e)) {
    if (key !== "stack" && key !== "cause" && e[key] !== undefined) out[key] = e[key]
  }
  return out
}

/** Runs `effect`, which must fail, and answers its error as plain data. */
export const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.map(Effect.flip(effect), plain)

/** AWS's `InvalidParameterException` for `member` failing `constraint`. */
export const invalidParameter = (member: string, constraint: string) => ({
  _tag: "InvalidParameterException",
  message: `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`
})

/** The per-image `LimitExceededException`, next eligible at `nextEligibleAt` (epoch milliseconds). */
export const perImageLimit = (nextEligibleAt: number) => ({
  _tag: "LimitExceededException",
  message: "The scan quota per image has been exceeded. Wait and try again.",
  limit: "PER_IMAGE",
  nextEligibleAt: new Date(nextEligibleAt)
})

/** The account-quota `LimitExceededException` of a registry allowing `limit` scans per 24 hours. */
export const accountQuotaLimit = (limit: number, nextEligibleAt: number) => ({
  _tag: "LimitExceededException",
  message: `The basic scan quota of ${limit} scans per 24 hours for the registry with id '${ACCOUNT}' ` +
    "has been exceeded. Wait and try again.",
  limit: "ACCOUNT_QUOTA",
  nextEligibleAt: new Date(nextEligibleAt)
})

/** AWS's `RepositoryNotFoundException` for repository `name` of the default registry. */
export const repositoryNotFound = (name: string) => ({
  _tag: "RepositoryNotFoundException",
  message: `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'`
})

/** AWS's `ImageNotFoundException` for the image id `imageId` in `repositoryName`, a missing member spelled null. */
export const imageNotFound = (
  repositoryName: string,
  imageId: { readonly imageDigest?: string; readonly imageTag?: string }
) => ({
  _tag: "ImageNotFoundException",
  message: `The image with imageId {imageDigest:'${imageId.imageDigest ?? "null"}', imageTag:'${
    imageId.imageTag ?? "null"
  }'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`
})

/** AWS's `UnsupportedImageTypeException` for an artifact of `mediaType`. */
export const unsupportedType = (mediaType: string) => ({
  _tag: "UnsupportedImageTypeException",
  message:
    `An artifact with media type '${mediaType}' cannot be scanned. For more information, see the Amazon ECR documentation.`
})

/** AWS's description of a scan of an image whose OS the scanner cannot read. */
export const UNSUPPORTED_IMAGE_ERROR =
  "UnsupportedImageError: The operating system and/or package manager are not supported."

/**
 * A reply naming an image and its scan status, and nothing else: StartImageScan's, or DescribeImageScanFindings'
 * while there are no findings to show.
 */
export const statusReply = (
  repositoryName: string,
  imageId: { readonly imageDigest?: string; readonly imageTag?: string },
  imageScanStatus: { readonly status: string; readonly description?: string }
) => ({ registryId: ACCOUNT, repositoryName, imageId, imageScanStatus })

/** What `DescribeImageScanFindings` answers for an image whose last scan ended FAILED (its OS unreadable). */
export const failedScan = (
  repositoryName: string,
  imageId: { readonly imageDigest?: string; readonly imageTag?: string }
) => statusReply(repositoryName, imageId, { status: "FAILED", description: UNSUPPORTED_IMAGE_ERROR })

// ---------------------------------------------------------------------------------------------------------------
// State

/**
 * The whole observable state: the driver's snapshot and the quota usage. The registry records the
 * latest instant a call has seen (its time never runs backwards), so a read-only call first lets it see
 * the present: two observations at one instant then differ only if something changed the state.
 */
export const observe = Effect.gen(function*() {
  const driver = yield* MemoryRegistryDriver
  yield* ImageRegistry.getRegistryScanningConfiguration({})
  // Read the quota first: reading it drops scans that have left the window, which the snapshot shows.
  const quota = yield* driver.quotaUsage
  const snapshot = yield* driver.snapshot
  return { quota, snapshot }
})

/** How many scans the account quota's window holds now. */
export const quotaUsed = Effect.flatMap(MemoryRegistryDriver, (driver) => driver.quotaUsage).pipe(
  Effect.map((usage) => usage.used)
)

/**
 * Runs `effect`, which must fail, and proves it changed nothing: the snapshot and the quota usage are
 * equal before and after. Answers the error as plain data.
 */
export const refusedWithoutChange = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const before = yield* observe
    const error = yield* failure(effect)
    const after = yield* observe
    expect(after).toStrictEqual(before)
    return error
  })

// ---------------------------------------------------------------------------------------------------------------
// Files

/** Runs `f` in a fresh temporary directory named from `prefix`, and removes the directory afterwards. */
export const withDirectory = async (prefix: string, f: (dir: string) => Promise<void>) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), prefix))
  try {
    await f(dir)
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A repository as the journal records it: created at `T0` with the default settings, without images. */
export const journalRepository = (name: string): Journal.RepositoryValue => ({
  name: name as Journal.RepositoryValue["name"],
  createdAt: T0,
  imageTagMutability: "MUTABLE",
  imageTagMutabilityExclusionFilters: [],
  encryptionConfiguration: { encryptionType: "AES256" },
  tags: [],
  scanOnPush: false,
  images: []
})
