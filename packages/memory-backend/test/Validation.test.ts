/**
 * Request validation: every invalid member is answered with InvalidParameterException in AWS's format
 * (`Invalid parameter at '<member>' failed to satisfy constraint: '<constraint>'`), before any state is
 * touched. "Nothing changed" is proven by the driver's snapshot and the quota usage, equal before and
 * after each refused call, in a registry that already holds a repository, an image and a finished scan.
 */
import { ImageRegistry, type ImageRegistryService, ImageScanner } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  appScannedAtT0,
  at,
  createRepository,
  HOUR,
  inRegistry,
  invalidParameter,
  MediaType,
  ociImage,
  push,
  refusedWithoutChange,
  registry,
  scan
} from "./fixtures.js"

const REPOSITORY_PATTERN =
  "must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)" +
  "[a-z0-9]+)*)*'"
const DIGEST_PATTERN = "image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
const FILTER_PATTERN = "must satisfy regular expression '^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$'"

/** A registry with repository `app`, image `v1` scanned at T0, and the clock at T0 + 1h (the scan is COMPLETE). */
const populated = Effect.gen(function*() {
  yield* appScannedAtT0
  yield* at(HOUR)
})

interface Case {
  /** What is wrong, as the test name says it. */
  readonly what: string
  /** The call, with the request as a caller could send it (the JS SDK sends anything). */
  readonly call: Effect.Effect<unknown, unknown, ImageScanner | ImageRegistry>
  readonly member: string
  readonly constraint: string
}

const startImageScan = (request: unknown) => ImageScanner.startImageScan(request as never)
const describeFindings = (request: unknown) => ImageScanner.describeImageScanFindings(request as never)
const v1 = { imageTag: "v1" }

const startImageScanCases: ReadonlyArray<Case> = [
  {
    what: "a repositoryName with capitals",
    call: startImageScan({ repositoryName: "App", imageId: v1 }),
    member: "repositoryName",
    constraint: REPOSITORY_PATTERN
  },
  {
    what: "a repositoryName that contains a match of the pattern but is not one (Bad_Name!)",
    call: startImageScan({ repositoryName: "Bad_Name!", imageId: v1 }),
    member: "repositoryName",
    constraint: REPOSITORY_PATTERN
  },
  {
    what: "a repositoryName that starts with a separator",
    call: startImageScan({ repositoryName: "-app", imageId: v1 }),
    member: "repositoryName",
    constraint: REPOSITORY_PATTERN
  },
  {
    what: "a repositoryName with an empty path segment",
    call: startImageScan({ repositoryName: "team//app", imageId: v1 }),
    member: "repositoryName",
    constraint: REPOSITORY_PATTERN
  },
  {
    what: "a repositoryName one character long",
    call: startImageScan({ repositoryName: "a", imageId: v1 }),
    member: "repositoryName",
    constraint: "must have length greater than or equal to 2"
  },
  {
    what: "a repositoryName of 257 characters",
    call: startImageScan({ repositoryName: "a".repeat(257), imageId: v1 }),
    member: "repositoryName",
    constraint: "must have length less than or equal to 256"
  },
  {
    what: "a registryId that is not digits",
    call: startImageScan({ registryId: "abc", repositoryName: "app", imageId: v1 }),
    member: "registryId",
    constraint: "must satisfy regular expression [0-9]{12}"
  },
  {
    what: "a registryId of eleven digits",
    call: startImageScan({ registryId: "12345678901", repositoryName: "app", imageId: v1 }),
    member: "registryId",
    constraint: "must satisfy regular expression [0-9]{12}"
  },
  {
    what: "a registryId of thirteen digits (the pattern must match the whole id)",
    call: startImageScan({ registryId: "1234567890123", repositoryName: "app", imageId: v1 }),
    member: "registryId",
    constraint: "must satisfy regular expression [0-9]{12}"
  },
  {
    what: "an empty imageTag",
    call: startImageScan({ repositoryName: "app", imageId: { imageTag: "" } }),
    member: "imageId.imageTag",
    constraint: "must have length greater than or equal to 1"
  },
  {
    what: "an imageTag of 301 characters",
    call: startImageScan({ repositoryName: "app", imageId: { imageTag: "t".repeat(301) } }),
    member: "imageId.imageTag",
    constraint: "must have length less than or equal to 300"
  },
  {
    what: "a digest without an algorithm",
    call: startImageScan({ repositoryName: "app", imageId: { imageDigest: "garbage" } }),
    member: "imageId.imageDigest",
    constraint: DIGEST_PATTERN
  },
  {
    what: "a digest whose hex part is not hex",
    call: startImageScan({ repositoryName: "app", imageId: { imageDigest: "sha256:xyz" } }),
    member: "imageId.imageDigest",
    constraint: DIGEST_PATTERN
  },
  {
    what: "a digest with an empty hex part",
    call: startImageScan({ repositoryName: "app", imageId: { imageDigest: "sha256:" } }),
    member: "imageId.imageDigest",
    constraint: DIGEST_PATTERN
  },
  {
    what: "an imageId with neither tag nor digest",
    call: startImageScan({ repositoryName: "app", imageId: {} }),
    member: "imageId",
    constraint: "both tag and digest cannot be null"
  },
  {
    what: "a missing repositoryName",
    call: startImageScan({ imageId: v1 }),
    member: "repositoryName",
    constraint: "must not be null"
  },
  {
    what: "a missing imageId",
    call: startImageScan({ repositoryName: "app" }),
    member: "imageId",
    constraint: "must not be null"
  },
  {
    what: "a repositoryName that is a number",
    call: startImageScan({ repositoryName: 5, imageId: v1 }),
    member: "repositoryName",
    constraint: "must be a string"
  },
  {
    what: "a registryId that is a number",
    call: startImageScan({ registryId: 123456789012, repositoryName: "app", imageId: v1 }),
    member: "registryId",
    constraint: "must be a string"
  },
  {
    what: "an imageId that is a string",
    call: startImageScan({ repositoryName: "app", imageId: "v1" }),
    member: "imageId",
    constraint: "must be an object"
  },
  {
    what: "an imageTag that is a number",
    call: startImageScan({ repositoryName: "app", imageId: { imageTag: 1 } }),
    member: "imageId.imageTag",
    constraint: "must be a string"
  },
  {
    what: "a request that is not an object",
    call: startImageScan(null),
    member: "request",
    constraint: "must be an object"
  }
]

const describeFindingsCases: ReadonlyArray<Case> = [
  {
    what: "a repositoryName with capitals",
    call: describeFindings({ repositoryName: "App", imageId: v1 }),
    member: "repositoryName",
    constraint: REPOSITORY_PATTERN
  },
  {
    what: "an imageId with neither tag nor digest",
    call: describeFindings({ repositoryName: "app", imageId: {} }),
    member: "imageId",
    constraint: "both tag and digest cannot be null"
  },
  {
    what: "maxResults 0",
    call: describeFindings({ repositoryName: "app", imageId: v1, maxResults: 0 }),
    member: "maxResults",
    constraint: "must have value greater than or equal to 1"
  },
  {
    what: "maxResults 1001",
    call: describeFindings({ repositoryName: "app", imageId: v1, maxResults: 1001 }),
    member: "maxResults",
    constraint: "must have value less than or equal to 1000"
  },
  {
    what: "a fractional maxResults",
    call: describeFindings({ repositoryName: "app", imageId: v1, maxResults: 1.5 }),
    member: "maxResults",
    constraint: "must be an integer"
  },
  {
    what: "a maxResults that is a string",
    call: describeFindings({ repositoryName: "app", imageId: v1, maxResults: "5" }),
    member: "maxResults",
    constraint: "must be a number"
  },
  {
    what: "an empty nextToken",
    call: describeFindings({ repositoryName: "app", imageId: v1, nextToken: "" }),
    member: "nextToken",
    constraint: "must have length greater than or equal to 1"
  },
  {
    what: "a nextToken of 4097 characters",
    call: describeFindings({ repositoryName: "app", imageId: v1, nextToken: "x".repeat(4097) }),
    member: "nextToken",
    constraint: "must have length less than or equal to 4096"
  },
  {
    what: "a nextToken no call returned",
    call: describeFindings({ repositoryName: "app", imageId: v1, nextToken: "eyJrIjoib3RoZXIiLCJvIjoxMDB9" }),
    member: "nextToken",
    constraint: "must be a token returned by a previous call"
  }
]

/** Calls a registry operation with a request its type would not allow. */
const registryCall = (operation: keyof ImageRegistryService, request: unknown) =>
  Effect.flatMap(
    ImageRegistry,
    (service) => (service[operation] as (request: unknown) => Effect.Effect<unknown, unknown>)(request)
  )

const registryCases: ReadonlyArray<Case> = [
  {
    what: "CreateRepository: a name that does not match the pattern",
    call: registryCall("createRepository", { repositoryName: "Bad_Name!" }),
    member: "repositoryName",
    constraint: REPOSITORY_PATTERN
  },
  {
    what: "CreateRepository: an imageTagMutability outside the enum",
    call: registryCall("createRepository", { repositoryName: "app2", imageTagMutability: "SOMETIMES" }),
    member: "imageTagMutability",
    constraint: "must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]"
  },
  {
    what: "CreateRepository: a scanOnPush that is not a boolean",
    call: registryCall("createRepository", {
      repositoryName: "app2",
      imageScanningConfiguration: { scanOnPush: "yes" }
    }),
    member: "imageScanningConfiguration.scanOnPush",
    constraint: "must be a boolean"
  },
  {
    what: "PutImage: an empty manifest",
    call: registryCall("putImage", { repositoryName: "app", imageManifest: "" }),
    member: "imageManifest",
    constraint: "must have length greater than or equal to 1"
  },
  {
    what: "PutImage: a manifest that is not JSON",
    call: registryCall("putImage", { repositoryName: "app", imageManifest: "{" }),
    member: "ImageManifest",
    constraint: "Invalid JSON syntax"
  },
  {
    what: "PutImage: a manifest without mediaType and no imageManifestMediaType",
    call: registryCall("putImage", {
      repositoryName: "app",
      imageManifest: JSON.stringify({ schemaVersion: 2, layers: [] })
    }),
    member: "ImageManifest",
    constraint: "Invalid JSON syntax"
  },
  {
    what: "PutImage: an imageManifestMediaType that contradicts the manifest",
    call: registryCall("putImage", {
      repositoryName: "app",
      imageManifest: ociImage(2),
      imageManifestMediaType: MediaType.dockerManifest
    }),
    member: "imageManifestMediaType",
    constraint: `must match the manifest's mediaType '${MediaType.ociManifest}'`
  },
  {
    what: "PutImage: an empty imageTag",
    call: registryCall("putImage", { repositoryName: "app", imageManifest: ociImage(2), imageTag: "" }),
    member: "imageTag",
    constraint: "must have length greater than or equal to 1"
  },
  {
    what: "PutImage: a malformed imageDigest",
    call: registryCall("putImage", { repositoryName: "app", imageManifest: ociImage(2), imageDigest: "garbage" }),
    member: "imageDigest",
    constraint: DIGEST_PATTERN
  },
  {
    what: "BatchGetImage: no imageIds",
    call: registryCall("batchGetImage", { repositoryName: "app", imageIds: [] }),
    member: "imageIds",
    constraint: "must have length greater than or equal to 1"
  },
  {
    what: "BatchDeleteImage: 101 imageIds",
    call: registryCall("batchDeleteImage", {
      repositoryName: "app",
      imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` }))
    }),
    member: "imageIds",
    constraint: "must have length less than or equal to 100"
  },
  {
    what: "DescribeImages: maxResults 0",
    call: registryCall("describeImages", { repositoryName: "app", maxResults: 0 }),
    member: "maxResults",
    constraint: "must have value greater than or equal to 1"
  },
  {
    what: "DescribeImages: a tagStatus outside the enum",
    call: registryCall("describeImages", { repositoryName: "app", filter: { tagStatus: "SOME" } }),
    member: "filter.tagStatus",
    constraint: "must satisfy enum value set: [TAGGED, UNTAGGED, ANY]"
  },
  {
    what: "DescribeRepositories: maxResults 1001",
    call: registryCall("describeRepositories", { maxResults: 1001 }),
    member: "maxResults",
    constraint: "must have value less than or equal to 1000"
  },
  {
    what: "DescribeRepositories: an empty list of names",
    call: registryCall("describeRepositories", { repositoryNames: [] }),
    member: "repositoryNames",
    constraint: "must have length greater than or equal to 1"
  },
  {
    what: "DeleteRepository: a force that is not a boolean",
    call: registryCall("deleteRepository", { repositoryName: "app", force: "yes" }),
    member: "force",
    constraint: "must be a boolean"
  },
  {
    what: "UpdateImageStorageClass: a storage class outside the enum",
    call: registryCall("updateImageStorageClass", {
      repositoryName: "app",
      imageId: v1,
      targetStorageClass: "GLACIER"
    }),
    member: "targetStorageClass",
    constraint: "must satisfy enum value set: [STANDARD, ARCHIVE]"
  },
  {
    what: "PutImageScanningConfiguration: a missing imageScanningConfiguration",
    call: registryCall("putImageScanningConfiguration", { repositoryName: "app" }),
    member: "imageScanningConfiguration",
    constraint: "must not be null"
  },
  {
    what: "PutRegistryScanningConfiguration: a scanType outside the enum",
    call: registryCall("putRegistryScanningConfiguration", { scanType: "FAST" }),
    member: "scanType",
    constraint: "must satisfy enum value set: [BASIC, ENHANCED]"
  },
  {
    what: "PutRegistryScanningConfiguration: three rules",
    call: registryCall("putRegistryScanningConfiguration", {
      rules: [1, 2, 3].map(() => ({ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [] }))
    }),
    member: "rules",
    constraint: "must have length less than or equal to 2"
  },
  {
    what: "PutRegistryScanningConfiguration: a filter with capitals",
    call: registryCall("putRegistryScanningConfiguration", {
      scanType: "BASIC",
      rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "Prod*", filterType: "WILDCARD" }] }]
    }),
    member: "rules.0.repositoryFilters.0.filter",
    constraint: FILTER_PATTERN
  },
  {
    what: "BatchGetRepositoryScanningConfiguration: 26 repository names",
    call: registryCall("batchGetRepositoryScanningConfiguration", {
      repositoryNames: Array.from({ length: 26 }, (_, i) => `repo-${i}`)
    }),
    member: "repositoryNames",
    constraint: "must have length less than or equal to 25"
  }
]

const refusesAll = (operation: string, cases: ReadonlyArray<Case>) =>
  describe(operation, () => {
    for (const c of cases) {
      it.effect(`refuses ${c.what} with InvalidParameterException and changes nothing`, () =>
        inRegistry(function*() {
          yield* populated
          expect(yield* refusedWithoutChange(c.call)).toStrictEqual(invalidParameter(c.member, c.constraint))
        }))
    }
  })

describe("validation", () => {
  refusesAll("StartImageScan", startImageScanCases)
  refusesAll("DescribeImageScanFindings", describeFindingsCases)
  refusesAll("the registry operations", registryCases)

  describe("accepts the boundaries", () => {
    it.effect("repository names of 2 and 256 characters, and the current pattern's a--b, a__b and paths", () =>
      inRegistry(function*() {
        for (const name of ["ab", "a".repeat(256), "a--b", "a__b", "team/app.v2_x", "a-b/c--d/e__f"]) {
          const response = yield* createRepository(name)
          expect(response.repository?.repositoryName).toBe(name)
        }
      }))

    it.effect("an imageTag of 300 characters, and a digest in another algorithm's name", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const tag = "t".repeat(300)
        yield* push("app", ociImage(1), tag)
        expect((yield* scan("app", { imageTag: tag })).imageId?.imageTag).toBe(tag)
        const error = yield* Effect.flip(scan("app", { imageDigest: `sha512:${"ab".repeat(64)}` }))
        expect(error._tag).toBe("ImageNotFoundException")
      }))

    it.effect("maxResults 1 and 1000", () =>
      inRegistry(function*() {
        yield* populated
        for (const maxResults of [1, 1000]) {
          const response = yield* describeFindings({ repositoryName: "app", imageId: v1, maxResults })
          expect(response.imageScanStatus?.status).toBe("COMPLETE")
        }
      }))
  })

  it.effect("validation comes before the repository: an invalid request for a missing repository is invalid", () =>
    inRegistry(function*() {
      yield* populated
      expect(yield* refusedWithoutChange(startImageScan({ repositoryName: "missing", imageId: {} }))).toStrictEqual(
        invalidParameter("imageId", "both tag and digest cannot be null")
      )
    }))

  it.effect("a house rule can answer an empty imageId as ImageNotFoundException instead", () =>
    Effect.gen(function*() {
      yield* populated
      expect(yield* refusedWithoutChange(startImageScan({ repositoryName: "app", imageId: {} }))).toStrictEqual({
        _tag: "ImageNotFoundException",
        message: "The image with imageId {imageDigest:'null', imageTag:'null'} does not exist within the repository " +
          "with name 'app' in the registry with id '123456789012'"
      })
    }).pipe(Effect.provide(registry({ rules: { invalidImageId: "ImageNotFoundException" } }))))
})
