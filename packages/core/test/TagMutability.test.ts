import { type RepositoryModel, TagMutability } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const { isImmutable, matchesExclusionFilter } = TagMutability

const MUTABILITIES: ReadonlyArray<RepositoryModel.ImageTagMutability> = [
  "MUTABLE",
  "IMMUTABLE",
  "IMMUTABLE_WITH_EXCLUSION",
  "MUTABLE_WITH_EXCLUSION"
]

const filters = (...fs: ReadonlyArray<string>) => fs.map((filter) => ({ filterType: "WILDCARD" as const, filter }))

/** The memory backend's matcher before the rule moved to the core, kept as the oracle. */
const original = (filter: string, tag: string) =>
  new RegExp(`^${filter.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(tag)

/** Characters of tags and filters, with every regular-expression metacharacter and a line terminator. */
const char = fc.constantFrom(
  "a",
  "b",
  "1",
  ".",
  "-",
  "_",
  "+",
  "?",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "^",
  "$",
  "|",
  "\\",
  "\n"
)
const text = (max: number) => fc.array(char, { maxLength: max }).map((cs) => cs.join(""))
const tagChar = fc.constantFrom("a", "b", "1", ".", "-", "_")
const tagText = (max: number) => fc.array(tagChar, { maxLength: max }).map((cs) => cs.join(""))
const mutability = fc.constantFrom(...MUTABILITIES)

describe("TagMutability", () => {
  describe("matchesExclusionFilter", () => {
    it("a filter without '*' matches only the identical tag", () => {
      expect(matchesExclusionFilter("v1", "v1")).toBe(true)
      expect(matchesExclusionFilter("v1", "v10")).toBe(false)
      expect(matchesExclusionFilter("v1", "xv1")).toBe(false)
    })

    it("'.' and '-' in a filter are literal characters", () => {
      expect(matchesExclusionFilter("v1.0", "v1x0")).toBe(false)
      expect(matchesExclusionFilter("v1.0", "v1.0")).toBe(true)
      expect(matchesExclusionFilter("a-b", "a-b")).toBe(true)
    })

    it("'*' matches the empty run", () => {
      expect(matchesExclusionFilter("latest*", "latest")).toBe(true)
      expect(matchesExclusionFilter("*", "x")).toBe(true)
    })

    it("'*' does not run over a line terminator, as the backend's regular expression did not", () => {
      expect(matchesExclusionFilter("a*", "a\nb")).toBe(false)
    })

    it.prop("'*' matches any run of characters between the filter's literal parts", [
      fc.array(tagText(3), { minLength: 1, maxLength: 4 }),
      fc.array(tagText(5), { minLength: 4, maxLength: 4 })
    ], ([parts, runs]) => {
      const tag = parts.map((part, i) => i === 0 ? part : runs[i - 1] + part).join("")
      expect(matchesExclusionFilter(parts.join("*"), tag)).toBe(true)
    })

    it.prop("a lone '*' matches every tag", [tagText(12)], ([tag]) => {
      expect(matchesExclusionFilter("*", tag)).toBe(true)
    })

    it.prop("matches exactly as the memory backend's matcher did, for any filter and tag", [
      fc.array(text(3), { minLength: 1, maxLength: 4 }).map((parts) => parts.join("*")),
      text(8)
    ], ([filter, tag]) => {
      expect(matchesExclusionFilter(filter, tag)).toBe(original(filter, tag))
    }, { fastCheck: { numRuns: 2000 } })
  })

  describe("isImmutable", () => {
    it("MUTABLE tags are never immutable, whatever the filters", () => {
      expect(isImmutable("MUTABLE", [], "v1")).toBe(false)
      expect(isImmutable("MUTABLE", filters("v*"), "v1")).toBe(false)
    })

    it("IMMUTABLE tags are always immutable, whatever the filters", () => {
      expect(isImmutable("IMMUTABLE", [], "v1")).toBe(true)
      expect(isImmutable("IMMUTABLE", filters("v*"), "v1")).toBe(true)
    })

    it("under IMMUTABLE_WITH_EXCLUSION a tag a filter matches stays mutable", () => {
      expect(isImmutable("IMMUTABLE_WITH_EXCLUSION", filters("latest", "dev-*"), "dev-42")).toBe(false)
      expect(isImmutable("IMMUTABLE_WITH_EXCLUSION", filters("latest", "dev-*"), "latest")).toBe(false)
      expect(isImmutable("IMMUTABLE_WITH_EXCLUSION", filters("latest", "dev-*"), "v1.0.0")).toBe(true)
    })

    it("under MUTABLE_WITH_EXCLUSION a tag a filter matches becomes immutable", () => {
      expect(isImmutable("MUTABLE_WITH_EXCLUSION", filters("release-*"), "release-1")).toBe(true)
      expect(isImmutable("MUTABLE_WITH_EXCLUSION", filters("release-*"), "latest")).toBe(false)
    })

    it.prop("a tag matching an exclusion filter flips the base mutability of a *_WITH_EXCLUSION setting", [
      fc.constantFrom("IMMUTABLE_WITH_EXCLUSION" as const, "MUTABLE_WITH_EXCLUSION" as const),
      fc.array(tagText(3), { minLength: 1, maxLength: 3 }).map((parts) => parts.join("*")),
      tagText(8)
    ], ([setting, filter, tag]) => {
      const base = setting === "IMMUTABLE_WITH_EXCLUSION"
      expect(isImmutable(setting, filters(filter), tag)).toBe(matchesExclusionFilter(filter, tag) ? !base : base)
    }, { fastCheck: { numRuns: 1000 } })

    it.prop("one matching filter among several is enough to exclude a tag", [
      fc.array(tagText(4), { maxLength: 4 }),
      tagText(8)
    ], ([others, tag]) => {
      const all = filters(...others, tag)
      expect(isImmutable("IMMUTABLE_WITH_EXCLUSION", all, tag)).toBe(false)
      expect(isImmutable("MUTABLE_WITH_EXCLUSION", all, tag)).toBe(true)
    })

    it.prop("decides exactly as the memory backend did", [
      mutability,
      fc.array(fc.array(tagText(3), { minLength: 1, maxLength: 3 }).map((parts) => parts.join("*")), { maxLength: 3 }),
      tagText(8)
    ], ([setting, fs, tag]) => {
      const excluded = fs.some((f) => original(f, tag))
      const expected = setting === "MUTABLE"
        ? false
        : setting === "IMMUTABLE"
        ? true
        : setting === "IMMUTABLE_WITH_EXCLUSION"
        ? !excluded
        : excluded
      expect(isImmutable(setting, filters(...fs), tag)).toBe(expected)
    }, { fastCheck: { numRuns: 1000 } })
  })
})
