/**
 * `waitForImageScanComplete`: the `ImageScanComplete` waiter of the service model, on `Schedule`,
 * so it runs on `TestClock` in tests. Unlike the SDK waiters it gives up at once, with a typed
 * failure, on statuses that will never become `COMPLETE` (ACTIVE, UNSUPPORTED_IMAGE, LIMIT_EXCEEDED,
 * IMAGE_ARCHIVED, ...) instead of polling until it times out.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as Api from "./Api.js"
import { type DescribeImageScanFindingsError, ImageScanner } from "./ImageScanner.js"
import type { ScanStatus } from "./ScanModel.js"

/** The scan ended `FAILED` (for basic scans: an image whose OS the scanner cannot read). */
export class ImageScanFailed extends Data.TaggedError("ImageScanFailed")<{
  readonly description: string | undefined
  readonly response: Api.DescribeImageScanFindingsResponse
}> {
  override get message() {
    return `The image scan failed: ${this.description ?? "no description"}`
  }
}

/** The scan is in a status that never becomes `COMPLETE`. */
export class ImageScanWillNotComplete extends Data.TaggedError("ImageScanWillNotComplete")<{
  readonly status: ScanStatus
  readonly description: string | undefined
  readonly response: Api.DescribeImageScanFindingsResponse
}> {
  override get message() {
    return `The image scan is ${this.status} and will not complete${this.description ? `: ${this.description}` : ""}`
  }
}

/** The scan was still in progress when the waiter ran out of attempts. */
export class ImageScanWaitTimeout extends Data.TaggedError("ImageScanWaitTimeout")<{
  readonly lastStatus: ScanStatus | undefined
}> {
  override get message() {
    return `Gave up waiting for the image scan to complete (last status: ${this.lastStatus ?? "no scan record"})`
  }
}

/** The failures of the waiter. */
export type WaitError =
  | ImageScanFailed
  | ImageScanWillNotComplete
  | ImageScanWaitTimeout
  | DescribeImageScanFindingsError

/** Options of the waiter. The defaults are the model's: every 5 seconds, 60 attempts. */
export interface WaitOptions {
  readonly delay?: Duration.DurationInput
  readonly maxAttempts?: number
  /** A schedule of your own (replaces `delay` and `maxAttempts`). */
  readonly schedule?: Schedule.Schedule<unknown, unknown>
  /**
   * Keep polling on `ScanNotFoundException` (the record of a scan on push can appear a moment after
   * the push). The JS SDK waiter retries, botocore's fails; default: retry.
   */
  readonly retryScanNotFound?: boolean
  /** Called after every poll with its outcome (a progress line, a log): the response, or the error. */
  readonly onPoll?: (
    outcome: Either.Either<Api.DescribeImageScanFindingsResponse, DescribeImageScanFindingsError>,
    attempt: number
  ) => Effect.Effect<void>
}

/** The statuses a scan passes through on its way to `COMPLETE`. */
const IN_FLIGHT: ReadonlySet<ScanStatus | undefined> = new Set(["IN_PROGRESS", "PENDING"])

class StillInFlight extends Data.TaggedError("StillInFlight")<{ readonly status: ScanStatus | undefined }> {}

/**
 * Polls `DescribeImageScanFindings` until the scan completes, and answers with the first page of its
 * findings.
 *
 * @example
 * ```ts
 * import { ImageScanner, Waiter } from "@ecr-scan/core"
 * import { Effect } from "effect"
 *
 * // A deployment gate: scan, wait for the findings, fail on any critical one.
 * const gate = (repositoryName: string, imageTag: string) =>
 *   Effect.gen(function*() {
 *     const request = { repositoryName, imageId: { imageTag } }
 *     yield* ImageScanner.startImageScan(request)
 *     const findings = yield* Waiter.waitForImageScanComplete(request, { delay: "5 seconds", maxAttempts: 60 })
 *     const critical = findings.imageScanFindings?.findingSeverityCounts?.CRITICAL ?? 0
 *     if (critical > 0) return yield* Effect.fail(`${repositoryName}:${imageTag} has ${critical} critical findings`)
 *   })
 * ```
 */
export const waitForImageScanComplete = Effect.fn("ImageScanner.waitForImageScanComplete")(function*(
  request: Api.RequestOf<"DescribeImageScanFindings">,
  options: WaitOptions = {}
) {
  const attempts = Math.max(1, options.maxAttempts ?? 60)
  const schedule = options.schedule ??
    Schedule.intersect(Schedule.spaced(options.delay ?? Duration.seconds(5)), Schedule.recurs(attempts - 1))
  const retryScanNotFound = options.retryScanNotFound ?? true
  let lastStatus: ScanStatus | undefined
  let attempt = 0
  const onPoll = options.onPoll
  const poll = ImageScanner.describeImageScanFindings(request).pipe(
    Effect.tap(() => Effect.sync(() => attempt++)),
    Effect.tapError(() => Effect.sync(() => attempt++)),
    (effect) =>
      onPoll === undefined ? effect : effect.pipe(
        Effect.tap((response) => onPoll(Either.right(response), attempt)),
        Effect.tapError((error) => onPoll(Either.left(error), attempt))
      ),
    Effect.flatMap((response): Effect.Effect<
      Api.DescribeImageScanFindingsResponse,
      ImageScanFailed | ImageScanWillNotComplete | StillInFlight
    > => {
      const status = response.imageScanStatus?.status
      const description = response.imageScanStatus?.description
      lastStatus = status
      if (status === "COMPLETE") return Effect.succeed(response)
      if (status === "FAILED") return Effect.fail(new ImageScanFailed({ description, response }))
      if (IN_FLIGHT.has(status)) return Effect.fail(new StillInFlight({ status }))
      return Effect.fail(new ImageScanWillNotComplete({ status: status!, description, response }))
    })
  )
  return yield* poll.pipe(
    Effect.retry({
      schedule,
      while: (error) => error._tag === "StillInFlight" || (retryScanNotFound && error._tag === "ScanNotFoundException")
    }),
    Effect.catchTag("StillInFlight", () => Effect.fail(new ImageScanWaitTimeout({ lastStatus })))
  )
})
