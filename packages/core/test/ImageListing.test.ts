import { ImageListing } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const digest = fc.stringMatching(/^sha256:[0-9a-f]{64}$/)
const tags = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 6 })
const tagStatus = fc.constantFrom<ImageListing.TagStatus>("TAGGED", "UNTAGGED", "ANY")

describe("ImageListing", () => {
  it("an untagged image contributes its digest alone", () => {
    expect(ImageListing.imageIdsOf("sha256:ab", [])).toStrictEqual([{ imageDigest: "sha256:ab" }])
  })

  it("a tagged image contributes one id per tag, in order, each with the digest", () => {
    fc.assert(fc.property(digest, tags.filter((t) => t.length > 0), (d, ts) => {
      expect(ImageListing.imageIdsOf(d, ts)).toStrictEqual(ts.map((imageTag) => ({ imageDigest: d, imageTag })))
    }))
  })

  it("TAGGED selects exactly the images with a tag, UNTAGGED the others, ANY every image", () => {
    fc.assert(fc.property(tagStatus, fc.nat(10), (status, count) => {
      const selected = ImageListing.selectsTags(status, count)
      expect(selected).toBe(status === "ANY" || (status === "TAGGED") === (count > 0))
    }))
  })

  it("TAGGED and UNTAGGED partition the images: each is selected by exactly one of them", () => {
    fc.assert(fc.property(fc.nat(10), (count) => {
      expect(ImageListing.selectsTags("TAGGED", count)).not.toBe(ImageListing.selectsTags("UNTAGGED", count))
    }))
  })

  it("imageStatus ANY selects every status; any other selects that status only", () => {
    const statuses = ["ACTIVE", "ARCHIVED", "ACTIVATING"] as const
    for (const filter of [...statuses, "ANY" as const]) {
      for (const status of statuses) {
        expect(ImageListing.selectsStatus(filter, status)).toBe(filter === "ANY" || filter === status)
      }
    }
    expect(ImageListing.DEFAULT_IMAGE_STATUS).toBe("ACTIVE")
    expect(ImageListing.DEFAULT_TAG_STATUS).toBe("ANY")
  })

  it("the paging key differs between repositories and between filters", () => {
    const keys = new Set<string>()
    for (const repository of ["app", "app/x"]) {
      for (const t of ["TAGGED", "UNTAGGED", "ANY"] as const) {
        for (const s of ["ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"] as const) {
          keys.add(ImageListing.listingKey(repository, t, s))
        }
      }
    }
    expect(keys.size).toBe(2 * 3 * 4)
  })
})
