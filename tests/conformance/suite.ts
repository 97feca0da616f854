/**
 * The conformance suite: every behaviour of the two ports, `ImageScanner` and `ImageRegistry`, written
 * once as a function of a backend and run against each (the memory registry, the aws backend over the
 * emulator, the aws backend over moto's server). A case asserts what AWS does, from
 * spec/ecr-scan-behaviour.md, never what one backend happens to do.
 *
 * A backend says what it offers besides the ports (virtual time, findings or an outcome fixed per
 * image, planned faults) and where it is known to differ from AWS:
 * - a case that needs something the backend lacks is skipped, its title saying why;
 * - a case listed in `expectedDifferences` runs as `it.fails`: the suite stays green while it records
 *   the difference, and turns red the day the backend starts behaving like AWS (or is skipped, saying
 *   why, if it cannot even run there);
 * - every other case must pass.
 *
 * The cases share one backend, in order: each uses its own repositories (moto keeps its state), time
 * only moves forward, and a case that changes the registry's scanning configuration puts it back.
 * Every case runs on a virtual clock of the suite, which the waiter sleeps on; a backend with virtual
 * time of its own is moved with it.
 */
import { type Api, ImageRegistry, ImageScanner, ManifestBuilder, type ScanModel, Waiter } from "@ecr-scan/core"
import { describe, expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import { createHash } from "node:crypto"
import * as SteppingClock from "../support/steppingClock.js"

// ---------------------------------------------------------------------------------------------------------------
// What a backend brings

/** What a backend may offer besides the ports; a case that needs one it lacks is skipped. */
export type Capability = "virtualTime" | "findings" | "outcome" | "faults"

/** The image a fixed outcome or fixed findings apply to. */
export interface ImageTarget {
  readonly repositoryName: string
  readonly imageDigest: string
}

/** How a scan ends. */
export type ScanOutcome = "COMPLETE" | "FAILED"

/** A fault to plan: the next `count` calls of `operation` fail with `error`. */
export interface FaultPlan {
  readonly operation: Api.OperationName
  readonly error: "ServerException"
  readonly count: number
}

/**
 * How a backend is known to differ from AWS in a case: a sentence citing spec section 9 (the case runs
 * as `it.fails`), or `{ skip }` when the case cannot even run there.
 */
export type Difference = string | { readonly skip: string }

/** A backend under test, over a resource (a server, a registry) acquired once before its cases. */
export interface Backend<Res> {
  /** Starts what the backend needs; released after the last case. */
  readonly acquire: Effect.Effect<Res, unknown, Scope.Scope>
  /** The two ports over the resource. */
  readonly layer: (resource: Res) => Layer.Layer<ImageScanner | ImageRegistry, unknown>
  /**
   * Virtual time. `"fiber"`: the backend reads the clock of the fiber that calls it, so moving the
   * suite's clock moves it. A function: how to move the backend's own clock forward. Absent: the
   * backend runs on the wall clock, and cases that need time to pass are skipped.
   */
  readonly virtualTime?: "fiber" | ((resource: Res, duration: Duration.Duration) => Effect.Effect<void, unknown>)
  /** Fixes the findings the image's completed scans report. */
  readonly setFindings?: (
    resource: Res,
    target: ImageTarget,
    findings: ReadonlyArray<ScanModel.ImageScanFinding>
  ) => Effect.Effect<void, unknown>
  /** Fixes how the image's scans that start from now on end (`FAILED`: the scanner cannot read its OS). */
  readonly setOutcome?: (resource: Res, target: ImageTarget, outcome: ScanOutcome) => Effect.Effect<void, unknown>
  /** Plans a fault. */
  readonly planFault?: (resource: Res, plan: FaultPlan) => Effect.Effect<void, unknown>
  /** How many requests of `operation` the backend's server has received (for a backend behind a wire). */
  readonly requestsReceived?: (resource: Res, operation: Api.OperationName) => Effect.Effect<number, unknown>
  /** Why a capability is absent, printed in the titles of the cases skipped for want of it. */
  readonly lacks?: { readonly [C in Capability]?: string }
  /** Where the backend is known to differ from AWS, by case. */
  readonly expectedDifferences?: { readonly [K in CaseId]?: Difference }
}

// ---------------------------------------------------------------------------------------------------------------
// What a case sees

interface HarnessService {
  /** Moves time forward: the backend's (if it has its own), then the suite's, which wakes the sleepers. */
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  readonly setFindings: (
    target: ImageTarget,
    findings: ReadonlyArray<ScanModel.ImageScanFinding>
  ) => Effect.Effect<void>
  readonly setOutcome: (target: ImageTarget, outcome: ScanOutcome) => Effect.Effect<void>
  readonly planFault: (plan: FaultPlan) => Effect.Effect<void>
  readonly requestsReceived: ((operation: Api.OperationName) => Effect.Effect<number>) | undefined
  /** A repository name no other case (and no earlier run against the same server) uses. */
  readonly repositoryName: (slug: string) => string
  readonly clock: SteppingClock.SteppingClock
}

class Harness extends Context.Tag("tests/conformance/Harness")<Harness, HarnessService>() {}

type CaseEffect = Effect.Effect<void, unknown, ImageScanner | ImageRegistry | Harness>

interface Case {
  readonly title: string
  readonly needs?: ReadonlyArray<Capability>
  readonly run: CaseEffect
}

const missingCapability = (capability: Capability) =>
  Effect.dieMessage(`the backend has no ${capability} capability (the case should have been skipped)`)

// ---------------------------------------------------------------------------------------------------------------
// Fixtures, written here rather than read from the code under test

/** The account every backend under test answers for. */
export const ACCOUNT = "123456789012"
/** When the suite's clock starts (the emulator's starts there too). */
export const START = Date.parse("2026-01-01T00:00:00Z")

const PER_IMAGE_LIMIT = "The scan quota per image has been exceeded. Wait and try again."
const COMPLETE = { status: "COMPLETE", description: "The scan was completed successfully." }
const UNSUPPORTED_IMAGE_ERROR = "UnsupportedImageError: The operating system and/or package manager are not supported."
const OCI_INDEX = "application/vnd.oci.image.index.v1+json"

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** `sha256:` and the hex SHA-256 of the exact UTF-8 bytes of `text`: the digest ECR gives a manifest. */
export const digestOf = (text: string) => `sha256:${sha256(text)}`

/** A single-platform OCI image manifest with one layer, distinct per `seed` (layers included). */
export const imageManifest = (seed: string) =>
  ManifestBuilder.image({
    config: { digest: digestOf(`config/${seed}`), size: 1469 },
    layers: [{ digest: digestOf(`layer/${seed}`), size: 3_370_706 }]
  })

/** An OCI image index over images already in the repository. */
export const imageIndex = (digests: ReadonlyArray<string>) =>
  ManifestBuilder.index({
    manifests: digests.map((digest) => ({ digest, size: 500, platform: { architecture: "amd64", os: "linux" } }))
  })

const finding = (name: string, severity: ScanModel.FindingSeverity, pkg: string): ScanModel.ImageScanFinding => ({
  name,
  description: `${name} in ${pkg}`,
  uri: `https://cve.example/${name}`,
  severity,
  attributes: [{ key: "package_name", value: pkg }, { key: "package_version", value: "1.0.0" }]
})

/** Five findings of four severities, in the order a page lists them. */
const FIXED_FINDINGS: ReadonlyArray<ScanModel.ImageScanFinding> = [
  finding("CVE-2026-0001", "CRITICAL", "openssl"),
  finding("CVE-2026-0002", "HIGH", "zlib"),
  finding("CVE-2026-0003", "HIGH", "curl"),
  finding("CVE-2026-0004", "MEDIUM", "busybox"),
  finding("CVE-2026-0005", "LOW", "musl")
]
const FIXED_COUNTS = { CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1 }

// ---------------------------------------------------------------------------------------------------------------
// Steps

type ImageId = { readonly imageDigest?: string; readonly imageTag?: string }

const createRepository = (repositoryName: string, options: { readonly scanOnPush?: boolean } = {}) =>
  ImageRegistry.createRepository({
    repositoryName,
    ...(options.scanOnPush === undefined ? {} : { imageScanningConfiguration: { scanOnPush: options.scanOnPush } })
  })

/** Pushes a manifest (optionally tagged) and answers the digest the registry gave it. */
const push = (repositoryName: string, imageManifest: string, imageTag?: string) =>
  ImageRegistry.putImage({ repositoryName, imageManifest, ...(imageTag === undefined ? {} : { imageTag }) }).pipe(
    Effect.map((response) => response.image!.imageId!.imageDigest!)
  )

/** A fresh repository holding one image tagged `v1`: its name and the image's digest. */
const repositoryWithImage = (slug: string, options: { readonly scanOnPush?: boolean } = {}) =>
  Effect.gen(function*() {
    const repositoryName = (yield* Harness).repositoryName(slug)
    yield* createRepository(repositoryName, options)
    const digest = yield* push(repositoryName, imageManifest(repositoryName), "v1")
    return { repositoryName, digest }
  })

const scan = (repositoryName: string, imageId: ImageId) => ImageScanner.startImageScan({ repositoryName, imageId })

const findings = (repositoryName: string, imageId: ImageId, page: { maxResults?: number; nextToken?: string } = {}) =>
  ImageScanner.describeImageScanFindings({ repositoryName, imageId, ...page })

/** A refusal as plain data (tag, message, other fields); a success fails the case. */
const refusal = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<Record<string, unknown>, never, R> =>
  Effect.matchEffect(effect, {
    onSuccess: (value) => Effect.dieMessage(`expected a refusal, got ${JSON.stringify(value)}`),
    onFailure: (error) => {
      const out: Record<string, unknown> = { _tag: error._tag, message: error.message }
      for (const key of Object.keys(error)) {
        if (key !== "stack" && key !== "cause" && (error as any)[key] !== undefined) out[key] = (error as any)[key]
      }
      return Effect.succeed(out)
    }
  })

/** The largest number of sleeps `drive` moves time for before it gives up. */
const MAX_STEPS = 200

/**
 * Runs `effect` (a poller, such as the waiter) in a fiber, moving time forward by exactly what it sleeps
 * each time it sleeps, until it ends. On a backend with virtual time, that time moves too; on one
 * without, only the suite's clock does, and the poller polls again at once (bounded by its attempts).
 */
const drive = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Harness> =>
  Effect.gen(function*() {
    const harness = yield* Harness
    yield* Queue.takeAll(harness.clock.sleeps)
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < MAX_STEPS; step++) {
      const next = yield* Effect.race(
        Effect.map(Fiber.await(fiber), (exit) => ({ _tag: "Done" as const, exit })),
        Effect.map(Queue.take(harness.clock.sleeps), (millis) => ({ _tag: "Sleeping" as const, millis }))
      )
      if (next._tag === "Done") return yield* next.exit
      yield* harness.advance(Duration.millis(next.millis))
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage(`still running after ${MAX_STEPS} sleeps`)
  })

/** The waiter, polling every second of (virtual) time. */
const waitForComplete = (repositoryName: string, imageId: ImageId, maxAttempts = 60) =>
  drive(Waiter.waitForImageScanComplete({ repositoryName, imageId }, { delay: "1 second", maxAttempts }))

/** Every page of the findings, `maxResults` at a time (at most 1,000 pages). */
const allPages = (repositoryName: string, imageId: ImageId, maxResults: number) =>
  Effect.gen(function*() {
    const pages: Array<Api.DescribeImageScanFindingsResponse> = []
    let nextToken: string | undefined
    do {
      const page = yield* findings(repositoryName, imageId, {
        maxResults,
        ...(nextToken === undefined ? {} : { nextToken })
      })
      pages.push(page)
      nextToken = page.nextToken
    } while (nextToken !== undefined && pages.length < 1000)
    expect(nextToken, "more than 1,000 pages").toBeUndefined()
    return pages
  })

const total = (counts: Partial<Record<string, number>> | undefined) =>
  Object.values(counts ?? {}).reduce((sum: number, n) => sum + (n ?? 0), 0)

const repositoryNotFound = (repositoryName: string) => ({
  _tag: "RepositoryNotFoundException",
  message: `The repository with name '${repositoryName}' does not exist in the registry with id '${ACCOUNT}'`
})

const imageNotFound = (repositoryName: string, imageId: ImageId) => ({
  _tag: "ImageNotFoundException",
  message: `The image with imageId {imageDigest:'${imageId.imageDigest ?? "null"}', imageTag:'${
    imageId.imageTag ?? "null"
  }'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`
})

const perImageLimit = { _tag: "LimitExceededException", message: PER_IMAGE_LIMIT, limit: "PER_IMAGE" }

const invalidParameter = (member: string, constraint: string) => ({
  _tag: "InvalidParameterException",
  message: `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`
})

// ---------------------------------------------------------------------------------------------------------------
// The cases, by group, in the order they run

const cases = {
  // --- The registry around scanning ------------------------------------------------------------------------
  "repository-lifecycle": {
    title: "a repository is created, described and deleted, after which it is not found",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("lifecycle")
      const created = yield* createRepository(repositoryName)
      expect(created.repository).toMatchObject({
        registryId: ACCOUNT,
        repositoryName,
        repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${repositoryName}`,
        imageScanningConfiguration: { scanOnPush: false }
      })
      const described = yield* ImageRegistry.describeRepositories({ repositoryNames: [repositoryName] })
      expect(described.repositories?.map((r) => r.repositoryName)).toStrictEqual([repositoryName])
      const deleted = yield* ImageRegistry.deleteRepository({ repositoryName })
      expect(deleted.repository?.repositoryName).toBe(repositoryName)
      expect(yield* refusal(ImageRegistry.describeRepositories({ repositoryNames: [repositoryName] }))).toMatchObject(
        repositoryNotFound(repositoryName)
      )
    })
  },
  "repository-name-pattern": {
    title: "CreateRepository accepts the names today's pattern allows, such as a__b and a--b",
    run: Effect.gen(function*() {
      const base = (yield* Harness).repositoryName("pattern")
      for (const repositoryName of [`${base}/a__b`, `${base}/a--b`]) {
        const created = yield* createRepository(repositoryName)
        expect(created.repository?.repositoryName).toBe(repositoryName)
      }
    })
  },
  "put-image-digest": {
    title: "PutImage names an image by the sha256 of its exact manifest bytes",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("digest")
      yield* createRepository(repositoryName)
      const manifest = imageManifest(repositoryName)
      const put = yield* ImageRegistry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" })
      expect(put.image?.imageId).toStrictEqual({ imageDigest: digestOf(manifest), imageTag: "v1" })
    })
  },
  "put-image-by-tag-and-digest": {
    title: "PutImage by tag and by digest stores images that DescribeImages lists with their tags",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("put")
      yield* createRepository(repositoryName)
      const tagged = imageManifest(`${repositoryName}/tagged`)
      const untagged = imageManifest(`${repositoryName}/untagged`)
      const first = yield* ImageRegistry.putImage({ repositoryName, imageManifest: tagged, imageTag: "v1" })
      expect(first.image?.imageId?.imageTag).toBe("v1")
      expect(first.image?.imageManifest).toBe(tagged)
      const digest = first.image!.imageId!.imageDigest!
      // The same manifest again, with its digest and a second tag: the same image, tagged twice.
      const retag = yield* ImageRegistry.putImage({
        repositoryName,
        imageManifest: tagged,
        imageDigest: digest,
        imageTag: "v2"
      })
      expect(retag.image?.imageId).toStrictEqual({ imageDigest: digest, imageTag: "v2" })
      // Another manifest by digest alone: an untagged image.
      const byDigest = yield* ImageRegistry.putImage({
        repositoryName,
        imageManifest: untagged,
        imageDigest: digestOf(untagged)
      })
      expect(byDigest.image?.imageId).toStrictEqual({ imageDigest: digestOf(untagged) })
      const listed = yield* ImageRegistry.describeImages({ repositoryName })
      const images = (listed.imageDetails ?? []).map((d) => ({
        imageDigest: d.imageDigest,
        imageTags: d.imageTags === undefined ? undefined : [...d.imageTags].sort()
      }))
      expect(images).toHaveLength(2)
      expect(images).toContainEqual({ imageDigest: digest, imageTags: ["v1", "v2"] })
      expect(images).toContainEqual({ imageDigest: digestOf(untagged), imageTags: undefined })
      const byTag = yield* ImageRegistry.describeImages({ repositoryName, imageIds: [{ imageTag: "v2" }] })
      expect(byTag.imageDetails?.map((d) => d.imageDigest)).toStrictEqual([digest])
    })
  },
  "put-image-missing-repository": {
    title: "PutImage into a repository that does not exist is refused with RepositoryNotFoundException",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("nowhere")
      const refused = yield* refusal(
        ImageRegistry.putImage({ repositoryName, imageManifest: imageManifest(repositoryName), imageTag: "v1" })
      )
      expect(refused).toStrictEqual(repositoryNotFound(repositoryName))
    })
  },

  // --- StartImageScan accepted -----------------------------------------------------------------------------
  "start-by-digest": {
    title: "StartImageScan by digest answers IN_PROGRESS and echoes only the digest",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("by-digest")
      expect(yield* scan(repositoryName, { imageDigest: digest })).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName,
        imageId: { imageDigest: digest },
        imageScanStatus: { status: "IN_PROGRESS" }
      })
    })
  },
  "start-by-tag": {
    title: "StartImageScan by tag answers IN_PROGRESS and echoes the tag sent, with the digest it names",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("by-tag")
      // A second tag on the same image, added later: the echo is the tag that was sent, not the newest.
      yield* push(repositoryName, imageManifest(repositoryName), "v2")
      expect(yield* scan(repositoryName, { imageTag: "v1" })).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName,
        imageId: { imageDigest: digest, imageTag: "v1" },
        imageScanStatus: { status: "IN_PROGRESS" }
      })
    })
  },
  "scan-in-progress": {
    title: "a scan just started is reported IN_PROGRESS, without findings",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("in-progress")
      yield* scan(repositoryName, { imageDigest: digest })
      const response = yield* findings(repositoryName, { imageDigest: digest })
      expect(response.imageScanStatus?.status).toBe("IN_PROGRESS")
      expect(response.imageScanFindings?.findings ?? []).toStrictEqual([])
    })
  },

  // --- The 24 hour rule -----------------------------------------------------------------------------------
  "window-refuses": {
    title:
      "a second scan of an image within 24 hours is refused with LimitExceededException in AWS's words, by digest or by any of its tags",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("window")
      yield* push(repositoryName, imageManifest(repositoryName), "v2")
      yield* scan(repositoryName, { imageTag: "v1" })
      for (const imageId of [{ imageDigest: digest }, { imageTag: "v1" }, { imageTag: "v2" }]) {
        expect(yield* refusal(scan(repositoryName, imageId))).toMatchObject(perImageLimit)
      }
    })
  },
  "window-reopens": {
    title: "a scan is accepted again 24 hours after the last one started, and not a second earlier",
    needs: ["virtualTime"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("window-reopens")
      yield* scan(repositoryName, { imageDigest: digest })
      yield* harness.advance(Duration.sum(Duration.hours(23), Duration.seconds(3599)))
      expect(yield* refusal(scan(repositoryName, { imageDigest: digest }))).toMatchObject(perImageLimit)
      yield* harness.advance(Duration.seconds(1))
      expect((yield* scan(repositoryName, { imageDigest: digest })).imageScanStatus).toStrictEqual({
        status: "IN_PROGRESS"
      })
    })
  },

  // --- Scan on push ---------------------------------------------------------------------------------------
  "scan-on-push-starts": {
    title: "a push into a scanOnPush repository starts a scan of the image, which completes",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("on-push", { scanOnPush: true })
      const response = yield* waitForComplete(repositoryName, { imageDigest: digest }, 10)
      expect(response.imageScanStatus).toStrictEqual(COMPLETE)
    })
  },
  "scan-on-push-uses-slot": {
    title: "a manual scan right after a scan on push is refused with LimitExceededException",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("on-push-slot", { scanOnPush: true })
      expect(yield* refusal(scan(repositoryName, { imageDigest: digest }))).toMatchObject(perImageLimit)
    })
  },

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
      yield* push(repositoryName, imageManifest(repositoryName), "v2")
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
      const where = `in the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`
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
      expect(yield* refusal(findings(missing, { imageTag: "v1" }))).toStrictEqual(repositoryNotFound(missing))
      expect(yield* refusal(findings(repositoryName, { imageTag: "v9" }))).toStrictEqual(
        imageNotFound(repositoryName, { imageTag: "v9" })
      )
    })
  },

  // --- The errors of StartImageScan -----------------------------------------------------------------------
  "start-invalid-name": {
    title:
      "StartImageScan with a repository name outside the pattern is refused with InvalidParameterException in AWS's format",
    run: Effect.gen(function*() {
      expect(yield* refusal(scan("Bad_Name!", { imageTag: "v1" }))).toStrictEqual(invalidParameter(
        "repositoryName",
        "must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'"
      ))
    })
  },
  "start-invalid-before-sending": {
    title: "a 1-character repository name is refused with InvalidParameterException before any request is sent",
    run: Effect.gen(function*() {
      const { repositoryName, requestsReceived } = yield* Harness
      const before = requestsReceived === undefined ? 0 : yield* requestsReceived("StartImageScan")
      // Were it sent, a server without validation would answer RepositoryNotFoundException (moto does, section 9 #7).
      expect(yield* refusal(scan("a", { imageTag: "v1" }))).toStrictEqual(
        invalidParameter("repositoryName", "must have length greater than or equal to 2")
      )
      if (requestsReceived === undefined) return
      expect(yield* requestsReceived("StartImageScan")).toBe(before)
      // The count does move for a request that is sent: a well-formed name of a repository that does not exist.
      const missing = repositoryName("sent")
      expect(yield* refusal(scan(missing, { imageTag: "v1" }))).toStrictEqual(repositoryNotFound(missing))
      expect(yield* requestsReceived("StartImageScan")).toBe(before + 1)
    })
  },
  "start-empty-image-id": {
    title: "StartImageScan with neither tag nor digest is refused with InvalidParameterException",
    run: Effect.gen(function*() {
      const { repositoryName } = yield* repositoryWithImage("empty-image-id")
      const refused = yield* refusal(scan(repositoryName, {}))
      expect(refused._tag).toBe("InvalidParameterException")
      expect(refused.message).toMatch(/^Invalid parameter at '/)
    })
  },
  "start-repository-not-found": {
    title:
      "StartImageScan in a repository that does not exist is refused with RepositoryNotFoundException in AWS's words",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("no-repository")
      expect(yield* refusal(scan(repositoryName, { imageTag: "v1" }))).toStrictEqual(repositoryNotFound(repositoryName))
    })
  },
  "start-image-not-found": {
    title:
      "StartImageScan of an unknown tag or digest is refused with ImageNotFoundException in AWS's words, null for the part not sent",
    run: Effect.gen(function*() {
      const { repositoryName } = yield* repositoryWithImage("no-image")
      const absent = digestOf(imageManifest(`${repositoryName}/never-pushed`))
      expect(yield* refusal(scan(repositoryName, { imageTag: "v9" }))).toStrictEqual(
        imageNotFound(repositoryName, { imageTag: "v9" })
      )
      expect(yield* refusal(scan(repositoryName, { imageDigest: absent }))).toStrictEqual(
        imageNotFound(repositoryName, { imageDigest: absent })
      )
    })
  },
  "start-unsupported-image-type": {
    title: "StartImageScan of an OCI image index is refused with UnsupportedImageTypeException in AWS's words",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("index")
      yield* push(repositoryName, imageIndex([digest]), "multi")
      expect(yield* refusal(scan(repositoryName, { imageTag: "multi" }))).toStrictEqual({
        _tag: "UnsupportedImageTypeException",
        message:
          `An artifact with media type '${OCI_INDEX}' cannot be scanned. For more information, see the Amazon ECR documentation.`
      })
    })
  },
  "start-image-archived": {
    title: "StartImageScan of an image archived with UpdateImageStorageClass is refused with ImageArchivedException",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("archived")
      yield* ImageRegistry.updateImageStorageClass({
        repositoryName,
        imageId: { imageDigest: digest },
        targetStorageClass: "ARCHIVE"
      })
      // AWS's text for this error is not known (spec section 4): the tag is the behaviour.
      expect((yield* refusal(scan(repositoryName, { imageDigest: digest })))._tag).toBe("ImageArchivedException")
    })
  },
  "start-enhanced-registry": {
    title: "StartImageScan in a registry that uses ENHANCED scanning is refused with ValidationException",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("enhanced")
      const before = yield* ImageRegistry.getRegistryScanningConfiguration({})
      const restore = ImageRegistry.putRegistryScanningConfiguration({
        scanType: before.scanningConfiguration?.scanType ?? "BASIC",
        rules: before.scanningConfiguration?.rules ?? []
      }).pipe(Effect.orDie)
      yield* Effect.gen(function*() {
        yield* ImageRegistry.putRegistryScanningConfiguration({ scanType: "ENHANCED", rules: [] })
        // AWS's text for this error is not known (spec section 5.3): the tag is the behaviour.
        expect((yield* refusal(scan(repositoryName, { imageDigest: digest })))._tag).toBe("ValidationException")
      }).pipe(Effect.ensuring(restore))
    })
  },
  "start-server-exception": {
    title: "a planned fault makes StartImageScan fail with ServerException, and the next call is accepted",
    needs: ["faults"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("fault")
      yield* harness.planFault({ operation: "StartImageScan", error: "ServerException", count: 1 })
      expect((yield* refusal(scan(repositoryName, { imageDigest: digest })))._tag).toBe("ServerException")
      expect((yield* scan(repositoryName, { imageDigest: digest })).imageScanStatus).toStrictEqual({
        status: "IN_PROGRESS"
      })
    })
  },

  // --- The waiter -----------------------------------------------------------------------------------------
  "waiter-complete": {
    title: "waitForImageScanComplete answers the first page of findings once the scan is COMPLETE",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("waiter")
      yield* scan(repositoryName, { imageDigest: digest })
      const response = yield* waitForComplete(repositoryName, { imageDigest: digest })
      expect(response.repositoryName).toBe(repositoryName)
      expect(response.imageScanStatus).toStrictEqual(COMPLETE)
      expect(response.imageScanFindings?.imageScanCompletedAt).toBeInstanceOf(Date)
    })
  },
  "waiter-failed": {
    title: "waitForImageScanComplete fails with ImageScanFailed, carrying AWS's description, when the scan ends FAILED",
    needs: ["outcome"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("waiter-failed")
      yield* harness.setOutcome({ repositoryName, imageDigest: digest }, "FAILED")
      yield* scan(repositoryName, { imageDigest: digest })
      const error = yield* Effect.flip(waitForComplete(repositoryName, { imageDigest: digest }))
      expect(error._tag).toBe("ImageScanFailed")
      if (error._tag !== "ImageScanFailed") return
      expect(error.description).toBe(UNSUPPORTED_IMAGE_ERROR)
      expect(error.response.imageScanStatus).toStrictEqual({ status: "FAILED", description: UNSUPPORTED_IMAGE_ERROR })
      expect(error.response.imageScanFindings?.findings ?? []).toStrictEqual([])
    })
  }
} satisfies Record<string, Case>

/** The id of a case. */
export type CaseId = keyof typeof cases

const groups: ReadonlyArray<readonly [string, ReadonlyArray<CaseId>]> = [
  ["the registry around scanning", [
    "repository-lifecycle",
    "repository-name-pattern",
    "put-image-digest",
    "put-image-by-tag-and-digest",
    "put-image-missing-repository"
  ]],
  ["StartImageScan", ["start-by-digest", "start-by-tag", "scan-in-progress"]],
  ["the 24 hour rule", ["window-refuses", "window-reopens"]],
  ["scan on push", ["scan-on-push-starts", "scan-on-push-uses-slot"]],
  ["DescribeImageScanFindings", [
    "findings-complete",
    "findings-fixed",
    "findings-paginated",
    "findings-echo",
    "findings-scan-not-found",
    "findings-not-found"
  ]],
  ["the errors of StartImageScan", [
    "start-invalid-name",
    "start-invalid-before-sending",
    "start-empty-image-id",
    "start-repository-not-found",
    "start-image-not-found",
    "start-unsupported-image-type",
    "start-image-archived",
    "start-enhanced-registry",
    "start-server-exception"
  ]],
  ["the ImageScanComplete waiter", ["waiter-complete", "waiter-failed"]]
]

/** Every case id, in the order the suite runs them. */
export const caseIds: ReadonlyArray<CaseId> = groups.flatMap(([, ids]) => ids)

// ---------------------------------------------------------------------------------------------------------------
// The suite

/** How long one case may take (real time); a case that hangs fails. */
const CASE_TIMEOUT_MS = 20_000

const DEFAULT_LACKS: { readonly [C in Capability]: string } = {
  virtualTime: "the backend runs on the wall clock",
  findings: "the backend cannot be told an image's findings",
  outcome: "the backend cannot be told how a scan ends",
  faults: "the backend cannot plan faults"
}

/**
 * Registers the suite for one backend: a `describe` named `name`, the backend acquired before its first
 * case and released after its last, one test per case.
 */
export const conformance = <Res>(name: string, backend: Backend<Res>): void => {
  const clock = SteppingClock.make(START)
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`
  let made = 0

  const has = (capability: Capability) => {
    switch (capability) {
      case "virtualTime":
        return backend.virtualTime !== undefined
      case "findings":
        return backend.setFindings !== undefined
      case "outcome":
        return backend.setOutcome !== undefined
      case "faults":
        return backend.planFault !== undefined
    }
  }

  const harness = (resource: Res): HarnessService => {
    const { planFault, requestsReceived, setFindings, setOutcome, virtualTime } = backend
    return {
      advance: (duration) => {
        const decoded = Duration.decode(duration)
        const backendTime = typeof virtualTime === "function" ? virtualTime(resource, decoded) : Effect.void
        return Effect.zipRight(Effect.orDie(backendTime), clock.advance(decoded))
      },
      setFindings: (target, findings) =>
        setFindings === undefined
          ? missingCapability("findings")
          : Effect.orDie(setFindings(resource, target, findings)),
      setOutcome: (target, outcome) =>
        setOutcome === undefined ? missingCapability("outcome") : Effect.orDie(setOutcome(resource, target, outcome)),
      planFault: (plan) =>
        planFault === undefined ? missingCapability("faults") : Effect.orDie(planFault(resource, plan)),
      requestsReceived: requestsReceived === undefined
        ? undefined
        : (operation) => Effect.orDie(requestsReceived(resource, operation)),
      repositoryName: (slug) => `conformance-${runId}/${String(++made).padStart(2, "0")}-${slug}`,
      clock
    }
  }

  const suiteLayer = Layer.unwrapScoped(
    Effect.map(
      backend.acquire,
      (resource) => Layer.merge(backend.layer(resource), Layer.succeed(Harness, harness(resource)))
    )
  )

  layer(suiteLayer, { excludeTestServices: true, timeout: "60 seconds" })(name, (it) => {
    for (const [group, ids] of groups) {
      describe(group, () => {
        for (const id of ids) {
          const { needs = [], run, title }: Case = cases[id]
          const test = () => Effect.withClock(run, clock)
          const difference = backend.expectedDifferences?.[id]
          const lacking = needs.filter((capability) => !has(capability))
          if (typeof difference === "object") {
            it.effect.skip(`${title} [skipped: ${difference.skip}]`, test)
          } else if (lacking.length > 0) {
            const why = lacking.map((capability) => backend.lacks?.[capability] ?? DEFAULT_LACKS[capability])
            it.effect.skip(`${title} [skipped: ${why.join("; ")}]`, test)
          } else if (difference !== undefined) {
            it.effect.fails(`${title} [expected difference: ${difference}]`, test, CASE_TIMEOUT_MS)
          } else {
            it.effect(title, test, CASE_TIMEOUT_MS)
          }
        }
      })
    }
  })
}
