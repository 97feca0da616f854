/**
 * Scan on push, by the repository's (legacy) flag or by a registry rule with wildcard filters: a push
 * starts a basic scan that counts like a manual one, for the per-image window and for the quota.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  helmChart,
  HOUR,
  noLayersImage,
  ociImage,
  ociIndex,
  perImageLimit,
  push,
  registry,
  scan,
  statusOf,
  T0,
  UNSUPPORTED_IMAGE_ERROR
} from "./fixtures.js"

const quotaUsed = Effect.flatMap(MemoryRegistryDriver, (driver) => driver.quotaUsage).pipe(
  Effect.map((usage) => usage.used)
)

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
      Effect.gen(function*() {
        yield* at(0)
        yield* createRepository("app", { scanOnPush: true })
        const digest = yield* push("app", ociImage(1), "v1")
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual({
          registryId: ACCOUNT,
          repositoryName: "app",
          imageId: { imageDigest: digest },
          imageScanStatus: { status: "IN_PROGRESS" }
        })
      }).pipe(Effect.provide(registry())))

    it.effect("a manual scan right after the push is refused by the 24 hour rule, counted from the push", () =>
      Effect.gen(function*() {
        yield* at(0)
        yield* createRepository("app", { scanOnPush: true })
        yield* at(2 * HOUR)
        yield* push("app", ociImage(1), "v1")
        yield* at(2 * HOUR + 1)
        expect(yield* failure(scan("app", { imageTag: "v1" }))).toStrictEqual(perImageLimit(T0 + 2 * HOUR + DAY))
        yield* at(2 * HOUR + DAY)
        expect((yield* scan("app", { imageTag: "v1" })).imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      }).pipe(Effect.provide(registry())))

    it.effect("a scan on push counts against the account quota", () =>
      Effect.gen(function*() {
        yield* createRepository("app", { scanOnPush: true })
        yield* push("app", ociImage(1))
        yield* push("app", ociImage(2))
        expect(yield* quotaUsed).toBe(2)
      }).pipe(Effect.provide(registry())))

    it.effect("a repository without the flag or a rule records no scan on push", () =>
      Effect.gen(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        expect(yield* failure(findings("app", { imageDigest: digest }))).toStrictEqual(scanNotFound("app", digest))
        expect(yield* quotaUsed).toBe(0)
      }).pipe(Effect.provide(registry())))

    it.effect("PutImageScanningConfiguration turns the flag on for the pushes that follow", () =>
      Effect.gen(function*() {
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
      }).pipe(Effect.provide(registry())))

    it.effect("an image without layers is scanned on push and ends FAILED with UnsupportedImageError", () =>
      Effect.gen(function*() {
        yield* at(0)
        yield* createRepository("app", { scanOnPush: true })
        const digest = yield* push("app", noLayersImage(1))
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({ status: "IN_PROGRESS" })
        yield* at(HOUR)
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual({
          registryId: ACCOUNT,
          repositoryName: "app",
          imageId: { imageDigest: digest },
          imageScanStatus: { status: "FAILED", description: UNSUPPORTED_IMAGE_ERROR }
        })
      }).pipe(Effect.provide(registry())))

    it.effect("an image index is not scanned itself; the images it lists were scanned as they were pushed", () =>
      Effect.gen(function*() {
        yield* createRepository("app", { scanOnPush: true })
        const amd64 = yield* push("app", ociImage(1))
        const arm64 = yield* push("app", ociImage(2))
        const index = yield* push("app", ociIndex([amd64, arm64]), "v1")
        expect(yield* failure(findings("app", { imageDigest: index }))).toStrictEqual(scanNotFound("app", index))
        expect(yield* statusOf("app", { imageDigest: amd64 })).toStrictEqual({ status: "IN_PROGRESS" })
        expect(yield* statusOf("app", { imageDigest: arm64 })).toStrictEqual({ status: "IN_PROGRESS" })
        expect(yield* quotaUsed).toBe(2)
      }).pipe(Effect.provide(registry())))

    it.effect("a Helm chart (not a container image) is not scanned on push and uses no quota", () =>
      Effect.gen(function*() {
        yield* createRepository("charts", { scanOnPush: true })
        const digest = yield* push("charts", helmChart(1), "1.0.0")
        expect(yield* failure(findings("charts", { imageDigest: digest }))).toStrictEqual(
          scanNotFound("charts", digest)
        )
        expect(yield* quotaUsed).toBe(0)
      }).pipe(Effect.provide(registry())))
  })

  describe("with a registry SCAN_ON_PUSH rule", () => {
    it.effect("a push into a repository the wildcard filter matches starts a scan that holds the image's slot", () =>
      Effect.gen(function*() {
        yield* at(0)
        yield* scanOnPushRule("prod*")
        yield* createRepository("prod-api")
        const digest = yield* push("prod-api", ociImage(1), "v1")
        expect(yield* findings("prod-api", { imageTag: "v1" })).toStrictEqual({
          registryId: ACCOUNT,
          repositoryName: "prod-api",
          imageId: { imageDigest: digest, imageTag: "v1" },
          imageScanStatus: { status: "IN_PROGRESS" }
        })
        expect(yield* failure(scan("prod-api", { imageTag: "v1" }))).toStrictEqual(perImageLimit(T0 + DAY))
        expect(yield* quotaUsed).toBe(1)
      }).pipe(Effect.provide(registry())))

    it.effect("a push into a repository the wildcard filter does not match starts no scan", () =>
      Effect.gen(function*() {
        yield* scanOnPushRule("prod*")
        yield* createRepository("api-prod")
        const digest = yield* push("api-prod", ociImage(1))
        expect(yield* failure(findings("api-prod", { imageDigest: digest }))).toStrictEqual(
          scanNotFound("api-prod", digest)
        )
        expect((yield* scan("api-prod", { imageDigest: digest })).imageScanStatus).toStrictEqual({
          status: "IN_PROGRESS"
        })
      }).pipe(Effect.provide(registry())))

    it.effect("a filter without a wildcard matches every repository whose name contains it", () =>
      Effect.gen(function*() {
        yield* scanOnPushRule("prod")
        for (const name of ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"]) {
          yield* createRepository(name)
          const digest = yield* push(name, ociImage(1))
          expect(yield* statusOf(name, { imageDigest: digest })).toStrictEqual({ status: "IN_PROGRESS" })
        }
        yield* createRepository("staging")
        const digest = yield* push("staging", ociImage(1))
        expect((yield* failure(findings("staging", { imageDigest: digest })))._tag).toBe("ScanNotFoundException")
      }).pipe(Effect.provide(registry())))

    it.effect("a rule applies to repositories created before it and to pushes after it only", () =>
      Effect.gen(function*() {
        yield* createRepository("prod-api")
        const before = yield* push("prod-api", ociImage(1))
        yield* scanOnPushRule("*")
        const after = yield* push("prod-api", ociImage(2))
        expect((yield* failure(findings("prod-api", { imageDigest: before })))._tag).toBe("ScanNotFoundException")
        expect(yield* statusOf("prod-api", { imageDigest: after })).toStrictEqual({ status: "IN_PROGRESS" })
      }).pipe(Effect.provide(registry())))

    it.effect("a scan started on push completes like a manual one", () =>
      Effect.gen(function*() {
        yield* at(0)
        yield* scanOnPushRule("*")
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* at(HOUR)
        expect(yield* statusOf("app", { imageDigest: digest })).toStrictEqual({
          status: "COMPLETE",
          description: "The scan was completed successfully."
        })
      }).pipe(Effect.provide(registry())))
  })
})
