/**
 * Archive and restore: the storage transitions of `UpdateImageStorageClass`, and the restore a push of an
 * archived image makes. Only an `ACTIVE` image that no index references can be archived; only an
 * `ARCHIVED` one can be restored, which takes `restoreDurationMillis` (the image is `ACTIVATING`
 * meanwhile) and loses its scan results: scan results from before the archive are not available after a
 * restore. Pushing an archived (or still activating) image again restores it at once and keeps them.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Errors from "./Errors.js"
import type { TargetStorageClass } from "./ImageModel.js"
import { active, imageStatusAt, isArchivedAt, type StorageState } from "./ScanLifecycle.js"
import type { ScanRules } from "./ScanRules.js"

/** What the transitions need to know about an image. */
export interface ArchivalFacts {
  readonly storage: StorageState
  /** The digests the image references: an index cannot be archived. */
  readonly references: ReadonlyArray<string>
}

/** Archived now: store `storage` and `lastArchivedAt`; the scan results stay. */
export interface Archive {
  readonly _tag: "Archive"
  readonly storage: StorageState
  readonly lastArchivedAt: number
  readonly clearsScanResults: false
}

/** Restore requested: store `storage` and `lastActivatedAt` (when it will be active), and drop both scan results. */
export interface Restore {
  readonly _tag: "Restore"
  readonly storage: StorageState
  readonly lastActivatedAt: number
  readonly clearsScanResults: true
}

/** Pushed again while archived: active at once; store `storage` and `lastActivatedAt`, keep the scan results. */
export interface RestoreOnPush {
  readonly _tag: "RestoreOnPush"
  readonly storage: StorageState
  readonly lastActivatedAt: number
  readonly clearsScanResults: false
}

/** A storage transition for the backend to apply to the image. */
export type Transition = Archive | Restore | RestoreOnPush

/**
 * Decides `UpdateImageStorageClass` for an image already found, at `now`: the transition, or
 * `ImageStorageClassUpdateNotSupportedException` (archiving an image that is not `ACTIVE` or that is an index,
 * restoring one that is not `ARCHIVED`).
 */
export const updateStorageClass = (
  image: ArchivalFacts,
  targetStorageClass: TargetStorageClass,
  now: number,
  rules: Pick<ScanRules, "restoreDurationMillis">
): Either.Either<Archive | Restore, Errors.ImageStorageClassUpdateNotSupportedException> => {
  const status = imageStatusAt(image.storage, now)
  if (targetStorageClass === "ARCHIVE") {
    if (status !== "ACTIVE" || image.references.length > 0) {
      return Either.left(Errors.imageStorageClassUpdateNotSupported())
    }
    return Either.right({
      _tag: "Archive",
      storage: { _tag: "Archived", archivedAt: now },
      lastArchivedAt: now,
      clearsScanResults: false
    })
  }
  if (status !== "ARCHIVED") return Either.left(Errors.imageStorageClassUpdateNotSupported())
  const archivedAt = image.storage._tag === "Active" ? now : image.storage.archivedAt
  const activeAt = now + rules.restoreDurationMillis
  return Either.right({
    _tag: "Restore",
    storage: { _tag: "Activating", archivedAt, requestedAt: now, activeAt },
    lastActivatedAt: activeAt,
    clearsScanResults: true
  })
}

/**
 * What pushing an image that already exists does to its storage at `now`: restores it at once if it is archived
 * (or still activating), else `undefined`. Such a push is not refused as `ImageAlreadyExistsException`.
 */
export const onPush = (storage: StorageState, now: number): RestoreOnPush | undefined =>
  isArchivedAt(storage, now)
    ? { _tag: "RestoreOnPush", storage: active, lastActivatedAt: now, clearsScanResults: false }
    : undefined
