/**
 * The change feed's values: what one step of the in-memory registry changed, as plain typed data. Every
 * operation and every driver action reports its changes here, in the order it made them, so that a
 * subscriber (the durable layer's journal, the scan events, a dashboard) can follow the registry without
 * reading its live state: a subscriber that applies every batch in order to `Snapshot.empty` ... keeps an
 * exact copy (see `ChangeProjection`).
 *
 * Values are in the snapshot's form (`Snapshot.ImageSnapshot`, ...), immutable, and never shared with the
 * registry's mutable state. They are only built while someone subscribes: a registry with no subscriber
 * pays nothing for the feed.
 *
 * @since 0.1.0
 */
import type { ScanLifecycle } from "@ecr-scan/core"
import type * as Utils from "effect/Utils"
import type { FaultPlan, ImageOverride, ScanningState } from "./RegistryState.js"
import type { ImageSnapshot, RegistrySnapshot, RepositorySnapshot } from "./Snapshot.js"

/** Where an image lives. */
export interface ImageAt {
  readonly repositoryName: string
  readonly imageDigest: string
}

/** A repository's settings, as a snapshot holds them, without its images. */
export type RepositorySettings = Omit<RepositorySnapshot, "images">

/** One change. */
export type Change =
  /** A repository was created. */
  | { readonly _tag: "RepositoryCreated"; readonly repository: RepositorySettings }
  /** A repository was deleted, with its images and the overrides scoped to it. */
  | { readonly _tag: "RepositoryDeleted"; readonly repositoryName: string }
  /**
   * A repository's settings changed (its tags, tag mutability, repository policy or lifecycle policy): the
   * settings as they now are.
   */
  | { readonly _tag: "RepositoryUpdated"; readonly repository: RepositorySettings }
  /** The registry policy was set (`policy`) or deleted (undefined). */
  | { readonly _tag: "RegistryPolicySet"; readonly policy: string | undefined }
  /** A repository's scan-on-push flag was set. */
  | { readonly _tag: "RepositoryReconfigured"; readonly repositoryName: string; readonly scanOnPush: boolean }
  /** A new image was pushed (its tags as the push set them; a tag it took left the image that held it). */
  | { readonly _tag: "ImagePut"; readonly repositoryName: string; readonly image: ImageSnapshot }
  /** A tag now names this image; it left whichever other image of the repository held it. */
  | ImageAt & { readonly _tag: "ImageTagged"; readonly imageTag: string }
  /** A tag was removed from an image that keeps others. */
  | ImageAt & { readonly _tag: "ImageUntagged"; readonly imageTag: string }
  /** An image was deleted, with its tags and scans (`imageTags`: the tags it lost with it, when known). */
  | ImageAt & { readonly _tag: "ImageDeleted"; readonly imageTags?: ReadonlyArray<string> | undefined }
  /** An image was archived. */
  | ImageAt & { readonly _tag: "ImageArchived"; readonly storage: ScanLifecycle.StorageState; readonly at: number }
  /**
   * An archived image is being restored (`UpdateImageStorageClass`, whose restore takes time and clears its
   * scan results) or was restored at once by a push of the same manifest (which keeps them).
   */
  | ImageAt & {
    readonly _tag: "ImageRestored"
    readonly storage: ScanLifecycle.StorageState
    readonly lastActivatedAt: number
    readonly scanResultsCleared: boolean
  }
  /**
   * A scan of an image started (manual, on push, enhanced, or a `LIMIT_EXCEEDED` record of a push the quota
   * refused). `holdsSlot`: it is also the image's last started basic scan, which holds the once-per-24-hours slot.
   */
  | ImageAt & {
    readonly _tag: "ScanStarted"
    readonly record: ScanLifecycle.ScanRecord
    readonly holdsSlot: boolean
  }
  /** A refused request that the house rules still charge took the image's slot (no scan record). */
  | ImageAt & { readonly _tag: "ScanSlotTaken"; readonly record: ScanLifecycle.ScanRecord }
  /** An accepted scan counted against the account quota, at this instant. */
  | { readonly _tag: "QuotaAppended"; readonly at: number }
  /** The registry's scanning configuration was replaced. */
  | { readonly _tag: "RegistryScanningConfigured"; readonly scanning: ScanningState }
  /** A test fixed how an image's scans end or what they find (`key`: see `RegistryState.overrideKey`). */
  | { readonly _tag: "OverrideSet"; readonly key: string; readonly override: ImageOverride }
  /** Every override was forgotten. */
  | { readonly _tag: "OverridesCleared" }
  /** The planned faults are now these (one was planned, fired, or all were cancelled). */
  | { readonly _tag: "FaultsChanged"; readonly faults: ReadonlyArray<FaultPlan> }
  /** The generator of probabilistic faults moved on (a draw was made). */
  | { readonly _tag: "FaultRandomAdvanced"; readonly state: Utils.PCGRandomState }
  /** The whole state was replaced (a reset, or a restored snapshot); `random` is the fault generator's state. */
  | { readonly _tag: "RegistryReplaced"; readonly snapshot: RegistrySnapshot; readonly random: Utils.PCGRandomState }

/** What one step changed, in order, and when. */
export interface ChangeBatch {
  /** The operation (`PutImage`, ...) or driver action (`driver.reset`, ...) that made the changes. */
  readonly cause: string
  /** The registry's instant of the step. */
  readonly now: number
  /** The step's number: how many steps and driver actions the registry had run, this one included. */
  readonly step: number
  readonly changes: ReadonlyArray<Change>
}

/**
 * A synchronous subscriber: called once per step that changed something, in order, before the step's caller
 * gets its answer. It must not call the registry; what it does must be quick (copy, queue, schedule).
 */
export type Listener = (batch: ChangeBatch) => void
