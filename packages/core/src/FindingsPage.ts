/**
 * Paging of `DescribeImageScanFindings`: `maxResults` (1..1000, default 100) and an opaque
 * `nextToken` bound to the scan it was issued for, so a token outlives neither a re-scan nor a
 * different image. Counts by severity are totals over the whole scan, on every page.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"
import type { FindingSeverityCounts, ImageScanFinding } from "./ScanModel.js"

/** Results per page when the request does not say. */
export const DEFAULT_MAX_RESULTS = 100

/** A page of findings and the token of the next one. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextToken: string | undefined
}

/** The token for the page that starts at `offset` of the scan identified by `scanKey`. */
export const encodeToken = (scanKey: string, offset: number): string =>
  Encoding.encodeBase64Url(JSON.stringify({ k: scanKey, o: offset }))

const invalidToken = () =>
  Errors.invalidParameter(
    Constraints.invalidParameterMessage("nextToken", "must be a token returned by a previous call")
  )

/** The offset a token stands for, if it was issued for `scanKey`. */
export const decodeToken = (
  token: string,
  scanKey: string
): Either.Either<number, Errors.InvalidParameterException> => {
  const bytes = Encoding.decodeBase64UrlString(token)
  if (Either.isLeft(bytes)) return Either.left(invalidToken())
  try {
    const parsed: unknown = JSON.parse(bytes.right)
    if (typeof parsed === "object" && parsed !== null) {
      const { k, o } = parsed as { k?: unknown; o?: unknown }
      if (k === scanKey && typeof o === "number" && Number.isInteger(o) && o >= 0) return Either.right(o)
    }
  } catch {
    // not JSON: an invalid token like any other
  }
  return Either.left(invalidToken())
}

/** One page of `items`. */
export const page = <A>(
  items: ReadonlyArray<A>,
  scanKey: string,
  nextToken: string | undefined,
  maxResults: number | undefined
): Either.Either<Page<A>, Errors.InvalidParameterException> => {
  const offset = nextToken === undefined ? Either.right(0) : decodeToken(nextToken, scanKey)
  if (Either.isLeft(offset)) return Either.left(offset.left)
  const start = Math.min(offset.right, items.length)
  const end = Math.min(items.length, start + (maxResults ?? DEFAULT_MAX_RESULTS))
  return Either.right({
    items: items.slice(start, end),
    nextToken: end < items.length ? encodeToken(scanKey, end) : undefined
  })
}

/** Counts by severity over all findings; severities that do not occur are absent. */
export const severityCounts = (findings: ReadonlyArray<ImageScanFinding>): FindingSeverityCounts => {
  const counts: Record<string, number> = {}
  for (const finding of findings) {
    const severity = finding.severity ?? "UNDEFINED"
    counts[severity] = (counts[severity] ?? 0) + 1
  }
  return counts as FindingSeverityCounts
}
