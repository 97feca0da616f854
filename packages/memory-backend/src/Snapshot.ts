/**
 * A JSON-ready picture of a registry's whole state: what the emulator exports, what durable storage
 * writes, and what `restore` reads back. Derived facts (sizes, media types of configs, references) are
 * not stored: they are read again from the manifest, which is stored byte for byte.
 *
 * @since 0.1.0
 */
import {
  FaultPlan,
  Identifiers,
  Manifest,
  ScanLifecycle,
  ScanModel,
  ScanningConfiguration,
  ScanQuota
} from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { ImageState, RegistryState, RepositoryState } from "./RegistryState.js"

const Millis = Schema.Number

/** One image, as a snapshot holds it. */
export const ImageSnapshot = Schema.Struct({
  digest: Identifiers.ImageDigest,
  manifest: Schema.String,
  mediaType: Schema.String,
  pushedAt: Millis,
  tags: Schema.Array(Identifiers.ImageTag),
  storage: ScanLifecycle.StorageState,
  lastArchivedAt: Schema.optional(Millis),
  lastActivatedAt: Schema.optional(Millis),
  lastStarted: Schema.optional(ScanLifecycle.ScanRecord),
  basicScan: Schema.optional(ScanLifecycle.ScanRecord),
  enhancedScan: Schema.optional(ScanLifecycle.ScanRecord)
})
/** @since 0.1.0 */
export type ImageSnapshot = typeof ImageSnapshot.Type

/** One repository with its images, as a snapshot holds it. */
export const RepositorySnapshot = Schema.Struct({
  name: Identifiers.RepositoryName,
  createdAt: Millis,
  imageTagMutability: Schema.Literal("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"),
  imageTagMutabilityExclusionFilters: Schema.Array(
    Schema.Struct({ filterType: Schema.Literal("WILDCARD"), filter: Schema.String })
  ),
  encryptionConfiguration: Schema.Struct({
    encryptionType: Schema.Literal("AES256", "KMS", "KMS_DSSE"),
    kmsKey: Schema.optional(Schema.String)
  }),
  tags: Schema.Array(Schema.Struct({ Key: Schema.String, Value: Schema.String })),
  scanOnPush: Schema.Boolean,
  repositoryPolicy: Schema.optional(Schema.String),
  lifecyclePolicy: Schema.optional(Schema.Struct({ text: Schema.String, lastEvaluatedAt: Schema.optional(Millis) })),
  images: Schema.Array(ImageSnapshot)
})
/** @since 0.1.0 */
export type RepositorySnapshot = typeof RepositorySnapshot.Type

/** The snapshot schema. */
export const RegistrySnapshot = Schema.Struct({
  version: Schema.Literal(1),
  registryId: Schema.String,
  region: Schema.String,
  /** The registry's latest instant, if it has seen one. */
  now: Schema.optional(Millis),
  scanning: Schema.Struct({
    scanType: ScanningConfiguration.ScanType,
    rules: Schema.Array(ScanningConfiguration.RegistryScanningRule)
  }),
  /** Start times of the scans the account quota still counts, oldest first. */
  quota: Schema.Array(Millis),
  repositories: Schema.Array(RepositorySnapshot),
  overrides: Schema.Array(Schema.Struct({
    key: Schema.String,
    outcome: Schema.optional(ScanLifecycle.ScanOutcome),
    findings: Schema.optional(Schema.Array(ScanModel.ImageScanFinding))
  })),
  faults: Schema.Array(FaultPlan.FaultPlan),
  registryPolicy: Schema.optional(Schema.String)
})
/** @since 0.1.0 */
export type RegistrySnapshot = typeof RegistrySnapshot.Type

const optional = <K extends string, A>(key: K, value: A | undefined): { [P in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: A }

/** A copy of one image (durable storage writes the images a request changed). */
export const imageSnapshot = (image: ImageState): typeof ImageSnapshot.Type => ({
  digest: image.digest,
  manifest: image.manifest,
  mediaType: image.mediaType,
  pushedAt: image.pushedAt,
  tags: [...image.tags],
  storage: image.storage,
  ...optional("lastArchivedAt", image.lastArchivedAt),
  ...optional("lastActivatedAt", image.lastActivatedAt),
  ...optional("lastStarted", image.lastStarted),
  ...optional("basicScan", image.basicScan),
  ...optional("enhancedScan", image.enhancedScan)
})

/** A copy of one repository, with the images given (default: all of them). */
export const repositorySnapshot = (
  repository: RepositoryState,
  images: ReadonlyArray<typeof ImageSnapshot.Type> = Array.from(repository.images.values(), imageSnapshot)
): typeof RepositorySnapshot.Type => ({
  name: repository.name,
  createdAt: repository.createdAt,
  imageTagMutability: repository.imageTagMutability,
  imageTagMutabilityExclusionFilters: repository.imageTagMutabilityExclusionFilters,
  encryptionConfiguration: repository.encryptionConfiguration,
  tags: repository.tags,
  scanOnPush: repository.scanOnPush,
  ...optional("repositoryPolicy", repository.repositoryPolicy),
  ...optional(
    "lifecyclePolicy",
    repository.lifecyclePolicy === undefined ? undefined : {
      text: repository.lifecyclePolicy.text,
      ...optional("lastEvaluatedAt", repository.lifecyclePolicy.lastEvaluatedAt)
    }
  ),
  images
})

/** A copy of the state. */
export const fromState = (state: RegistryState, registryId: string, region: string): RegistrySnapshot => ({
  version: 1,
  registryId,
  region,
  ...optional("now", Number.isFinite(state.lastNow) ? state.lastNow : undefined),
  scanning: { scanType: state.scanning.scanType, rules: state.scanning.rules },
  quota: ScanQuota.toArray(state.quota),
  repositories: Array.from(state.repositories.values(), (repository) => repositorySnapshot(repository)),
  overrides: Array.from(state.overrides, ([key, o]) => ({
    key,
    ...optional("outcome", o.outcome),
    ...optional("findings", o.findings)
  })),
  faults: state.faults.map((f) => ({ ...f })),
  ...optional("registryPolicy", state.registryPolicy)
})

/** Why a snapshot cannot be restored. */
export type RestoreProblem = string

/** Rebuilds a state from a snapshot, reading every manifest again. */
export const toState = (snapshot: RegistrySnapshot): Either.Either<RegistryState, RestoreProblem> => {
  const repositories = new Map<string, RepositoryState>()
  for (const repo of snapshot.repositories) {
    const images = new Map<string, ImageState>()
    const tagIndex = new Map<string, Identifiers.ImageDigest>()
    for (const image of repo.images) {
      const info = Manifest.parse(image.manifest, image.mediaType)
      if (Either.isLeft(info)) {
        return Either.left(`image ${image.digest} of ${repo.name}: ${info.left.message}`)
      }
      images.set(image.digest, {
        digest: image.digest,
        manifest: image.manifest,
        mediaType: info.right.mediaType,
        artifactMediaType: info.right.artifactMediaType,
        sizeInBytes: info.right.sizeInBytes,
        scannable: info.right.layerCount > 0,
        subjectDigest: info.right.subjectDigest as Identifiers.ImageDigest | undefined,
        references: info.right.references,
        pushedAt: image.pushedAt,
        tags: [...image.tags],
        storage: image.storage,
        lastArchivedAt: image.lastArchivedAt,
        lastActivatedAt: image.lastActivatedAt,
        lastStarted: image.lastStarted,
        basicScan: image.basicScan,
        enhancedScan: image.enhancedScan
      })
      for (const tag of image.tags) tagIndex.set(tag, image.digest)
    }
    // An index is as large as its largest image, as PutImage computed it; its manifest alone says 0.
    // Images come before the indexes that reference them (PutImage requires it), so one pass suffices.
    for (const image of images.values()) {
      if (image.references.length === 0) continue
      const sizes = image.references.map((digest) => images.get(digest)?.sizeInBytes ?? 0)
      images.set(image.digest, { ...image, sizeInBytes: Math.max(0, ...sizes) })
    }
    repositories.set(repo.name, {
      name: repo.name,
      createdAt: repo.createdAt,
      imageTagMutability: repo.imageTagMutability,
      imageTagMutabilityExclusionFilters: repo.imageTagMutabilityExclusionFilters,
      encryptionConfiguration: repo.encryptionConfiguration,
      tags: repo.tags,
      scanOnPush: repo.scanOnPush,
      repositoryPolicy: repo.repositoryPolicy,
      lifecyclePolicy: repo.lifecyclePolicy,
      images,
      tagIndex
    })
  }
  return Either.right({
    repositories,
    scanning: { scanType: snapshot.scanning.scanType, rules: snapshot.scanning.rules },
    quota: ScanQuota.fromArray(snapshot.quota),
    lastNow: snapshot.now ?? Number.NEGATIVE_INFINITY,
    overrides: new Map(snapshot.overrides.map((o) => [o.key, {
      ...optional("outcome", o.outcome),
      ...optional("findings", o.findings)
    }])),
    faults: snapshot.faults.map((f) => ({ ...f })),
    registryPolicy: snapshot.registryPolicy
  })
}
