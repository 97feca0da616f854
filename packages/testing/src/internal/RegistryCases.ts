/**
 * The conformance cases of the registry around scanning: repositories created, described and deleted,
 * and images pushed by tag and by digest.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { repositoryNotFound } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { createRepository, refusal } from "./Steps.js"

/** The registry around scanning: repositories and images. */
export const registryCases = {
  "repository-lifecycle": {
    title: "a repository is created, described and deleted, after which it is not found",
    run: Effect.gen(function*() {
      const { accountId, region } = yield* Harness
      const repositoryName = (yield* Harness).repositoryName("lifecycle")
      const created = yield* createRepository(repositoryName)
      expect(created.repository).toMatchObject({
        registryId: accountId,
        repositoryName,
        repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${repositoryName}`,
        imageScanningConfiguration: { scanOnPush: false }
      })
      const described = yield* ImageRegistry.describeRepositories({ repositoryNames: [repositoryName] })
      expect(described.repositories?.map((r) => r.repositoryName)).toStrictEqual([repositoryName])
      const deleted = yield* ImageRegistry.deleteRepository({ repositoryName })
      expect(deleted.repository?.repositoryName).toBe(repositoryName)
      expect(yield* refusal(ImageRegistry.describeRepositories({ repositoryNames: [repositoryName] }))).toMatchObject(
        yield* repositoryNotFound(repositoryName)
      )
    })
  },
  "repository-name-pattern": {
    title: "CreateRepository accepts the names today's pattern allows, such as a__b and a--b",
    run: Effect.gen(function*() {
      const base = (yield* Harness).repositoryName("pattern")
      for (const repositoryName of [`${base}/a__b`, `${base}/a--b`]) {
        const created = yield* createRepository(repositoryName)
        expect(created.repository?.repositoryName).toBe(repositoryName)
      }
    })
  },
  "put-image-digest": {
    title: "PutImage names an image by the sha256 of its exact manifest bytes",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("digest")
      yield* createRepository(repositoryName)
      const manifest = Fixtures.image(repositoryName)
      const put = yield* ImageRegistry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" })
      expect(put.image?.imageId).toStrictEqual({ imageDigest: Fixtures.digestOf(manifest), imageTag: "v1" })
    })
  },
  "put-image-by-tag-and-digest": {
    title: "PutImage by tag and by digest stores images that DescribeImages lists with their tags",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("put")
      yield* createRepository(repositoryName)
      const tagged = Fixtures.image(`${repositoryName}/tagged`)
      const untagged = Fixtures.image(`${repositoryName}/untagged`)
      const first = yield* ImageRegistry.putImage({ repositoryName, imageManifest: tagged, imageTag: "v1" })
      expect(first.image?.imageId?.imageTag).toBe("v1")
      expect(first.image?.imageManifest).toBe(tagged)
      const digest = first.image!.imageId!.imageDigest!
      // The same manifest again, with its digest and a second tag: the same image, tagged twice.
      const retag = yield* ImageRegistry.putImage({
        repositoryName,
        imageManifest: tagged,
        imageDigest: digest,
        imageTag: "v2"
      })
      expect(retag.image?.imageId).toStrictEqual({ imageDigest: digest, imageTag: "v2" })
      // Another manifest by digest alone: an untagged image.
      const byDigest = yield* ImageRegistry.putImage({
        repositoryName,
        imageManifest: untagged,
        imageDigest: Fixtures.digestOf(untagged)
      })
      expect(byDigest.image?.imageId).toStrictEqual({ imageDigest: Fixtures.digestOf(untagged) })
      const listed = yield* ImageRegistry.describeImages({ repositoryName })
      const images = (listed.imageDetails ?? []).map((d) => ({
        imageDigest: d.imageDigest,
        imageTags: d.imageTags === undefined ? undefined : [...d.imageTags].sort()
      }))
      expect(images).toHaveLength(2)
      expect(images).toContainEqual({ imageDigest: digest, imageTags: ["v1", "v2"] })
      expect(images).toContainEqual({ imageDigest: Fixtures.digestOf(untagged), imageTags: undefined })
      const byTag = yield* ImageRegistry.describeImages({ repositoryName, imageIds: [{ imageTag: "v2" }] })
      expect(byTag.imageDetails?.map((d) => d.imageDigest)).toStrictEqual([digest])
    })
  },
  "put-image-missing-repository": {
    title: "PutImage into a repository that does not exist is refused with RepositoryNotFoundException",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("nowhere")
      const refused = yield* refusal(
        ImageRegistry.putImage({ repositoryName, imageManifest: Fixtures.image(repositoryName), imageTag: "v1" })
      )
      expect(refused).toStrictEqual(yield* repositoryNotFound(repositoryName))
    })
  }
} satisfies { readonly [id: string]: Case }
