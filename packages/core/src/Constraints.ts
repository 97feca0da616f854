/**
 * The service model's member constraints, written once and used twice: by the Schemas (wire decoding)
 * and by the fast validators the ports run on every call. Each check answers with the constraint text
 * AWS puts in `Invalid parameter at '<member>' failed to satisfy constraint: '<text>'`, or `undefined`.
 *
 * Patterns are matched against the whole string (see the spec, section 2.1: AWS rejects `Bad_Name!`
 * although an unanchored search would find a match inside it).
 *
 * @since 0.1.0
 */

/** A constraint check: `undefined` when the value satisfies it, else AWS's constraint text. */
export type Check<A> = (value: A) => string | undefined

/** The pattern of a 12-digit AWS account id, as the model writes it. */
export const REGISTRY_ID_PATTERN = "[0-9]{12}"

/** The current (looser) repository name pattern: it also admits `a__b` and runs of `-`. */
export const REPOSITORY_NAME_PATTERN = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"

/** The repository name pattern as ECR quotes it in its error messages (`/` unescaped). */
export const REPOSITORY_NAME_PATTERN_TEXT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"

/** The digest pattern AWS quotes in batch-API failures. */
export const IMAGE_DIGEST_PATTERN = "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+"

/** The registry scanning filter pattern (`ScanningRepositoryFilter`). */
export const SCANNING_FILTER_PATTERN = "^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$"

const registryIdRe = new RegExp(`^(?:${REGISTRY_ID_PATTERN})$`)
const repositoryNameRe = new RegExp(`^(?:${REPOSITORY_NAME_PATTERN})$`)
const imageDigestRe = /^[a-zA-Z0-9\-_+.]+:[a-fA-F0-9]+$/
const scanningFilterRe = new RegExp(SCANNING_FILTER_PATTERN)

/** AWS's message for a member that failed a constraint. */
export const invalidParameterMessage = (member: string, constraint: string): string =>
  `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`

/** Constraint text for a minimum string or list length. */
export const minLengthText = (n: number) => `must have length greater than or equal to ${n}`
/** Constraint text for a maximum string or list length. */
export const maxLengthText = (n: number) => `must have length less than or equal to ${n}`
/** Constraint text for a minimum numeric value. */
export const minValueText = (n: number) => `must have value greater than or equal to ${n}`
/** Constraint text for a maximum numeric value. */
export const maxValueText = (n: number) => `must have value less than or equal to ${n}`
/** Constraint text for a required member that is absent. */
export const REQUIRED_TEXT = "must not be null"
/** Constraint text for a member of the wrong JSON type. */
export const typeText = (type: string) => `must be ${type}`

/** Checks the length of a string or list against inclusive bounds. */
export const length = (min: number, max: number): Check<{ readonly length: number }> => (s) =>
  s.length < min ? minLengthText(min) : s.length > max ? maxLengthText(max) : undefined

/** Checks an integer against inclusive bounds. */
export const range = (min: number, max: number): Check<number> => (n) =>
  !Number.isInteger(n) ? typeText("an integer") : n < min ? minValueText(min) : n > max ? maxValueText(max) : undefined

/** `RegistryId`: twelve digits. */
export const registryId: Check<string> = (s) =>
  registryIdRe.test(s) ? undefined : `must satisfy regular expression ${REGISTRY_ID_PATTERN}`

/** `RepositoryName`: 2..256 characters of the current pattern. */
export const repositoryName: Check<string> = (s) =>
  s.length < 2
    ? minLengthText(2)
    : s.length > 256
    ? maxLengthText(256)
    : repositoryNameRe.test(s)
    ? undefined
    : `must satisfy regular expression '${REPOSITORY_NAME_PATTERN_TEXT}'`

/**
 * `ImageDigest`. The model sets no constraint; ECR's batch APIs reject anything outside
 * `[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+`, and so do we (house rule: malformed digest is invalid input).
 */
export const imageDigest: Check<string> = (s) =>
  imageDigestRe.test(s) ? undefined : `image digest should satisfy the regex '${IMAGE_DIGEST_PATTERN}'`

/** `ImageTag`: 1..300 characters. */
export const imageTag: Check<string> = length(1, 300)

/** `ScanningRepositoryFilter.filter`: 1..255 characters of the filter pattern. */
export const scanningFilter: Check<string> = (s) =>
  s.length < 1
    ? minLengthText(1)
    : s.length > 255
    ? maxLengthText(255)
    : scanningFilterRe.test(s)
    ? undefined
    : `must satisfy regular expression '${SCANNING_FILTER_PATTERN}'`

/** `ImageManifest`: 1..4,194,304 characters. */
export const imageManifest: Check<string> = length(1, 4_194_304)

/** `MediaType` members: 1..255 characters. */
export const mediaType: Check<string> = length(1, 255)

/** `NextToken`: opaque, but bounded. */
export const nextToken: Check<string> = length(1, 4096)
