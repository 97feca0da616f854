/**
 * Manifest JSON for tests, demos, simulations and benchmarks: image manifests (a config and layers with
 * their sizes), image indexes and manifest lists over digests, and artifacts (an `artifactType` or a
 * config media type that is not an image's, a `subject`). The text is compact JSON with members in the
 * order the OCI image spec lists them, so the same description always gives the same bytes, hence the
 * same digest. The digests inside (of configs, layers, referenced manifests) are the caller's: the core
 * computes no hashes, and a fixture chooses how its blobs differ.
 *
 * @since 0.1.0
 */
import { MediaTypes } from "./ImageModel.js"

/** Media types of layers, and of the empty config of an artifact. */
export const BlobMediaTypes = {
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  ociEmpty: "application/vnd.oci.empty.v1+json"
} as const

/** What a manifest says about a blob or another manifest; `mediaType` defaults by where it appears. */
export interface Descriptor {
  readonly mediaType?: string | undefined
  readonly digest: string
  readonly size: number
}

/** The platform of an index entry, written with its members in the caller's order. */
export interface Platform {
  readonly architecture: string
  readonly os: string
  readonly variant?: string | undefined
}

/** An entry of an index: a manifest, and the platform it is for. */
export interface IndexEntry extends Descriptor {
  readonly platform?: Platform | undefined
}

/** The config of an artifact that has none of its own (OCI's empty descriptor, the JSON `{}`). */
export const EMPTY_CONFIG: Descriptor = {
  mediaType: BlobMediaTypes.ociEmpty,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2
}

/** An image manifest (or an artifact's): OCI's unless `mediaType` says otherwise. */
export interface ImageManifest {
  /**
   * Default: OCI image manifest. A Docker schema 2 manifest defaults its config and layers to Docker's.
   * `null` leaves the member out (a schema 2 manifest that `PutImage` needs `imageManifestMediaType` for).
   */
  readonly mediaType?: string | null | undefined
  /** What an artifact is (an SBOM, a signature), when it is not an image. */
  readonly artifactType?: string | undefined
  /** Default media type: the image config of the manifest's kind. */
  readonly config: Descriptor
  /** Default media type: the gzip layer of the manifest's kind. None: an image with no OS to scan. */
  readonly layers: ReadonlyArray<Descriptor>
  /** The manifest this one refers to (a signature's or an SBOM's image); default media type: OCI manifest. */
  readonly subject?: Descriptor | undefined
  readonly annotations?: Readonly<Record<string, string>> | undefined
}

/** An image index or a Docker manifest list: OCI's index unless `mediaType` says otherwise. */
export interface ImageIndex {
  /** Default: OCI image index. A Docker manifest list defaults its entries to Docker schema 2 manifests. */
  readonly mediaType?: string | undefined
  readonly artifactType?: string | undefined
  /** Default media type: the image manifest of the index's kind. */
  readonly manifests: ReadonlyArray<IndexEntry>
  readonly subject?: Descriptor | undefined
  readonly annotations?: Readonly<Record<string, string>> | undefined
}

const descriptor = (d: Descriptor, defaultMediaType: string) => ({
  mediaType: d.mediaType ?? defaultMediaType,
  digest: d.digest,
  size: d.size
})

const entry = (d: IndexEntry, defaultMediaType: string) =>
  d.platform === undefined
    ? descriptor(d, defaultMediaType)
    : { ...descriptor(d, defaultMediaType), platform: d.platform }

const optional = <K extends string, A>(key: K, value: A | undefined): { [P in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: A }

/** The JSON text of an image manifest. */
export const image = (manifest: ImageManifest): string => {
  const mediaType = manifest.mediaType === undefined ? MediaTypes.ociManifest : manifest.mediaType
  const docker = mediaType === MediaTypes.dockerManifestV2
  const layerMediaType = docker ? BlobMediaTypes.dockerLayer : BlobMediaTypes.ociLayer
  return JSON.stringify({
    schemaVersion: 2,
    ...optional("mediaType", mediaType ?? undefined),
    ...optional("artifactType", manifest.artifactType),
    config: descriptor(manifest.config, docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig),
    layers: manifest.layers.map((layer) => descriptor(layer, layerMediaType)),
    ...optional("subject", manifest.subject && descriptor(manifest.subject, MediaTypes.ociManifest)),
    ...optional("annotations", manifest.annotations)
  })
}

/** The JSON text of an image index or manifest list. */
export const index = (index: ImageIndex): string => {
  const mediaType = index.mediaType ?? MediaTypes.ociIndex
  const entryMediaType = mediaType === MediaTypes.dockerManifestList
    ? MediaTypes.dockerManifestV2
    : MediaTypes.ociManifest
  return JSON.stringify({
    schemaVersion: 2,
    mediaType,
    ...optional("artifactType", index.artifactType),
    manifests: index.manifests.map((m) => entry(m, entryMediaType)),
    ...optional("subject", index.subject && descriptor(index.subject, MediaTypes.ociManifest)),
    ...optional("annotations", index.annotations)
  })
}
