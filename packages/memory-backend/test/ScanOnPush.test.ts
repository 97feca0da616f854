/**
 * Scan on push, by the repository's (legacy) flag or by a registry rule with wildcard filters: a push
 * starts a basic scan that counts like a manual one, for the per-image window and for the quota.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failedScan,
  failure,
  findings,
  helmChart,
  HOUR,
  inRegistry,
  noLayersImage,
  ociImage,
  ociIndex,
  perImageLimit,
  push,
  quotaUsed,
  scan,
  statusOf,
  statusReply,
  T0
} from "./fixtures.js"

const scanOnPushRule = (...filters: ReadonlyArray<string>) =>
  ImageRegistry.putRegistryScanningConfiguration({
    scanType: "BASIC",
    rules: [{
      scanFrequency: "SCAN_ON_PUSH",
      repositoryFilters: filters.map((filter) => ({ filter, filterType: "WILDCARD" as const }))
    }]
  })

const scanNotFound = (repositoryName: string, imageDigest: string) => ({
  _tag: "ScanNotFoundException",
  message: `Image scan does not exist for the image with '{imageDigest:'${imageDigest}', imageTag:'null'}' in the ` +
    `repository with name '${repositoryName}' in the registry with id '123456789012'`
})

describe("scan on push", () => {
  describe("with the repository's scanOnPush flag", () => {
    it.effect("a push starts a scan: DescribeImageScanFindings shows IN_PROGRESS right after the push", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app", { scanOnPush: true })
        const digest = yield* push("app", ociImage(1), "v1")
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual(
          statusReply("app", { imageDigest: digest }, { status: "IN_PROGRESS" })
        )
      }))

    it.effect("a manual scan right after the push is refused by the 24 hour rule, counted from the push", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app", { scanOnPush: true })
        yield* at(2 * HOUR)
        yield* push("app", ociImage(1), "v1")
        yield* at(2 * HOUR + 1)
        expect(yield* failure(scan("app", { imageTag: "v1" }))).toStrictEqual(perImageLimit(T0 + 2 * HOUR + DAY))
        yield* at(2 * HOUR + DAY)
        expect((yield* scan("app", { imageTag: "v1" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("a scan on push counts against the account quota", () =>
      inRegistry(function*() {
        yield* createRepository("app", { scanOnPush: true })
        yield* push("app", ociImage(1))
        yield* push("app", ociImage(2))
        expect(yield* quotaUsed).toBe(2)
      }))

    it.effect("a repository without the flag or a rule records no scan on push", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        expect(yield* failure(findings("app", { imageDigest: digest }))).toStrictEqual(scanNotFound("app", digest))
        expect(yield* quotaUsed).toBe(0)
      }))

    it.effect("PutImageScanningConfiguration turns the flag on for the pushes that follow", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const before = yield* push("app", ociImage(1))
        const response = yield* ImageRegistry.putImageScanningConfiguration({
          repositoryName: "app",
          imageScanningConfiguration: { scanOnPush: true }
        })
        expect(response).toStrictEqual({
          registryId: ACCOUNT,
          repositoryName: "app",
          imageScanningConfiguration: { scanOnPush: true }
        })
        const after = yield* push("app", ociImage(2))
        expect((yield* failure(findings("app", { imageDigest: before })))._tag).toBe("ScanNotFoundException")
        expect(yield* statusOf("app", { imageDigest: after })).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("an image without layers is scanned on push and ends FAILED with UnsupportedImageError", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app", { scanOnPush: true })
        const digest = yield* push("app", noLayersImage(1))
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({ status: "IN_PROGRESS" })
        yield* at(HOUR)
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual(
          failedScan("app", { imageDigest: digest })
        )
      }))

    it.effect("an image index is not scanned itself; the images it lists were scanned as they were pushed", () =>
      inRegistry(function*() {
        yield* createRepository("app", { scanOnPush: true })
        const amd64 = yield* push("app", ociImage(1))
        const arm64 = yield* push("app", ociImage(2))
        const index = yield* push("app", ociIndex([amd64, arm64]), "v1")
        expect(yield* failure(findings("app", { imageDigest: index }))).toStrictEqual(scanNotFound("app", index))
        expect(yield* statusOf("app", { imageDigest: amd64 })).toStrictEqual({ status: "IN_PROGRESS" })
        expect(yield* statusOf("app", { imageDigest: arm64 })).toStrictEqual({ status: "IN_PROGRESS" })
        expect(yield* quotaUsed).toBe(2)
      }))

    it.effect("a Helm chart (not a container image) is not scanned on push and uses no quota", () =>
      inRegistry(function*() {
        yield* createRepository("charts", { scanOnPush: true })
        const digest = yield* push("charts", helmChart(1), "1.0.0")
        expect(yield* failure(findings("charts", { imageDigest: digest }))).toStrictEqual(
          scanNotFound("charts", digest)
        )
        expect(yield* quotaUsed).toBe(0)
      }))
  })

  describe("with a registry SCAN_ON_PUSH rule", () => {
    it.effect("a push into a repository the wildcard filter matches starts a scan that holds the image's slot", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* scanOnPushRule("prod*")
        yield* createRepository("prod-api")
        const digest = yield* push("prod-api", ociImage(1), "v1")
        expect(yield* findings("prod-api", { imageTag: "v1" })).toStrictEqual(
          statusReply("prod-api", { imageDigest: digest, imageTag: "v1" }, { status: "IN_PROGRESS" })
        )
        expect(yield* failure(scan("prod-api", { imageTag: "v1" }))).toStrictEqual(perImageLimit(T0 + DAY))
        expect(yield* quotaUsed).toBe(1)
      }))

    it.effect("a push into a repository the wildcard filter does not match starts no scan", () =>
      inRegistry(function*() {
        yield* scanOnPushRule("prod*")
        yield* createRepository("api-prod")
        const digest = yield* push("api-prod", ociImage(1))
        expect(yield* failure(findings("api-prod", { imageDigest: digest }))).toStrictEqual(
          scanNotFound("api-prod", digest)
        )
        expect((yield* scan("api-prod", { imageDigest: digest })).imageScanStatus).toStrictEqual({
          status: "IN_PROGRESS"
        })
      }))

    it.effect("a filter without a wildcard matches every repository whose name contains it", () =>
      inRegistry(function*() {
        yield* scanOnPushRule("prod")
        for (const name of ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"]) {
          yield* createRepository(name)
          const digest = yield* push(name, ociImage(1))
          expect(yield* statusOf(name, { imageDigest: digest })).toStrictEqual({ status: "IN_PROGRESS" })
        }
        yield* createRepository("staging")
        const digest = yield* push("staging", ociImage(1))
        expect((yield* failure(findings("staging", { imageDigest: digest })))._tag).toBe("ScanNotFoundException")
      }))

    it.effect("a rule applies to repositories created before it and to pushes after it only", () =>
      inRegistry(function*() {
        yield* createRepository("prod-api")
        const before = yield* push("prod-api", ociImage(1))
        yield* scanOnPushRule("*")
        const after = yield* push("prod-api", ociImage(2))
        expect((yield* failure(findings("prod-api", { imageDigest: before })))._tag).toBe("ScanNotFoundException")
        expect(yield* statusOf("prod-api", { imageDigest: after })).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("a scan started on push completes like a manual one", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* scanOnPushRule("*")
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* at(HOUR)
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({
          status: "COMPLETE",
          description: "The scan was completed successfully."
        })
      }))
  })
})
