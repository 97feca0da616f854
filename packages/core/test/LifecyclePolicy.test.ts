import { LifecyclePolicy, ScanRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

const DAY = 86_400_000
const NOW = Date.parse("2026-03-10T00:00:00.000Z")

type Image = LifecyclePolicy.ImageFacts
const image = (digest: string, tags: ReadonlyArray<string>, daysAgo: number): Image => ({
  digest,
  tags,
  pushedAt: NOW - daysAgo * DAY
})

const policy = (...rules: ReadonlyArray<unknown>) => JSON.stringify({ rules })
const rule = (rulePriority: number, selection: Record<string, unknown>) => ({
  rulePriority,
  selection,
  action: { type: "expire" }
})
const parsed = (text: string) => Either.getOrThrow(LifecyclePolicy.check(text))
const problem = (text: string) => Either.match(LifecyclePolicy.check(text), { onLeft: (p) => p, onRight: () => "" })
const expired = (text: string, images: ReadonlyArray<Image>, now = NOW) =>
  LifecyclePolicy.evaluate(parsed(text), images, now).map((e) => [e.image.digest, e.rulePriority])

describe("LifecyclePolicy.check", () => {
  it("accepts the documented examples, its rules ordered by priority", () => {
    const text = policy(
      {
        rulePriority: 2,
        description: "Keep only one untagged image, expire all others",
        selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 },
        action: { type: "expire" }
      },
      rule(1, {
        tagStatus: "tagged",
        tagPatternList: ["prod*"],
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: 14
      })
    )
    expect(parsed(text).rules.map((r) => r.rulePriority)).toStrictEqual([1, 2])
  })

  it("answers the validator's texts for what the schema refuses", () => {
    expect(problem("{")).toBe("Could not map policyString into LifecyclePolicy.")
    expect(problem("[]")).toBe("Could not map policyString into LifecyclePolicy.")
    expect(problem("{}")).toBe("object has missing required properties ([\"rules\"])")
    expect(problem(JSON.stringify({ rules: [], x: 1 }))).toBe(
      "object instance has properties which are not allowed by the schema: ([\"x\"])"
    )
    expect(problem(JSON.stringify({ rules: [] }))).toBe(
      "array is too short: must have at least 1 elements but instance has 0 elements"
    )
    expect(problem(policy("rule"))).toBe(
      "instance type (string) does not match any allowed primitive type (allowed: [\"object\"])"
    )
    expect(problem(policy({ selection: {} }))).toBe(
      "object has missing required properties ([\"action\",\"rulePriority\"])"
    )
    const selection = { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }
    expect(problem(policy({ ...rule(0, selection) }))).toBe(
      "numeric instance is lower than the required minimum (minimum: 1, found: 0)"
    )
    expect(problem(policy({ ...rule(1, selection), action: { type: "delete" } }))).toBe(
      "instance value (\"delete\") not found in enum (possible values: [\"expire\"])"
    )
    const noMatch = "instance failed to match exactly one schema (matched 0 out of 2)"
    for (
      const bad of [
        { ...selection, countUnit: "days" },
        { ...selection, countType: "sinceImagePushed" },
        { ...selection, countType: "sinceImagePushed", countUnit: "hours" },
        { ...selection, countNumber: 0 },
        { ...selection, countNumber: 1.5 },
        { ...selection, tagStatus: "TAGGED" },
        { ...selection, countUnit: null }
      ]
    ) expect(problem(policy(rule(1, bad)))).toBe(noMatch)
  })

  it("refuses what the properties page forbids between the rules", () => {
    const any = { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }
    const untagged = { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }
    expect(problem(policy(rule(1, any), rule(1, untagged)))).toMatch(/rulePriority 1 is used by more than one rule/)
    expect(problem(policy(rule(1, any), rule(2, untagged)))).toMatch(/tagStatus 'any' and must have the highest/)
    expect(problem(policy(rule(1, untagged), rule(2, untagged)))).toMatch(/only one rule may select untagged/)
    expect(problem(policy(rule(1, { ...any, tagStatus: "tagged" })))).toMatch(/must specify tagPrefixList/)
    expect(problem(policy(rule(1, { ...any, tagPrefixList: ["a"] })))).toMatch(/only with tagStatus 'tagged'/)
    expect(problem(policy(rule(1, { ...any, tagStatus: "tagged", tagPrefixList: ["a"], tagPatternList: ["a*"] }))))
      .toMatch(/either tagPatternList or tagPrefixList, but not both/)
    // At most four wildcards a pattern: the page's own example.
    const tagged = { ...any, tagStatus: "tagged" }
    expect(problem(policy(rule(1, { ...tagged, tagPatternList: ["*test*1*2*3", "test*1*2*3*"] })))).toBe("")
    expect(problem(policy(rule(1, { ...tagged, tagPatternList: ["test*1*2*3*4*5*6"] })))).toMatch(/more than 4/)
  })

  it("words the error as AWS does", () => {
    const error = Either.flip(LifecyclePolicy.parse("{}")).pipe(Either.getOrThrow)
    expect(error._tag).toBe("InvalidParameterException")
    expect(error.message).toBe(
      "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: " +
        "'Lifecycle policy validation failure: object has missing required properties ([\"rules\"])'"
    )
  })

  it.prop("never throws, whatever the text", [fc.oneof(fc.string(), fc.json())], ([text]) => {
    expect(Either.isEither(LifecyclePolicy.check(text))).toBe(true)
  })
})

describe("LifecyclePolicy.evaluate", () => {
  it("filtering on image age: tagged prod* older than 14 days", () => {
    const text = policy(rule(1, {
      tagStatus: "tagged",
      tagPatternList: ["prod*"],
      countType: "sinceImagePushed",
      countUnit: "days",
      countNumber: 14
    }))
    const images = [
      image("a", ["prod-1"], 20),
      image("b", ["prod-2"], 10),
      image("c", ["dev-1"], 30),
      image("d", [], 30)
    ]
    expect(expired(text, images)).toStrictEqual([["a", 1]])
  })

  it("filtering on image count: keeps one untagged image", () => {
    const text = policy(rule(1, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }))
    const images = [image("a", [], 3), image("b", [], 2), image("c", [], 1), image("d", ["v1"], 9)]
    expect(expired(text, images)).toStrictEqual([["a", 1], ["b", 1]])
  })

  it("multiple rules, example A: an image a higher priority rule selected is not expired by a lower one", () => {
    const text = policy(
      rule(1, { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 1 }),
      rule(2, { tagStatus: "tagged", tagPrefixList: ["beta"], countType: "imageCountMoreThan", countNumber: 1 })
    )
    const images = [
      image("A", ["beta-1", "prod-1"], 10),
      image("B", ["beta-2", "prod-2"], 9),
      image("C", ["beta-3"], 8)
    ]
    expect(expired(text, images)).toStrictEqual([["A", 1]])
  })

  it("multiple rules, example B: images both rules mark are expired once, by the first", () => {
    const text = policy(
      rule(1, { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 1 }),
      rule(2, { tagStatus: "tagged", tagPrefixList: ["beta"], countType: "imageCountMoreThan", countNumber: 1 })
    )
    const images = [
      image("A", ["beta-1", "prod-1"], 10),
      image("B", ["beta-2", "prod-2"], 9),
      image("C", ["beta-3", "prod-3"], 8)
    ]
    expect(expired(text, images)).toStrictEqual([["A", 1], ["B", 1]])
  })

  it("multiple tags in one rule select the images that have all of them", () => {
    const text = policy(rule(1, {
      tagStatus: "tagged",
      tagPrefixList: ["alpha", "beta"],
      countType: "imageCountMoreThan",
      countNumber: 1
    }))
    const images = [
      image("A", ["alpha-1"], 12),
      image("B", ["beta-1"], 11),
      image("C", ["alpha-2", "beta-2"], 10),
      image("D", ["alpha-3"], 4),
      image("E", ["beta-3"], 3),
      image("F", ["alpha-4", "beta-4"], 2)
    ]
    expect(expired(text, images)).toStrictEqual([["C", 1]])
  })

  it("an `any` rule last counts every image but expires none a tagged rule selected", () => {
    const text = policy(
      rule(1, { tagStatus: "tagged", tagPatternList: ["release-*"], countType: "imageCountMoreThan", countNumber: 5 }),
      rule(2, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 })
    )
    const images = [
      image("r1", ["release-1"], 5),
      image("x", ["dev"], 4),
      image("u", [], 3),
      image("r2", ["release-2"], 1)
    ]
    expect(expired(text, images)).toStrictEqual([["x", 2], ["u", 2]])
  })

  it("images pushed after the instant are not looked at", () => {
    const text = policy(rule(1, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }))
    expect(expired(text, [image("old", [], 2), image("new", [], 1)], NOW - 1.5 * DAY)).toStrictEqual([])
  })

  it("matches patterns literally but for `*`", () => {
    expect(LifecyclePolicy.matchesPattern("v1.*", "v1.2")).toBe(true)
    expect(LifecyclePolicy.matchesPattern("v1.*", "v1x2")).toBe(false)
    expect(LifecyclePolicy.matchesPattern("*-rc*", "2.0-rc1")).toBe(true)
    expect(LifecyclePolicy.matchesPattern("prod", "prod-1")).toBe(false)
  })

  it.prop(
    "matches patterns as the regular expression of their wildcards would",
    [fc.stringOf(fc.constantFrom("a", "b", "*", "."), { maxLength: 8 }), fc.stringOf(fc.constantFrom("a", "b", "."))],
    ([pattern, tag]) => {
      const parts = pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      expect(LifecyclePolicy.matchesPattern(pattern, tag)).toBe(new RegExp(`^${parts.join(".*")}$`, "s").test(tag))
    }
  )

  it("matches a four-wildcard pattern against a long tag at once", () => {
    const tag = "a".repeat(300)
    const started = performance.now()
    expect(LifecyclePolicy.matchesPattern("*a*a*a*b", tag)).toBe(false)
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Properties

const TAGS = ["prod-1", "prod-2", "beta-1", "dev", "v1.0", "v2.0", "latest"]
const images = fc.uniqueArray(
  fc.record({
    digest: fc.string({ minLength: 1, maxLength: 6 }),
    tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
    pushedAt: fc.integer({ min: NOW - 60 * DAY, max: NOW })
  }),
  { selector: (i) => i.digest, maxLength: 25 }
)

const selection = fc.oneof(
  fc.record({ tagStatus: fc.constant("untagged" as const) }),
  fc.record({
    tagStatus: fc.constant("tagged" as const),
    tagPrefixList: fc.uniqueArray(fc.constantFrom("prod", "beta", "v", "d", "l"), { minLength: 1, maxLength: 2 })
  }),
  fc.record({
    tagStatus: fc.constant("tagged" as const),
    tagPatternList: fc.uniqueArray(fc.constantFrom("prod-*", "*-1", "v*.0", "latest", "*"), {
      minLength: 1,
      maxLength: 2
    })
  })
).chain((tags) =>
  fc.oneof(
    fc.record({ countType: fc.constant("imageCountMoreThan" as const), countNumber: fc.integer({ min: 1, max: 8 }) }),
    fc.record({
      countType: fc.constant("sinceImagePushed" as const),
      countUnit: fc.constant("days" as const),
      countNumber: fc.integer({ min: 1, max: 40 })
    })
  ).map((count) => ({ ...tags, ...count }))
)

/** Policies of 1 to 4 rules with distinct priorities, at most one untagged rule, and maybe an `any` rule last. */
const policies = fc.tuple(
  fc.array(selection, { minLength: 1, maxLength: 3 }),
  fc.option(fc.integer({ min: 1, max: 8 })),
  fc.shuffledSubarray([1, 2, 3, 5, 8, 13], { minLength: 3, maxLength: 3 })
).map(([selections, anyCount, priorities]) => {
  let untagged = false
  const kept = selections.filter((s) => s.tagStatus !== "untagged" || (untagged ? false : (untagged = true)))
  const sorted = [...priorities].sort((a, b) => a - b)
  const rules = kept.map((s, i) => rule(sorted[i]!, s))
  if (anyCount !== null) {
    rules.push(rule(100, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: anyCount }))
  }
  return parsed(policy(...rules.reverse()))
})

describe("LifecyclePolicy.evaluate, properties", () => {
  it.prop("an image is never expired by a rule whose selection excludes it", [policies, images], ([p, is]) => {
    for (const { image: i, rulePriority } of LifecyclePolicy.evaluate(p, is, NOW)) {
      const by = p.rules.find((r) => r.rulePriority === rulePriority)!
      expect(LifecyclePolicy.selects(by.selection, i)).toBe(true)
      // ...nor by one after a rule that selected it.
      for (const earlier of p.rules.filter((r) => r.rulePriority < rulePriority)) {
        expect(LifecyclePolicy.selects(earlier.selection, i)).toBe(false)
      }
    }
  })

  it.prop("an image is expired at most once", [policies, images], ([p, is]) => {
    const digests = LifecyclePolicy.evaluate(p, is, NOW).map((e) => e.image.digest)
    expect(new Set(digests).size).toBe(digests.length)
  })

  it.prop(
    "imageCountMoreThan: N leaves exactly the N newest matching images (when there are more than N)",
    [selection, fc.integer({ min: 1, max: 8 }), images],
    ([s, n, is]) => {
      const p = parsed(policy(rule(1, { ...s, countType: "imageCountMoreThan", countUnit: undefined, countNumber: n })))
      const matching = is.filter((i) => LifecyclePolicy.selects(p.rules[0]!.selection, i))
      const expiredDigests = new Set(LifecyclePolicy.evaluate(p, is, NOW).map((e) => e.image.digest))
      const left = matching.filter((i) => !expiredDigests.has(i.digest))
      expect(left.length).toBe(Math.min(n, matching.length))
      // The ones left are the newest: none expired was pushed after one left.
      for (const gone of matching.filter((i) => expiredDigests.has(i.digest))) {
        for (const kept of left) expect(gone.pushedAt).toBeLessThanOrEqual(kept.pushedAt)
      }
    }
  )

  it.prop(
    "sinceImagePushed: N expires exactly the matching images pushed more than N days before",
    [selection, fc.integer({ min: 1, max: 40 }), images],
    ([s, n, is]) => {
      const p = parsed(policy(rule(1, { ...s, countType: "sinceImagePushed", countUnit: "days", countNumber: n })))
      const expected = is.filter((i) => LifecyclePolicy.selects(p.rules[0]!.selection, i) && NOW - i.pushedAt > n * DAY)
      const got = LifecyclePolicy.evaluate(p, is, NOW).map((e) => e.image.digest)
      expect([...got].sort()).toStrictEqual(expected.map((i) => i.digest).sort())
    }
  )
})

describe("the lifecycle house rules", () => {
  it("evaluate every 24 hours and complete a preview in 5 seconds unless told otherwise", () => {
    expect(ScanRules.defaults.lifecycleEvaluationIntervalMillis).toBe(DAY)
    expect(ScanRules.defaults.lifecyclePreviewDurationMillis).toBe(5_000)
    const rules = Either.getOrThrow(
      ScanRules.make({ lifecycleEvaluationInterval: "6 hours", lifecyclePreviewDuration: 0 })
    )
    expect(rules.lifecycleEvaluationIntervalMillis).toBe(6 * 3_600_000)
    expect(rules.lifecyclePreviewDurationMillis).toBe(0)
  })

  it("refuses an interval that is not a finite positive duration, and an endless preview", () => {
    expect(ScanRules.make({ lifecycleEvaluationInterval: 0 })).toStrictEqual(
      Either.left("lifecycleEvaluationInterval must be a finite positive duration")
    )
    expect(ScanRules.make({ lifecycleEvaluationInterval: Duration.infinity })).toStrictEqual(
      Either.left("lifecycleEvaluationInterval must be a finite positive duration")
    )
    expect(ScanRules.make({ lifecyclePreviewDuration: Duration.infinity })).toStrictEqual(
      Either.left("lifecyclePreviewDuration must be finite and not negative")
    )
  })
})
