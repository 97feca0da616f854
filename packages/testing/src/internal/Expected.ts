/**
 * What AWS answers, written here rather than read from the code under test: its descriptions and error
 * messages, and the findings a backend that takes fixed findings is given.
 */
import type { ScanModel } from "@ecr-scan/core"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { Harness } from "./Harness.js"
import type { ImageId } from "./Steps.js"

export const PER_IMAGE_LIMIT = "The scan quota per image has been exceeded. Wait and try again."
export const COMPLETE = { status: "COMPLETE", description: "The scan was completed successfully." }
export const UNSUPPORTED_IMAGE_ERROR =
  "UnsupportedImageError: The operating system and/or package manager are not supported."
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json"

const finding = Fixtures.finding

/** Five findings of four severities, in the order a page lists them. */
export const FIXED_FINDINGS: ReadonlyArray<ScanModel.ImageScanFinding> = [
  finding("CVE-2026-0001", "CRITICAL", "openssl"),
  finding("CVE-2026-0002", "HIGH", "zlib"),
  finding("CVE-2026-0003", "HIGH", "curl"),
  finding("CVE-2026-0004", "MEDIUM", "busybox"),
  finding("CVE-2026-0005", "LOW", "musl")
]
export const FIXED_COUNTS = { CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1 }

/** AWS's `RepositoryNotFoundException` for `repositoryName` in the registry under test. */
export const repositoryNotFound = (repositoryName: string) =>
  Effect.map(Harness, ({ accountId }) => ({
    _tag: "RepositoryNotFoundException",
    message: `The repository with name '${repositoryName}' does not exist in the registry with id '${accountId}'`
  }))

/** AWS's `ImageNotFoundException` for `imageId` in `repositoryName`, a member not sent spelled null. */
export const imageNotFound = (repositoryName: string, imageId: ImageId) =>
  Effect.map(Harness, ({ accountId }) => ({
    _tag: "ImageNotFoundException",
    message: `The image with imageId {imageDigest:'${imageId.imageDigest ?? "null"}', imageTag:'${
      imageId.imageTag ?? "null"
    }'} does not exist within the repository with name '${repositoryName}' in the registry with id '${accountId}'`
  }))

export const perImageLimit = { _tag: "LimitExceededException", message: PER_IMAGE_LIMIT, limit: "PER_IMAGE" }

export const invalidParameter = (member: string, constraint: string) => ({
  _tag: "InvalidParameterException",
  message: `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`
})
