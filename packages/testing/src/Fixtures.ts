/**
 * Fixtures for tests of scanning pipelines: image manifests and indexes built with the core's
 * `ManifestBuilder`, the digest ECR gives a manifest, and findings to fix on an image. The same seed always
 * gives the same bytes, hence the same digest, so a test can name an image before it pushes it. Digests are
 * computed with `node:crypto`: this module is for tests that run on Node.
 *
 * @since 0.1.0
 */
import { ImageModel, ManifestBuilder, type ScanModel } from "@ecr-scan/core"
import { createHash } from "node:crypto"

/**
 * `sha256:` and the lowercase hex SHA-256 of the exact UTF-8 bytes of `text`: the digest ECR gives a manifest
 * pushed as `text`, computed here rather than read from a registry.
 */
export const digestOf = (text: string): string => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`

/**
 * What an image manifest is written as: an OCI image manifest (the default) or a Docker schema 2 manifest.
 */
export type Format = "oci" | "docker"

/**
 * Options of `image`.
 */
export interface ImageOptions {
  /**
   * How many layers (default 1). With none there is no operating system for a scanner to read: a basic scan
   * of the image is accepted and ends `FAILED` (`UnsupportedImageError`).
   */
  readonly layers?: number
  /** Default `"oci"`. */
  readonly format?: Format
}

/**
 * A single-platform image manifest with a config and `layers` layers, distinct per `seed`: the blobs'
 * digests are those of the strings `config-<seed>` and `layer-<seed>-<i>`.
 *
 * @example
 * ```ts
 * import { ImageRegistry } from "@ecr-scan/core"
 * import { Fixtures } from "@ecr-scan/testing"
 * import { Effect } from "effect"
 *
 * const manifest = Fixtures.image(1)
 * const pushed = ImageRegistry.putImage({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" }).pipe(
 *   Effect.map((response) => response.image?.imageId?.imageDigest === Fixtures.digestOf(manifest)) // true
 * )
 * ```
 */
export const image = (seed: string | number, options: ImageOptions = {}): string =>
  ManifestBuilder.image({
    ...(options.format === "docker" ? { mediaType: ImageModel.MediaTypes.dockerManifestV2 } : {}),
    config: { digest: digestOf(`config-${seed}`), size: 1469 },
    layers: Array.from(
      { length: options.layers ?? 1 },
      (_, i) => ({ digest: digestOf(`layer-${seed}-${i}`), size: 3_370_706 + i })
    )
  })

/**
 * Options of `index`.
 */
export interface IndexOptions {
  /** `"oci"` (the default): an OCI image index; `"docker"`: a Docker manifest list. */
  readonly format?: Format
}

/**
 * An image index over images (usually already pushed to the repository), each entry for `linux/amd64`:
 * a multi-platform image, which ECR's basic scanning refuses with `UnsupportedImageTypeException`.
 */
export const index = (digests: ReadonlyArray<string>, options: IndexOptions = {}): string =>
  ManifestBuilder.index({
    ...(options.format === "docker" ? { mediaType: ImageModel.MediaTypes.dockerManifestList } : {}),
    manifests: digests.map((digest) => ({ digest, size: 500, platform: { architecture: "amd64", os: "linux" } }))
  })

/**
 * A finding of `severity` in package `packageName` (version `1.0.0`), named `name` (a CVE id), with a
 * description and a URI made from them: what a test fixes on an image (through the memory registry's
 * driver, or the emulator's `/_ecr-scan/findings`) for its scans to report.
 */
export const finding = (
  name: string,
  severity: ScanModel.FindingSeverity,
  packageName: string
): ScanModel.ImageScanFinding => ({
  name,
  description: `${name} in ${packageName}`,
  uri: `https://cve.example/${name}`,
  severity,
  attributes: [{ key: "package_name", value: packageName }, { key: "package_version", value: "1.0.0" }]
})
