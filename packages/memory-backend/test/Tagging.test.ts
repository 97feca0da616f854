/**
 * A repository's resource tags (TagResource, UntagResource, ListTagsForResource, by ARN) and its tag
 * mutability (PutImageTagMutability): what each answers, what each refuses without changing anything, what
 * PutImage and DescribeRepositories make of a new mutability, and that both survive a durable registry's
 * reopening.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { DurableRegistry, VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  createRepository,
  digestOf,
  failure,
  inRegistry,
  invalidParameter,
  ociImage,
  push,
  refusedWithoutChange,
  registry,
  repositoryArn,
  repositoryNotFound,
  T0,
  withDirectory
} from "./fixtures.js"

const listTags = (name: string) => ImageRegistry.listTagsForResource({ resourceArn: repositoryArn(name) })

const LENGTH_MESSAGE = "Tag keys can have a maximum character length of 128 characters, and tag values can have " +
  "a maximum length of 256 characters."

const filters = (...fs: ReadonlyArray<string>) => fs.map((filter) => ({ filterType: "WILDCARD" as const, filter }))

describe("resource tags", () => {
  it.effect("ListTagsForResource answers the tags CreateRepository was given, and none for a repository without", () =>
    inRegistry(function*() {
      yield* ImageRegistry.createRepository({
        repositoryName: "team/app",
        tags: [{ Key: "team", Value: "scan" }, { Key: "empty", Value: "" }]
      })
      yield* createRepository("plain")
      expect(yield* listTags("team/app")).toStrictEqual({
        tags: [{ Key: "team", Value: "scan" }, { Key: "empty", Value: "" }]
      })
      expect(yield* listTags("plain")).toStrictEqual({ tags: [] })
    }))

  it.effect("TagResource adds tags and overwrites the value of a key already there; UntagResource removes keys", () =>
    inRegistry(function*() {
      yield* ImageRegistry.createRepository({ repositoryName: "app", tags: [{ Key: "a", Value: "1" }] })
      expect(
        yield* ImageRegistry.tagResource({
          resourceArn: repositoryArn("app"),
          tags: [{ Key: "b", Value: "2" }, { Key: "a", Value: "one" }]
        })
      ).toStrictEqual({})
      expect(yield* listTags("app")).toStrictEqual({ tags: [{ Key: "a", Value: "one" }, { Key: "b", Value: "2" }] })
      // A key the repository does not have is no error.
      expect(yield* ImageRegistry.untagResource({ resourceArn: repositoryArn("app"), tagKeys: ["a", "absent"] }))
        .toStrictEqual(
          {}
        )
      expect(yield* listTags("app")).toStrictEqual({ tags: [{ Key: "b", Value: "2" }] })
      // Tags are the repository's: a repository created again under the name starts without them.
      yield* ImageRegistry.deleteRepository({ repositoryName: "app" })
      yield* createRepository("app")
      expect(yield* listTags("app")).toStrictEqual({ tags: [] })
    }))

  it.effect("a malformed ARN is InvalidParameterException, and changes nothing", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      for (const resourceArn of ["app", "arn:aws:ecr:us-east-1:123456789012:repository/", "arn:aws:s3:::bucket"]) {
        const expected = invalidParameter("resourceArn", "Invalid ARN")
        expect(yield* refusedWithoutChange(ImageRegistry.tagResource({ resourceArn, tags: [] }))).toStrictEqual(
          expected
        )
        expect(yield* refusedWithoutChange(ImageRegistry.untagResource({ resourceArn, tagKeys: ["a"] })))
          .toStrictEqual(expected)
        expect(yield* failure(ImageRegistry.listTagsForResource({ resourceArn }))).toStrictEqual(expected)
      }
    }))

  it.effect("the ARN of a missing repository, or of another region or account, is RepositoryNotFoundException", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const tags = [{ Key: "k", Value: "v" }]
      expect(yield* refusedWithoutChange(ImageRegistry.tagResource({ resourceArn: repositoryArn("missing"), tags })))
        .toStrictEqual(repositoryNotFound("missing"))
      expect(
        yield* refusedWithoutChange(ImageRegistry.tagResource({ resourceArn: repositoryArn("app", "eu-west-1"), tags }))
      )
        .toStrictEqual(repositoryNotFound("app"))
      expect(
        yield* failure(
          ImageRegistry.listTagsForResource({ resourceArn: repositoryArn("app", "us-east-1", "210987654321") })
        )
      )
        .toStrictEqual({
          _tag: "RepositoryNotFoundException",
          message: "The repository with name 'app' does not exist in the registry with id '210987654321'"
        })
      expect(yield* failure(ImageRegistry.untagResource({ resourceArn: repositoryArn("missing"), tagKeys: ["k"] })))
        .toStrictEqual(repositoryNotFound("missing"))
    }))

  it.effect("a registry in another region answers the ARNs of its own region, and not those of us-east-1", () =>
    Effect.gen(function*() {
      yield* ImageRegistry.createRepository({ repositoryName: "app", tags: [{ Key: "k", Value: "v" }] })
      const own = "arn:aws:ecr:eu-west-1:210987654321:repository/app"
      expect(yield* ImageRegistry.listTagsForResource({ resourceArn: own })).toStrictEqual({
        tags: [{ Key: "k", Value: "v" }]
      })
      expect(
        (yield* failure(
          ImageRegistry.listTagsForResource({ resourceArn: "arn:aws:ecr:us-east-1:210987654321:repository/app" })
        ))._tag
      ).toBe("RepositoryNotFoundException")
    }).pipe(Effect.provide(registry({ accountId: "210987654321", region: "eu-west-1" }))))

  it.effect("tags beyond AWS's limits are InvalidTagParameterException, and change nothing", () =>
    inRegistry(function*() {
      yield* ImageRegistry.createRepository({ repositoryName: "app", tags: [{ Key: "a", Value: "1" }] })
      const refused = (tags: ReadonlyArray<{ Key: string; Value: string }>) =>
        refusedWithoutChange(ImageRegistry.tagResource({ resourceArn: repositoryArn("app"), tags }))
      expect(yield* refused([{ Key: "k".repeat(129), Value: "" }])).toStrictEqual({
        _tag: "InvalidTagParameterException",
        message: LENGTH_MESSAGE
      })
      expect(yield* refused([{ Key: "ok", Value: "v" }, { Key: "k", Value: "v".repeat(257) }])).toStrictEqual({
        _tag: "InvalidTagParameterException",
        message: LENGTH_MESSAGE
      })
      expect(yield* refused([{ Key: "aws:owner", Value: "me" }])).toStrictEqual({
        _tag: "InvalidTagParameterException",
        message: "The tag key 'aws:owner' uses the prefix 'aws:', which is reserved for AWS use."
      })
      expect((yield* refused([{ Key: "", Value: "v" }]))._tag).toBe("InvalidTagParameterException")
      expect((yield* refused([{ Key: "a$b", Value: "v" }]))._tag).toBe("InvalidTagParameterException")
      expect(yield* listTags("app")).toStrictEqual({ tags: [{ Key: "a", Value: "1" }] })
    }))

  it.effect("a repository holds at most 50 tags: one more is TooManyTagsException, and changes nothing", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `${i}` }))
      yield* ImageRegistry.tagResource({ resourceArn: repositoryArn("app"), tags: fifty })
      // Overwriting a value on a full repository adds no tag.
      yield* ImageRegistry.tagResource({ resourceArn: repositoryArn("app"), tags: [{ Key: "k0", Value: "zero" }] })
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.tagResource({ resourceArn: repositoryArn("app"), tags: [{ Key: "k50", Value: "" }] })
        )
      ).toStrictEqual({ _tag: "TooManyTagsException", message: "A resource can have at most 50 tags." })
      const listed = yield* listTags("app")
      expect(listed.tags).toHaveLength(50)
      expect(listed.tags?.[0]).toStrictEqual({ Key: "k0", Value: "zero" })
    }))

  it.effect("requests of the wrong shape are InvalidParameterException in AWS's words", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      expect(yield* failure(ImageRegistry.tagResource({ resourceArn: repositoryArn("app") } as never))).toStrictEqual(
        invalidParameter("tags", "must not be null")
      )
      expect(yield* failure(ImageRegistry.untagResource({ resourceArn: repositoryArn("app") } as never))).toStrictEqual(
        invalidParameter("tagKeys", "must not be null")
      )
      expect(yield* failure(ImageRegistry.listTagsForResource({} as never))).toStrictEqual(
        invalidParameter("resourceArn", "must not be null")
      )
    }))
})

describe("PutImageTagMutability", () => {
  it.effect("sets the mutability that DescribeRepositories then shows and PutImage then follows", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* push("app", ociImage(1), "v1")
      expect(yield* ImageRegistry.putImageTagMutability({ repositoryName: "app", imageTagMutability: "IMMUTABLE" }))
        .toStrictEqual({ registryId: ACCOUNT, repositoryName: "app", imageTagMutability: "IMMUTABLE" })
      const described = yield* ImageRegistry.describeRepositories({ repositoryNames: ["app"] })
      expect(described.repositories?.[0]?.imageTagMutability).toBe("IMMUTABLE")
      expect((yield* failure(push("app", ociImage(2), "v1")))._tag).toBe("ImageTagAlreadyExistsException")
      // And back: the tag moves again.
      yield* ImageRegistry.putImageTagMutability({ repositoryName: "app", imageTagMutability: "MUTABLE" })
      expect(yield* push("app", ociImage(2), "v1")).toBe(digestOf(ociImage(2)))
    }))

  it.effect("with exclusion filters: echoes them, DescribeRepositories shows them, PutImage follows them", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* push("app", ociImage(1), "v1")
      yield* push("app", ociImage(1), "latest")
      const exclusions = filters("latest*", "dev-*")
      expect(
        yield* ImageRegistry.putImageTagMutability({
          repositoryName: "app",
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: exclusions
        })
      ).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName: "app",
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: exclusions
      })
      const described = yield* ImageRegistry.describeRepositories({ repositoryNames: ["app"] })
      expect(described.repositories?.[0]).toMatchObject({
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: exclusions
      })
      expect(yield* push("app", ociImage(2), "latest")).toBe(digestOf(ociImage(2)))
      expect((yield* failure(push("app", ociImage(2), "v1")))._tag).toBe("ImageTagAlreadyExistsException")
      // Setting MUTABLE drops the filters.
      yield* ImageRegistry.putImageTagMutability({ repositoryName: "app", imageTagMutability: "MUTABLE" })
      const after = yield* ImageRegistry.describeRepositories({ repositoryNames: ["app"] })
      expect(after.repositories?.[0]?.imageTagMutabilityExclusionFilters).toBeUndefined()
    }))

  it.effect("refuses filters that do not fit the mutability as CreateRepository does, changing nothing", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      expect(
        yield* refusedWithoutChange(ImageRegistry.putImageTagMutability({
          repositoryName: "app",
          imageTagMutability: "IMMUTABLE",
          imageTagMutabilityExclusionFilters: filters("latest")
        }))
      ).toStrictEqual(
        invalidParameter(
          "imageTagMutabilityExclusionFilters",
          "can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION"
        )
      )
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.putImageTagMutability({ repositoryName: "app", imageTagMutability: "MUTABLE_WITH_EXCLUSION" })
        )
      ).toStrictEqual(
        invalidParameter("imageTagMutabilityExclusionFilters", "must be specified with MUTABLE_WITH_EXCLUSION")
      )
      expect(
        yield* refusedWithoutChange(ImageRegistry.putImageTagMutability({
          repositoryName: "app",
          imageTagMutability: "MUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: filters("a", "b", "c", "d", "e", "f")
        }))
      ).toStrictEqual(
        invalidParameter("imageTagMutabilityExclusionFilters", "must have length less than or equal to 5")
      )
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.putImageTagMutability({ repositoryName: "app", imageTagMutability: "FROZEN" as never })
        )
      ).toStrictEqual(
        invalidParameter(
          "imageTagMutability",
          "must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]"
        )
      )
    }))

  it.effect("a missing repository is RepositoryNotFoundException; another registry id is AccessDeniedException", () =>
    inRegistry(function*() {
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.putImageTagMutability({ repositoryName: "missing", imageTagMutability: "IMMUTABLE" })
        )
      ).toStrictEqual(repositoryNotFound("missing"))
      yield* createRepository("app")
      const denied = yield* refusedWithoutChange(ImageRegistry.putImageTagMutability({
        registryId: "210987654321",
        repositoryName: "app",
        imageTagMutability: "IMMUTABLE"
      }))
      expect(denied).toMatchObject({ _tag: "UnknownEcrError", code: "AccessDeniedException" })
    }))
})

describe("durability", () => {
  it("tags and tag mutability survive a durable registry's reopening", () =>
    withDirectory("durable-tagging-", async (dir) => {
      const session = <A>(body: (d: DurableRegistry.DurableRegistry) => Effect.Effect<A, unknown>) =>
        Effect.runPromise(
          Effect.scoped(Effect.gen(function*() {
            const durable = yield* DurableRegistry.make({ directory: dir, seed: "tagging" })
            return yield* Effect.withClock(body(durable), VirtualClock.unsafeMake(T0))
          }))
        )
      await session((d) =>
        Effect.gen(function*() {
          yield* d.registry.createRepository({ repositoryName: "app", tags: [{ Key: "a", Value: "1" }] })
          // The mutability first: each tag change must be written down on its own.
          yield* d.registry.putImageTagMutability({
            repositoryName: "app",
            imageTagMutability: "MUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: filters("release-*")
          })
          yield* d.registry.tagResource({ resourceArn: repositoryArn("app"), tags: [{ Key: "b", Value: "2" }] })
          yield* d.registry.untagResource({ resourceArn: repositoryArn("app"), tagKeys: ["a"] })
          yield* d.registry.putImage({ repositoryName: "app", imageManifest: ociImage(1), imageTag: "release-1" })
          // A repository whose only change is its mutability.
          yield* d.registry.createRepository({ repositoryName: "locked" })
          yield* d.registry.putImageTagMutability({ repositoryName: "locked", imageTagMutability: "IMMUTABLE" })
        })
      )
      await session((d) =>
        Effect.gen(function*() {
          expect(yield* d.registry.listTagsForResource({ resourceArn: repositoryArn("app") })).toStrictEqual({
            tags: [{ Key: "b", Value: "2" }]
          })
          const described = yield* d.registry.describeRepositories({ repositoryNames: ["app"] })
          expect(described.repositories?.[0]).toMatchObject({
            imageTagMutability: "MUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: filters("release-*")
          })
          const moved = yield* Effect.flip(
            d.registry.putImage({ repositoryName: "app", imageManifest: ociImage(2), imageTag: "release-1" })
          )
          expect(moved._tag).toBe("ImageTagAlreadyExistsException")
          const locked = yield* d.registry.describeRepositories({ repositoryNames: ["locked"] })
          expect(locked.repositories?.[0]?.imageTagMutability).toBe("IMMUTABLE")
        })
      )
    }))
})
