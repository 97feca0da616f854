/**
 * StartImageScan on the in-memory registry: what an accepted scan answers, how the `imageId` is echoed,
 * which errors refuse a scan (with AWS's texts), and in which order the checks run.
 */
import { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  appScannedAtT0,
  at,
  createRepository,
  digestOf,
  dockerImage,
  dockerManifestList,
  failure,
  findings,
  helmChart,
  HOUR,
  imageNotFound,
  inRegistry,
  ociImage,
  ociIndex,
  push,
  refusedWithoutChange,
  registry,
  repositoryNotFound,
  scan,
  statusReply,
  unsupportedType
} from "./fixtures.js"

describe("StartImageScan", () => {
  describe("an accepted scan", () => {
    it.effect("answers IN_PROGRESS without a description, echoing registry, repository and the digest it was sent", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("team/app")
        const digest = yield* push("team/app", ociImage(1), "v1")
        const response = yield* scan("team/app", { imageDigest: digest })
        expect(response).toStrictEqual(statusReply("team/app", { imageDigest: digest }, { status: "IN_PROGRESS" }))
      }))

    it.effect("requested by tag, echoes the tag with the digest it resolved to", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        const response = yield* scan("app", { imageTag: "v1" })
        expect(response).toStrictEqual(
          statusReply("app", { imageDigest: digest, imageTag: "v1" }, { status: "IN_PROGRESS" })
        )
      }))

    it.effect("requested by a tag and the digest it names, echoes both", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        const response = yield* scan("app", { imageDigest: digest, imageTag: "v1" })
        expect(response.imageId).toStrictEqual({ imageDigest: digest, imageTag: "v1" })
      }))

    it.effect("requested with the registry's own registryId, is accepted and names that registry", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", dockerImage(1))
        const response = yield* ImageScanner.startImageScan({
          registryId: ACCOUNT,
          repositoryName: "app",
          imageId: { imageDigest: digest }
        })
        expect(response.registryId).toBe(ACCOUNT)
        expect(response.imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("of a registry with another account id, names that account", () =>
      Effect.gen(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        const response = yield* scan("app", { imageDigest: digest })
        expect(response.registryId).toBe("210987654321")
      }).pipe(Effect.provide(registry({ accountId: "210987654321" }))))

    it.effect("is what DescribeImageScanFindings then reports, in the form it is asked", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        yield* scan("app", { imageTag: "v1" })
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual(
          statusReply("app", { imageDigest: digest }, { status: "IN_PROGRESS" })
        )
        expect((yield* findings("app", { imageTag: "v1" })).imageId).toStrictEqual({
          imageDigest: digest,
          imageTag: "v1"
        })
      }))
  })

  describe("refuses", () => {
    it.effect("a repository that does not exist with RepositoryNotFoundException in AWS's words", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        expect(yield* failure(scan("other", { imageTag: "v1" }))).toStrictEqual(repositoryNotFound("other"))
      }))

    it.effect("an unknown tag with ImageNotFoundException, the missing digest spelled null", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        expect(yield* failure(scan("app", { imageTag: "v2" }))).toStrictEqual(imageNotFound("app", { imageTag: "v2" }))
      }))

    it.effect("an unknown digest with ImageNotFoundException, the missing tag spelled null", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        const absent = digestOf(ociImage(2))
        expect(yield* failure(scan("app", { imageDigest: absent }))).toStrictEqual(
          imageNotFound("app", { imageDigest: absent })
        )
      }))

    it.effect("a tag and a digest that name two different images with ImageNotFoundException naming both", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        const other = yield* push("app", ociImage(2), "v2")
        expect(yield* failure(scan("app", { imageDigest: other, imageTag: "v1" }))).toStrictEqual(
          imageNotFound("app", { imageDigest: other, imageTag: "v1" })
        )
      }))

    it.effect("another account's registry with AccessDeniedException, which arrives as UnknownEcrError", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        expect(
          yield* failure(ImageScanner.startImageScan({
            registryId: "000000000000",
            repositoryName: "app",
            imageId: { imageDigest: digest }
          }))
        ).toStrictEqual({
          _tag: "UnknownEcrError",
          code: "AccessDeniedException",
          message: "User: arn:aws:iam::123456789012:root is not authorized to perform: ecr:StartImageScan on " +
            "resource: arn:aws:ecr:us-east-1:000000000000:repository/app because no resource-based policy allows " +
            "the ecr:StartImageScan action",
          httpStatus: 400
        })
      }))

    it.effect("an OCI image index with UnsupportedImageTypeException in AWS's words", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const amd64 = yield* push("app", ociImage(1))
        const arm64 = yield* push("app", ociImage(2))
        yield* push("app", ociIndex([amd64, arm64]), "multi")
        expect(yield* failure(scan("app", { imageTag: "multi" }))).toStrictEqual(
          unsupportedType("application/vnd.oci.image.index.v1+json")
        )
      }))

    it.effect("a Docker manifest list with UnsupportedImageTypeException naming its media type", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const amd64 = yield* push("app", dockerImage(1))
        const arm64 = yield* push("app", dockerImage(2))
        const list = yield* push("app", dockerManifestList([amd64, arm64]))
        expect(yield* failure(scan("app", { imageDigest: list }))).toStrictEqual(
          unsupportedType("application/vnd.docker.distribution.manifest.list.v2+json")
        )
      }))

    it.effect("a Helm chart, an image manifest whose config is no image config, naming the config's media type", () =>
      inRegistry(function*() {
        yield* createRepository("charts")
        yield* push("charts", helmChart(1), "1.0.0")
        expect(yield* refusedWithoutChange(scan("charts", { imageTag: "1.0.0" }))).toStrictEqual(
          unsupportedType("application/vnd.cncf.helm.config.v1+json")
        )
      }))

    it.effect("an image index without using a slot or the quota: the images it lists can still be scanned", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const amd64 = yield* push("app", ociImage(1))
        const index = yield* push("app", ociIndex([amd64]))
        const error = yield* refusedWithoutChange(scan("app", { imageDigest: index }))
        expect(error).toStrictEqual(unsupportedType("application/vnd.oci.image.index.v1+json"))
        const response = yield* scan("app", { imageDigest: amd64 })
        expect(response.imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      }))

    it.effect("the same refused request again, with the same error: a refusal changes nothing", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        const first = yield* refusedWithoutChange(scan("app", { imageTag: "nope" }))
        const second = yield* refusedWithoutChange(scan("app", { imageTag: "nope" }))
        expect(second).toStrictEqual(first)
      }))
  })

  describe("checks in the house order: validation, repository, image, image state, scan type, window, quota", () => {
    it.effect("an invalid member of a request for a missing repository is InvalidParameterException", () =>
      inRegistry(function*() {
        expect((yield* failure(scan("missing", { imageTag: "" })))._tag).toBe("InvalidParameterException")
      }))

    it.effect("a missing image in an ENHANCED registry is ImageNotFoundException, not ValidationException", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* ImageRegistry.putRegistryScanningConfiguration({ scanType: "ENHANCED" })
        expect((yield* failure(scan("app", { imageTag: "v1" })))._tag).toBe("ImageNotFoundException")
      }))

    it.effect("an archived image in an ENHANCED registry is ImageArchivedException", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        yield* ImageRegistry.updateImageStorageClass({
          repositoryName: "app",
          imageId: { imageTag: "v1" },
          targetStorageClass: "ARCHIVE"
        })
        yield* ImageRegistry.putRegistryScanningConfiguration({ scanType: "ENHANCED" })
        expect((yield* failure(scan("app", { imageTag: "v1" })))._tag).toBe("ImageArchivedException")
      }))

    it.effect("an image scanned within 24 hours and then archived is ImageArchivedException, not LimitExceeded", () =>
      inRegistry(function*() {
        yield* appScannedAtT0
        yield* at(HOUR)
        yield* ImageRegistry.updateImageStorageClass({
          repositoryName: "app",
          imageId: { imageTag: "v1" },
          targetStorageClass: "ARCHIVE"
        })
        expect((yield* failure(scan("app", { imageTag: "v1" })))._tag).toBe("ImageArchivedException")
      }))

    it.effect("an image scanned within 24 hours in an ENHANCED registry is ValidationException", () =>
      inRegistry(function*() {
        yield* appScannedAtT0
        yield* at(HOUR)
        yield* ImageRegistry.putRegistryScanningConfiguration({ scanType: "ENHANCED" })
        expect((yield* failure(scan("app", { imageTag: "v1" })))._tag).toBe("ValidationException")
      }))
  })
})
