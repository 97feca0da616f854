/**
 * The conformance cases of the registry's reads beside scanning: ListImages (one id per tag, the digest alone
 * for an untagged image, the tagStatus filter, paging, a missing repository), DescribeRegistry, and
 * GetAuthorizationToken (a base64 `AWS:<password>` token that expires 12 hours after it is issued).
 */
import { ImageRegistry } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { repositoryNotFound } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { createRepository, push, refusal, repositoryWithImage } from "./Steps.js"

type Id = { readonly imageDigest?: string | undefined; readonly imageTag?: string | undefined }

/** Identifiers in a stable order (AWS does not promise one), absent members dropped. */
const sorted = (ids: ReadonlyArray<Id> | undefined) =>
  (ids ?? [])
    .map((id) => ({
      imageDigest: id.imageDigest,
      ...(id.imageTag === undefined || id.imageTag === null ? {} : { imageTag: id.imageTag })
    }))
    .sort((a, b) => `${a.imageDigest}/${a.imageTag ?? ""}`.localeCompare(`${b.imageDigest}/${b.imageTag ?? ""}`))

const TWELVE_HOURS = 12 * 3_600_000

/** A fresh repository with an image tagged v1 and v2, an image tagged v3 and an untagged image. */
const threeImages = (slug: string) =>
  Effect.gen(function*() {
    const repositoryName = (yield* Harness).repositoryName(slug)
    yield* createRepository(repositoryName)
    const first = Fixtures.image(`${repositoryName}/1`)
    const a = yield* push(repositoryName, first, "v1")
    yield* ImageRegistry.putImage({ repositoryName, imageManifest: first, imageDigest: a, imageTag: "v2" })
    const b = yield* push(repositoryName, Fixtures.image(`${repositoryName}/2`), "v3")
    const c = yield* push(repositoryName, Fixtures.image(`${repositoryName}/3`))
    const tagged = [{ imageDigest: a, imageTag: "v1" }, { imageDigest: a, imageTag: "v2" }, {
      imageDigest: b,
      imageTag: "v3"
    }]
    return { repositoryName, tagged, untagged: [{ imageDigest: c }] }
  })

/** The decoded text of a token. */
const decoded = (token: string | undefined) => Buffer.from(token ?? "", "base64").toString("utf8")

/** ListImages, DescribeRegistry and GetAuthorizationToken. */
export const registryInfoCases = {
  "list-images-ids": {
    title: "ListImages gives one id per tag of a tagged image and the digest alone for an untagged one",
    run: Effect.gen(function*() {
      const { repositoryName, tagged, untagged } = yield* threeImages("list")
      const listed = yield* ImageRegistry.listImages({ repositoryName })
      expect(sorted(listed.imageIds)).toStrictEqual(sorted([...tagged, ...untagged]))
      expect(listed.nextToken).toBeUndefined()
    })
  },
  "list-images-tag-status": {
    title: "ListImages with filter.tagStatus TAGGED lists the tags only, UNTAGGED the untagged images only",
    run: Effect.gen(function*() {
      const { repositoryName, tagged, untagged } = yield* threeImages("list-filter")
      const onlyTagged = yield* ImageRegistry.listImages({ repositoryName, filter: { tagStatus: "TAGGED" } })
      expect(sorted(onlyTagged.imageIds)).toStrictEqual(sorted(tagged))
      const onlyUntagged = yield* ImageRegistry.listImages({ repositoryName, filter: { tagStatus: "UNTAGGED" } })
      expect(sorted(onlyUntagged.imageIds)).toStrictEqual(sorted(untagged))
    })
  },
  "list-images-paged": {
    title: "ListImages pages by maxResults, and nextToken gives the rest, each id once",
    run: Effect.gen(function*() {
      const { repositoryName, tagged, untagged } = yield* threeImages("list-paged")
      const seen: Array<Id> = []
      let nextToken: string | undefined
      let pages = 0
      do {
        const page = yield* ImageRegistry.listImages({
          repositoryName,
          maxResults: 3,
          ...(nextToken === undefined ? {} : { nextToken })
        })
        expect(page.imageIds?.length ?? 0).toBeLessThanOrEqual(3)
        seen.push(...(page.imageIds ?? []))
        nextToken = page.nextToken
        pages++
      } while (nextToken !== undefined && pages < 10)
      expect(pages).toBe(2)
      expect(sorted(seen)).toStrictEqual(sorted([...tagged, ...untagged]))
    })
  },
  "list-images-repository-not-found": {
    title: "ListImages of a repository that does not exist is RepositoryNotFoundException",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("list-missing")
      expect(yield* refusal(ImageRegistry.listImages({ repositoryName }))).toStrictEqual(
        yield* repositoryNotFound(repositoryName)
      )
    })
  },
  "describe-registry": {
    title: "DescribeRegistry answers the registry's id and its replication configuration (no rules)",
    run: Effect.gen(function*() {
      const { accountId } = yield* Harness
      expect(yield* ImageRegistry.describeRegistry({})).toStrictEqual({
        registryId: accountId,
        replicationConfiguration: { rules: [] }
      })
    })
  },
  "authorization-token": {
    title: "GetAuthorizationToken answers a base64 AWS:<password> token and an endpoint",
    run: Effect.gen(function*() {
      const { authorizationData } = yield* ImageRegistry.getAuthorizationToken({})
      expect(authorizationData).toHaveLength(1)
      const [data] = authorizationData!
      expect(data.authorizationToken).toMatch(/^\S+$/)
      expect(decoded(data.authorizationToken)).toMatch(/^AWS:\S+$/)
      expect(data.proxyEndpoint).toMatch(/^https?:\/\/\S+$/)
      expect(data.expiresAt).toBeInstanceOf(Date)
    })
  },
  "authorization-token-expiry": {
    title: "GetAuthorizationToken's token expires 12 hours after it is issued, on the registry's clock",
    needs: ["virtualTime"],
    run: Effect.gen(function*() {
      // The registry's instant, read from an image pushed at it: nothing moves time between the two calls.
      const { repositoryName } = yield* repositoryWithImage("token")
      const described = yield* ImageRegistry.describeImages({ repositoryName })
      const pushedAt = described.imageDetails![0].imagePushedAt!.getTime()
      const { authorizationData } = yield* ImageRegistry.getAuthorizationToken({})
      expect(authorizationData![0].expiresAt!.getTime()).toBe(pushedAt + TWELVE_HOURS)
    })
  }
} satisfies { readonly [id: string]: Case }
