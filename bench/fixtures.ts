/**
 * Shared fixtures of the memory benchmark: a seeded generator, realistic OCI manifests (a config and
 * one layer, every digest distinct), repository names and the request mix.
 *
 * @since 0.1.0
 */
import { ManifestBuilder } from "@ecr-scan/core"

const HEX: ReadonlyArray<string> = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"))

/** A small seeded generator (mulberry32): the same seed gives the same workload on every run. */
export const makeRandom = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    /** An integer in `[0, n)`. */
    int: (n: number): number => Math.floor(next() * n),
    /** 64 lowercase hex digits (a sha256-shaped digest body). */
    hex64: (): string => {
      let out = ""
      for (let i = 0; i < 8; i++) {
        const word = Math.floor(next() * 4294967296)
        out += HEX[word >>> 24] + HEX[(word >>> 16) & 255] + HEX[(word >>> 8) & 255] + HEX[word & 255]
      }
      return out
    }
  }
}

/** The media types of the manifests the benchmark pushes. */
export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip"
} as const

/**
 * The manifest of image `i`: an OCI image manifest with a config and one layer, as buildkit writes it
 * (compact JSON). The config and layer digests come from a generator seeded by `i`, so every image has
 * its own manifest, hence its own digest, and the same `i` always gives the same bytes.
 */
export const manifest = (i: number, salt = 0): string => {
  const random = makeRandom((Math.imul(i + 1, 0x9e3779b1) ^ salt) >>> 0)
  // Drawn in this order (config digest, config size, layer digest, layer size): the generator's sequence
  // fixes the bytes, and the recorded results name these images.
  const config = { mediaType: MEDIA.config, digest: `sha256:${random.hex64()}`, size: 1_000 + random.int(9_000) }
  const layer = { mediaType: MEDIA.layer, digest: `sha256:${random.hex64()}`, size: 1_000_000 + random.int(90_000_000) }
  return ManifestBuilder.image({ mediaType: MEDIA.manifest, config, layers: [layer] })
}

/** Number of repositories the images are spread over. */
export const REPOSITORY_COUNT = 16

/** The repositories the images are spread over (names with a namespace, as teams use them). */
export const repositoryNames: ReadonlyArray<string> = Array.from(
  { length: REPOSITORY_COUNT },
  (_, r) => `team-${r % 4}/service-${r}`
)

/** The repository of image `i`. */
export const repositoryOf = (i: number): string => repositoryNames[i % REPOSITORY_COUNT]

/** The tag of image `i`. */
export const tagOf = (i: number): string => `release-${i}`

/** A StartImageScan request as a caller writes it (plain strings). */
export interface ScanRequest {
  readonly registryId?: string
  readonly repositoryName: string
  readonly imageId: { readonly imageDigest?: string; readonly imageTag?: string }
}

/** The request for image `i`: three in four by digest, one in four by tag. */
export const requestFor = (i: number, digest: string): ScanRequest =>
  i % 4 === 3
    ? { repositoryName: repositoryOf(i), imageId: { imageTag: tagOf(i) } }
    : { repositoryName: repositoryOf(i), imageId: { imageDigest: digest } }
