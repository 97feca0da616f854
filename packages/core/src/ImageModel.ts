/**
 * Image shapes: `Image`, `ImageDetail`, batch failures, storage status, and the manifest media types
 * that decide what basic scanning can read.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ImageDigest, ImageIdentifier, ImageTag, RegistryId, RepositoryName, Timestamp } from "./Identifiers.js"
import { ImageScanFindingsSummary, ImageScanStatus } from "./ScanModel.js"

/** An image as `PutImage` and `BatchGetImage` return it. */
export const Image = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageId: Schema.optional(ImageIdentifier),
  imageManifest: Schema.optional(Schema.String),
  imageManifestMediaType: Schema.optional(Schema.String)
}).annotations({ identifier: "Image" })
/** @since 0.1.0 */
export type Image = typeof Image.Type

/** Storage state of an image: archived images cannot be pulled or scanned. */
export const ImageStatus = Schema.Literal("ACTIVE", "ARCHIVED", "ACTIVATING").annotations({ identifier: "ImageStatus" })
/** @since 0.1.0 */
export type ImageStatus = typeof ImageStatus.Type

/** The storage class an image can be moved to. */
export const TargetStorageClass = Schema.Literal("STANDARD", "ARCHIVE").annotations({
  identifier: "TargetStorageClass"
})
/** @since 0.1.0 */
export type TargetStorageClass = typeof TargetStorageClass.Type

/** An image as `DescribeImages` returns it. */
export const ImageDetail = Schema.Struct({
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  imageDigest: Schema.optional(ImageDigest),
  imageTags: Schema.optional(Schema.Array(ImageTag)),
  imageSizeInBytes: Schema.optional(Schema.Number),
  imagePushedAt: Schema.optional(Timestamp),
  imageScanStatus: Schema.optional(ImageScanStatus),
  imageScanFindingsSummary: Schema.optional(ImageScanFindingsSummary),
  imageManifestMediaType: Schema.optional(Schema.String),
  artifactMediaType: Schema.optional(Schema.String),
  lastRecordedPullTime: Schema.optional(Timestamp),
  subjectManifestDigest: Schema.optional(ImageDigest),
  imageStatus: Schema.optional(ImageStatus),
  lastArchivedAt: Schema.optional(Timestamp),
  lastActivatedAt: Schema.optional(Timestamp)
}).annotations({ identifier: "ImageDetail" })
/** @since 0.1.0 */
export type ImageDetail = typeof ImageDetail.Type

/** Why one image of a batch request failed. */
export const ImageFailureCode = Schema.Literal(
  "InvalidImageDigest",
  "InvalidImageTag",
  "ImageTagDoesNotMatchDigest",
  "ImageNotFound",
  "MissingDigestAndTag",
  "ImageReferencedByManifestList",
  "KmsError",
  "UpstreamAccessDenied",
  "UpstreamTooManyRequests",
  "UpstreamUnavailable",
  "ImageInaccessible"
).annotations({ identifier: "ImageFailureCode" })
/** @since 0.1.0 */
export type ImageFailureCode = typeof ImageFailureCode.Type

/** One failed image of a batch request. */
export const ImageFailure = Schema.Struct({
  // The identifier as the request sent it: its digest may be the malformed one the failure is about.
  imageId: Schema.optional(
    Schema.Struct({
      imageDigest: Schema.optional(Schema.String),
      imageTag: Schema.optional(ImageTag)
    }).annotations({ identifier: "ImageIdentifier" })
  ),
  failureCode: Schema.optional(ImageFailureCode),
  failureReason: Schema.optional(Schema.String)
}).annotations({ identifier: "ImageFailure" })
/** @since 0.1.0 */
export type ImageFailure = typeof ImageFailure.Type

/** Manifest media types ECR knows. */
export const MediaTypes = {
  dockerManifestV2: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestV1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerManifestV1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json"
} as const

/** Media types of multi-image manifests (indexes and lists), which basic scanning cannot scan. */
export const isImageIndexMediaType = (mediaType: string): boolean =>
  mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList

/** Config media types of container images; any other config marks a non-image artifact (a Helm chart, an SBOM, ...). */
export const isImageConfigMediaType = (mediaType: string): boolean =>
  mediaType === MediaTypes.dockerConfig || mediaType === MediaTypes.ociConfig
