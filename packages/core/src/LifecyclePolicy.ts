/**
 * ECR's lifecycle policy language, pure: `parse` checks a policy text the way `PutLifecyclePolicy` does (the
 * JSON schema first, in the words of the validator AWS answers with, then the rules between the rules), and
 * `evaluate` answers which images a policy expires at an instant, and by which rule, following the documented
 * evaluation:
 *
 * - rules are applied from the lowest `rulePriority` to the highest;
 * - a rule selects the images whose tags satisfy its `tagStatus` and every entry of its `tagPrefixList` or
 *   `tagPatternList` (an entry is satisfied when one of the image's tags starts with the prefix, or matches
 *   the pattern, `*` standing for any run of characters);
 * - `imageCountMoreThan: N` marks the selected images beyond the N most recently pushed, `sinceImagePushed: N`
 *   (`countUnit: days`) the selected images pushed more than N days before the instant;
 * - an image is expired by at most one rule, and never by a rule after one that selected it: a later rule
 *   still counts it, but does not mark it.
 *
 * Only the `expire` action and the two count types of the original language are modelled (no `transition`,
 * `storageClass`, `sinceImagePulled`, `sinceImageTransitioned`).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"
import { matchesSegments } from "./internal/Glob.js"

/** Which images a rule looks at: those with tags, those without, or all. */
export type TagStatus = "tagged" | "untagged" | "any"

/** What a rule counts. */
export type CountType = "imageCountMoreThan" | "sinceImagePushed"

/** A rule's selection, as the policy gives it. */
export interface Selection {
  readonly tagStatus: TagStatus
  readonly tagPrefixList?: ReadonlyArray<string> | undefined
  readonly tagPatternList?: ReadonlyArray<string> | undefined
  readonly countType: CountType
  readonly countUnit?: "days" | undefined
  readonly countNumber: number
}

/** One rule of a policy. */
export interface Rule {
  readonly rulePriority: number
  readonly description?: string | undefined
  readonly selection: Selection
  readonly action: { readonly type: "expire" }
}

/** A checked policy: its rules, ordered by `rulePriority`. */
export interface LifecyclePolicy {
  readonly rules: ReadonlyArray<Rule>
}

/** What the evaluation needs of an image. */
export interface ImageFacts {
  readonly digest: string
  readonly tags: ReadonlyArray<string>
  /** When it was pushed (epoch milliseconds). */
  readonly pushedAt: number
}

/** An image a policy expires, and the priority of the rule that expires it. */
export interface Expiry<I extends ImageFacts> {
  readonly image: I
  readonly rulePriority: number
}

/** At most this many `*` in one entry of `tagPatternList` (the lifecycle policy properties page). */
export const MAX_WILDCARDS = 4

const DAY = 86_400_000

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** The prefix of every problem with a policy text, inside AWS's constraint message. */
export const VALIDATION_FAILURE = "Lifecycle policy validation failure: "

/** AWS's `InvalidParameterException` for a policy text with `problem`. */
export const invalidPolicy = (problem: string) =>
  Errors.invalidParameter(
    Constraints.invalidParameterMessage("LifecyclePolicyText", `${VALIDATION_FAILURE}${problem}`)
  )

/** The text of a JSON value in the validator's messages. */
const jsonType = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value === "number"
    ? (Number.isInteger(value) ? "integer" : "number")
    : typeof value

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const names = (list: ReadonlyArray<string>) => `[${list.map((n) => JSON.stringify(n)).join(",")}]`

const wrongType = (value: unknown, allowed: string) =>
  `instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ["${allowed}"])`

/** The object's missing required members, then its members the schema does not allow, as the validator words them. */
const membersProblem = (
  value: Record<string, unknown>,
  required: ReadonlyArray<string>,
  allowed: ReadonlyArray<string>
): string | undefined => {
  const missing = required.filter((k) => !Object.prototype.hasOwnProperty.call(value, k)).sort()
  if (missing.length > 0) return `object has missing required properties (${names(missing)})`
  const extra = Object.keys(value).filter((k) => !allowed.includes(k)).sort()
  if (extra.length > 0) return `object instance has properties which are not allowed by the schema: (${names(extra)})`
  return undefined
}

const isStringList = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((entry) => typeof entry === "string")

/**
 * The selection as one of the schema's two branches (one per count type), or `undefined` when it matches
 * neither: AWS answers every such selection with one text, whatever the member at fault.
 */
const selectionOf = (value: unknown): Selection | undefined => {
  if (!isObject(value)) return undefined
  const { countNumber, countType, countUnit, tagPatternList, tagPrefixList, tagStatus } = value
  const allowed = ["tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber"]
  if (Object.keys(value).some((k) => !allowed.includes(k))) return undefined
  if (tagStatus !== "tagged" && tagStatus !== "untagged" && tagStatus !== "any") return undefined
  if (tagPrefixList !== undefined && !isStringList(tagPrefixList)) return undefined
  if (tagPatternList !== undefined && !isStringList(tagPatternList)) return undefined
  if (typeof countNumber !== "number" || !Number.isInteger(countNumber) || countNumber < 1) return undefined
  if (countType === "imageCountMoreThan" && countUnit === undefined) {
    return { tagStatus, tagPrefixList, tagPatternList, countType, countNumber }
  }
  if (countType === "sinceImagePushed" && countUnit === "days") {
    return { tagStatus, tagPrefixList, tagPatternList, countType, countUnit, countNumber }
  }
  return undefined
}

/** The schema's problem with one rule, or the rule. */
const ruleOf = (value: unknown): Either.Either<Rule, string> => {
  if (!isObject(value)) return Either.left(wrongType(value, "object"))
  const members = membersProblem(value, ["rulePriority", "selection", "action"], [
    "rulePriority",
    "description",
    "selection",
    "action"
  ])
  if (members !== undefined) return Either.left(members)
  const { action, description, rulePriority, selection } = value
  if (typeof rulePriority !== "number" || !Number.isInteger(rulePriority)) {
    return Either.left(wrongType(rulePriority, "integer"))
  }
  if (rulePriority < 1) {
    return Either.left(`numeric instance is lower than the required minimum (minimum: 1, found: ${rulePriority})`)
  }
  if (description !== undefined && typeof description !== "string") {
    return Either.left(wrongType(description, "string"))
  }
  if (!isObject(action)) return Either.left(wrongType(action, "object"))
  const actionMembers = membersProblem(action, ["type"], ["type"])
  if (actionMembers !== undefined) return Either.left(actionMembers)
  if (action.type !== "expire") {
    return Either.left(
      `instance value (${JSON.stringify(action.type)}) not found in enum (possible values: ["expire"])`
    )
  }
  const checked = selectionOf(selection)
  if (checked === undefined) return Either.left("instance failed to match exactly one schema (matched 0 out of 2)")
  return Either.right({ rulePriority, description, selection: checked, action: { type: "expire" } })
}

/** The problem of a rule's tag lists, if any (the rules the properties page states). */
const tagListsProblem = (rule: Rule): string | undefined => {
  const { tagPatternList, tagPrefixList, tagStatus } = rule.selection
  const given = (list: ReadonlyArray<string> | undefined) => list !== undefined && list.length > 0
  if (given(tagPrefixList) && given(tagPatternList)) {
    return `rule ${rule.rulePriority} may specify either tagPatternList or tagPrefixList, but not both`
  }
  if (tagStatus === "tagged" && !given(tagPrefixList) && !given(tagPatternList)) {
    return `rule ${rule.rulePriority} has tagStatus 'tagged' and must specify tagPrefixList or tagPatternList`
  }
  if (tagStatus !== "tagged" && (given(tagPrefixList) || given(tagPatternList))) {
    return `rule ${rule.rulePriority} may specify tagPrefixList or tagPatternList only with tagStatus 'tagged'`
  }
  for (const pattern of tagPatternList ?? []) {
    if (pattern.split("*").length - 1 > MAX_WILDCARDS) {
      return `tagPatternList entry '${pattern}' has more than ${MAX_WILDCARDS} wildcards`
    }
  }
  return undefined
}

/** The problems between the rules: priorities unique, one untagged rule, an `any` rule last. */
const policyProblem = (rules: ReadonlyArray<Rule>): string | undefined => {
  const seen = new Set<number>()
  for (const rule of rules) {
    if (seen.has(rule.rulePriority)) return `rulePriority ${rule.rulePriority} is used by more than one rule`
    seen.add(rule.rulePriority)
    const problem = tagListsProblem(rule)
    if (problem !== undefined) return problem
  }
  if (rules.filter((r) => r.selection.tagStatus === "untagged").length > 1) {
    return "only one rule may select untagged images"
  }
  const highest = Math.max(...rules.map((r) => r.rulePriority))
  const any = rules.find((r) => r.selection.tagStatus === "any" && r.rulePriority !== highest)
  if (any !== undefined) {
    return `rule ${any.rulePriority} has tagStatus 'any' and must have the highest rulePriority`
  }
  return undefined
}

/**
 * Checks a policy text: the policy with its rules ordered by priority, or the problem's text (the part of
 * AWS's message after `Lifecycle policy validation failure: `).
 */
export const check = (text: string): Either.Either<LifecyclePolicy, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left("Could not map policyString into LifecyclePolicy.")
  }
  if (!isObject(json)) return Either.left("Could not map policyString into LifecyclePolicy.")
  const members = membersProblem(json, ["rules"], ["rules"])
  if (members !== undefined) return Either.left(members)
  const list = json.rules
  if (!Array.isArray(list)) return Either.left(wrongType(list, "array"))
  if (list.length === 0) {
    return Either.left("array is too short: must have at least 1 elements but instance has 0 elements")
  }
  const rules: Array<Rule> = []
  for (const value of list) {
    const rule = ruleOf(value)
    if (Either.isLeft(rule)) return Either.left(rule.left)
    rules.push(rule.right)
  }
  const problem = policyProblem(rules)
  if (problem !== undefined) return Either.left(problem)
  return Either.right({ rules: [...rules].sort((a, b) => a.rulePriority - b.rulePriority) })
}

/** Checks a policy text: the policy, or the `InvalidParameterException` AWS answers `PutLifecyclePolicy` with. */
export const parse = (text: string): Either.Either<LifecyclePolicy, Errors.InvalidParameterException> =>
  Either.mapLeft(check(text), invalidPolicy)

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/**
 * Whether `tag` matches a `tagPatternList` entry (`*` for any run of characters, the rest literally): the
 * first part a prefix, the last a suffix, the others found in order between them (linear, no backtracking).
 */
export const matchesPattern = (pattern: string, tag: string): boolean => matchesSegments(pattern.split("*"), tag)

/** Whether a rule's selection selects the image (by its tags only; the count decides what is marked). */
export const selects = (selection: Selection, image: ImageFacts): boolean => {
  switch (selection.tagStatus) {
    case "any":
      return true
    case "untagged":
      return image.tags.length === 0
    case "tagged": {
      if (image.tags.length === 0) return false
      const prefixes = selection.tagPrefixList ?? []
      const patterns = selection.tagPatternList ?? []
      return prefixes.every((p) => image.tags.some((t) => t.startsWith(p))) &&
        patterns.every((p) => image.tags.some((t) => matchesPattern(p, t)))
    }
  }
}

/** Newest first; equal instants by digest, so that the order never depends on the input's. */
const newestFirst = (a: ImageFacts, b: ImageFacts) =>
  b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0)

/** The images a rule marks among those it selects, at `now`. */
const marked = <I extends ImageFacts>(selection: Selection, selected: ReadonlyArray<I>, now: number) =>
  selection.countType === "imageCountMoreThan"
    ? [...selected].sort(newestFirst).slice(selection.countNumber)
    : selected.filter((image) => now - image.pushedAt > selection.countNumber * DAY)

/**
 * The images `policy` expires at `now`, each with the priority of the rule that expires it, oldest first.
 * Images pushed after `now` are not looked at.
 */
export const evaluate = <I extends ImageFacts>(
  policy: LifecyclePolicy,
  images: ReadonlyArray<I>,
  now: number
): ReadonlyArray<Expiry<I>> => {
  const present = images.filter((image) => image.pushedAt <= now)
  const seen = new Set<I>()
  const expired: Array<Expiry<I>> = []
  for (const rule of [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const selected = present.filter((image) => selects(rule.selection, image))
    for (const image of marked(rule.selection, selected, now)) {
      if (!seen.has(image)) expired.push({ image, rulePriority: rule.rulePriority })
    }
    for (const image of selected) seen.add(image)
  }
  return expired.sort((a, b) => newestFirst(b.image, a.image))
}
