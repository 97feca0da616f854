/**
 * The state of one in-memory registry. It lives behind a single `Ref` and is only ever changed inside
 * that Ref's `modify`, which runs synchronously: a transition is atomic under any number of concurrent
 * fibers, and a refused request returns before anything is written, so it leaves the state as it was.
 *
 * The maps are mutable on purpose. A registry of a million images updated through persistent maps
 * costs microseconds per call in path copying; the house benchmark (bench/memory) holds the backend to
 * a fraction of a plain-TypeScript implementation. Snapshots copy.
 *
 * @since 0.1.0
 */
import type {
  FaultPlan as CoreFaultPlan,
  Identifiers,
  RepositoryModel,
  ScanLifecycle,
  ScanModel,
  ScanningConfiguration,
  StartImageScanRule
} from "@ecr-scan/core"
import { ScanQuota } from "@ecr-scan/core"

/** One image. */
export interface ImageState extends StartImageScanRule.ImageFacts {
  readonly digest: Identifiers.ImageDigest
  readonly manifest: string
  readonly mediaType: string
  readonly artifactMediaType: string | undefined
  readonly sizeInBytes: number
  /** Whether the scanner can read the image's OS (it cannot read an image without layers). */
  readonly scannable: boolean
  readonly subjectDigest: Identifiers.ImageDigest | undefined
  /** Digests an index references (none for a single image). */
  readonly references: ReadonlyArray<string>
  pushedAt: number
  /** Tags in the order they were added. */
  tags: Array<Identifiers.ImageTag>
  storage: ScanLifecycle.StorageState
  lastArchivedAt: number | undefined
  lastActivatedAt: number | undefined
  /** The last basic scan that started: it holds the per-image slot. */
  lastStarted: ScanLifecycle.ScanRecord | undefined
  /** The latest scan record per scan type; switching the registry's scan type shows the other one. */
  basicScan: ScanLifecycle.ScanRecord | undefined
  enhancedScan: ScanLifecycle.ScanRecord | undefined
}

/** One repository. */
export interface RepositoryState {
  readonly name: Identifiers.RepositoryName
  readonly createdAt: number
  imageTagMutability: RepositoryModel.ImageTagMutability
  imageTagMutabilityExclusionFilters: ReadonlyArray<
    { readonly filterType: "WILDCARD"; readonly filter: string }
  >
  readonly encryptionConfiguration: RepositoryModel.EncryptionConfiguration
  tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>
  scanOnPush: boolean
  /** The repository policy document, as given (`SetRepositoryPolicy`). */
  repositoryPolicy: string | undefined
  /** The lifecycle policy, as given, and when it was last evaluated (`PutLifecyclePolicy`). */
  lifecyclePolicy: LifecyclePolicyState | undefined
  readonly images: Map<string, ImageState>
  readonly tagIndex: Map<string, Identifiers.ImageDigest>
}

/** A repository's lifecycle policy. */
export interface LifecyclePolicyState {
  readonly text: string
  /** When the registry last applied it (epoch milliseconds), if it has. */
  readonly lastEvaluatedAt?: number | undefined
}

/** What a test fixed for an image: how its next scans end, and which findings they report. */
export interface ImageOverride {
  readonly outcome?: ScanLifecycle.ScanOutcome
  readonly findings?: ReadonlyArray<ScanModel.ImageScanFinding>
}

/** A planned fault, as the core shapes it; `remaining` counts down in place as calls fail. */
export interface FaultPlan extends Omit<CoreFaultPlan.FaultPlan, "remaining"> {
  remaining: number
}

/** The registry's scanning configuration, every member present. */
export interface ScanningState {
  readonly scanType: ScanningConfiguration.ScanType
  readonly rules: ReadonlyArray<ScanningConfiguration.RegistryScanningRule>
}

/** The whole registry. */
export interface RegistryState {
  readonly repositories: Map<string, RepositoryState>
  scanning: ScanningState
  quota: ScanQuota.ScanQuota
  /** The latest instant the registry has seen: time never runs backwards for it. */
  lastNow: number
  readonly overrides: Map<string, ImageOverride>
  faults: Array<FaultPlan>
  /** The registry policy document, as given (`PutRegistryPolicy`). */
  registryPolicy: string | undefined
}

/** An empty registry. */
export const empty = (): RegistryState => ({
  repositories: new Map(),
  scanning: { scanType: "BASIC", rules: [] },
  quota: ScanQuota.empty,
  lastNow: Number.NEGATIVE_INFINITY,
  overrides: new Map(),
  faults: [],
  registryPolicy: undefined
})

/** The key of an override: by digest, optionally restricted to one repository. */
export const overrideKey = (digest: string, repositoryName?: string) =>
  repositoryName === undefined ? digest : `${repositoryName}@${digest}`
