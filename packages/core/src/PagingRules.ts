/**
 * Explicit lists exclude paging: `DescribeImages` with `imageIds` and `DescribeRepositories` with
 * `repositoryNames` answer exactly the items named, so neither `maxResults` nor `nextToken` may come with
 * the list. AWS names `maxResults` in the error whichever of the two was sent.
 *
 * @since 0.1.0
 */
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"

/** The operations that take an explicit list, and the list's member. */
export const EXPLICIT_LISTS = {
  DescribeImages: "imageIds",
  DescribeRepositories: "repositoryNames"
} as const

/** An operation that takes an explicit list. */
export type ExplicitListOperation = keyof typeof EXPLICIT_LISTS

/** The members of a request this rule reads. */
export type ExplicitListRequest<Op extends ExplicitListOperation> =
  & { readonly [K in (typeof EXPLICIT_LISTS)[Op]]?: unknown }
  & { readonly maxResults?: number | undefined; readonly nextToken?: string | undefined }

/**
 * The `InvalidParameterException` for a validated request of `operation` that sends its explicit list
 * together with `maxResults` or `nextToken`, or `undefined`.
 */
export const explicitListConflict = <Op extends ExplicitListOperation>(
  operation: Op,
  request: ExplicitListRequest<Op>
): Errors.InvalidParameterException | undefined => {
  const list: (typeof EXPLICIT_LISTS)[Op] = EXPLICIT_LISTS[operation]
  if ((request as Record<string, unknown>)[list] === undefined) return undefined
  if (request.maxResults === undefined && request.nextToken === undefined) return undefined
  return Errors.invalidParameter(
    Constraints.invalidParameterMessage("maxResults", `cannot be used together with ${list}`)
  )
}
