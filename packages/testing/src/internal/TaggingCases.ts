/**
 * The conformance cases of a repository's resource tags (TagResource, UntagResource, ListTagsForResource, by
 * the repository's ARN) and of its tag mutability (PutImageTagMutability, which PutImage then follows).
 */
import { ImageRegistry } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { invalidParameter, repositoryNotFound } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { createRepository, push, refusal } from "./Steps.js"

/** The ARN of a repository of the registry under test. */
const arnOf = (repositoryName: string) =>
  Effect.map(Harness, ({ accountId, region }) => `arn:aws:ecr:${region}:${accountId}:repository/${repositoryName}`)

const wildcard = (...filters: ReadonlyArray<string>) =>
  filters.map((filter) => ({ filterType: "WILDCARD" as const, filter }))

/** Tags and tag mutability. */
export const taggingCases = {
  "tags-from-create": {
    title: "ListTagsForResource answers the tags CreateRepository was given, by the ARN it answered",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("tags-create")
      const tags = [{ Key: "team", Value: "scanning" }, { Key: "cost-center", Value: "42" }]
      const created = yield* ImageRegistry.createRepository({ repositoryName, tags })
      const resourceArn = created.repository!.repositoryArn!
      expect(resourceArn).toBe(yield* arnOf(repositoryName))
      const listed = yield* ImageRegistry.listTagsForResource({ resourceArn })
      expect([...(listed.tags ?? [])].sort((a, b) => a.Key.localeCompare(b.Key))).toStrictEqual([
        { Key: "cost-center", Value: "42" },
        { Key: "team", Value: "scanning" }
      ])
    })
  },
  "tags-tag-untag": {
    title: "TagResource adds tags and overwrites a key's value; UntagResource removes keys, absent ones ignored",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("tags-change")
      yield* ImageRegistry.createRepository({ repositoryName, tags: [{ Key: "a", Value: "1" }] })
      const resourceArn = yield* arnOf(repositoryName)
      // Both answer an empty object: nothing of the transport (the SDK's `$metadata`) comes through.
      expect(
        yield* ImageRegistry.tagResource({ resourceArn, tags: [{ Key: "b", Value: "2" }, { Key: "a", Value: "one" }] })
      ).toStrictEqual({})
      const tagged = yield* ImageRegistry.listTagsForResource({ resourceArn })
      expect([...(tagged.tags ?? [])].sort((x, y) => x.Key.localeCompare(y.Key))).toStrictEqual([
        { Key: "a", Value: "one" },
        { Key: "b", Value: "2" }
      ])
      expect(yield* ImageRegistry.untagResource({ resourceArn, tagKeys: ["a", "never-set"] })).toStrictEqual({})
      expect((yield* ImageRegistry.listTagsForResource({ resourceArn })).tags).toStrictEqual([{ Key: "b", Value: "2" }])
    })
  },
  "tags-invalid-arn": {
    title: "a resource ARN that is not a repository ARN is InvalidParameterException 'Invalid ARN'",
    run: Effect.gen(function*() {
      const refused = yield* refusal(ImageRegistry.listTagsForResource({ resourceArn: "invalid" }))
      expect(refused).toStrictEqual(invalidParameter("resourceArn", "Invalid ARN"))
    })
  },
  "tags-repository-not-found": {
    title: "the ARN of a repository that does not exist is RepositoryNotFoundException",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("tags-nowhere")
      const resourceArn = yield* arnOf(repositoryName)
      const refused = yield* refusal(ImageRegistry.tagResource({ resourceArn, tags: [{ Key: "k", Value: "v" }] }))
      expect(refused).toStrictEqual(yield* repositoryNotFound(repositoryName))
    })
  },
  "tags-too-many": {
    title: "a repository holds at most 50 tags: TagResource past that is TooManyTagsException",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("tags-full")
      yield* createRepository(repositoryName)
      const resourceArn = yield* arnOf(repositoryName)
      const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "" }))
      yield* ImageRegistry.tagResource({ resourceArn, tags: fifty })
      const refused = yield* refusal(ImageRegistry.tagResource({ resourceArn, tags: [{ Key: "k50", Value: "" }] }))
      expect(refused._tag).toBe("TooManyTagsException")
      expect((yield* ImageRegistry.listTagsForResource({ resourceArn })).tags).toHaveLength(50)
    })
  },
  "tag-mutability-immutable": {
    title: "PutImageTagMutability IMMUTABLE is echoed, shown by DescribeRepositories, and PutImage then keeps tags",
    run: Effect.gen(function*() {
      const { accountId, repositoryName: name } = yield* Harness
      const repositoryName = name("immutable")
      yield* createRepository(repositoryName)
      yield* push(repositoryName, Fixtures.image(`${repositoryName}/1`), "v1")
      const put = yield* ImageRegistry.putImageTagMutability({ repositoryName, imageTagMutability: "IMMUTABLE" })
      expect(put).toStrictEqual({ registryId: accountId, repositoryName, imageTagMutability: "IMMUTABLE" })
      const described = yield* ImageRegistry.describeRepositories({ repositoryNames: [repositoryName] })
      expect(described.repositories?.[0]?.imageTagMutability).toBe("IMMUTABLE")
      const refused = yield* refusal(push(repositoryName, Fixtures.image(`${repositoryName}/2`), "v1"))
      expect(refused._tag).toBe("ImageTagAlreadyExistsException")
    })
  },
  "tag-mutability-exclusion": {
    title: "PutImageTagMutability IMMUTABLE_WITH_EXCLUSION echoes its filters, and PutImage moves only excluded tags",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("exclusion")
      yield* createRepository(repositoryName)
      yield* push(repositoryName, Fixtures.image(`${repositoryName}/1`), "v1")
      yield* push(repositoryName, Fixtures.image(`${repositoryName}/1`), "latest")
      const put = yield* ImageRegistry.putImageTagMutability({
        repositoryName,
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: wildcard("latest*")
      })
      expect(put.imageTagMutabilityExclusionFilters).toStrictEqual(wildcard("latest*"))
      const moved = yield* push(repositoryName, Fixtures.image(`${repositoryName}/2`), "latest")
      expect(moved).toBe(Fixtures.digestOf(Fixtures.image(`${repositoryName}/2`)))
      const refused = yield* refusal(push(repositoryName, Fixtures.image(`${repositoryName}/2`), "v1"))
      expect(refused._tag).toBe("ImageTagAlreadyExistsException")
    })
  },
  "tag-mutability-filters-mismatch": {
    title: "PutImageTagMutability with a *_WITH_EXCLUSION mutability and no filters is InvalidParameterException",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("mismatch")
      yield* createRepository(repositoryName)
      const refused = yield* refusal(
        ImageRegistry.putImageTagMutability({ repositoryName, imageTagMutability: "MUTABLE_WITH_EXCLUSION" })
      )
      expect(refused._tag).toBe("InvalidParameterException")
      const described = yield* ImageRegistry.describeRepositories({ repositoryNames: [repositoryName] })
      expect(described.repositories?.[0]?.imageTagMutability).toBe("MUTABLE")
    })
  }
} satisfies { readonly [id: string]: Case }
