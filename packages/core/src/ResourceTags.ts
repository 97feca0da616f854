/**
 * The rules of a repository's resource tags, as `TagResource`, `UntagResource` and `ListTagsForResource` apply
 * them: the repository ARN that names the resource, the limits of a tag (a key of 1..128 characters, a value
 * of 0..256, letters, numbers, spaces and `_ . : / = + - @`, no `aws:` key prefix), at most `MAX_TAGS` tags
 * per resource, a new value for a key already there overwriting the old one, and removing a key the resource
 * does not have changing nothing. The service model constrains none of these members: the limits are AWS's
 * tagging rules, and the texts of the errors they raise are ours (AWS does not document them).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"

/** The most tags a resource can have. */
export const MAX_TAGS = 50

/** The message of the `TooManyTagsException` for more than `MAX_TAGS` tags. */
export const TOO_MANY_TAGS_MESSAGE = "A resource can have at most 50 tags."

/** A resource tag. */
export interface ResourceTag {
  readonly Key: string
  readonly Value: string
}

/** The most characters (Unicode code points) a tag key can have. */
export const MAX_KEY_LENGTH = 128

/** The most characters (Unicode code points) a tag value can have. */
export const MAX_VALUE_LENGTH = 256

/** The characters a tag key or value may hold: letters, numbers, spaces and `_ . : / = + - @`. */
export const TAG_CHARACTERS_PATTERN = "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$"

/** The key prefix reserved for AWS's own tags (in any case). */
export const RESERVED_PREFIX = "aws:"

/** The constraint text of a resource ARN that is not a repository ARN (as moto words it after ECR). */
export const INVALID_ARN_TEXT = "Invalid ARN"

/** The message of the `InvalidTagParameterException` for a key or value too long: the model's text. */
export const TAG_LENGTH_MESSAGE =
  "Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters."

const tagCharacters = new RegExp(TAG_CHARACTERS_PATTERN, "u")
const arnPattern = /^arn:([^:]+):ecr:([^:]+):([^:]+):repository\/(.+)$/

/** The length of a string in Unicode characters (code points), as AWS counts tag lengths. */
export const characterCount = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/** A repository ARN, taken apart. */
export interface RepositoryArn {
  readonly partition: string
  readonly region: string
  readonly accountId: string
  readonly repositoryName: string
}

/** Takes a repository ARN (`arn:<partition>:ecr:<region>:<account>:repository/<name>`) apart, if it is one. */
export const parseRepositoryArn = (arn: string): RepositoryArn | undefined => {
  const match = arnPattern.exec(arn)
  if (match === null) return undefined
  return { partition: match[1]!, region: match[2]!, accountId: match[3]!, repositoryName: match[4]! }
}

/** The registry a backend serves, as an ARN names it. */
export interface ArnRegistry {
  readonly accountId: string
  readonly region: string
  /** `aws` unless given. */
  readonly partition?: string
}

/**
 * The repository a resource ARN names in this registry: its name and where the messages place it, or the
 * error: `InvalidParameterException` for a string that is not a repository ARN, `RepositoryNotFoundException`
 * (naming the ARN's account) for the ARN of another partition, region or account. Whether the repository
 * exists is the backend's to say, with the same `RepositoryNotFoundException`.
 */
export const resolveRepositoryArn = (
  arn: string,
  registry: ArnRegistry
): Either.Either<Errors.Where, Errors.InvalidParameterException | Errors.RepositoryNotFoundException> => {
  const parsed = parseRepositoryArn(arn)
  if (parsed === undefined) {
    return Either.left(Errors.invalidParameter(Constraints.invalidParameterMessage("resourceArn", INVALID_ARN_TEXT)))
  }
  const where: Errors.Where = { registryId: parsed.accountId, repositoryName: parsed.repositoryName }
  const local = parsed.partition === (registry.partition ?? "aws") && parsed.region === registry.region &&
    parsed.accountId === registry.accountId
  return local ? Either.right(where) : Either.left(Errors.repositoryNotFound(where))
}

const charactersMessage = (what: "key" | "value", text: string) =>
  `The tag ${what} '${text}' holds characters that are not allowed: ` +
  "tags can hold letters, numbers, spaces and the characters _ . : / = + - @."

const invalidTag = (message: string) => Errors.unsafeMake(Errors.InvalidTagParameterException, { message })

/** Why no tag can have this key: empty, or longer than `MAX_KEY_LENGTH`; else `undefined`. */
const keyLengthProblem = (key: string): Errors.InvalidTagParameterException | undefined =>
  key.length === 0
    ? invalidTag("Tag keys must not be empty.")
    : characterCount(key) > MAX_KEY_LENGTH
    ? invalidTag(TAG_LENGTH_MESSAGE)
    : undefined

/** Why a tag key is refused (`InvalidTagParameterException`), or `undefined`. */
export const tagKeyProblem = (key: string): Errors.InvalidTagParameterException | undefined => {
  const length = keyLengthProblem(key)
  if (length !== undefined) return length
  if (!tagCharacters.test(key)) return invalidTag(charactersMessage("key", key))
  if (key.toLowerCase().startsWith(RESERVED_PREFIX)) {
    return invalidTag(`The tag key '${key}' uses the prefix 'aws:', which is reserved for AWS use.`)
  }
  return undefined
}

/** Why a tag value is refused (`InvalidTagParameterException`), or `undefined`. */
export const tagValueProblem = (value: string): Errors.InvalidTagParameterException | undefined => {
  if (characterCount(value) > MAX_VALUE_LENGTH) return invalidTag(TAG_LENGTH_MESSAGE)
  if (!tagCharacters.test(value)) return invalidTag(charactersMessage("value", value))
  return undefined
}

/** The first refused tag's problem, or `undefined`. */
export const tagsProblem = (tags: ReadonlyArray<ResourceTag>): Errors.InvalidTagParameterException | undefined => {
  for (const tag of tags) {
    const problem = tagKeyProblem(tag.Key) ?? tagValueProblem(tag.Value)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * The tags after adding `added`: a key already there keeps its place and takes the new value, new keys follow
 * in the order given, and a key given twice takes its last value.
 */
export const withTags = (
  existing: ReadonlyArray<ResourceTag>,
  added: ReadonlyArray<ResourceTag>
): ReadonlyArray<ResourceTag> => {
  const values = new Map<string, string>()
  for (const tag of existing) values.set(tag.Key, tag.Value)
  for (const tag of added) values.set(tag.Key, tag.Value)
  return Array.from(values, ([Key, Value]) => ({ Key, Value }))
}

/** The tags without those whose key is in `keys` (keys the resource does not have are ignored). */
export const withoutKeys = (
  existing: ReadonlyArray<ResourceTag>,
  keys: ReadonlyArray<string>
): ReadonlyArray<ResourceTag> => {
  const removed = new Set(keys)
  return existing.filter((tag) => !removed.has(tag.Key))
}

/**
 * Decides `TagResource` on a resource holding `existing`: the first refused tag, `TooManyTagsException` when
 * the resource would hold more than `MAX_TAGS` tags, or its tags after the change.
 */
export const tagResource = (
  existing: ReadonlyArray<ResourceTag>,
  added: ReadonlyArray<ResourceTag>
): Either.Either<ReadonlyArray<ResourceTag>, Errors.InvalidTagParameterException | Errors.TooManyTagsException> => {
  const problem = tagsProblem(added)
  if (problem !== undefined) return Either.left(problem)
  const tags = withTags(existing, added)
  if (tags.length > MAX_TAGS) {
    return Either.left(Errors.unsafeMake(Errors.TooManyTagsException, { message: TOO_MANY_TAGS_MESSAGE }))
  }
  return Either.right(tags)
}

/**
 * Decides `UntagResource` on a resource holding `existing`: `InvalidTagParameterException` for a key no tag
 * can have (empty, or longer than `MAX_KEY_LENGTH`), or its tags after the change.
 */
export const untagResource = (
  existing: ReadonlyArray<ResourceTag>,
  keys: ReadonlyArray<string>
): Either.Either<ReadonlyArray<ResourceTag>, Errors.InvalidTagParameterException> => {
  for (const key of keys) {
    const problem = keyLengthProblem(key)
    if (problem !== undefined) return Either.left(problem)
  }
  return Either.right(withoutKeys(existing, keys))
}
