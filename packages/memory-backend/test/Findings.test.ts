/**
 * DescribeImageScanFindings: pages of findings (100 by default, `maxResults` up to 1000, opaque
 * `nextToken` bound to one scan), counts that are totals on every page, the `imageId` echoed in the form
 * it was asked, and ScanNotFoundException in AWS's words.
 */
import type { Api, ScanModel } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  HOUR,
  imageNotFound,
  inRegistry,
  invalidParameter,
  ociImage,
  push,
  refusedWithoutChange,
  registry,
  repositoryNotFound,
  scan
} from "./fixtures.js"

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"] as const

/** `count` findings, severities in rotation: 250 give 50 of each. */
const manyFindings = (count: number): Array<ScanModel.ImageScanFinding> =>
  Array.from({ length: count }, (_, i) => ({
    name: `CVE-2099-${String(i).padStart(5, "0")}`,
    severity: SEVERITIES[i % SEVERITIES.length],
    attributes: [{ key: "package_name", value: `pkg-${i}` }]
  }))

const TOTALS_250 = { CRITICAL: 50, HIGH: 50, MEDIUM: 50, LOW: 50, INFORMATIONAL: 50 }

/** An image of `app` with `list` fixed as its findings, scanned at T0 and completed by T0+1h. */
const completedWith = (list: ReadonlyArray<ScanModel.ImageScanFinding>, n = 1) =>
  Effect.gen(function*() {
    yield* at(0)
    const digest = yield* push("app", ociImage(n), `v${n}`)
    const driver = yield* MemoryRegistryDriver
    yield* driver.setFindings({ imageDigest: digest }, list)
    yield* scan("app", { imageDigest: digest })
    yield* at(HOUR)
    return digest
  })

/** Every page of the findings of `imageId`, following `nextToken`. */
const allPages = (imageId: { readonly imageDigest?: string; readonly imageTag?: string }, maxResults?: number) =>
  Effect.gen(function*() {
    const pages: Array<Api.DescribeImageScanFindingsResponse> = []
    let nextToken: string | undefined = undefined
    do {
      const page: Api.DescribeImageScanFindingsResponse = yield* findings("app", imageId, {
        ...(maxResults === undefined ? {} : { maxResults }),
        ...(nextToken === undefined ? {} : { nextToken })
      })
      pages.push(page)
      nextToken = page.nextToken
    } while (nextToken !== undefined && pages.length < 100)
    return pages
  })

describe("DescribeImageScanFindings", () => {
  describe("paging", () => {
    it.effect("250 findings come in pages of 100, 100 and 50, each with the totals by severity", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const list = manyFindings(250)
        const digest = yield* completedWith(list)
        const pages = yield* allPages({ imageDigest: digest })
        expect(pages.map((p) => p.imageScanFindings!.findings!.length)).toStrictEqual([100, 100, 50])
        expect(pages.map((p) => p.nextToken === undefined)).toStrictEqual([false, false, true])
        for (const page of pages) {
          expect(page.imageScanFindings!.findingSeverityCounts).toStrictEqual(TOTALS_250)
          expect(page.imageScanStatus!.status).toBe("COMPLETE")
          expect(page.imageId).toStrictEqual({ imageDigest: digest })
        }
        expect(pages.flatMap((p) => p.imageScanFindings!.findings!)).toStrictEqual(list)
      }))

    it.effect("maxResults sets the page size", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const list = manyFindings(250)
        const digest = yield* completedWith(list)
        const pages = yield* allPages({ imageDigest: digest }, 120)
        expect(pages.map((p) => p.imageScanFindings!.findings!.length)).toStrictEqual([120, 120, 10])
        expect(pages.flatMap((p) => p.imageScanFindings!.findings!)).toStrictEqual(list)
        const one = yield* allPages({ imageDigest: digest }, 1000)
        expect(one.length).toBe(1)
        expect(one[0].nextToken).toBeUndefined()
        expect(one[0].imageScanFindings!.findings).toStrictEqual(list)
      }))

    it.effect("a page of exactly the remaining findings has no nextToken", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith(manyFindings(100))
        const response = yield* findings("app", { imageDigest: digest })
        expect(response.imageScanFindings?.findings?.length).toBe(100)
        expect(response.nextToken).toBeUndefined()
      }))

    it.effect("a scan with no findings reports an empty list and no counts", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith([])
        expect(yield* findings("app", { imageDigest: digest })).toStrictEqual({
          registryId: ACCOUNT,
          repositoryName: "app",
          imageId: { imageDigest: digest },
          imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
          imageScanFindings: {
            imageScanCompletedAt: expect.any(Date),
            vulnerabilitySourceUpdatedAt: expect.any(Date),
            findingSeverityCounts: {},
            findings: []
          }
        })
      }))

    it.effect("a nextToken that no call returned is InvalidParameterException and changes nothing", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith(manyFindings(250))
        expect(
          yield* refusedWithoutChange(findings("app", { imageDigest: digest }, { nextToken: "not-a-token" }))
        ).toStrictEqual(invalidParameter("nextToken", "must be a token returned by a previous call"))
      }))

    it.effect("a nextToken issued for one image is refused for another", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const first = yield* completedWith(manyFindings(250), 1)
        const second = yield* completedWith(manyFindings(250), 2)
        const token = (yield* findings("app", { imageDigest: first })).nextToken!
        expect(yield* failure(findings("app", { imageDigest: second }, { nextToken: token }))).toStrictEqual(
          invalidParameter("nextToken", "must be a token returned by a previous call")
        )
      }))

    it.effect("a nextToken does not outlive its scan: after a rescan it is refused", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith(manyFindings(250))
        const token = (yield* findings("app", { imageDigest: digest })).nextToken!
        yield* at(DAY)
        yield* scan("app", { imageDigest: digest })
        yield* at(DAY + HOUR)
        expect(yield* failure(findings("app", { imageDigest: digest }, { nextToken: token }))).toStrictEqual(
          invalidParameter("nextToken", "must be a token returned by a previous call")
        )
      }))
  })

  describe("imageId", () => {
    it.effect("asked by digest only, answers the digest only", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith([])
        expect((yield* findings("app", { imageDigest: digest })).imageId).toStrictEqual({ imageDigest: digest })
      }))

    it.effect("asked by tag, answers the tag and the digest", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith([])
        expect((yield* findings("app", { imageTag: "v1" })).imageId).toStrictEqual({
          imageDigest: digest,
          imageTag: "v1"
        })
      }))
  })

  describe("errors", () => {
    it.effect("an image never scanned is ScanNotFoundException echoing the digest it was asked by", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1), "v1")
        expect(yield* failure(findings("app", { imageDigest: digest }))).toStrictEqual({
          _tag: "ScanNotFoundException",
          message: `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' in the ` +
            "repository with name 'app' in the registry with id '123456789012'"
        })
      }))

    it.effect("an image never scanned, asked by tag, is ScanNotFoundException with the digest spelled null", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        yield* push("app", ociImage(1), "v1")
        expect(yield* failure(findings("app", { imageTag: "v1" }))).toStrictEqual({
          _tag: "ScanNotFoundException",
          message: "Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the " +
            "repository with name 'app' in the registry with id '123456789012'"
        })
      }))

    it.effect("a missing repository is RepositoryNotFoundException and a missing image ImageNotFoundException", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        expect(yield* failure(findings("nope", { imageTag: "v1" }))).toStrictEqual(repositoryNotFound("nope"))
        expect(yield* failure(findings("app", { imageTag: "v1" }))).toStrictEqual(
          imageNotFound("app", { imageTag: "v1" })
        )
      }))
  })

  describe("findings overrides", () => {
    it.effect("findings set for a digest apply in every repository; set for one repository, only there", () =>
      inRegistry(function*() {
        yield* at(0)
        yield* createRepository("team/a")
        yield* createRepository("team/b")
        yield* createRepository("team/c")
        const digest = yield* push("team/a", ociImage(1))
        yield* push("team/b", ociImage(1))
        yield* push("team/c", ociImage(1))
        const driver = yield* MemoryRegistryDriver
        yield* driver.setFindings({ imageDigest: digest }, [{ name: "CVE-2099-0001", severity: "LOW" }])
        yield* driver.setFindings({ imageDigest: digest, repositoryName: "team/c" }, [
          { name: "CVE-2099-0002", severity: "HIGH" }
        ])
        for (const name of ["team/a", "team/b", "team/c"]) yield* scan(name, { imageDigest: digest })
        yield* at(HOUR)
        const names = (repositoryName: string) =>
          Effect.map(
            findings(repositoryName, { imageDigest: digest }),
            (r) => r.imageScanFindings?.findings?.map((f) => f.name)
          )
        expect(yield* names("team/a")).toStrictEqual(["CVE-2099-0001"])
        expect(yield* names("team/b")).toStrictEqual(["CVE-2099-0001"])
        expect(yield* names("team/c")).toStrictEqual(["CVE-2099-0002"])
      }))

    it.effect("clearOverrides brings back the seeded findings", () =>
      inRegistry(function*() {
        yield* createRepository("app")
        const digest = yield* completedWith(manyFindings(3))
        const driver = yield* MemoryRegistryDriver
        expect((yield* findings("app", { imageDigest: digest })).imageScanFindings?.findings).toStrictEqual(
          manyFindings(3)
        )
        yield* driver.clearOverrides
        const seeded = (yield* findings("app", { imageDigest: digest })).imageScanFindings?.findings ?? []
        expect(seeded.every((f) => f.name?.startsWith("CVE-2099-"))).toBe(true)
        expect(seeded).not.toStrictEqual(manyFindings(3))
      }))

    it.effect("with the findings rule NONE, an image nobody fixed completes with no findings", () =>
      Effect.gen(function*() {
        yield* at(0)
        yield* createRepository("app")
        const digest = yield* push("app", ociImage(1))
        yield* scan("app", { imageDigest: digest })
        yield* at(HOUR)
        const response = yield* findings("app", { imageDigest: digest })
        expect(response.imageScanFindings?.findings).toStrictEqual([])
        expect(response.imageScanFindings?.findingSeverityCounts).toStrictEqual({})
      }).pipe(Effect.provide(registry({ rules: { findings: "NONE" } }))))
  })
})
