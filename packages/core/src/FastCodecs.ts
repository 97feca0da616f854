/**
 * Hand-written fast paths for the hottest requests and responses: guards that accept only what the
 * schemas accept, and a decoder that gives what the schema would decode. Each is property-tested against
 * its schema; anything they do not accept is left to the schema to decide.
 *
 * @since 0.1.0
 */
import * as Constraints from "./Constraints.js"
import type { StartImageScanResponse } from "./Requests.js"
import { SCAN_STATUSES } from "./ScanModel.js"

const maxResults = Constraints.range(1, 1000)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isOptionalValid = (u: unknown, check: Constraints.Check<string>) =>
  u === undefined || (typeof u === "string" && check(u) === undefined)

const isImageIdRequired = (u: unknown) =>
  isRecord(u) && (u.imageDigest !== undefined || u.imageTag !== undefined) &&
  isOptionalValid(u.imageDigest, Constraints.imageDigest) && isOptionalValid(u.imageTag, Constraints.imageTag)

/**
 * A fast, hand-written guard for `StartImageScanRequest`, the hottest request: what it accepts the
 * schema accepts (property-tested); the schema decides the rest.
 */
export const isStartImageScanRequest = (u: unknown): boolean =>
  isRecord(u) && typeof u.repositoryName === "string" && Constraints.repositoryName(u.repositoryName) === undefined &&
  isOptionalValid(u.registryId, Constraints.registryId) && isImageIdRequired(u.imageId)

const isOptionalRecord = (u: unknown): u is Record<string, unknown> | undefined => u === undefined || isRecord(u)
const isScanStatus = (u: unknown) => u === undefined || (typeof u === "string" && SCAN_STATUS_SET.has(u))
const SCAN_STATUS_SET: ReadonlySet<string> = new Set(SCAN_STATUSES)

/**
 * A fast, hand-written decoder of `StartImageScanResponse`, the hottest response: the members the
 * schema knows, copied out of a value the schema accepts, and nothing else (an SDK's `$metadata` stays
 * behind); `undefined` when the value is anything else, for the schema to decide. What it returns is
 * what the schema decodes the value to (property-tested).
 */
export const fastStartImageScanResponse = (u: unknown): StartImageScanResponse | undefined => {
  if (!isRecord(u)) return undefined
  const { imageId, imageScanStatus, registryId, repositoryName } = u
  if (
    !isOptionalValid(registryId, Constraints.registryId) || !isOptionalValid(repositoryName, Constraints.repositoryName)
  ) return undefined
  if (!isOptionalRecord(imageId) || !isOptionalRecord(imageScanStatus)) return undefined
  if (
    imageId !== undefined &&
    !(isOptionalValid(imageId.imageDigest, Constraints.imageDigest) &&
      isOptionalValid(imageId.imageTag, Constraints.imageTag))
  ) return undefined
  if (
    imageScanStatus !== undefined &&
    !(isScanStatus(imageScanStatus.status) &&
      (imageScanStatus.description === undefined || typeof imageScanStatus.description === "string"))
  ) return undefined
  // Every member was checked above: the copies are the branded values the schema would give.
  const out: Record<string, unknown> = {}
  if (registryId !== undefined) out.registryId = registryId
  if (repositoryName !== undefined) out.repositoryName = repositoryName
  if (imageId !== undefined) {
    const id: Record<string, unknown> = {}
    if (imageId.imageDigest !== undefined) id.imageDigest = imageId.imageDigest
    if (imageId.imageTag !== undefined) id.imageTag = imageId.imageTag
    out.imageId = id
  }
  if (imageScanStatus !== undefined) {
    const status: Record<string, unknown> = {}
    if (imageScanStatus.status !== undefined) status.status = imageScanStatus.status
    if (imageScanStatus.description !== undefined) status.description = imageScanStatus.description
    out.imageScanStatus = status
  }
  return out as StartImageScanResponse
}

/** The fast guard of `DescribeImageScanFindingsRequest` (see `isStartImageScanRequest`). */
export const isDescribeImageScanFindingsRequest = (u: unknown): boolean =>
  isStartImageScanRequest(u) && isOptionalValid((u as Record<string, unknown>).nextToken, Constraints.nextToken) &&
  isOptionalMaxResults((u as Record<string, unknown>).maxResults)

const isOptionalMaxResults = (u: unknown) => u === undefined || (typeof u === "number" && maxResults(u) === undefined)
