/**
 * How an `imageId` names an image: by tag, by digest, or both (which must agree), and how responses
 * echo it (in the form it was sent; a tag-only request is answered with tag and digest).
 *
 * @since 0.1.0
 */
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"
import type { ImageIdentifier } from "./Identifiers.js"
import type { ScanRules } from "./ScanRules.js"

/** An image identifier as a caller sends it (plain strings). */
export interface ImageIdInput {
  readonly imageDigest?: string | undefined
  readonly imageTag?: string | undefined
}

/** Looks an image up by digest and by tag in one repository. */
export interface ImageLookup<R, I> {
  /** The image with this manifest digest in the repository, if any. */
  readonly imageByDigest: (repository: R, digest: string) => I | undefined
  /** The image this tag points at in the repository, if any. */
  readonly imageByTag: (repository: R, tag: string) => I | undefined
}

/** The image named by `imageId`: `undefined` when it does not exist, `"mismatch"` when tag and digest disagree. */
export const resolve = <R, I extends { readonly digest: string }>(
  lookup: ImageLookup<R, I>,
  repository: R,
  imageId: ImageIdInput
): I | "mismatch" | undefined => {
  const { imageDigest, imageTag } = imageId
  if (imageTag !== undefined) {
    const byTag = lookup.imageByTag(repository, imageTag)
    if (byTag === undefined) return undefined
    if (imageDigest !== undefined && byTag.digest !== imageDigest) {
      return lookup.imageByDigest(repository, imageDigest) === undefined ? undefined : "mismatch"
    }
    return byTag
  }
  return imageDigest === undefined ? undefined : lookup.imageByDigest(repository, imageDigest)
}

/** The error for an image that could not be resolved, under the house rule for tag/digest mismatches. */
export const notFound = (
  where: Errors.Where,
  imageId: ImageIdInput,
  mismatch: boolean,
  rules: ScanRules
): Errors.ImageNotFoundException | Errors.InvalidParameterException =>
  mismatch && rules.tagDigestMismatch === "InvalidParameterException"
    ? Errors.invalidParameter(
      Constraints.invalidParameterMessage("imageId", "given tag does not map to the given digest")
    )
    : Errors.imageNotFound(where, imageId)

/** The `imageId` of a response: the request's form, with the digest filled in when the request named a tag. */
export const echo = (requested: ImageIdInput, digest: string): ImageIdentifier =>
  (requested.imageTag === undefined
    ? { imageDigest: digest }
    : { imageDigest: digest, imageTag: requested.imageTag }) as ImageIdentifier
