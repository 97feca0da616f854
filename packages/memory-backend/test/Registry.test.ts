/**
 * The registry around scanning: repositories, images (content-addressed by the exact manifest bytes),
 * batch operations with per-image failures, DescribeImages without scan fields, and the registry and
 * repository scanning configuration with the wildcard filter table of the AWS docs.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  at,
  createRepository,
  digestOf,
  dockerImage,
  dockerManifestList,
  failure,
  HOUR,
  imageNotFound,
  inRegistry,
  MediaType,
  noLayersImage,
  ociImage,
  ociIndex,
  push,
  refusedWithoutChange,
  registry,
  repositoryArn,
  repositoryNotFound,
  scan,
  T0
} from "./fixtures.js"

describe("repositories", () => {
  it.effect("CreateRepository answers the repository with its ARN, URI, creation time and defaults", () =>
    inRegistry(function*() {
      yield* at(0)
      expect(yield* createRepository("team/app")).toStrictEqual({
        repository: {
          repositoryArn: repositoryArn("team/app"),
          registryId: ACCOUNT,
          repositoryName: "team/app",
          repositoryUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/app`,
          createdAt: new Date(T0),
          imageTagMutability: "MUTABLE",
          imageScanningConfiguration: { scanOnPush: false },
          encryptionConfiguration: { encryptionType: "AES256" }
        }
      })
    }))

  it.effect("a registry in another region and account names them in ARN and URI", () =>
    Effect.gen(function*() {
      const response = yield* createRepository("app")
      expect(response.repository?.repositoryArn).toBe("arn:aws:ecr:eu-west-1:210987654321:repository/app")
      expect(response.repository?.repositoryUri).toBe("210987654321.dkr.ecr.eu-west-1.amazonaws.com/app")
    }).pipe(Effect.provide(registry({ accountId: "210987654321", region: "eu-west-1" }))))

  it.effect("creating a repository that exists is RepositoryAlreadyExistsException and changes nothing", () =>
    inRegistry(function*() {
      yield* createRepository("app", { scanOnPush: true })
      expect(yield* refusedWithoutChange(createRepository("app"))).toStrictEqual({
        _tag: "RepositoryAlreadyExistsException",
        message: "The repository with name 'app' already exists in the registry with id '123456789012'"
      })
    }))

  it.effect("DescribeRepositories by name answers those repositories, in the order asked", () =>
    inRegistry(function*() {
      for (const name of ["a1", "b2", "c3"]) yield* createRepository(name)
      const response = yield* ImageRegistry.describeRepositories({ repositoryNames: ["c3", "a1"] })
      expect(response.repositories?.map((r) => r.repositoryName)).toStrictEqual(["c3", "a1"])
      expect(response.nextToken).toBeUndefined()
    }))

  it.effect("DescribeRepositories naming a repository that does not exist is RepositoryNotFoundException", () =>
    inRegistry(function*() {
      yield* createRepository("a1")
      expect(yield* failure(ImageRegistry.describeRepositories({ repositoryNames: ["a1", "zz"] }))).toStrictEqual(
        repositoryNotFound("zz")
      )
    }))

  it.effect("DescribeRepositories pages through every repository with maxResults and nextToken", () =>
    inRegistry(function*() {
      const names = ["r1", "r2", "r3", "r4", "r5"]
      for (const name of names) yield* createRepository(name)
      const first = yield* ImageRegistry.describeRepositories({ maxResults: 2 })
      const second = yield* ImageRegistry.describeRepositories({ maxResults: 2, nextToken: first.nextToken! })
      const third = yield* ImageRegistry.describeRepositories({ maxResults: 2, nextToken: second.nextToken! })
      expect([first, second, third].map((page) => page.repositories?.map((r) => r.repositoryName))).toStrictEqual([
        ["r1", "r2"],
        ["r3", "r4"],
        ["r5"]
      ])
      expect(third.nextToken).toBeUndefined()
      const all = yield* ImageRegistry.describeRepositories({})
      expect(all.repositories?.map((r) => r.repositoryName)).toStrictEqual(names)
    }))

  it.effect("DescribeRepositories refuses names together with maxResults", () =>
    inRegistry(function*() {
      yield* createRepository("r1")
      expect(
        yield* refusedWithoutChange(ImageRegistry.describeRepositories({ repositoryNames: ["r1"], maxResults: 1 }))
      ).toStrictEqual({
        _tag: "InvalidParameterException",
        message: "Invalid parameter at 'maxResults' failed to satisfy constraint: 'cannot be used together with " +
          "repositoryNames'"
      })
    }))

  it.effect("DeleteRepository without force refuses a repository that holds images, changing nothing", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* push("app", ociImage(1))
      expect(yield* refusedWithoutChange(ImageRegistry.deleteRepository({ repositoryName: "app" }))).toStrictEqual({
        _tag: "RepositoryNotEmptyException",
        message: "The repository with name 'app' in registry with id '123456789012' cannot be deleted because it " +
          "still contains images"
      })
    }))

  it.effect("DeleteRepository with force deletes a repository with its images and answers it", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* push("app", ociImage(1), "v1")
      const deleted = yield* ImageRegistry.deleteRepository({ repositoryName: "app", force: true })
      expect(deleted.repository?.repositoryName).toBe("app")
      expect(yield* failure(ImageRegistry.describeRepositories({ repositoryNames: ["app"] }))).toStrictEqual(
        repositoryNotFound("app")
      )
      // A new repository of the same name starts empty.
      yield* createRepository("app")
      expect((yield* ImageRegistry.describeImages({ repositoryName: "app" })).imageDetails).toStrictEqual([])
    }))

  it.effect("DeleteRepository of an empty repository needs no force; of a missing one is RepositoryNotFound", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      expect((yield* ImageRegistry.deleteRepository({ repositoryName: "app" })).repository?.repositoryName).toBe("app")
      expect(yield* failure(ImageRegistry.deleteRepository({ repositoryName: "app" }))).toStrictEqual(
        repositoryNotFound("app")
      )
    }))

  it.effect("scans of a deleted repository's images still count against the account quota", () =>
    inRegistry(function*() {
      yield* createRepository("app", { scanOnPush: true })
      yield* push("app", ociImage(1))
      yield* ImageRegistry.deleteRepository({ repositoryName: "app", force: true })
      const driver = yield* MemoryRegistryDriver
      expect((yield* driver.quotaUsage).used).toBe(1)
    }))
})

describe("images", () => {
  describe("PutImage", () => {
    it.effect("gives the digest sha256 of the exact manifest string and answers the image", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const manifest = ociImage(1)
        const response = yield* ImageRegistry.putImage({
          repositoryName: "app",
          imageManifest: manifest,
          imageTag: "v1"
        })
        expect(response).toStrictEqual({
          image: {
            registryId: ACCOUNT,
            repositoryName: "app",
            imageId: { imageDigest: digestOf(manifest), imageTag: "v1" },
            imageManifest: manifest,
            imageManifestMediaType: MediaType.ociManifest
          }
        })
      }))

    it.effect("the same JSON with different whitespace is a different image", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const compact = dockerImage(1)
        const pretty = JSON.stringify(JSON.parse(compact), null, 3)
        const a = yield* push("app", compact)
        const b = yield* push("app", pretty)
        expect(a).toBe(digestOf(compact))
        expect(b).toBe(digestOf(pretty))
        expect(b).not.toBe(a)
      }))

    it.effect("accepts an imageDigest that is the manifest's digest", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const manifest = ociImage(1)
        const response = yield* ImageRegistry.putImage({
          repositoryName: "app",
          imageManifest: manifest,
          imageDigest: digestOf(manifest)
        })
        expect(response.image?.imageId).toStrictEqual({ imageDigest: digestOf(manifest) })
      }))

    it.effect("refuses an imageDigest that is not the manifest's digest, changing nothing", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const manifest = ociImage(1)
        const given = digestOf(ociImage(2))
        expect(
          yield* refusedWithoutChange(ImageRegistry.putImage({
            repositoryName: "app",
            imageManifest: manifest,
            imageDigest: given
          }))
        ).toStrictEqual({
          _tag: "ImageDigestDoesNotMatchException",
          message: `The specified image digest '${given}' does not match the digest '${digestOf(manifest)}' ` +
            "that Amazon ECR calculated for the image."
        })
      }))

    it.effect("refuses the same manifest with the same tag again with ImageAlreadyExistsException", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        expect(yield* refusedWithoutChange(push("app", ociImage(1), "v1"))).toStrictEqual({
          _tag: "ImageAlreadyExistsException",
          message: `Image with digest '${digest}' and tag 'v1' already exists in the repository with name 'app' ` +
            "in registry with id '123456789012'"
        })
        expect(yield* refusedWithoutChange(push("app", ociImage(1)))).toStrictEqual({
          _tag: "ImageAlreadyExistsException",
          message: `Image with digest '${digest}' and tag 'null' already exists in the repository with name 'app' ` +
            "in registry with id '123456789012'"
        })
      }))

    it.effect("moves a tag to the new image in a mutable repository, leaving the old image untagged", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const old = yield* push("app", ociImage(1), "latest")
        const fresh = yield* push("app", ociImage(2), "latest")
        const details = yield* ImageRegistry.describeImages({ repositoryName: "app" })
        const byDigest = new Map(details.imageDetails?.map((d) => [d.imageDigest, d]))
        expect(byDigest.get(fresh)?.imageTags).toStrictEqual(["latest"])
        expect(byDigest.get(old)).not.toHaveProperty("imageTags")
        expect((yield* scan("app", { imageTag: "latest" })).imageId).toStrictEqual({
          imageDigest: fresh,
          imageTag: "latest"
        })
      }))

    it.effect("refuses to move a tag in an immutable repository with ImageTagAlreadyExistsException", () =>
      inRegistry(function*() {
        yield* ImageRegistry.createRepository({ repositoryName: "app", imageTagMutability: "IMMUTABLE" })
        yield* push("app", ociImage(1), "v1")
        expect(yield* refusedWithoutChange(push("app", ociImage(2), "v1"))).toStrictEqual({
          _tag: "ImageTagAlreadyExistsException",
          message: "The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the " +
            "repository is immutable."
        })
      }))

    it.effect("moves a tag an exclusion filter exempts from immutability, and no other", () =>
      inRegistry(function*() {
        yield* ImageRegistry.createRepository({
          repositoryName: "app",
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*" }]
        })
        yield* push("app", ociImage(1), "latest-main")
        yield* push("app", ociImage(1), "v1")
        const moved = yield* push("app", ociImage(2), "latest-main")
        expect(moved).toBe(digestOf(ociImage(2)))
        expect((yield* failure(push("app", ociImage(2), "v1")))._tag).toBe("ImageTagAlreadyExistsException")
      }))

    it.effect("refuses an index that references images not in the repository, naming the missing ones", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const present = yield* push("app", ociImage(1))
        const missing = digestOf(ociImage(2))
        expect(yield* refusedWithoutChange(push("app", ociIndex([present, missing]), "multi"))).toStrictEqual({
          _tag: "ReferencedImagesNotFoundException",
          message: `The manifest list or image index references images that do not exist in the repository: ${missing}`
        })
      }))

    it.effect("accepts a manifest without a mediaType when the request names it", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const { mediaType: _, ...rest } = JSON.parse(dockerImage(1))
        const manifest = JSON.stringify(rest)
        const response = yield* ImageRegistry.putImage({
          repositoryName: "app",
          imageManifest: manifest,
          imageManifestMediaType: MediaType.dockerManifest
        })
        expect(response.image?.imageManifestMediaType).toBe(MediaType.dockerManifest)
        expect(response.image?.imageId?.imageDigest).toBe(digestOf(manifest))
      }))

    it.effect("into a repository that does not exist is RepositoryNotFoundException", () =>
      inRegistry(function*() {
        expect(yield* failure(push("nope", ociImage(1)))).toStrictEqual(repositoryNotFound("nope"))
      }))
  })

  describe("BatchGetImage", () => {
    it.effect("answers the exact manifests found and a failure for each image that is not", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const one = yield* push("app", ociImage(1), "v1")
        const two = yield* push("app", dockerImage(2), "v2")
        const response = yield* ImageRegistry.batchGetImage({
          repositoryName: "app",
          imageIds: [
            { imageTag: "v1" },
            { imageDigest: two },
            { imageTag: "nope" },
            {},
            { imageDigest: two, imageTag: "v1" }
          ]
        })
        expect(response).toStrictEqual({
          images: [
            {
              registryId: ACCOUNT,
              repositoryName: "app",
              imageId: { imageDigest: one, imageTag: "v1" },
              imageManifest: ociImage(1),
              imageManifestMediaType: MediaType.ociManifest
            },
            {
              registryId: ACCOUNT,
              repositoryName: "app",
              imageId: { imageDigest: two },
              imageManifest: dockerImage(2),
              imageManifestMediaType: MediaType.dockerManifest
            }
          ],
          failures: [
            { imageId: { imageTag: "nope" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
            {
              imageId: {},
              failureCode: "MissingDigestAndTag",
              failureReason: "Invalid request parameters: both tag and digest cannot be null"
            },
            {
              imageId: { imageDigest: two, imageTag: "v1" },
              failureCode: "ImageTagDoesNotMatchDigest",
              failureReason: "Invalid request parameters: given tag does not map to the given digest"
            }
          ]
        })
      }))

    it.effect("retagging by BatchGetImage and PutImage of the same manifest keeps the digest", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        const got = yield* ImageRegistry.batchGetImage({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] })
        expect(yield* push("app", got.images![0].imageManifest!, "stable")).toBe(digest)
      }))
  })

  describe("BatchDeleteImage", () => {
    it.effect("by tag removes that tag only; by digest removes the image with all its tags", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        yield* push("app", ociImage(1), "stable")
        yield* push("app", ociImage(1), "latest")
        const byTag = yield* ImageRegistry.batchDeleteImage({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] })
        expect(byTag).toStrictEqual({ imageIds: [{ imageDigest: digest, imageTag: "v1" }], failures: [] })
        const detail = yield* ImageRegistry.describeImages({ repositoryName: "app" })
        expect(detail.imageDetails?.map((d) => d.imageTags)).toStrictEqual([["stable", "latest"]])
        const byDigest = yield* ImageRegistry.batchDeleteImage({
          repositoryName: "app",
          imageIds: [{ imageDigest: digest }]
        })
        expect(byDigest).toStrictEqual({
          imageIds: [{ imageDigest: digest, imageTag: "stable" }, { imageDigest: digest, imageTag: "latest" }],
          failures: []
        })
        expect((yield* ImageRegistry.describeImages({ repositoryName: "app" })).imageDetails).toStrictEqual([])
      }))

    it.effect("answers ImageNotFound and MissingDigestAndTag failures and deletes the rest", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        const response = yield* ImageRegistry.batchDeleteImage({
          repositoryName: "app",
          imageIds: [{ imageTag: "nope" }, {}, { imageDigest: digest }]
        })
        expect(response).toStrictEqual({
          imageIds: [{ imageDigest: digest }],
          failures: [
            { imageId: { imageTag: "nope" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
            {
              imageId: {},
              failureCode: "MissingDigestAndTag",
              failureReason: "Invalid request parameters: both tag and digest cannot be null"
            }
          ]
        })
      }))

    it.effect("will not delete an image an index references", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const child = yield* push("app", ociImage(1))
        const index = yield* push("app", ociIndex([child]))
        const response = yield* ImageRegistry.batchDeleteImage({
          repositoryName: "app",
          imageIds: [{ imageDigest: child }]
        })
        expect(response).toStrictEqual({
          imageIds: [],
          failures: [{
            imageId: { imageDigest: child },
            failureCode: "ImageReferencedByManifestList",
            failureReason: `Requested image is referenced by manifest list: [${index}]`
          }]
        })
      }))
  })

  describe("DescribeImages", () => {
    it.effect("describes an image without imageScanStatus or imageScanFindingsSummary, even after a scan", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", dockerImage(1), "v1")
        yield* scan("app", { imageTag: "v1" })
        yield* at(HOUR)
        expect(yield* ImageRegistry.describeImages({ repositoryName: "app" })).toStrictEqual({
          imageDetails: [{
            registryId: ACCOUNT,
            repositoryName: "app",
            imageDigest: digest,
            imageTags: ["v1"],
            imageSizeInBytes: 7023 + 32_654,
            imagePushedAt: new Date(T0),
            imageManifestMediaType: MediaType.dockerManifest,
            artifactMediaType: MediaType.dockerConfig,
            imageStatus: "ACTIVE"
          }]
        })
      }))

    it.effect("an index is as large as its largest image and has no artifact media type", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const large = yield* push("app", dockerImage(1))
        const small = yield* push("app", noLayersImage(2))
        const index = yield* push("app", dockerManifestList([small, large]), "multi")
        const response = yield* ImageRegistry.describeImages({
          repositoryName: "app",
          imageIds: [{ imageTag: "multi" }]
        })
        const [detail] = response.imageDetails!
        expect(detail.imageDigest).toBe(index)
        expect(detail.imageSizeInBytes).toBe(7023 + 32_654)
        expect(detail.imageManifestMediaType).toBe(MediaType.dockerManifestList)
        expect(detail).not.toHaveProperty("artifactMediaType")
      }))

    it.effect("filters by tag status", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const tagged = yield* push("app", ociImage(1), "v1")
        const untagged = yield* push("app", ociImage(2))
        const digests = (tagStatus: "TAGGED" | "UNTAGGED" | "ANY") =>
          Effect.map(
            ImageRegistry.describeImages({ repositoryName: "app", filter: { tagStatus } }),
            (r) => r.imageDetails?.map((d) => d.imageDigest)
          )
        expect(yield* digests("TAGGED")).toStrictEqual([tagged])
        expect(yield* digests("UNTAGGED")).toStrictEqual([untagged])
        expect(yield* digests("ANY")).toStrictEqual([tagged, untagged])
      }))

    it.effect("pages with maxResults and nextToken", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        for (let n = 0; n < 5; n++) yield* push("app", ociImage(n))
        const first = yield* ImageRegistry.describeImages({ repositoryName: "app", maxResults: 3 })
        const second = yield* ImageRegistry.describeImages({
          repositoryName: "app",
          maxResults: 3,
          nextToken: first.nextToken!
        })
        expect(first.imageDetails?.length).toBe(3)
        expect(second.imageDetails?.length).toBe(2)
        expect(second.nextToken).toBeUndefined()
      }))

    it.effect("naming an image that does not exist is ImageNotFoundException", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        expect(
          yield* failure(ImageRegistry.describeImages({ repositoryName: "app", imageIds: [{ imageTag: "v2" }] }))
        ).toStrictEqual(imageNotFound("app", { imageTag: "v2" }))
      }))
  })
})

describe("scanning configuration", () => {
  it.effect("a registry never configured is BASIC with no rules", () =>
    inRegistry(function*() {
      expect(yield* ImageRegistry.getRegistryScanningConfiguration({})).toStrictEqual({
        registryId: ACCOUNT,
        scanningConfiguration: { scanType: "BASIC", rules: [] }
      })
    }))

  it.effect("PutRegistryScanningConfiguration answers the configuration, and Get reads it back", () =>
    inRegistry(function*() {
      const configuration = {
        scanType: "BASIC" as const,
        rules: [{
          scanFrequency: "SCAN_ON_PUSH" as const,
          repositoryFilters: [{ filter: "prod*", filterType: "WILDCARD" as const }]
        }]
      }
      expect(yield* ImageRegistry.putRegistryScanningConfiguration(configuration)).toStrictEqual({
        registryScanningConfiguration: configuration
      })
      expect(yield* ImageRegistry.getRegistryScanningConfiguration({})).toStrictEqual({
        registryId: ACCOUNT,
        scanningConfiguration: configuration
      })
    }))

  it.effect("BatchGetRepositoryScanningConfiguration reports each repository's frequency and missing ones", () =>
    inRegistry(function*() {
      yield* createRepository("plain")
      yield* createRepository("flagged", { scanOnPush: true })
      yield* createRepository("prod-api")
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "prod*", filterType: "WILDCARD" }] }]
      })
      expect(
        yield* ImageRegistry.batchGetRepositoryScanningConfiguration({
          repositoryNames: ["plain", "flagged", "prod-api", "missing"]
        })
      ).toStrictEqual({
        scanningConfigurations: [
          {
            repositoryArn: repositoryArn("plain"),
            repositoryName: "plain",
            scanOnPush: false,
            scanFrequency: "MANUAL",
            appliedScanFilters: []
          },
          {
            repositoryArn: repositoryArn("flagged"),
            repositoryName: "flagged",
            scanOnPush: true,
            scanFrequency: "SCAN_ON_PUSH",
            appliedScanFilters: []
          },
          {
            repositoryArn: repositoryArn("prod-api"),
            repositoryName: "prod-api",
            scanOnPush: false,
            scanFrequency: "SCAN_ON_PUSH",
            appliedScanFilters: [{ filter: "prod*", filterType: "WILDCARD" }]
          }
        ],
        failures: [{
          repositoryName: "missing",
          failureCode: "REPOSITORY_NOT_FOUND",
          failureReason: "REPOSITORY_NOT_FOUND"
        }]
      })
    }))

  it.effect("DescribeRepositories keeps reporting the repository's own flag when a rule scans it on push", () =>
    inRegistry(function*() {
      yield* createRepository("prod-api")
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]
      })
      const response = yield* ImageRegistry.describeRepositories({ repositoryNames: ["prod-api"] })
      expect(response.repositories?.[0]?.imageScanningConfiguration).toStrictEqual({ scanOnPush: false })
    }))

  describe("matches repository filters as the AWS docs table says", () => {
    const repositories = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"]
    const table: ReadonlyArray<readonly [string, ReadonlyArray<boolean>]> = [
      ["prod", [true, true, true, true, true]],
      ["*prod", [true, true, false, false, false]],
      ["prod*", [true, false, true, false, true]],
      ["*prod*", [true, true, true, true, true]],
      ["prod*repo", [false, false, true, false, true]]
    ]
    for (const [filter, expected] of table) {
      it.effect(`filter ${filter}`, () =>
        inRegistry(function*() {
          for (const name of repositories) yield* createRepository(name)
          yield* ImageRegistry.putRegistryScanningConfiguration({
            scanType: "BASIC",
            rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter, filterType: "WILDCARD" }] }]
          })
          const response = yield* ImageRegistry.batchGetRepositoryScanningConfiguration({
            repositoryNames: repositories
          })
          expect(response.scanningConfigurations?.map((c) => c.scanFrequency === "SCAN_ON_PUSH")).toStrictEqual(
            expected
          )
        }))
    }
  })
})
