/**
 * The deployment gate over the ports: make sure an image has been scanned, wait for its findings on a
 * `Schedule`, read every page, and judge them with `ScanPolicy.evaluate`. Because it only uses the ports, it runs
 * on any backend, and on the memory backend its whole behaviour is testable on virtual time (`TestClock`).
 *
 * - No scan yet (`ScanNotFoundException`): it starts one, unless told not to; a start refused by the 24-hour
 *   rule means a scan is already there, and that scan is judged.
 * - `IN_PROGRESS` and `PENDING` are waited through; `COMPLETE` is judged, and so is `ACTIVE` (continuous enhanced
 *   scanning never becomes `COMPLETE`).
 * - Enhanced findings can still change after the status says complete: they are read again after
 *   `consistencyDelay` until two reads agree.
 * - Statuses that will never give findings, and running out of time, are typed failures, each its own.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Api from "./Api.js"
import type * as Errors from "./Errors.js"
import type { ImageIdentifier } from "./Identifiers.js"
import { type DescribeImageScanFindingsError, ImageScanner, type StartImageScanError } from "./ImageScanner.js"
import type { ImageScanFindings, ScanStatus } from "./ScanModel.js"
import * as ScanPolicy from "./ScanPolicy.js"

/** The image a gate judges. */
export interface GateImage {
  readonly registryId?: string | undefined
  readonly repositoryName: string
  readonly imageId: { readonly imageDigest?: string | undefined; readonly imageTag?: string | undefined }
}

/** How a gate waits. */
export interface CheckOptions {
  /** Start a scan when the image has none (default `true`). */
  readonly startScan?: boolean
  /** When to read the scan's status again; the gate times out when it ends (default: 5 s, 60 reads in all). */
  readonly schedule?: Schedule.Schedule<unknown, unknown>
  /** How long to wait before reading enhanced findings again, until two reads agree (default 5 seconds). */
  readonly consistencyDelay?: Duration.DurationInput
  /** The most reads of enhanced findings before the last one is judged anyway (default 10). */
  readonly maxConsistencyReads?: number
}

/** What the gate judged: the image, its scan, and the verdict. */
export interface GateResult {
  readonly image: { readonly repositoryName: string; readonly imageDigest: string | undefined }
  readonly scan: {
    readonly status: ScanStatus
    readonly completedAt: Date | undefined
    /** Whether the gate started this scan. */
    readonly started: boolean
  }
  readonly verdict: ScanPolicy.Verdict
}

/** The statuses that will never give findings, each a failure of its own. */
export type FinalStatus =
  | "FAILED"
  | "UNSUPPORTED_IMAGE"
  | "FINDINGS_UNAVAILABLE"
  | "LIMIT_EXCEEDED"
  | "IMAGE_ARCHIVED"
  | "SCAN_ELIGIBILITY_EXPIRED"

/** What a failure for a status that will never give findings says: the status, its description, the repository. */
export interface StatusFields {
  readonly status: FinalStatus
  readonly description: string | undefined
  readonly repositoryName: string
}

/** The class of the failure `tag` for a final status: its message says `what` happened, then the status. */
const StatusError = <Tag extends string>(
  tag: Tag,
  what: string
): new(fields: StatusFields) => Cause.YieldableError & { readonly _tag: Tag } & StatusFields =>
  class extends Data.TaggedError(tag)<StatusFields> {
    override get message() {
      return `${this.repositoryName}: ${what} (${this.status}${
        this.description === undefined ? "" : `: ${this.description}`
      })`
    }
  }

/** The scan ended `FAILED`. */
export class ScanFailed extends StatusError("ScanFailed", "the scan failed") {}

/** The scanner cannot scan this image (`UNSUPPORTED_IMAGE`). */
export class UnsupportedImage extends StatusError("UnsupportedImage", "the image cannot be scanned") {}

/** The scan completed but its findings cannot be read (`FINDINGS_UNAVAILABLE`). */
export class FindingsUnavailable extends StatusError("FindingsUnavailable", "the findings are unavailable") {}

/** A scan on push was refused by the account quota (`LIMIT_EXCEEDED`). */
export class ScanLimitExceeded
  extends StatusError("ScanLimitExceeded", "no scan ran: the account's scan quota was exceeded")
{}

/** The image is archived (`IMAGE_ARCHIVED`). */
export class ImageArchived extends StatusError("ImageArchived", "the image is archived") {}

/** Continuous scanning of the image ended (`SCAN_ELIGIBILITY_EXPIRED`). */
export class ScanEligibilityExpired
  extends StatusError("ScanEligibilityExpired", "the image is no longer eligible for scanning")
{}

/** The schedule ended before the scan gave findings. */
export class GateTimedOut extends Data.TaggedError("GateTimedOut")<{
  readonly repositoryName: string
  readonly lastStatus: ScanStatus | undefined
}> {
  override get message() {
    return `${this.repositoryName}: gave up waiting for the scan (last status: ${this.lastStatus ?? "none"})`
  }
}

/** No scan, and the gate was told not to start one. */
export class NoScan extends Data.TaggedError("NoScan")<{ readonly repositoryName: string }> {
  override get message() {
    return `${this.repositoryName}: the image has no scan, and the gate was told not to start one`
  }
}

/** The failures a status or the clock gives: no findings to judge. */
export type NoFindings =
  | ScanFailed
  | UnsupportedImage
  | FindingsUnavailable
  | ScanLimitExceeded
  | ImageArchived
  | ScanEligibilityExpired
  | GateTimedOut
  | NoScan

const NO_FINDINGS: ReadonlySet<string> = new Set<NoFindings["_tag"]>([
  "ScanFailed",
  "UnsupportedImage",
  "FindingsUnavailable",
  "ScanLimitExceeded",
  "ImageArchived",
  "ScanEligibilityExpired",
  "GateTimedOut",
  "NoScan"
])

/** Whether a failure of `check` is one of `NoFindings` (no findings to judge) rather than an error of the service. */
export const isNoFindings = (error: { readonly _tag: string }): error is NoFindings => NO_FINDINGS.has(error._tag)

/** Everything `check` can fail with: no findings to judge, or an error of the service. */
export type CheckError = NoFindings | DescribeImageScanFindingsError | StartImageScanError

const FINAL: { readonly [S in FinalStatus]: new(fields: StatusFields) => NoFindings } = {
  FAILED: ScanFailed,
  UNSUPPORTED_IMAGE: UnsupportedImage,
  FINDINGS_UNAVAILABLE: FindingsUnavailable,
  LIMIT_EXCEEDED: ScanLimitExceeded,
  IMAGE_ARCHIVED: ImageArchived,
  SCAN_ELIGIBILITY_EXPIRED: ScanEligibilityExpired
}

const isFinal = (status: ScanStatus | undefined): status is FinalStatus =>
  status !== undefined && Object.prototype.hasOwnProperty.call(FINAL, status)

/** The waiter's default: every 5 seconds, 60 reads in all (the SDK's `ImageScanComplete` waiter). */
export const defaultSchedule: Schedule.Schedule<unknown, unknown> = Schedule.intersect(
  Schedule.spaced(Duration.seconds(5)),
  Schedule.recurs(59)
)

class InFlight extends Data.TaggedError("InFlight")<{ readonly status: ScanStatus | undefined }> {}

type Page = Api.DescribeImageScanFindingsResponse

/** Every page of the latest scan's findings, from the first. */
const allPages = (request: Api.RequestOf<"DescribeImageScanFindings">, first: Page) =>
  Effect.gen(function*() {
    const pages: Array<ImageScanFindings | undefined> = [first.imageScanFindings]
    let next = first.nextToken
    // Bounded: ECR pages hold up to 1,000 findings; 10,000 pages is far beyond any image.
    for (let n = 0; next !== undefined && n < 10_000; n++) {
      const page = yield* ImageScanner.describeImageScanFindings({ ...request, nextToken: next })
      pages.push(page.imageScanFindings)
      next = page.nextToken
    }
    return pages
  })

const sameFindings = (a: ReadonlyArray<ScanPolicy.Finding>, b: ReadonlyArray<ScanPolicy.Finding>) => {
  const key = (f: ScanPolicy.Finding) => `${f.id}\u0000${f.severity}\u0000${f.package ?? ""}\u0000${f.version ?? ""}`
  const left = a.map(key).sort()
  const right = b.map(key).sort()
  return left.length === right.length && left.every((k, i) => k === right[i])
}

const isPerImageLimit = (error: StartImageScanError): boolean =>
  error._tag === "LimitExceededException" && (error as Errors.LimitExceededException).limit === "PER_IMAGE"

/**
 * Makes sure the image has been scanned, waits for its findings and judges them against `policy`: a
 * `GateResult` whose verdict says `PASSED` or `BLOCKED`, or a typed failure when there are no findings to judge.
 *
 * @example
 * ```ts
 * import { ScanGate } from "@ecr-scan/core"
 * import { Effect } from "effect"
 *
 * const gate = ScanGate.check(
 *   { repositoryName: "shop/api", imageId: { imageTag: "v1" } },
 *   { failOn: "HIGH", ignore: [{ id: "CVE-2024-0001", reason: "not reachable" }] }
 * ).pipe(Effect.map((result) => result.verdict.verdict))
 * ```
 */
export const check = Effect.fn("ScanGate.check")(function*(
  image: GateImage,
  policy: ScanPolicy.ScanPolicy,
  options: CheckOptions = {}
) {
  const request = {
    ...(image.registryId === undefined ? {} : { registryId: image.registryId }),
    repositoryName: image.repositoryName,
    imageId: image.imageId
  } as Api.RequestOf<"DescribeImageScanFindings">
  const { repositoryName } = image
  yield* Effect.annotateCurrentSpan({ "ecr.repository_name": repositoryName })
  let started = false
  let lastStatus: ScanStatus | undefined

  // 1. A scan to judge: the latest, or one started now.
  const first = yield* Effect.catchTag(
    ImageScanner.describeImageScanFindings(request),
    "ScanNotFoundException",
    (notFound) =>
      Effect.gen(function*() {
        if (options.startScan === false) return yield* new NoScan({ repositoryName })
        const start = yield* Effect.either(ImageScanner.startImageScan(request))
        if (start._tag === "Left" && !isPerImageLimit(start.left)) return yield* Effect.fail(start.left)
        started = start._tag === "Right"
        // Refused by the 24-hour rule: a scan is there after all; either way, read it (or the miss again).
        return yield* Effect.orElse(ImageScanner.describeImageScanFindings(request), () => Effect.fail(notFound))
      })
  )

  // 2. Wait until its status gives findings (or never will).
  const poll = (page: Page | undefined) =>
    Effect.gen(function*() {
      const current = page ?? (yield* ImageScanner.describeImageScanFindings(request))
      const status = current.imageScanStatus?.status
      lastStatus = status
      if (isFinal(status)) {
        return yield* Effect.fail(
          new FINAL[status]({ status, description: current.imageScanStatus?.description, repositoryName })
        )
      }
      if (status === "COMPLETE" || status === "ACTIVE") return current
      return yield* new InFlight({ status })
    })
  let firstPoll: Page | undefined = first
  const ready = yield* Effect.suspend(() => {
    const page = firstPoll
    firstPoll = undefined
    return poll(page)
  }).pipe(
    Effect.retry({ while: (e) => e._tag === "InFlight", schedule: options.schedule ?? defaultSchedule }),
    Effect.catchTag("InFlight", () => Effect.fail(new GateTimedOut({ repositoryName, lastStatus })))
  )

  // 3. Every page; enhanced findings read again until two reads agree.
  let pages = yield* allPages(request, ready)
  let findings = ScanPolicy.findingsOf(pages)
  const enhanced = pages.some((page) => page?.enhancedFindings !== undefined)
  if (enhanced) {
    const delay = options.consistencyDelay ?? Duration.seconds(5)
    const reads = Math.max(2, options.maxConsistencyReads ?? 10)
    for (let read = 1; read < reads; read++) {
      yield* Effect.sleep(delay)
      const again = yield* allPages(request, yield* ImageScanner.describeImageScanFindings(request))
      const next = ScanPolicy.findingsOf(again)
      const agreed = sameFindings(findings, next)
      pages = again
      findings = next
      if (agreed) break
    }
  }

  // 4. The verdict, at the clock's instant (ignores expire on it).
  const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
  const verdict = ScanPolicy.evaluate(policy, findings, now)
  yield* Effect.annotateCurrentSpan({ "ecr_scan.verdict": verdict.verdict })
  const completedAt = pages.find((page) => page?.imageScanCompletedAt !== undefined)?.imageScanCompletedAt
  const digest = (ready.imageId as ImageIdentifier | undefined)?.imageDigest
  return {
    image: { repositoryName, imageDigest: digest },
    scan: { status: ready.imageScanStatus?.status ?? "COMPLETE", completedAt, started },
    verdict
  } satisfies GateResult
})
