/**
 * ECR's and Amazon Inspector's EventBridge events, as AWS delivers them: the envelope (`version`, `id`,
 * `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`, in that order) and the
 * `detail` of each event a scanning pipeline reacts to. The schemas' types are the wire JSON itself
 * (hyphenated keys, `time` as `YYYY-MM-DDThh:mm:ssZ`), so an event encodes to exactly what a target
 * receives and a queue's message body decodes with the same schema.
 *
 * The constructors (`imagePushed`, `imageScanned`, ...) are the house rules where AWS is silent
 * (spec/ecr-events.md): zero severity counts are omitted and a scan with no findings says `{}`; an
 * untagged push has no `image-tag`; a scan that did not complete says its status and has no counts.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { repositoryArn } from "./RepositoryModel.js"
import type { FindingSeverity } from "./ScanModel.js"
import { SEVERITIES_DESCENDING } from "./ScanPolicy.js"

// ---------------------------------------------------------------------------------------------------------------
// The envelope
// ---------------------------------------------------------------------------------------------------------------

/** `"aws.ecr"`: ECR's events. */
export const ECR_SOURCE = "aws.ecr"
/** `"aws.inspector2"`: Amazon Inspector's events (enhanced scanning). */
export const INSPECTOR_SOURCE = "aws.inspector2"

const envelope = <Type extends string, Source extends string, D extends Schema.Schema.Any>(
  detailType: Type,
  source: Source,
  detail: D
) =>
  Schema.Struct({
    version: Schema.Literal("0"),
    id: Schema.String,
    "detail-type": Schema.Literal(detailType),
    source: Schema.Literal(source),
    account: Schema.String,
    time: Schema.String,
    region: Schema.String,
    resources: Schema.Array(Schema.String),
    detail
  })

// ---------------------------------------------------------------------------------------------------------------
// ECR Image Action
// ---------------------------------------------------------------------------------------------------------------

/** What an "ECR Image Action" reports: a push, a delete, or an archive or restore. */
export const ImageActionType = Schema.Literal("PUSH", "DELETE", "UPDATE_STORAGE_CLASS")
/** @since 0.1.0 */
export type ImageActionType = typeof ImageActionType.Type

/** The `detail` of "ECR Image Action" (keys in the order of AWS's samples). */
export const ImageActionDetail = Schema.Struct({
  result: Schema.String,
  "repository-name": Schema.String,
  "image-digest": Schema.String,
  "action-type": ImageActionType,
  "image-tag": Schema.optional(Schema.String),
  "manifest-media-type": Schema.optional(Schema.String),
  "artifact-media-type": Schema.optional(Schema.String),
  "target-storage-class": Schema.optional(Schema.Literal("ARCHIVE", "STANDARD")),
  "last-activated-at": Schema.optional(Schema.String)
})
/** @since 0.1.0 */
export type ImageActionDetail = typeof ImageActionDetail.Type

/** "ECR Image Action": each completed push, each delete, each archive or restore (`resources: []`). */
export const ImageAction = envelope("ECR Image Action", ECR_SOURCE, ImageActionDetail).annotations({
  identifier: "ImageAction"
})
/** @since 0.1.0 */
export type ImageAction = typeof ImageAction.Type

// ---------------------------------------------------------------------------------------------------------------
// ECR Image Scan
// ---------------------------------------------------------------------------------------------------------------

/** Counts per severity, only the severities that have findings (`{}` for none). */
export const SeverityCounts = Schema.partial(
  Schema.Record({
    key: Schema.Literal("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"),
    value: Schema.Number
  })
)
/** @since 0.1.0 */
export type SeverityCounts = typeof SeverityCounts.Type

/** The `detail` of "ECR Image Scan" (keys in the order of AWS's sample). */
export const ImageScanDetail = Schema.Struct({
  "scan-status": Schema.String,
  "repository-name": Schema.String,
  "finding-severity-counts": Schema.optional(SeverityCounts),
  "image-digest": Schema.String,
  "image-tags": Schema.Array(Schema.String)
})
/** @since 0.1.0 */
export type ImageScanDetail = typeof ImageScanDetail.Type

/** "ECR Image Scan": each completed basic scan (`resources`: the repository's ARN). */
export const ImageScan = envelope("ECR Image Scan", ECR_SOURCE, ImageScanDetail).annotations({
  identifier: "ImageScan"
})
/** @since 0.1.0 */
export type ImageScan = typeof ImageScan.Type

// ---------------------------------------------------------------------------------------------------------------
// ECR Scan Resource Change
// ---------------------------------------------------------------------------------------------------------------

/** A repository's scan frequency under enhanced scanning. */
export const ScanFrequency = Schema.Literal("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL")
/** @since 0.1.0 */
export type ScanFrequency = typeof ScanFrequency.Type

/** One repository of a "ECR Scan Resource Change". */
export const ScanResourceChangeRepository = Schema.Struct({
  "repository-name": Schema.String,
  "repository-arn": Schema.String,
  "scan-frequency": ScanFrequency,
  "previous-scan-frequency": ScanFrequency
})
/** @since 0.1.0 */
export type ScanResourceChangeRepository = typeof ScanResourceChangeRepository.Type

/** The `detail` of "ECR Scan Resource Change". */
export const ScanResourceChangeDetail = Schema.Struct({
  "action-type": Schema.String,
  repositories: Schema.Array(ScanResourceChangeRepository),
  "resource-type": Schema.String,
  "scan-type": Schema.Literal("BASIC", "ENHANCED")
})
/** @since 0.1.0 */
export type ScanResourceChangeDetail = typeof ScanResourceChangeDetail.Type

/** "ECR Scan Resource Change": enhanced scanning changed which repositories it scans, and how often. */
export const ScanResourceChange = envelope("ECR Scan Resource Change", ECR_SOURCE, ScanResourceChangeDetail)
  .annotations({ identifier: "ScanResourceChange" })
/** @since 0.1.0 */
export type ScanResourceChange = typeof ScanResourceChange.Type

// ---------------------------------------------------------------------------------------------------------------
// Inspector2 Scan
// ---------------------------------------------------------------------------------------------------------------

/** Inspector's counts: CRITICAL, HIGH and MEDIUM, and the TOTAL of every severity. */
export const InspectorSeverityCounts = Schema.Struct({
  CRITICAL: Schema.Number,
  HIGH: Schema.Number,
  MEDIUM: Schema.Number,
  TOTAL: Schema.Number
})
/** @since 0.1.0 */
export type InspectorSeverityCounts = typeof InspectorSeverityCounts.Type

/** The `detail` of "Inspector2 Scan" (`repository-name` holds the repository's ARN, as AWS's samples do). */
export const InspectorScanDetail = Schema.Struct({
  "scan-status": Schema.String,
  "repository-name": Schema.String,
  "finding-severity-counts": InspectorSeverityCounts,
  "image-digest": Schema.String,
  "image-tags": Schema.Array(Schema.String),
  version: Schema.optional(Schema.String)
})
/** @since 0.1.0 */
export type InspectorScanDetail = typeof InspectorScanDetail.Type

/** "Inspector2 Scan": the initial enhanced scan of an image completed (`resources`: the repository's ARN). */
export const InspectorScan = envelope("Inspector2 Scan", INSPECTOR_SOURCE, InspectorScanDetail).annotations({
  identifier: "InspectorScan"
})
/** @since 0.1.0 */
export type InspectorScan = typeof InspectorScan.Type

// ---------------------------------------------------------------------------------------------------------------
// Every event
// ---------------------------------------------------------------------------------------------------------------

/** Every event a registry emits, told apart by `detail-type`. */
export const RegistryEvent = Schema.Union(ImageAction, ImageScan, ScanResourceChange, InspectorScan).annotations({
  identifier: "RegistryEvent"
})
/** @since 0.1.0 */
export type RegistryEvent = typeof RegistryEvent.Type

/** The `detail-type`s of `RegistryEvent`. */
export type DetailType = RegistryEvent["detail-type"]

const decodeEither = Schema.decodeUnknownEither(RegistryEvent, { onExcessProperty: "ignore" })
const encodeSync = Schema.encodeSync(RegistryEvent)

/**
 * Decodes an event from parsed JSON (a queue message's body, a webhook's request), or says what is wrong
 * with it. Members AWS may add later are ignored.
 */
export const decode = (json: unknown): Either.Either<RegistryEvent, string> =>
  Either.mapLeft(decodeEither(json), (error) => ParseResult.TreeFormatter.formatErrorSync(error))

/** Decodes an event from JSON text. */
export const decodeJson = (text: string): Either.Either<RegistryEvent, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(`Not JSON: ${(error as Error).message}`)
  }
  return decode(json)
}

/** The JSON text AWS delivers for an event (keys in AWS's order). */
export const toJson = (event: RegistryEvent): string => JSON.stringify(encodeSync(event))

// ---------------------------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------------------------

/** Where and when an event comes from: its account, region, instant (epoch milliseconds) and id. */
export interface Origin {
  readonly accountId: string
  readonly region: string
  readonly time: number
  readonly id: string
}

/** An event's `time`: ISO 8601 UTC to the second, `2019-10-29T02:36:48Z`, as every ECR sample has it. */
export const formatTime = (millis: number): string =>
  new Date(Math.floor(millis / 1000) * 1000).toISOString().replace(".000Z", "Z")

/** A timestamp inside a `detail` (`last-activated-at`): ISO 8601 with milliseconds. */
const detailTime = (millis: number): string => new Date(millis).toISOString()

/** An event from `origin`: the envelope's members in AWS's order, then `detail`. */
const wrap = <Type extends string, Source extends string, D>(
  origin: Origin,
  detailType: Type,
  source: Source,
  resources: Array<string>,
  detail: D
) => ({
  version: "0" as const,
  id: origin.id,
  "detail-type": detailType,
  source,
  account: origin.accountId,
  time: formatTime(origin.time),
  region: origin.region,
  resources,
  detail
})

/** What a push, delete or storage change is about. */
export interface ImageActionInput {
  readonly repositoryName: string
  readonly imageDigest: string
  /** The tag the push set or the delete removed; an untagged push has none, and the event no `image-tag`. */
  readonly imageTag?: string | undefined
  readonly manifestMediaType?: string | undefined
  readonly artifactMediaType?: string | undefined
}

const imageAction = (
  origin: Origin,
  actionType: ImageActionType,
  input: ImageActionInput,
  extra?: Pick<ImageActionDetail, "target-storage-class" | "last-activated-at">
): ImageAction => {
  const detail: { -readonly [K in keyof ImageActionDetail]: ImageActionDetail[K] } = {
    result: "SUCCESS",
    "repository-name": input.repositoryName,
    "image-digest": input.imageDigest,
    "action-type": actionType
  }
  if (input.imageTag !== undefined) detail["image-tag"] = input.imageTag
  if (input.manifestMediaType !== undefined) detail["manifest-media-type"] = input.manifestMediaType
  if (input.artifactMediaType !== undefined) detail["artifact-media-type"] = input.artifactMediaType
  if (extra?.["target-storage-class"] !== undefined) detail["target-storage-class"] = extra["target-storage-class"]
  if (extra?.["last-activated-at"] !== undefined) detail["last-activated-at"] = extra["last-activated-at"]
  return wrap(origin, "ECR Image Action", ECR_SOURCE, [], detail)
}

/** "ECR Image Action" PUSH: an image was pushed (one event per `PutImage`, with the tag it set). */
export const imagePushed = (origin: Origin, input: ImageActionInput): ImageAction => imageAction(origin, "PUSH", input)

/** "ECR Image Action" DELETE: an image (or one of its tags) was deleted. */
export const imageDeleted = (origin: Origin, input: ImageActionInput): ImageAction =>
  imageAction(origin, "DELETE", input)

/**
 * "ECR Image Action" UPDATE_STORAGE_CLASS: an image was archived (`ARCHIVE`) or restored (`STANDARD`, with
 * `last-activated-at`).
 */
export const storageClassUpdated = (
  origin: Origin,
  input: ImageActionInput & {
    readonly targetStorageClass: "ARCHIVE" | "STANDARD"
    readonly lastActivatedAt?: number | undefined
  }
): ImageAction =>
  imageAction(origin, "UPDATE_STORAGE_CLASS", input, {
    "target-storage-class": input.targetStorageClass,
    ...(input.lastActivatedAt === undefined ? {} : { "last-activated-at": detailTime(input.lastActivatedAt) })
  })

/** What a basic scan's event is about. */
export interface ImageScanInput {
  readonly repositoryName: string
  readonly imageDigest: string
  readonly imageTags: ReadonlyArray<string>
  /** `COMPLETE`, or the status of a scan that did not complete (`FAILED`, ...). */
  readonly scanStatus: string
  /** The counts of a completed scan (zero counts are dropped); a scan that did not complete has none. */
  readonly counts?: { readonly [S in FindingSeverity]?: number | undefined } | undefined
}

/** "ECR Image Scan": a basic scan ended. */
export const imageScanned = (origin: Origin, input: ImageScanInput): ImageScan => {
  let counts: { [S in FindingSeverity]?: number } | undefined
  if (input.counts !== undefined) {
    counts = {}
    // Most severe first: the order AWS's samples list the counts in.
    for (const severity of SEVERITIES_DESCENDING) {
      const count = input.counts[severity]
      if (count !== undefined && count > 0) counts[severity] = count
    }
  }
  const arn = repositoryArn(origin.region, origin.accountId, input.repositoryName)
  return wrap(origin, "ECR Image Scan", ECR_SOURCE, [arn], {
    "scan-status": input.scanStatus,
    "repository-name": input.repositoryName,
    ...(counts === undefined ? {} : { "finding-severity-counts": counts }),
    "image-digest": input.imageDigest,
    "image-tags": [...input.imageTags]
  })
}

/** What an initial enhanced scan's event is about. */
export interface InspectorScanInput {
  readonly repositoryName: string
  readonly imageDigest: string
  readonly imageTags: ReadonlyArray<string>
  readonly counts: { readonly [S in FindingSeverity]?: number | undefined }
}

/**
 * "Inspector2 Scan" `INITIAL_SCAN_COMPLETE`: Inspector's first scan of an image ended. Its
 * `repository-name` is the repository's ARN and its counts are CRITICAL, HIGH, MEDIUM (zeros included)
 * and the TOTAL of every severity, as in AWS's samples.
 */
export const inspectorScanned = (origin: Origin, input: InspectorScanInput): InspectorScan => {
  const arn = repositoryArn(origin.region, origin.accountId, input.repositoryName)
  const total = SEVERITIES_DESCENDING.reduce((sum, s) => sum + (input.counts[s] ?? 0), 0)
  return wrap(origin, "Inspector2 Scan", INSPECTOR_SOURCE, [arn], {
    "scan-status": "INITIAL_SCAN_COMPLETE",
    "repository-name": arn,
    "finding-severity-counts": {
      CRITICAL: input.counts.CRITICAL ?? 0,
      HIGH: input.counts.HIGH ?? 0,
      MEDIUM: input.counts.MEDIUM ?? 0,
      TOTAL: total
    },
    "image-digest": input.imageDigest,
    "image-tags": [...input.imageTags],
    version: "1.0"
  })
}

/** One repository whose enhanced scan frequency changed. */
export interface FrequencyChange {
  readonly repositoryName: string
  readonly scanFrequency: ScanFrequency
  readonly previousScanFrequency: ScanFrequency
}

/** "ECR Scan Resource Change" `SCAN_FREQUENCY_CHANGE`: repositories enhanced scanning now scans differently. */
export const scanFrequencyChanged = (
  origin: Origin,
  input: { readonly scanType: "BASIC" | "ENHANCED"; readonly repositories: ReadonlyArray<FrequencyChange> }
): ScanResourceChange =>
  wrap(origin, "ECR Scan Resource Change", ECR_SOURCE, [], {
    "action-type": "SCAN_FREQUENCY_CHANGE",
    repositories: input.repositories.map((r) => ({
      "repository-name": r.repositoryName,
      "repository-arn": repositoryArn(origin.region, origin.accountId, r.repositoryName),
      "scan-frequency": r.scanFrequency,
      "previous-scan-frequency": r.previousScanFrequency
    })),
    "resource-type": "REPOSITORY",
    "scan-type": input.scanType
  })

// ---------------------------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------------------------

const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, "0"))

/** Eight hex digits of a 32-bit word. */
const hex = (n: number) => HEX[(n >>> 24) & 0xff]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!

/**
 * A version 4 UUID drawn from `seed` and `key` (cyrb128, a fast 128-bit string hash): the same pair gives the
 * same id on every run, so the events of one seed are identical run to run (EventBridge's own ids are random).
 */
export const deterministicId = (seed: string, key: string): string => {
  const text = `${seed}\u0000${key}`
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  const a = hex(h1)
  const b = hex(h2)
  const c = hex(h3)
  const d = hex(h4)
  // Version 4 in the third group's first digit, the RFC 4122 variant (8, 9, a or b) in the fourth's.
  const variant = "89ab"[(h3 >>> 12) & 0x3]!
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`
}
