/**
 * What `PutImage` reads from a manifest: its media type (from the request or the manifest's own
 * `mediaType`), the artifact (config) media type, the size, the images an index references and the
 * subject of a referrer. Pure: the digest itself (SHA-256 of the exact bytes) is the backend's job.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"
import { isImageIndexMediaType, MediaTypes } from "./ImageModel.js"

/** The manifest media types `PutImage` accepts. */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaTypes.dockerManifestV2,
  MediaTypes.dockerManifestV1,
  MediaTypes.dockerManifestV1Signed,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.ociIndex
])

/** A manifest as far as the registry cares. */
export interface ManifestInfo {
  readonly mediaType: string
  /** The config's media type, when the manifest has a config (`artifactMediaType` in `DescribeImages`). */
  readonly artifactMediaType: string | undefined
  /** Config plus layers (for an index: 0, the backend takes the largest referenced image). */
  readonly sizeInBytes: number
  readonly layerCount: number
  /** Digests of the manifests an index or list references. */
  readonly references: ReadonlyArray<string>
  /** The digest of the manifest this one refers to (`subject`), for referrers such as signatures. */
  readonly subjectDigest: string | undefined
  readonly isIndex: boolean
}

// Registries keep millions of these: one shared copy of each well-known media type and of "no references",
// rather than a fresh string or array per manifest parsed.
const CANONICAL_MEDIA_TYPES: ReadonlyMap<string, string> = new Map(Object.values(MediaTypes).map((m) => [m, m]))
const canonical = (mediaType: string) => CANONICAL_MEDIA_TYPES.get(mediaType) ?? mediaType
const NO_REFERENCES: ReadonlyArray<string> = Object.freeze([])

const invalid = (member: string, text: string) =>
  Either.left(Errors.invalidParameter(Constraints.invalidParameterMessage(member, text)))

const sizeOf = (descriptor: unknown): number => {
  if (typeof descriptor !== "object" || descriptor === null) return 0
  const size = (descriptor as { size?: unknown }).size
  return typeof size === "number" && Number.isFinite(size) && size >= 0 ? size : 0
}

const stringField = (value: unknown, key: string): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const field = (value as Record<string, unknown>)[key]
  return typeof field === "string" ? field : undefined
}

/**
 * Reads a manifest. `requestedMediaType` is the request's `imageManifestMediaType`: it must agree with
 * the manifest's own `mediaType` when both are present, and is required when the manifest has none
 * (schema 2 manifests without `mediaType`); a schema 1 manifest is Docker v1.
 */
export const parse = (
  manifest: string,
  requestedMediaType: string | undefined
): Either.Either<ManifestInfo, Errors.InvalidParameterException> => {
  let json: unknown
  try {
    json = JSON.parse(manifest)
  } catch {
    return invalid("ImageManifest", "Invalid JSON syntax")
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return invalid("ImageManifest", "must be a JSON object")
  }
  const doc = json as Record<string, unknown>
  const own = stringField(doc, "mediaType")
  const schemaVersion = doc.schemaVersion
  if (requestedMediaType !== undefined && own !== undefined && requestedMediaType !== own) {
    return invalid("imageManifestMediaType", `must match the manifest's mediaType '${own}'`)
  }
  const mediaType = requestedMediaType ?? own ??
    (schemaVersion === 1 ? MediaTypes.dockerManifestV1 : undefined)
  // AWS answers a manifest whose media type it cannot tell (no `mediaType` in it or in the request) as
  // unreadable, in the words of a manifest that is not JSON at all.
  if (mediaType === undefined) return invalid("ImageManifest", "Invalid JSON syntax")
  if (!MANIFEST_MEDIA_TYPES.has(mediaType)) {
    return invalid("imageManifestMediaType", `must be one of [${[...MANIFEST_MEDIA_TYPES].join(", ")}]`)
  }
  const isIndex = isImageIndexMediaType(mediaType)
  const layers = Array.isArray(doc.layers) ? doc.layers : Array.isArray(doc.fsLayers) ? doc.fsLayers : []
  const references = isIndex && Array.isArray(doc.manifests)
    ? doc.manifests.map((m) => stringField(m, "digest")).filter((d): d is string => d !== undefined)
    : NO_REFERENCES
  if (isIndex && references.length !== (Array.isArray(doc.manifests) ? doc.manifests.length : 0)) {
    return invalid("ImageManifest", "every manifest of an index must have a digest")
  }
  const artifactMediaType = stringField(doc.config, "mediaType")
  return Either.right({
    mediaType: canonical(mediaType),
    artifactMediaType: artifactMediaType === undefined ? undefined : canonical(artifactMediaType),
    sizeInBytes: isIndex ? 0 : sizeOf(doc.config) + layers.reduce((sum: number, layer) => sum + sizeOf(layer), 0),
    layerCount: layers.length,
    references,
    subjectDigest: stringField(doc.subject, "digest"),
    isIndex
  })
}
