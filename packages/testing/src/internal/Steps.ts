/**
 * The steps the conformance cases are written in: create a repository, push an image, scan, read the
 * findings, take a refusal as data, and drive a poller (the waiter) on the suite's virtual clock.
 */
import { type Api, ImageRegistry, ImageScanner, Waiter } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Fixtures from "../Fixtures.js"
import { Harness } from "./Harness.js"

export type ImageId = { readonly imageDigest?: string; readonly imageTag?: string }

export const createRepository = (repositoryName: string, options: { readonly scanOnPush?: boolean } = {}) =>
  ImageRegistry.createRepository({
    repositoryName,
    ...(options.scanOnPush === undefined ? {} : { imageScanningConfiguration: { scanOnPush: options.scanOnPush } })
  })

/** Pushes a manifest (optionally tagged) and answers the digest the registry gave it. */
export const push = (repositoryName: string, imageManifest: string, imageTag?: string) =>
  ImageRegistry.putImage({ repositoryName, imageManifest, ...(imageTag === undefined ? {} : { imageTag }) }).pipe(
    Effect.map((response) => response.image!.imageId!.imageDigest!)
  )

/** A fresh repository holding one image tagged `v1`: its name and the image's digest. */
export const repositoryWithImage = (slug: string, options: { readonly scanOnPush?: boolean } = {}) =>
  Effect.gen(function*() {
    const repositoryName = (yield* Harness).repositoryName(slug)
    yield* createRepository(repositoryName, options)
    const digest = yield* push(repositoryName, Fixtures.image(repositoryName), "v1")
    return { repositoryName, digest }
  })

export const scan = (repositoryName: string, imageId: ImageId) =>
  ImageScanner.startImageScan({ repositoryName, imageId })

export const findings = (
  repositoryName: string,
  imageId: ImageId,
  page: { maxResults?: number; nextToken?: string } = {}
) => ImageScanner.describeImageScanFindings({ repositoryName, imageId, ...page })

/** A refusal as plain data (tag, message, other fields); a success fails the case. */
export const refusal = <A, E extends { readonly _tag: string; readonly message: string }, R>(
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
export const MAX_STEPS = 200

/**
 * Runs `effect` (a poller, such as the waiter) in a fiber, moving time forward by exactly what it sleeps
 * each time it sleeps, until it ends. On a backend with virtual time, that time moves too; on one
 * without, only the suite's clock does, and the poller polls again at once (bounded by its attempts).
 */
export const drive = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Harness> =>
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
export const waitForComplete = (repositoryName: string, imageId: ImageId, maxAttempts = 60) =>
  drive(Waiter.waitForImageScanComplete({ repositoryName, imageId }, { delay: "1 second", maxAttempts }))

/** Every page of the findings, `maxResults` at a time (at most 1,000 pages). */
export const allPages = (repositoryName: string, imageId: ImageId, maxResults: number) =>
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

export const total = (counts: Partial<Record<string, number>> | undefined) =>
  Object.values(counts ?? {}).reduce((sum: number, n) => sum + (n ?? 0), 0)
