/**
 * Archival (UpdateImageStorageClass): an archived image cannot be scanned (ImageArchivedException), its
 * findings report IMAGE_ARCHIVED, and a restore takes it through ACTIVATING back to ACTIVE after the
 * restore duration, without the scan results from before the archive.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  HOUR,
  imageNotFound,
  inRegistry,
  ociImage,
  ociIndex,
  push,
  refusedWithoutChange,
  registry,
  scan,
  statusOf,
  statusReply,
  T0
} from "./fixtures.js"

const MINUTE = 60_000
const RESTORE = 20 * MINUTE

const IMAGE_ARCHIVED = {
  _tag: "ImageArchivedException",
  message: "The specified image is archived and cannot be scanned."
}

const NOT_SUPPORTED = {
  _tag: "ImageStorageClassUpdateNotSupportedException",
  message: "The requested image storage class update is not supported."
}

const storageClass = (
  imageId: { readonly imageDigest?: string; readonly imageTag?: string },
  targetStorageClass: "ARCHIVE" | "STANDARD"
) => ImageRegistry.updateImageStorageClass({ repositoryName: "app", imageId, targetStorageClass })

const imageStatus = (imageDigest: string) =>
  Effect.map(
    ImageRegistry.describeImages({ repositoryName: "app", imageIds: [{ imageDigest }] }),
    (response) => response.imageDetails?.[0]?.imageStatus
  )

describe("archival", () => {
  it.effect("archiving answers ARCHIVED at once, echoing the imageId as it was sent", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      expect(yield* storageClass({ imageTag: "v1" }, "ARCHIVE")).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName: "app",
        imageId: { imageDigest: digest, imageTag: "v1" },
        imageStatus: "ARCHIVED"
      })
    }))

  it.effect("an archived image cannot be scanned: ImageArchivedException, and the refusal uses no slot or quota", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* storageClass({ imageDigest: digest }, "ARCHIVE")
      expect(yield* refusedWithoutChange(scan("app", { imageDigest: digest }))).toStrictEqual(IMAGE_ARCHIVED)
    }))

  it.effect("DescribeImageScanFindings reports IMAGE_ARCHIVED for an archived image, scanned before or not", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const scanned = yield* push("app", ociImage(1))
      const never = yield* push("app", ociImage(2))
      yield* scan("app", { imageDigest: scanned })
      yield* at(HOUR)
      yield* storageClass({ imageDigest: scanned }, "ARCHIVE")
      yield* storageClass({ imageDigest: never }, "ARCHIVE")
      const archived = {
        status: "IMAGE_ARCHIVED",
        description: "The image is archived and cannot be scanned. Restore it to scan it again."
      }
      expect(yield* findings("app", { imageDigest: scanned })).toStrictEqual(
        statusReply("app", { imageDigest: scanned }, archived)
      )
      expect(yield* statusOf("app", { imageDigest: never })).toStrictEqual(archived)
    }))

  it.effect("a restore is ACTIVATING for the restore duration, still unscannable, then ACTIVE and scannable", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* storageClass({ imageDigest: digest }, "ARCHIVE")
      yield* at(DAY)
      expect((yield* storageClass({ imageDigest: digest }, "STANDARD")).imageStatus).toBe("ACTIVATING")
      yield* at(DAY + RESTORE - 1)
      expect(yield* imageStatus(digest)).toBe("ACTIVATING")
      expect(yield* failure(scan("app", { imageDigest: digest }))).toStrictEqual(IMAGE_ARCHIVED)
      yield* at(DAY + RESTORE)
      expect(yield* imageStatus(digest)).toBe("ACTIVE")
      expect((yield* scan("app", { imageDigest: digest })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }))

  it.effect("DescribeImages lists active images by default, and archived or activating ones by filter", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const active = yield* push("app", ociImage(1))
      const archived = yield* push("app", ociImage(2))
      const activating = yield* push("app", ociImage(3))
      yield* storageClass({ imageDigest: archived }, "ARCHIVE")
      yield* storageClass({ imageDigest: activating }, "ARCHIVE")
      yield* at(HOUR)
      yield* storageClass({ imageDigest: activating }, "STANDARD")
      const listed = (imageStatus?: "ACTIVE" | "ARCHIVED" | "ACTIVATING" | "ANY") =>
        Effect.map(
          ImageRegistry.describeImages({
            repositoryName: "app",
            ...(imageStatus === undefined ? {} : { filter: { imageStatus } })
          }),
          (response) => response.imageDetails?.map((d) => [d.imageDigest, d.imageStatus])
        )
      expect(yield* listed()).toStrictEqual([[active, "ACTIVE"]])
      expect(yield* listed("ARCHIVED")).toStrictEqual([[archived, "ARCHIVED"]])
      expect(yield* listed("ACTIVATING")).toStrictEqual([[activating, "ACTIVATING"]])
      expect(yield* listed("ANY")).toStrictEqual([
        [active, "ACTIVE"],
        [archived, "ARCHIVED"],
        [activating, "ACTIVATING"]
      ])
      const detail = yield* ImageRegistry.describeImages({
        repositoryName: "app",
        imageIds: [{ imageDigest: activating }]
      })
      expect(detail.imageDetails?.[0]?.lastArchivedAt).toStrictEqual(new Date(T0))
      expect(detail.imageDetails?.[0]?.lastActivatedAt).toStrictEqual(new Date(T0 + HOUR + RESTORE))
    }))

  it.effect("after a restore, the scan results from before the archive are not available", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* scan("app", { imageDigest: digest })
      yield* at(HOUR)
      expect((yield* statusOf("app", { imageDigest: digest }))?.status).toBe("COMPLETE")
      yield* storageClass({ imageDigest: digest }, "ARCHIVE")
      yield* storageClass({ imageDigest: digest }, "STANDARD")
      yield* at(HOUR + RESTORE)
      expect((yield* failure(findings("app", { imageDigest: digest })))._tag).toBe("ScanNotFoundException")
    }))

  it.effect("pushing an archived image again restores it at once", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      yield* storageClass({ imageDigest: digest }, "ARCHIVE")
      expect(yield* push("app", ociImage(1), "v1")).toBe(digest)
      expect(yield* imageStatus(digest)).toBe("ACTIVE")
      expect((yield* scan("app", { imageTag: "v1" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
    }))

  it.effect("the restore duration is a house rule", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1))
      yield* storageClass({ imageDigest: digest }, "ARCHIVE")
      yield* storageClass({ imageDigest: digest }, "STANDARD")
      yield* at(2 * HOUR - 1)
      expect(yield* imageStatus(digest)).toBe("ACTIVATING")
      yield* at(2 * HOUR)
      expect(yield* imageStatus(digest)).toBe("ACTIVE")
    }).pipe(Effect.provide(registry({ rules: { restoreDuration: "2 hours" } }))))

  describe("refuses a storage class change that cannot apply", () => {
    it.effect("restoring an image that is not archived", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        expect(yield* refusedWithoutChange(storageClass({ imageDigest: digest }, "STANDARD"))).toStrictEqual(
          NOT_SUPPORTED
        )
      }))

    it.effect("archiving an image that is archived or being restored", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* storageClass({ imageDigest: digest }, "ARCHIVE")
        expect(yield* refusedWithoutChange(storageClass({ imageDigest: digest }, "ARCHIVE"))).toStrictEqual(
          NOT_SUPPORTED
        )
        yield* storageClass({ imageDigest: digest }, "STANDARD")
        expect(yield* refusedWithoutChange(storageClass({ imageDigest: digest }, "ARCHIVE"))).toStrictEqual(
          NOT_SUPPORTED
        )
      }))

    it.effect("archiving an image index", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const child = yield* push("app", ociImage(1))
        const index = yield* push("app", ociIndex([child]))
        expect(yield* refusedWithoutChange(storageClass({ imageDigest: index }, "ARCHIVE"))).toStrictEqual(
          NOT_SUPPORTED
        )
      }))

    it.effect("an image that does not exist, with ImageNotFoundException", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1))
        expect(yield* refusedWithoutChange(storageClass({ imageTag: "nope" }, "ARCHIVE"))).toStrictEqual(
          imageNotFound("app", { imageTag: "nope" })
        )
      }))
  })
})
