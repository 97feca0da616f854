/**
 * `ListImages`: which identifiers an image contributes to the listing (one per tag of a tagged image, the
 * digest alone for an untagged one), which images a filter selects, and the key a listing's paging token is
 * bound to (the repository and the filter, so a token is refused by a listing of another repository or filter).
 *
 * @since 0.1.0
 */
import type { ImageDigest, ImageIdentifier, ImageTag } from "./Identifiers.js"
import type * as Requests from "./Requests.js"

/** `ListImagesFilter.tagStatus`. */
export type TagStatus = Requests.TagStatus

/** `ListImagesFilter.imageStatus`. */
export type ImageStatusFilter = Requests.ImageStatusFilter

/** The tag status a listing without `filter.tagStatus` selects: every image. */
export const DEFAULT_TAG_STATUS: TagStatus = "ANY"

/** The image status a listing without `filter.imageStatus` selects: only active images (as `DescribeImages`). */
export const DEFAULT_IMAGE_STATUS: ImageStatusFilter = "ACTIVE"

/** Whether an image with `tagCount` tags is selected by `tagStatus`. */
export const selectsTags = (tagStatus: TagStatus, tagCount: number): boolean =>
  tagStatus === "ANY" || (tagStatus === "TAGGED" ? tagCount > 0 : tagCount === 0)

/** Whether an image whose status is `status` is selected by `imageStatus`. */
export const selectsStatus = (imageStatus: ImageStatusFilter, status: string): boolean =>
  imageStatus === "ANY" || imageStatus === status

/**
 * The identifiers an image contributes to a listing: `{ imageDigest, imageTag }` for each of its tags, in
 * their order, or `{ imageDigest }` alone when it has none.
 */
export const imageIdsOf = (
  digest: string,
  tags: ReadonlyArray<string>
): ReadonlyArray<ImageIdentifier> =>
  tags.length === 0
    ? [{ imageDigest: digest as ImageDigest }]
    : tags.map((tag) => ({ imageDigest: digest as ImageDigest, imageTag: tag as ImageTag }))

/** The key a listing's `nextToken` is bound to: the repository and the effective filter. */
export const listingKey = (repositoryName: string, tagStatus: TagStatus, imageStatus: ImageStatusFilter): string =>
  `list-images/${repositoryName}/${tagStatus}/${imageStatus}`
