/**
 * BatchGetImage and BatchDeleteImage with a malformed digest in `imageIds`: the model puts no pattern on
 * `ImageIdentifier.imageDigest`, and the service answers such an entry as a per-image failure
 * `InvalidImageDigest`, processing the others, rather than refusing the request.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { ACCOUNT, createRepository, inRegistry, MediaType, ociImage, push } from "./fixtures.js"

const REASON = "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
const invalidDigest = (imageId: { readonly imageDigest: string; readonly imageTag?: string }) => ({
  imageId,
  failureCode: "InvalidImageDigest",
  failureReason: REASON
})

describe("a malformed digest in a batch", () => {
  it.effect("BatchGetImage answers it as a failure and the other entries as usual", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      const answer = yield* ImageRegistry.batchGetImage({
        repositoryName: "app",
        imageIds: [{ imageDigest: "sha256:zz" }, { imageTag: "v1" }, { imageDigest: "", imageTag: "v1" }]
      })
      expect(answer).toStrictEqual({
        images: [{
          registryId: ACCOUNT,
          repositoryName: "app",
          imageId: { imageDigest: digest, imageTag: "v1" },
          imageManifest: ociImage(1),
          imageManifestMediaType: MediaType.ociManifest
        }],
        failures: [invalidDigest({ imageDigest: "sha256:zz" }), invalidDigest({ imageDigest: "", imageTag: "v1" })]
      })
    }))

  it.effect("BatchDeleteImage deletes the other entries and answers the malformed one as a failure", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const one = yield* push("app", ociImage(1), "v1")
      const two = yield* push("app", ociImage(2), "v2")
      const answer = yield* ImageRegistry.batchDeleteImage({
        repositoryName: "app",
        imageIds: [{ imageDigest: "bad" }, { imageDigest: two }]
      })
      expect(answer).toStrictEqual({
        imageIds: [{ imageDigest: two, imageTag: "v2" }],
        failures: [invalidDigest({ imageDigest: "bad" })]
      })
      expect((yield* ImageRegistry.listImages({ repositoryName: "app" })).imageIds).toStrictEqual([
        { imageDigest: one, imageTag: "v1" }
      ])
    }))
})
