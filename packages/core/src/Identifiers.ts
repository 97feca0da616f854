/**
 * Branded identifier schemas with the ECR service model's constraints. Every filter answers with the
 * constraint text AWS uses, so a failed decode can be reported in AWS's own format (see `Validation`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Constraints from "./Constraints.js"

/** The 12-digit AWS account id that names a registry. */
export const RegistryId = Schema.String.pipe(
  Schema.filter(Constraints.registryId),
  Schema.brand("RegistryId"),
  Schema.annotations({ identifier: "RegistryId" })
)
/** @since 0.1.0 */
export type RegistryId = typeof RegistryId.Type

/** A repository name: 2..256 characters of the current (looser) pattern, matched on the whole string. */
export const RepositoryName = Schema.String.pipe(
  Schema.filter(Constraints.repositoryName),
  Schema.brand("RepositoryName"),
  Schema.annotations({ identifier: "RepositoryName" })
)
/** @since 0.1.0 */
export type RepositoryName = typeof RepositoryName.Type

/** An image manifest digest such as `sha256:<64 hex>`, in the shape ECR's batch APIs enforce. */
export const ImageDigest = Schema.String.pipe(
  Schema.filter(Constraints.imageDigest),
  Schema.brand("ImageDigest"),
  Schema.annotations({ identifier: "ImageDigest" })
)
/** @since 0.1.0 */
export type ImageDigest = typeof ImageDigest.Type

/** An image tag: 1..300 characters. */
export const ImageTag = Schema.String.pipe(
  Schema.filter(Constraints.imageTag),
  Schema.brand("ImageTag"),
  Schema.annotations({ identifier: "ImageTag" })
)
/** @since 0.1.0 */
export type ImageTag = typeof ImageTag.Type

/**
 * Names an image by digest, by tag, or both. Both members are optional in the model; the operations
 * that need one of them (StartImageScan, ...) say so in their request schemas.
 */
export const ImageIdentifier = Schema.Struct({
  imageDigest: Schema.optional(ImageDigest),
  imageTag: Schema.optional(ImageTag)
}).annotations({ identifier: "ImageIdentifier" })
/** @since 0.1.0 */
export type ImageIdentifier = typeof ImageIdentifier.Type

/** The constraint text for an `imageId` with neither tag nor digest (AWS's batch-API wording). */
export const IMAGE_ID_EMPTY_TEXT = "both tag and digest cannot be null"

/** An `ImageIdentifier` that names at least one of tag and digest (house rule for single-image operations). */
export const ImageIdentifierRequired = ImageIdentifier.pipe(
  Schema.filter((id) => id.imageDigest !== undefined || id.imageTag !== undefined || IMAGE_ID_EMPTY_TEXT)
).annotations({ identifier: "ImageIdentifier" })

/** An instant as a JSON number of epoch seconds (possibly fractional), in memory a `Date`. */
export const EpochSeconds = Schema.transform(Schema.Number, Schema.DateFromSelf, {
  strict: true,
  // Rounded: epoch seconds with three decimals do not always multiply back to whole milliseconds.
  decode: (seconds) => new Date(Math.round(seconds * 1000)),
  encode: (date) => date.getTime() / 1000
})

/**
 * A timestamp. On the wire it is a JSON number of epoch seconds (possibly fractional); in memory a
 * `Date`. Decoding also accepts a `Date`, which is what the JS SDK hands back after its own parsing.
 */
export const Timestamp = Schema.Union(EpochSeconds, Schema.DateFromSelf).annotations({ identifier: "Timestamp" })

/** Formats an identifier the way ECR's messages do: `{imageDigest:'…', imageTag:'…'}`, `null` for absent parts. */
export const formatImageId = (
  id: { readonly imageDigest?: string | undefined; readonly imageTag?: string | undefined }
) => `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`
