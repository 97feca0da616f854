import { PagingRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const { explicitListConflict } = PagingRules

const message = (list: string) =>
  `Invalid parameter at 'maxResults' failed to satisfy constraint: 'cannot be used together with ${list}'`

const optional = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined })

describe("PagingRules", () => {
  describe("explicitListConflict", () => {
    it("DescribeImages with imageIds and maxResults is InvalidParameterException", () => {
      const error = explicitListConflict("DescribeImages", { imageIds: [{ imageTag: "v1" }], maxResults: 10 })
      expect(error?._tag).toBe("InvalidParameterException")
      expect(error?.message).toBe(message("imageIds"))
    })

    it("DescribeImages with imageIds and nextToken names maxResults all the same", () => {
      const error = explicitListConflict("DescribeImages", { imageIds: [{ imageTag: "v1" }], nextToken: "t" })
      expect(error?.message).toBe(message("imageIds"))
    })

    it("DescribeRepositories with repositoryNames and paging is InvalidParameterException", () => {
      const error = explicitListConflict("DescribeRepositories", { repositoryNames: ["app"], maxResults: 1 })
      expect(error?._tag).toBe("InvalidParameterException")
      expect(error?.message).toBe(message("repositoryNames"))
    })

    it("a list alone, or paging alone, is fine", () => {
      expect(explicitListConflict("DescribeImages", { imageIds: [{ imageTag: "v1" }] })).toBeUndefined()
      expect(explicitListConflict("DescribeImages", { maxResults: 5, nextToken: "t" })).toBeUndefined()
      expect(explicitListConflict("DescribeRepositories", { repositoryNames: ["app"] })).toBeUndefined()
      expect(explicitListConflict("DescribeRepositories", { maxResults: 5 })).toBeUndefined()
    })

    it("another operation's list member does not count", () => {
      expect(explicitListConflict("DescribeImages", { repositoryNames: ["app"], maxResults: 1 } as never))
        .toBeUndefined()
    })

    it.prop("an explicit list conflicts exactly when maxResults or nextToken comes with it", [
      fc.constantFrom("DescribeImages" as const, "DescribeRepositories" as const),
      fc.boolean(),
      optional(fc.integer({ min: 1, max: 1000 })),
      optional(fc.string({ minLength: 1, maxLength: 8 }))
    ], ([operation, withList, maxResults, nextToken]) => {
      const list = PagingRules.EXPLICIT_LISTS[operation]
      const request = { ...(withList ? { [list]: [] } : {}), maxResults, nextToken }
      const error = explicitListConflict(operation, request)
      const conflicting = withList && (maxResults !== undefined || nextToken !== undefined)
      expect(error === undefined).toBe(!conflicting)
      if (error !== undefined) expect(error.message).toBe(message(list))
    })
  })
})
