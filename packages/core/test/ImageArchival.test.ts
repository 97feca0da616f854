import { ImageArchival, ScanLifecycle, ScanRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"

const MINUTE = 60_000
const NOW = Date.UTC(2026, 2, 1, 12)
const RULES = { restoreDurationMillis: 20 * MINUTE }

const ACTIVE: ScanLifecycle.StorageState = ScanLifecycle.active
const ARCHIVED: ScanLifecycle.StorageState = { _tag: "Archived", archivedAt: NOW - 60 * MINUTE }
const ACTIVATING: ScanLifecycle.StorageState = {
  _tag: "Activating",
  archivedAt: NOW - 60 * MINUTE,
  requestedAt: NOW - 5 * MINUTE,
  activeAt: NOW + 15 * MINUTE
}
const RESTORED: ScanLifecycle.StorageState = { ...ACTIVATING, activeAt: NOW - MINUTE }

const single = (storage: ScanLifecycle.StorageState): ImageArchival.ArchivalFacts => ({ storage, references: [] })
const index = (storage: ScanLifecycle.StorageState): ImageArchival.ArchivalFacts => ({
  storage,
  references: [`sha256:${"a".repeat(64)}`]
})

const NOT_SUPPORTED = {
  _tag: "ImageStorageClassUpdateNotSupportedException",
  message: "The requested image storage class update is not supported."
}
const failureOf = (result: Either.Either<unknown, { _tag: string; message: string }>) =>
  Either.isLeft(result) ? { _tag: result.left._tag, message: result.left.message } : undefined

/** The image fields an archival writes, as the memory backend holds them. */
interface Written {
  storage: ScanLifecycle.StorageState
  readonly references: ReadonlyArray<string>
  lastArchivedAt: number | undefined
  lastActivatedAt: number | undefined
  basicScan: ScanLifecycle.ScanRecord | undefined
  enhancedScan: ScanLifecycle.ScanRecord | undefined
}

const SCAN: ScanLifecycle.ScanRecord = {
  kind: "BASIC",
  trigger: "PUSH",
  startedAt: NOW - 100 * MINUTE,
  completesAt: NOW - 99 * MINUTE,
  outcome: "COMPLETE"
}

/** What the memory backend does with a transition. */
const apply = (transition: ImageArchival.Transition, image: Written) => {
  image.storage = transition.storage
  if (transition._tag === "Archive") image.lastArchivedAt = transition.lastArchivedAt
  else image.lastActivatedAt = transition.lastActivatedAt
  if (transition.clearsScanResults) {
    image.basicScan = undefined
    image.enhancedScan = undefined
  }
}

/** The memory backend's `updateImageStorageClass` before the rule moved to the core, kept as the oracle. */
const original = (image: Written, target: "ARCHIVE" | "STANDARD", now: number, restoreDurationMillis: number) => {
  const status = ScanLifecycle.imageStatusAt(image.storage, now)
  if (target === "ARCHIVE") {
    if (status !== "ACTIVE" || image.references.length > 0) return "refused"
    image.storage = { _tag: "Archived", archivedAt: now }
    image.lastArchivedAt = now
  } else {
    if (status !== "ARCHIVED") return "refused"
    const archivedAt = image.storage._tag === "Active" ? now : image.storage.archivedAt
    image.storage = { _tag: "Activating", archivedAt, requestedAt: now, activeAt: now + restoreDurationMillis }
    image.lastActivatedAt = now + restoreDurationMillis
    image.basicScan = undefined
    image.enhancedScan = undefined
  }
  return "done"
}

const storage: fc.Arbitrary<ScanLifecycle.StorageState> = fc.oneof(
  fc.constant(ScanLifecycle.active),
  fc.nat({ max: 1000 }).map((archivedAt) => ({ _tag: "Archived" as const, archivedAt })),
  fc.tuple(fc.nat({ max: 1000 }), fc.nat({ max: 1000 }), fc.nat({ max: 1000 })).map((
    [archivedAt, wait, restore]
  ) => ({
    _tag: "Activating" as const,
    archivedAt,
    requestedAt: archivedAt + wait,
    activeAt: archivedAt + wait + restore
  }))
)
const facts = fc.record({ storage, references: fc.constantFrom([], ["sha256:x"], ["sha256:x", "sha256:y"]) })
const target = fc.constantFrom("ARCHIVE" as const, "STANDARD" as const)
const now = fc.integer({ min: 0, max: 3000 })
const restoreDuration = fc.integer({ min: 0, max: 1000 })

describe("ImageArchival", () => {
  describe("updateStorageClass", () => {
    it("archives an ACTIVE single image now, keeping its scan results", () => {
      expect(ImageArchival.updateStorageClass(single(ACTIVE), "ARCHIVE", NOW, RULES)).toEqual(Either.right({
        _tag: "Archive",
        storage: { _tag: "Archived", archivedAt: NOW },
        lastArchivedAt: NOW,
        clearsScanResults: false
      }))
    })

    it("archives an image whose restore has finished", () => {
      expect(Either.isRight(ImageArchival.updateStorageClass(single(RESTORED), "ARCHIVE", NOW, RULES))).toBe(true)
    })

    it("refuses to archive an index", () => {
      expect(failureOf(ImageArchival.updateStorageClass(index(ACTIVE), "ARCHIVE", NOW, RULES))).toEqual(NOT_SUPPORTED)
    })

    it("refuses to archive an image that is ARCHIVED or ACTIVATING", () => {
      for (const state of [ARCHIVED, ACTIVATING]) {
        expect(failureOf(ImageArchival.updateStorageClass(single(state), "ARCHIVE", NOW, RULES))).toEqual(NOT_SUPPORTED)
      }
    })

    it("restores an ARCHIVED image over the restore duration, and drops its scan results", () => {
      expect(ImageArchival.updateStorageClass(single(ARCHIVED), "STANDARD", NOW, RULES)).toEqual(Either.right({
        _tag: "Restore",
        storage: { _tag: "Activating", archivedAt: NOW - 60 * MINUTE, requestedAt: NOW, activeAt: NOW + 20 * MINUTE },
        lastActivatedAt: NOW + 20 * MINUTE,
        clearsScanResults: true
      }))
    })

    it("restores an archived index too", () => {
      expect(Either.isRight(ImageArchival.updateStorageClass(index(ARCHIVED), "STANDARD", NOW, RULES))).toBe(true)
    })

    it("refuses to restore an image that is ACTIVE or already ACTIVATING", () => {
      for (const state of [ACTIVE, ACTIVATING, RESTORED]) {
        expect(failureOf(ImageArchival.updateStorageClass(single(state), "STANDARD", NOW, RULES))).toEqual(
          NOT_SUPPORTED
        )
      }
    })

    it("uses the restore duration of the house rules", () => {
      const result = ImageArchival.updateStorageClass(single(ARCHIVED), "STANDARD", NOW, ScanRules.defaults)
      expect(result).toEqual(Either.right(expect.objectContaining({
        _tag: "Restore",
        lastActivatedAt: NOW + ScanRules.defaults.restoreDurationMillis
      })))
    })

    it.prop("archiving is refused unless the image is ACTIVE and unreferenced", [facts, now, restoreDuration], (
      [image, at, restoreDurationMillis]
    ) => {
      const result = ImageArchival.updateStorageClass(image, "ARCHIVE", at, { restoreDurationMillis })
      const allowed = ScanLifecycle.imageStatusAt(image.storage, at) === "ACTIVE" && image.references.length === 0
      expect(Either.isRight(result)).toBe(allowed)
      if (Either.isRight(result)) expect(ScanLifecycle.imageStatusAt(result.right.storage, at)).toBe("ARCHIVED")
    })

    it.prop("a restore always clears the scan results, and the image is ACTIVE exactly when lastActivatedAt says", [
      facts,
      now,
      restoreDuration
    ], ([image, at, restoreDurationMillis]) => {
      const result = ImageArchival.updateStorageClass(image, "STANDARD", at, { restoreDurationMillis })
      expect(Either.isRight(result)).toBe(ScanLifecycle.imageStatusAt(image.storage, at) === "ARCHIVED")
      if (Either.isLeft(result) || result.right._tag === "Archive") return
      const { lastActivatedAt, storage: next } = result.right
      expect(result.right.clearsScanResults).toBe(true)
      expect(ScanLifecycle.imageStatusAt(next, lastActivatedAt)).toBe("ACTIVE")
      if (restoreDurationMillis > 0) expect(ScanLifecycle.imageStatusAt(next, lastActivatedAt - 1)).toBe("ACTIVATING")
    })

    it.prop("applied as the backend applies it, writes exactly what the memory backend wrote", [
      facts,
      target,
      now,
      restoreDuration
    ], ([image, storageClass, at, restoreDurationMillis]) => {
      const written = (): Written => ({
        storage: image.storage,
        references: image.references,
        lastArchivedAt: 1,
        lastActivatedAt: 2,
        basicScan: SCAN,
        enhancedScan: SCAN
      })
      const expected = written()
      const outcome = original(expected, storageClass, at, restoreDurationMillis)
      const actual = written()
      const result = ImageArchival.updateStorageClass(image, storageClass, at, { restoreDurationMillis })
      expect(Either.isLeft(result)).toBe(outcome === "refused")
      if (Either.isLeft(result)) expect(failureOf(result)).toEqual(NOT_SUPPORTED)
      else apply(result.right, actual)
      expect(actual).toEqual(expected)
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected))
    }, { fastCheck: { numRuns: 2000 } })
  })

  describe("onPush", () => {
    it("pushing an archived image again makes it ACTIVE at once and keeps its scan results", () => {
      expect(ImageArchival.onPush(ARCHIVED, NOW)).toEqual({
        _tag: "RestoreOnPush",
        storage: ScanLifecycle.active,
        lastActivatedAt: NOW,
        clearsScanResults: false
      })
    })

    it("pushing an image still being restored makes it ACTIVE at once", () => {
      expect(ImageArchival.onPush(ACTIVATING, NOW)?.storage).toEqual(ScanLifecycle.active)
    })

    it("pushing an ACTIVE image again changes nothing", () => {
      expect(ImageArchival.onPush(ACTIVE, NOW)).toBeUndefined()
      expect(ImageArchival.onPush(RESTORED, NOW)).toBeUndefined()
    })

    it.prop(
      "restores on push exactly the images that are not ACTIVE at that instant",
      [storage, now],
      ([state, at]) => {
        const transition = ImageArchival.onPush(state, at)
        expect(transition !== undefined).toBe(ScanLifecycle.isArchivedAt(state, at))
        if (transition !== undefined) expect(ScanLifecycle.imageStatusAt(transition.storage, at)).toBe("ACTIVE")
      }
    )
  })
})
