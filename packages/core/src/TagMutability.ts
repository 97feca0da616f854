/**
 * Tag immutability: whether pushing a tag that already names another image is refused, given the
 * repository's `imageTagMutability` and its exclusion filters. A filter excludes a tag from the
 * repository's setting: under `IMMUTABLE_WITH_EXCLUSION` the tags it matches stay mutable, under
 * `MUTABLE_WITH_EXCLUSION` they become immutable.
 *
 * @since 0.1.0
 */
import type { ImageTagMutability } from "./RepositoryModel.js"

/** An exclusion filter as a repository stores it (only `filter` matters here). */
export interface ExclusionFilter {
  readonly filter: string
}

const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Whether an exclusion filter matches a tag: the whole tag, `*` standing for any run of characters
 * (none included), every other character literal. As a regular expression's `.`, a `*` does not run over
 * a line terminator.
 */
export const matchesExclusionFilter = (filter: string, tag: string): boolean =>
  new RegExp(`^${filter.split("*").map(escape).join(".*")}$`).test(tag)

/** Whether any of the filters matches the tag. */
export const isExcluded = (filters: ReadonlyArray<ExclusionFilter>, tag: string): boolean =>
  filters.some((f) => matchesExclusionFilter(f.filter, tag))

/**
 * Whether `tag` is immutable in a repository with this mutability and these exclusion filters: always
 * under `IMMUTABLE`, never under `MUTABLE` (filters are ignored), and under the `*_WITH_EXCLUSION` settings
 * the opposite of the base setting for the tags a filter matches.
 */
export const isImmutable = (
  mutability: ImageTagMutability,
  filters: ReadonlyArray<ExclusionFilter>,
  tag: string
): boolean => {
  switch (mutability) {
    case "MUTABLE":
      return false
    case "IMMUTABLE":
      return true
    case "IMMUTABLE_WITH_EXCLUSION":
      return !isExcluded(filters, tag)
    case "MUTABLE_WITH_EXCLUSION":
      return isExcluded(filters, tag)
  }
}
