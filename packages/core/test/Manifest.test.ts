import { ImageModel, Manifest } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"

const { MediaTypes } = ImageModel
const digest = (c: string) => `sha256:${c.repeat(64)}`

const imageManifest = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: digest("a"), size: 10 },
    layers: [
      { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digest("b"), size: 100 },
      { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digest("c"), size: 1000 }
    ],
    ...fields
  })

const index = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [
      { mediaType: MediaTypes.ociManifest, digest: digest("d"), size: 500, platform: { os: "linux" } },
      { mediaType: MediaTypes.ociManifest, digest: digest("e"), size: 700, platform: { os: "linux" } }
    ],
    ...fields
  })

const error = (result: Either.Either<unknown, { readonly _tag: string; readonly message: string }>) =>
  Either.match(result, { onLeft: (e) => ({ _tag: e._tag, message: e.message }), onRight: () => undefined })

describe("Manifest.parse", () => {
  it("invalid JSON is rejected with AWS's message", () => {
    expect(error(Manifest.parse("{not json", undefined))).toEqual({
      _tag: "InvalidParameterException",
      message: "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
    })
  })

  it("JSON that is not an object is rejected", () => {
    for (const text of ["[]", "null", "42", "\"manifest\""]) {
      expect(error(Manifest.parse(text, undefined))?.message).toBe(
        "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'must be a JSON object'"
      )
    }
  })

  it("takes the media type from the manifest when the request gives none", () => {
    expect(Either.getOrThrow(Manifest.parse(imageManifest(), undefined)).mediaType).toBe(MediaTypes.ociManifest)
  })

  it("takes the media type from the request when the manifest has none", () => {
    const manifest = imageManifest({ mediaType: undefined })
    expect(Either.getOrThrow(Manifest.parse(manifest, MediaTypes.dockerManifestV2)).mediaType).toBe(
      MediaTypes.dockerManifestV2
    )
  })

  it("accepts a request media type that agrees with the manifest", () => {
    expect(Either.isRight(Manifest.parse(imageManifest(), MediaTypes.ociManifest))).toBe(true)
  })

  it("rejects a request media type that disagrees with the manifest's", () => {
    expect(error(Manifest.parse(imageManifest(), MediaTypes.dockerManifestV2))).toEqual({
      _tag: "InvalidParameterException",
      message: "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: " +
        "'must match the manifest's mediaType 'application/vnd.oci.image.manifest.v1+json''"
    })
  })

  it("rejects a schema 2 manifest without a media type anywhere in AWS's words: 'Invalid JSON syntax'", () => {
    expect(error(Manifest.parse(imageManifest({ mediaType: undefined }), undefined))?.message).toBe(
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
    )
  })

  it("rejects a media type ECR does not accept for manifests", () => {
    expect(error(Manifest.parse(imageManifest({ mediaType: "text/plain" }), undefined))?.message).toContain(
      "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'must be one of ["
    )
  })

  it("reads a schema 1 manifest as Docker v1, counting its fsLayers", () => {
    const v1 = JSON.stringify({
      schemaVersion: 1,
      name: "app",
      tag: "v1",
      fsLayers: [{ blobSum: digest("a") }, { blobSum: digest("b") }, { blobSum: digest("c") }]
    })
    expect(Either.getOrThrow(Manifest.parse(v1, undefined))).toMatchObject({
      mediaType: MediaTypes.dockerManifestV1,
      layerCount: 3,
      isIndex: false,
      references: []
    })
  })

  it("reads an image's size as config plus layers, and its artifact media type from the config", () => {
    expect(Either.getOrThrow(Manifest.parse(imageManifest(), undefined))).toEqual({
      mediaType: MediaTypes.ociManifest,
      artifactMediaType: MediaTypes.ociConfig,
      sizeInBytes: 1110,
      layerCount: 2,
      references: [],
      subjectDigest: undefined,
      isIndex: false
    })
  })

  it("ignores sizes that are not non-negative numbers", () => {
    const manifest = imageManifest({
      config: { mediaType: MediaTypes.ociConfig, size: "10" },
      layers: [{ size: -5 }, { size: 7 }, "junk"]
    })
    expect(Either.getOrThrow(Manifest.parse(manifest, undefined))).toMatchObject({ sizeInBytes: 7, layerCount: 3 })
  })

  it("reads the subject of a referrer", () => {
    expect(
      Either.getOrThrow(Manifest.parse(imageManifest({ subject: { digest: digest("f") } }), undefined)).subjectDigest
    )
      .toBe(digest("f"))
  })

  it("reads the references of an OCI index and gives it no size of its own", () => {
    expect(Either.getOrThrow(Manifest.parse(index(), undefined))).toEqual({
      mediaType: MediaTypes.ociIndex,
      artifactMediaType: undefined,
      sizeInBytes: 0,
      layerCount: 0,
      references: [digest("d"), digest("e")],
      subjectDigest: undefined,
      isIndex: true
    })
  })

  it("reads a Docker manifest list as an index", () => {
    const list = index({ mediaType: MediaTypes.dockerManifestList })
    expect(Either.getOrThrow(Manifest.parse(list, undefined))).toMatchObject({
      isIndex: true,
      references: [digest("d"), digest("e")]
    })
  })

  it("rejects an index with a manifest that has no digest", () => {
    const broken = index({ manifests: [{ digest: digest("d") }, { mediaType: MediaTypes.ociManifest }] })
    expect(error(Manifest.parse(broken, undefined))?.message).toBe(
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'every manifest of an index must have a digest'"
    )
  })
})
