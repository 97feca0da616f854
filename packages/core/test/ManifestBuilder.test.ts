import { ImageModel, Manifest, ManifestBuilder } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"

const { MediaTypes } = ImageModel
const digest = (c: string) => `sha256:${c.repeat(64)}`

describe("ManifestBuilder", () => {
  it("writes an OCI image manifest as compact JSON, members in the OCI spec's order", () => {
    expect(ManifestBuilder.image({
      config: { digest: digest("a"), size: 10 },
      layers: [{ digest: digest("b"), size: 100 }]
    })).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
        `"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${digest("a")}","size":10},` +
        `"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"${digest("b")}","size":100}]}`
    )
  })

  it("gives a Docker schema 2 manifest Docker's config and layer media types by default", () => {
    const manifest = JSON.parse(ManifestBuilder.image({
      mediaType: MediaTypes.dockerManifestV2,
      config: { digest: digest("a"), size: 10 },
      layers: [{ digest: digest("b"), size: 100 }]
    }))
    expect(manifest.config.mediaType).toBe(MediaTypes.dockerConfig)
    expect(manifest.layers[0].mediaType).toBe(ManifestBuilder.BlobMediaTypes.dockerLayer)
  })

  it("leaves out the manifest's media type when asked to, as a schema 2 manifest may", () => {
    const text = ManifestBuilder.image({
      mediaType: null,
      config: { mediaType: MediaTypes.dockerConfig, digest: digest("a"), size: 10 },
      layers: []
    })
    expect(text).toBe(
      `{"schemaVersion":2,"config":{"mediaType":"${MediaTypes.dockerConfig}","digest":"${digest("a")}","size":10},` +
        `"layers":[]}`
    )
    expect(Either.getOrThrow(Manifest.parse(text, MediaTypes.dockerManifestV2)).mediaType).toBe(
      MediaTypes.dockerManifestV2
    )
  })

  it("writes an artifact with its artifactType, config media type and subject, which the parser reads back", () => {
    const text = ManifestBuilder.image({
      artifactType: "application/spdx+json",
      config: ManifestBuilder.EMPTY_CONFIG,
      layers: [{ mediaType: "application/spdx+json", digest: digest("c"), size: 7 }],
      subject: { digest: digest("d"), size: 500 }
    })
    expect(Object.keys(JSON.parse(text))).toEqual(
      ["schemaVersion", "mediaType", "artifactType", "config", "layers", "subject"]
    )
    const info = Either.getOrThrow(Manifest.parse(text, undefined))
    expect(info.artifactMediaType).toBe(ManifestBuilder.BlobMediaTypes.ociEmpty)
    expect(info.subjectDigest).toBe(digest("d"))
    expect(info.sizeInBytes).toBe(9)
  })

  it("writes an index over digests, with platforms where given", () => {
    expect(ManifestBuilder.index({
      manifests: [
        { digest: digest("a"), size: 500, platform: { architecture: "amd64", os: "linux" } },
        { digest: digest("b"), size: 600 }
      ]
    })).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` +
        `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${digest("a")}","size":500,` +
        `"platform":{"architecture":"amd64","os":"linux"}},` +
        `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${digest("b")}","size":600}]}`
    )
  })

  it("gives a Docker manifest list Docker schema 2 entries by default, which the parser reads as references", () => {
    const text = ManifestBuilder.index({
      mediaType: MediaTypes.dockerManifestList,
      manifests: [{ digest: digest("a"), size: 500 }]
    })
    expect(JSON.parse(text).manifests[0].mediaType).toBe(MediaTypes.dockerManifestV2)
    expect(Either.getOrThrow(Manifest.parse(text, undefined)).references).toEqual([digest("a")])
  })
})
