/**
 * The conformance cases of DescribeImageScanFindings: counts, fixed findings, pages, the imageId echoed,
 * and its refusals.
 */
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { COMPLETE, FIXED_COUNTS, FIXED_FINDINGS, imageNotFound, repositoryNotFound } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { allPages, findings, push, refusal, repositoryWithImage, scan, total, waitForComplete } from "./Steps.js"

/** DescribeImageScanFindings, answered and refused. */
export const findingsCases = {
  // --- Findings --------------------------------------------------------------------------------------------
  "findings-complete": {
    title:
      "a completed scan reports COMPLETE with AWS's description, and severity counts that total its findings on every page",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("complete")
      yield* scan(repositoryName, { imageDigest: digest })
      yield* waitForComplete(repositoryName, { imageDigest: digest })
      const pages = yield* allPages(repositoryName, { imageDigest: digest }, 1)
      const counts = pages[0].imageScanFindings?.findingSeverityCounts
      let listed = 0
      for (const page of pages) {
        expect(page.imageScanStatus).toStrictEqual(COMPLETE)
        expect(page.imageScanFindings?.imageScanCompletedAt).toBeInstanceOf(Date)
        expect(page.imageScanFindings?.findingSeverityCounts).toStrictEqual(counts)
        const found = page.imageScanFindings?.findings ?? []
        expect(found.length).toBeLessThanOrEqual(1)
        listed += found.length
      }
      expect(total(counts)).toBe(listed)
    })
  },
  "findings-fixed": {
    title: "a completed scan reports exactly the findings of the image, with their severity counts",
    needs: ["findings"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("fixed")
      yield* harness.setFindings({ repositoryName, imageDigest: digest }, FIXED_FINDINGS)
      yield* scan(repositoryName, { imageTag: "v1" })
      const response = yield* waitForComplete(repositoryName, { imageTag: "v1" })
      expect(response.imageId).toStrictEqual({ imageDigest: digest, imageTag: "v1" })
      expect(response.imageScanStatus).toStrictEqual(COMPLETE)
      expect(response.imageScanFindings?.findings).toStrictEqual(FIXED_FINDINGS)
      expect(response.imageScanFindings?.findingSeverityCounts).toStrictEqual(FIXED_COUNTS)
      expect(response.nextToken).toBeUndefined()
    })
  },
  "findings-paginated": {
    title: "findings come in pages of maxResults joined by nextToken, with the counts of the whole scan on every page",
    needs: ["findings"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("pages")
      yield* harness.setFindings({ repositoryName, imageDigest: digest }, FIXED_FINDINGS)
      yield* scan(repositoryName, { imageDigest: digest })
      yield* waitForComplete(repositoryName, { imageDigest: digest })
      const pages = yield* allPages(repositoryName, { imageDigest: digest }, 2)
      expect(pages.map((p) => p.imageScanFindings?.findings?.length)).toStrictEqual([2, 2, 1])
      expect(pages.map((p) => typeof p.nextToken)).toStrictEqual(["string", "string", "undefined"])
      expect(pages.flatMap((p) => p.imageScanFindings?.findings ?? [])).toStrictEqual(FIXED_FINDINGS)
      for (const page of pages) expect(page.imageScanFindings?.findingSeverityCounts).toStrictEqual(FIXED_COUNTS)
    })
  },
  "findings-echo": {
    title: "DescribeImageScanFindings echoes the imageId in the form sent: a digest alone, or the tag with its digest",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("echo")
      yield* push(repositoryName, Fixtures.image(repositoryName), "v2")
      yield* scan(repositoryName, { imageDigest: digest })
      expect((yield* findings(repositoryName, { imageDigest: digest })).imageId).toStrictEqual({ imageDigest: digest })
      expect((yield* findings(repositoryName, { imageTag: "v1" })).imageId).toStrictEqual({
        imageDigest: digest,
        imageTag: "v1"
      })
    })
  },
  "findings-scan-not-found": {
    title:
      "DescribeImageScanFindings of an image never scanned is refused with ScanNotFoundException in AWS's words, echoing the identifier sent",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("never-scanned")
      const { accountId } = yield* Harness
      const where = `in the repository with name '${repositoryName}' in the registry with id '${accountId}'`
      expect(yield* refusal(findings(repositoryName, { imageDigest: digest }))).toStrictEqual({
        _tag: "ScanNotFoundException",
        message: `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' ${where}`
      })
      expect(yield* refusal(findings(repositoryName, { imageTag: "v1" }))).toStrictEqual({
        _tag: "ScanNotFoundException",
        message: `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' ${where}`
      })
    })
  },
  "findings-not-found": {
    title:
      "DescribeImageScanFindings of a missing repository or image is refused with RepositoryNotFoundException or ImageNotFoundException in AWS's words",
    run: Effect.gen(function*() {
      const { repositoryName } = yield* repositoryWithImage("findings-missing")
      const missing = `${repositoryName}-missing`
      expect(yield* refusal(findings(missing, { imageTag: "v1" }))).toStrictEqual(yield* repositoryNotFound(missing))
      expect(yield* refusal(findings(repositoryName, { imageTag: "v9" }))).toStrictEqual(
        yield* imageNotFound(repositoryName, { imageTag: "v9" })
      )
    })
  }
} satisfies { readonly [id: string]: Case }
