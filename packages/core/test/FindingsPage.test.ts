import { FindingsPage, type ScanModel } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, Encoding, FastCheck as fc } from "effect"

const SCAN = "123456789012/app/sha256:aaaa@1767225600000"
const INVALID_TOKEN =
  "Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a token returned by a previous call'"

const findings = (n: number): Array<ScanModel.ImageScanFinding> =>
  Array.from({ length: n }, (_, i) => ({ name: `CVE-2026-${i}`, severity: "HIGH" }))

/** Follows nextToken from the first page to the last, returning every page. */
const allPages = <A>(items: ReadonlyArray<A>, maxResults: number | undefined) => {
  const pages: Array<FindingsPage.Page<A>> = []
  let token: string | undefined = undefined
  do {
    const page: FindingsPage.Page<A> = Either.getOrThrow(FindingsPage.page(items, SCAN, token, maxResults))
    pages.push(page)
    token = page.nextToken
  } while (token !== undefined && pages.length <= items.length + 1)
  return pages
}

const errorMessage = (result: Either.Either<unknown, { readonly message: string; readonly _tag: string }>) =>
  Either.match(result, { onLeft: (e) => `${e._tag}: ${e.message}`, onRight: () => "no error" })

describe("FindingsPage", () => {
  it.prop(
    "following nextToken covers every finding exactly once, in order, in pages of at most maxResults",
    [fc.integer({ min: 0, max: 350 }), fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined })],
    ([n, maxResults]) => {
      const items = findings(n)
      const pages = allPages(items, maxResults)
      const size = maxResults ?? 100
      expect(pages.flatMap((p) => p.items)).toEqual(items)
      expect(pages.length).toBe(Math.max(1, Math.ceil(n / size)))
      pages.slice(0, -1).forEach((p) => expect(p.items.length).toBe(size))
      expect(pages[pages.length - 1].nextToken).toBeUndefined()
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("without maxResults a page holds 100 findings", () => {
    expect(FindingsPage.DEFAULT_MAX_RESULTS).toBe(100)
    const first = Either.getOrThrow(FindingsPage.page(findings(250), SCAN, undefined, undefined))
    expect(first.items.length).toBe(100)
    expect(first.nextToken).toBeDefined()
  })

  it("a scan without findings has one empty page and no nextToken", () => {
    expect(FindingsPage.page([], SCAN, undefined, undefined)).toEqual(Either.right({ items: [], nextToken: undefined }))
  })

  it("a last page that is exactly full has no nextToken", () => {
    const page = Either.getOrThrow(FindingsPage.page(findings(10), SCAN, undefined, 10))
    expect(page.items.length).toBe(10)
    expect(page.nextToken).toBeUndefined()
  })

  it("a token issued for another scan is an InvalidParameterException", () => {
    const token = Either.getOrThrow(FindingsPage.page(findings(20), "another-scan", undefined, 5)).nextToken!
    expect(errorMessage(FindingsPage.page(findings(20), SCAN, token, 5))).toBe(
      `InvalidParameterException: ${INVALID_TOKEN}`
    )
  })

  it("a garbage token is an InvalidParameterException", () => {
    const forged = [
      "garbage!",
      "%%%",
      Encoding.encodeBase64Url("not json"),
      Encoding.encodeBase64Url(JSON.stringify({ k: SCAN, o: -1 })),
      Encoding.encodeBase64Url(JSON.stringify({ k: SCAN, o: 1.5 })),
      Encoding.encodeBase64Url(JSON.stringify({ k: SCAN, o: "5" })),
      Encoding.encodeBase64Url("null")
    ]
    for (const token of forged) {
      expect(errorMessage(FindingsPage.page(findings(20), SCAN, token, 5))).toBe(
        `InvalidParameterException: ${INVALID_TOKEN}`
      )
    }
  })

  it("a token survives a change of maxResults between pages", () => {
    const items = findings(30)
    const first = Either.getOrThrow(FindingsPage.page(items, SCAN, undefined, 10))
    const second = Either.getOrThrow(FindingsPage.page(items, SCAN, first.nextToken, 15))
    expect(second.items).toEqual(items.slice(10, 25))
    expect(FindingsPage.decodeToken(second.nextToken!, SCAN)).toEqual(Either.right(25))
  })

  describe("severityCounts", () => {
    it("counts each severity that occurs and omits the others", () => {
      const counts = FindingsPage.severityCounts([
        { severity: "HIGH" },
        { severity: "CRITICAL" },
        { severity: "HIGH" },
        { severity: "LOW" }
      ])
      expect(counts).toEqual({ HIGH: 2, CRITICAL: 1, LOW: 1 })
      expect(Object.keys(counts)).not.toContain("MEDIUM")
    })

    it("is empty for a scan without findings", () => {
      expect(FindingsPage.severityCounts([])).toEqual({})
    })

    it("counts a finding without a severity as UNDEFINED", () => {
      expect(FindingsPage.severityCounts([{ name: "CVE-1" }])).toEqual({ UNDEFINED: 1 })
    })
  })
})
