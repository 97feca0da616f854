import { Errors, RepositoryRules, ResourceTags } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"

const ACCOUNT = "123456789012"
const REGION = "eu-west-1"
const registry = { accountId: ACCOUNT, region: REGION }
const arn = (name: string, region = REGION, account = ACCOUNT, partition = "aws") =>
  `arn:${partition}:ecr:${region}:${account}:repository/${name}`

const plain = (e: unknown) => {
  const error = e as { _tag: string; message: string }
  return { _tag: error._tag, message: error.message }
}

const LENGTH = ResourceTags.TAG_LENGTH_MESSAGE

/** Keys and values drawn from a small alphabet, so that keys repeat across lists. */
const key = fc.constantFrom("a", "b", "c", "env", "team", "cost:center", "x y", "k=v")
const value = fc.string({ maxLength: 6, unit: fc.constantFrom("0", "1", "v", " ", "-", "@") })
const tag = fc.record({ Key: key, Value: value })
const tags = fc.array(tag, { maxLength: 12 })

describe("ResourceTags", () => {
  describe("resolveRepositoryArn", () => {
    it("answers where a repository ARN of this registry points, the name taken whole (namespaces included)", () => {
      expect(ResourceTags.resolveRepositoryArn(arn("team/app"), registry)).toStrictEqual(
        Either.right({ registryId: ACCOUNT, repositoryName: "team/app" })
      )
    })

    it("refuses a string that is not a repository ARN with InvalidParameterException 'Invalid ARN'", () => {
      for (
        const bad of [
          "",
          "invalid",
          "app",
          `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/`,
          `arn:aws:ecr:${REGION}:${ACCOUNT}:repo/app`,
          `arn:aws:s3:${REGION}:${ACCOUNT}:repository/app`,
          `arn:aws:ecr::${ACCOUNT}:repository/app`,
          `arn:aws:ecr:${REGION}::repository/app`,
          `arn:aws:ecr:${REGION}:${ACCOUNT}:repository`
        ]
      ) {
        const resolved = ResourceTags.resolveRepositoryArn(bad, registry)
        expect(Either.isLeft(resolved) ? plain(resolved.left) : resolved, bad).toStrictEqual({
          _tag: "InvalidParameterException",
          message: "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'"
        })
      }
    })

    it("answers RepositoryNotFoundException, naming the ARN's account, for another region, account or partition", () => {
      for (
        const [other, account] of [
          [arn("app", "us-east-1"), ACCOUNT],
          [arn("app", REGION, "210987654321"), "210987654321"],
          [arn("app", REGION, ACCOUNT, "aws-cn"), ACCOUNT]
        ] as const
      ) {
        const resolved = ResourceTags.resolveRepositoryArn(other, registry)
        expect(Either.isLeft(resolved) ? plain(resolved.left) : resolved).toStrictEqual(
          plain(Errors.repositoryNotFound({ registryId: account, repositoryName: "app" }))
        )
      }
    })

    it("never throws, whatever the string", () => {
      fc.assert(fc.property(fc.string(), (s) => {
        const resolved = ResourceTags.resolveRepositoryArn(s, registry)
        expect(Either.isLeft(resolved) || resolved.right.registryId === ACCOUNT).toBe(true)
      }))
    })
  })

  describe("tag limits", () => {
    it("accepts keys of 1..128 and values of 0..256 characters, counted in Unicode characters", () => {
      const script = "\u{1D49C}" // a letter outside the BMP: two UTF-16 units, one character
      expect(ResourceTags.tagKeyProblem("k".repeat(128))).toBeUndefined()
      expect(ResourceTags.tagKeyProblem(script.repeat(128))).toBeUndefined()
      expect(ResourceTags.tagValueProblem("")).toBeUndefined()
      expect(ResourceTags.tagValueProblem("v".repeat(256))).toBeUndefined()
      expect(ResourceTags.tagValueProblem(script.repeat(256))).toBeUndefined()
      expect(plain(ResourceTags.tagKeyProblem("k".repeat(129)))).toStrictEqual({
        _tag: "InvalidTagParameterException",
        message: LENGTH
      })
      expect(plain(ResourceTags.tagValueProblem("v".repeat(257)))).toStrictEqual({
        _tag: "InvalidTagParameterException",
        message: LENGTH
      })
      expect(plain(ResourceTags.tagKeyProblem(""))).toStrictEqual({
        _tag: "InvalidTagParameterException",
        message: "Tag keys must not be empty."
      })
    })

    it("accepts letters, numbers, spaces and _ . : / = + - @, and refuses other characters", () => {
      expect(ResourceTags.tagKeyProblem("Cost Center:team/a_b.c=d+e-f@g 日本 é 42")).toBeUndefined()
      for (const bad of ["a$b", "a*b", "tab\tkey", "semi;colon", "emoji\u{1F600}", "quote'"]) {
        expect(ResourceTags.tagKeyProblem(bad)?._tag, bad).toBe("InvalidTagParameterException")
        expect(ResourceTags.tagValueProblem(bad)?._tag, bad).toBe("InvalidTagParameterException")
      }
    })

    it("refuses keys starting with aws: in any case, but not values", () => {
      for (const reserved of ["aws:x", "AWS:x", "Aws:createdBy"]) {
        expect(plain(ResourceTags.tagKeyProblem(reserved))).toStrictEqual({
          _tag: "InvalidTagParameterException",
          message: `The tag key '${reserved}' uses the prefix 'aws:', which is reserved for AWS use.`
        })
      }
      expect(ResourceTags.tagKeyProblem("aws")).toBeUndefined()
      expect(ResourceTags.tagKeyProblem("myaws:x")).toBeUndefined()
      expect(ResourceTags.tagValueProblem("aws:x")).toBeUndefined()
    })
  })

  describe("tagResource and untagResource", () => {
    it("adds new keys after the existing ones and overwrites the value of a key already there, in place", () => {
      const existing = [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }]
      expect(ResourceTags.tagResource(existing, [{ Key: "c", Value: "3" }, { Key: "a", Value: "new" }])).toStrictEqual(
        Either.right([{ Key: "a", Value: "new" }, { Key: "b", Value: "2" }, { Key: "c", Value: "3" }])
      )
    })

    it("keeps every tag not named, gives each named key its last value, and holds each key once", () => {
      fc.assert(fc.property(tags, tags, (existing, added) => {
        const unique = [...ResourceTags.withTags([], existing)]
        const result = ResourceTags.withTags(unique, added)
        const keys = result.map((t) => t.Key)
        expect(new Set(keys).size).toBe(keys.length)
        for (const t of unique) {
          const last = added.filter((a) => a.Key === t.Key).at(-1)
          expect(result).toContainEqual(last ?? t)
        }
        for (const a of added) expect(result).toContainEqual(added.filter((b) => b.Key === a.Key).at(-1))
        expect(keys).toStrictEqual([...new Set([...unique.map((t) => t.Key), ...added.map((t) => t.Key)])])
      }))
    })

    it("is idempotent: tagging twice with the same tags is tagging once", () => {
      fc.assert(fc.property(tags, tags, (existing, added) => {
        const once = ResourceTags.withTags(existing, added)
        expect(ResourceTags.withTags(once, added)).toStrictEqual(once)
      }))
    })

    it("refuses with TooManyTagsException when the resource would hold more than 50 tags", () => {
      const fifty = Array.from({ length: RepositoryRules.MAX_TAGS }, (_, i) => ({ Key: `k${i}`, Value: "" }))
      expect(Either.isRight(ResourceTags.tagResource([], fifty))).toBe(true)
      // Overwriting a key of a full resource adds nothing.
      expect(Either.isRight(ResourceTags.tagResource(fifty, [{ Key: "k0", Value: "x" }]))).toBe(true)
      const refused = ResourceTags.tagResource(fifty, [{ Key: "one-more", Value: "" }])
      expect(Either.isLeft(refused) ? plain(refused.left) : refused).toStrictEqual({
        _tag: "TooManyTagsException",
        message: RepositoryRules.TOO_MANY_TAGS_MESSAGE
      })
    })

    it("refuses a request with one bad tag whole, answering the first problem", () => {
      const refused = ResourceTags.tagResource([], [{ Key: "ok", Value: "" }, { Key: "aws:x", Value: "" }])
      expect(Either.isLeft(refused) && refused.left._tag).toBe("InvalidTagParameterException")
    })

    it("removes the named keys, ignores keys the resource lacks, and keeps the order of the rest", () => {
      fc.assert(fc.property(tags, fc.array(key, { maxLength: 5 }), (existing, keys) => {
        const unique = ResourceTags.withTags([], existing)
        const result = ResourceTags.untagResource(unique, keys)
        expect(result).toStrictEqual(Either.right(unique.filter((t) => !keys.includes(t.Key))))
      }))
      expect(ResourceTags.untagResource([{ Key: "a", Value: "1" }], ["absent"])).toStrictEqual(
        Either.right([{ Key: "a", Value: "1" }])
      )
    })

    it("refuses to untag a key no tag can have", () => {
      for (const bad of ["", "k".repeat(129)]) {
        const refused = ResourceTags.untagResource([], [bad])
        expect(Either.isLeft(refused) && refused.left._tag).toBe("InvalidTagParameterException")
      }
    })
  })
})
