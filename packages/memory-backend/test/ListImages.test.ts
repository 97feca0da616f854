/**
 * ListImages on the memory backend: one identifier per tag of a tagged image and the digest alone for an
 * untagged one, the `tagStatus` and `imageStatus` filters, paging by `maxResults` (default 100) with an
 * opaque `nextToken` bound to the repository and the filter, and the service model's validation.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  createRepository,
  failure,
  inRegistry,
  invalidParameter,
  ociImage,
  push,
  refusedWithoutChange,
  repositoryNotFound
} from "./fixtures.js"

const list = (request: Omit<Parameters<typeof ImageRegistry.listImages>[0], "repositoryName"> = {}) =>
  ImageRegistry.listImages({ repositoryName: "app", ...request })

/** Three images: `a` tagged v1 and latest, `b` untagged, `c` tagged v2. */
const threeImages = Effect.gen(function*() {
  yield* createRepository("app")
  const a = yield* push("app", ociImage(1), "v1")
  yield* ImageRegistry.putImage({ repositoryName: "app", imageManifest: ociImage(1), imageTag: "latest" })
  const b = yield* push("app", ociImage(2))
  const c = yield* push("app", ociImage(3), "v2")
  return { a, b, c }
})

describe("ListImages", () => {
  it.effect("an empty repository lists no image ids", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      expect(yield* list()).toStrictEqual({ imageIds: [] })
    }))

  it.effect("a tagged image gives one id per tag; an untagged one gives its digest alone", () =>
    inRegistry(function*() {
      const { a, b, c } = yield* threeImages
      expect(yield* list()).toStrictEqual({
        imageIds: [
          { imageDigest: a, imageTag: "v1" },
          { imageDigest: a, imageTag: "latest" },
          { imageDigest: b },
          { imageDigest: c, imageTag: "v2" }
        ]
      })
    }))

  it.effect("filter.tagStatus TAGGED, UNTAGGED and ANY", () =>
    inRegistry(function*() {
      const { a, b, c } = yield* threeImages
      expect((yield* list({ filter: { tagStatus: "TAGGED" } })).imageIds).toStrictEqual([
        { imageDigest: a, imageTag: "v1" },
        { imageDigest: a, imageTag: "latest" },
        { imageDigest: c, imageTag: "v2" }
      ])
      expect((yield* list({ filter: { tagStatus: "UNTAGGED" } })).imageIds).toStrictEqual([{ imageDigest: b }])
      expect((yield* list({ filter: { tagStatus: "ANY" } })).imageIds).toHaveLength(4)
    }))

  it.effect("an archived image is listed only when filter.imageStatus asks for it", () =>
    inRegistry(function*() {
      const { b } = yield* threeImages
      yield* ImageRegistry.updateImageStorageClass({
        repositoryName: "app",
        imageId: { imageDigest: b },
        targetStorageClass: "ARCHIVE"
      })
      expect((yield* list()).imageIds).toHaveLength(3)
      expect((yield* list({ filter: { imageStatus: "ARCHIVED" } })).imageIds).toStrictEqual([{ imageDigest: b }])
      expect((yield* list({ filter: { imageStatus: "ANY" } })).imageIds).toHaveLength(4)
    }))

  it.effect("maxResults pages the ids; nextToken continues where the last page stopped", () =>
    inRegistry(function*() {
      const { a, b, c } = yield* threeImages
      const first = yield* list({ maxResults: 3 })
      expect(first.imageIds).toStrictEqual([
        { imageDigest: a, imageTag: "v1" },
        { imageDigest: a, imageTag: "latest" },
        { imageDigest: b }
      ])
      expect(first.nextToken).toBeTypeOf("string")
      const second = yield* list({ maxResults: 3, nextToken: first.nextToken! })
      expect(second).toStrictEqual({ imageIds: [{ imageDigest: c, imageTag: "v2" }] })
    }))

  it.effect("without maxResults a page holds 100 ids", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      for (let n = 0; n < 101; n++) yield* push("app", ociImage(n), `t${n}`)
      const first = yield* list()
      expect(first.imageIds).toHaveLength(100)
      const second = yield* list({ nextToken: first.nextToken! })
      expect(second.imageIds).toStrictEqual([{ imageDigest: expect.any(String), imageTag: "t100" }])
      expect(second.nextToken).toBeUndefined()
    }))

  it.effect("a token is refused by a listing with another filter or of another repository", () =>
    inRegistry(function*() {
      yield* threeImages
      yield* createRepository("other")
      const { nextToken } = yield* list({ maxResults: 1 })
      const refused = invalidParameter("nextToken", "must be a token returned by a previous call")
      expect(yield* refusedWithoutChange(list({ nextToken: nextToken!, filter: { tagStatus: "TAGGED" } })))
        .toStrictEqual(refused)
      expect(yield* failure(ImageRegistry.listImages({ repositoryName: "other", nextToken: nextToken! })))
        .toStrictEqual(refused)
      expect(yield* failure(list({ nextToken: "not a token" }))).toStrictEqual(refused)
    }))

  it.effect("a repository that does not exist is RepositoryNotFoundException in AWS's words", () =>
    inRegistry(function*() {
      expect(yield* refusedWithoutChange(ImageRegistry.listImages({ repositoryName: "missing" })))
        .toStrictEqual(repositoryNotFound("missing"))
    }))

  it.effect("the service model's constraints, with AWS's texts, state untouched", () =>
    inRegistry(function*() {
      yield* threeImages
      expect(yield* refusedWithoutChange(list({ maxResults: 0 })))
        .toStrictEqual(invalidParameter("maxResults", "must have value greater than or equal to 1"))
      expect(yield* refusedWithoutChange(list({ maxResults: 1001 })))
        .toStrictEqual(invalidParameter("maxResults", "must have value less than or equal to 1000"))
      expect(yield* refusedWithoutChange(list({ filter: { tagStatus: "SOME" as never } }))).toMatchObject({
        _tag: "InvalidParameterException"
      })
      expect(yield* refusedWithoutChange(ImageRegistry.listImages({ repositoryName: "A" })))
        .toMatchObject({ _tag: "InvalidParameterException" })
    }))
})
