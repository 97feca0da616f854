/**
 * Where the emulator delivers the registry's events, and how hard it tries: targets as typed on a command
 * line (`http://...`, `https://...`, `sqs:QUEUE_URL`), each with an optional EventBridge event pattern, and
 * the retry policy of EventBridge's rule targets (spec/ecr-events.md §8: up to 185 retries within 24 hours).
 *
 * @since 0.1.0
 */
import { EventPattern } from "@ecr-scan/core"
import * as Either from "effect/Either"

/**
 * A target: a webhook POSTed as an EventBridge API destination is, or an SQS queue sent to with
 * `SendMessage`. `target` is the text as given, the target's name in dead letters and in the outbox.
 *
 * @example
 * ```ts
 * import { EventTargets } from "@ecr-scan/emulator"
 *
 * const target = EventTargets.parseTarget("sqs:https://sqs.eu-west-1.amazonaws.com/123456789012/events", "us-east-1")
 * // Either.right({ _tag: "Sqs", target: "sqs:https://...", queueUrl: "https://...", endpoint: "https://sqs.eu-west-1.amazonaws.com", region: "eu-west-1" })
 * ```
 */
export type Target =
  | { readonly _tag: "Webhook"; readonly target: string; readonly url: URL }
  | {
    readonly _tag: "Sqs"
    readonly target: string
    readonly queueUrl: string
    /** The queue URL's origin: where `SendMessage` goes. */
    readonly endpoint: string
    /** From a host `sqs.<region>.amazonaws.com` (or `<region>.queue.amazonaws.com`), else the emulator's. */
    readonly region: string
  }

/** A target and the pattern an event must match to be delivered to it (none: every event). */
export interface TargetRule {
  readonly target: Target
  readonly pattern: EventPattern.EventPattern | undefined
}

const SQS_HOST = /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/
const LEGACY_SQS_HOST = /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/

/**
 * Reads a target: an `http:` or `https:` URL, or `sqs:` followed by a queue URL. `region` is the SQS region
 * when the queue's host does not name one.
 */
export const parseTarget = (text: string, region: string): Either.Either<Target, string> => {
  if (typeof text !== "string" || text.trim() === "") return Either.left("an event target must be a non-empty URL")
  const trimmed = text.trim()
  if (trimmed.startsWith("sqs:")) {
    const queueUrl = trimmed.slice(4)
    let url: URL
    try {
      url = new URL(queueUrl)
    } catch {
      return Either.left(
        `'${text}': sqs: must be followed by a queue URL (sqs:https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE)`
      )
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return Either.left(`'${text}': the queue URL must be http: or https:`)
    }
    if (url.pathname.split("/").filter((p) => p !== "").length < 2) {
      return Either.left(`'${text}': the queue URL must end in /ACCOUNT/QUEUE`)
    }
    const host = url.hostname.toLowerCase()
    const named = SQS_HOST.exec(host) ?? LEGACY_SQS_HOST.exec(host)
    return Either.right({
      _tag: "Sqs",
      target: text,
      queueUrl,
      endpoint: url.origin,
      region: named === null ? region : named[1]
    })
  }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return Either.left(`'${text}' is not a URL (give http://..., https://... or sqs:QUEUE_URL)`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`'${text}': an event target is an http: or https: URL, or sqs:QUEUE_URL`)
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left(`'${text}': credentials in the URL are not sent; remove them`)
  }
  return Either.right({ _tag: "Webhook", target: text, url })
}

// ---------------------------------------------------------------------------------------------------------------
// Retry policy

/** EventBridge's retry policy of a target (spec §8): retries after the first attempt, and the oldest event tried. */
export interface RetryPolicy {
  /** Retries after the first attempt, 0 to 185 (EventBridge's `MaximumRetryAttempts`). */
  readonly maxAttempts: number
  /** How long after it was emitted an event is still tried, 60 s to 24 h (`MaximumEventAgeInSeconds`). */
  readonly maxAgeMs: number
}

/** EventBridge's defaults: 185 retries, 24 hours. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 185, maxAgeMs: 24 * 3_600_000 }

/** The bounds EventBridge's API puts on a retry policy. */
export const RETRY_BOUNDS = {
  maxAttempts: { min: 0, max: 185 },
  maxAgeMs: { min: 60_000, max: 24 * 3_600_000 }
} as const

/** The retry policy, or what is wrong with it (`name` names a setting as its face does). */
export const retryPolicy = (
  input: { readonly maxAttempts?: number | undefined; readonly maxAgeMs?: number | undefined },
  name: (setting: "maxAttempts" | "maxAge") => string
): Either.Either<RetryPolicy, string> => {
  const maxAttempts = input.maxAttempts ?? DEFAULT_RETRY.maxAttempts
  const maxAgeMs = input.maxAgeMs ?? DEFAULT_RETRY.maxAgeMs
  const a = RETRY_BOUNDS.maxAttempts
  if (!Number.isInteger(maxAttempts) || maxAttempts < a.min || maxAttempts > a.max) {
    return Either.left(`${name("maxAttempts")}: must be an integer from ${a.min} to ${a.max}, not ${maxAttempts}`)
  }
  const g = RETRY_BOUNDS.maxAgeMs
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < g.min || maxAgeMs > g.max) {
    return Either.left(`${name("maxAge")}: must be from 60 seconds to 24 hours, not ${maxAgeMs} ms`)
  }
  return Either.right({ maxAttempts, maxAgeMs })
}

/** The first retry waits at least this long (virtual or real time, the registry's clock). */
export const BACKOFF_BASE_MS = 1_000
/** No retry waits longer than this (before `Retry-After`). */
export const BACKOFF_CAP_MS = 5 * 60_000

/**
 * How long to wait before retry number `retry` (1 for the first): exponential backoff with full jitter over a
 * floor, `BACKOFF_BASE_MS + random × (min(cap, base × 2^(retry-1)) - base)`, `random` in [0, 1) from the seeded
 * generator, so that every wait is at least a second and a run is reproducible from its seed.
 */
export const backoffMillis = (retry: number, random: number): number => {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(30, Math.max(0, retry - 1)))
  return Math.round(BACKOFF_BASE_MS + random * (ceiling - BACKOFF_BASE_MS))
}

// ---------------------------------------------------------------------------------------------------------------
// Targets and their patterns on a command line

/** `--event-target` and `--event-pattern` values, in the order each was given, and their pairing. */
export interface TargetArguments {
  readonly targets: ReadonlyArray<string>
  readonly patterns: ReadonlyArray<string>
}

const TARGET_FLAG = "--event-target"
const PATTERN_FLAG = "--event-pattern"

/**
 * The occurrences of `--event-target` and `--event-pattern` in a command line, in order (both `--flag value`
 * and `--flag=value`), up to a `--`.
 */
const occurrences = (argv: ReadonlyArray<string>) => {
  const found: Array<{ readonly flag: "target" | "pattern"; readonly value: string }> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i].trim()
    if (arg === "--") break
    for (const [flag, name] of [["target", TARGET_FLAG], ["pattern", PATTERN_FLAG]] as const) {
      if (arg === name && i + 1 < argv.length) {
        found.push({ flag, value: argv[i + 1].trim() })
        i++
      } else if (arg.startsWith(`${name}=`)) {
        found.push({ flag, value: arg.slice(name.length + 1).trim() })
      }
    }
  }
  return found
}

/**
 * Which pattern file goes with each target: `--event-pattern FILE` applies to the `--event-target` that
 * follows it. @effect/cli keeps the values of each repeated flag in order but not how two flags interleave,
 * so the order is read from `argv` (the process's command line) when its flags are exactly those parsed.
 * Where they are not (a command line run in-process), the n-th pattern goes with the n-th target, which needs
 * as many patterns as targets (or none, or one target). A pattern with no target after it is refused.
 *
 * @example
 * ```ts
 * import { EventTargets } from "@ecr-scan/emulator"
 *
 * EventTargets.pairPatterns(
 *   ["node", "ecr-scan-emulator", "--event-target", "http://127.0.0.1:9000/all", "--event-pattern", "scans.json", "--event-target", "http://127.0.0.1:9000/scans"],
 *   { targets: ["http://127.0.0.1:9000/all", "http://127.0.0.1:9000/scans"], patterns: ["scans.json"] }
 * )
 * // Either.right([{ target: "http://127.0.0.1:9000/all" }, { target: "http://127.0.0.1:9000/scans", patternFile: "scans.json" }])
 * ```
 */
export const pairPatterns = (
  argv: ReadonlyArray<string>,
  given: TargetArguments
): Either.Either<ReadonlyArray<{ readonly target: string; readonly patternFile?: string }>, string> => {
  const found = occurrences(argv)
  const same = (flag: "target" | "pattern", values: ReadonlyArray<string>) => {
    const inArgv = found.filter((o) => o.flag === flag).map((o) => o.value)
    return inArgv.length === values.length && inArgv.every((v, i) => v === values[i])
  }
  if (given.patterns.length === 0) return Either.right(given.targets.map((target) => ({ target })))
  if (same("target", given.targets) && same("pattern", given.patterns)) {
    const paired: Array<{ readonly target: string; readonly patternFile?: string }> = []
    let pending: string | undefined
    for (const o of found) {
      if (o.flag === "pattern") {
        if (pending !== undefined) {
          return Either.left(`--event-pattern ${pending} is followed by another --event-pattern`)
        }
        pending = o.value
      } else {
        paired.push(pending === undefined ? { target: o.value } : { target: o.value, patternFile: pending })
        pending = undefined
      }
    }
    if (pending !== undefined) return Either.left(`--event-pattern ${pending} has no --event-target after it`)
    return Either.right(paired)
  }
  if (given.patterns.length === given.targets.length) {
    return Either.right(given.targets.map((target, i) => ({ target, patternFile: given.patterns[i] })))
  }
  if (given.targets.length === 1 && given.patterns.length === 1) {
    return Either.right([{ target: given.targets[0], patternFile: given.patterns[0] }])
  }
  return Either.left(
    given.targets.length === 0
      ? "--event-pattern needs an --event-target after it"
      : "cannot tell which --event-target each --event-pattern applies to: give each pattern right before its target"
  )
}

/** Reads a pattern document given as JSON text or as parsed JSON, or says what is wrong with it. */
export const patternOf = (pattern: unknown): Either.Either<EventPattern.EventPattern, string> =>
  typeof pattern === "string" ? EventPattern.parseJson(pattern) : EventPattern.parse(pattern)
