/**
 * One delivery attempt of an event to a target, as EventBridge makes it (spec/ecr-events.md §8.1): a webhook
 * gets a POST of the event's JSON with an API destination's headers and a 5 s timeout; an SQS queue gets the
 * JSON as a message body (`SendMessage`, `@aws-sdk/client-sqs`, loaded when the first SQS target is made).
 * An attempt never fails: its outcome says whether the event arrived, may be retried, or never will.
 *
 * Retried: 429, 5xx, throttling, network errors and timeouts, after at least the `Retry-After` a webhook asks
 * for (a negative one stops the retries). Not retried: every other status or error.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Zlib from "node:zlib"
import type { LastAnswer } from "./EventLog.js"
import type { Target } from "./EventTargets.js"

/**
 * How an attempt went: delivered, to be retried (no sooner than `retryAfterMs`, if the target said), or
 * refused for good (`reason`).
 *
 * @example
 * ```ts
 * import type { EventSend } from "@ecr-scan/emulator"
 *
 * const outcome: EventSend.Outcome = { _tag: "Retry", answer: { status: 503, body: "" }, retryAfterMs: 30_000 }
 * ```
 */
export type Outcome =
  | { readonly _tag: "Delivered"; readonly answer: LastAnswer }
  | { readonly _tag: "Retry"; readonly answer: LastAnswer; readonly retryAfterMs: number | undefined }
  | { readonly _tag: "GiveUp"; readonly answer: LastAnswer; readonly reason: string }

/** Sends events to one target. */
export interface Sender {
  /** One attempt to deliver `json`; `now` (the registry's clock) reads a `Retry-After` date. */
  readonly send: (json: string, now: number) => Effect.Effect<Outcome>
  /** Releases what the sender holds (an SQS client). */
  readonly close: () => void
}

/** The client execution timeout of an API destination. */
export const TIMEOUT_MS = 5_000

/** How much of an answer's body a dead letter keeps. */
export const BODY_BYTES = 1024

/** The headers of an API destination's request, beside `Content-Length` and `Host` (spec §8.1). */
export const HEADERS: Readonly<Record<string, string>> = {
  "user-agent": "Amazon/EventBridge/ApiDestinations",
  "content-type": "application/json; charset=utf-8",
  range: "bytes=0-1048575",
  "accept-encoding": "gzip,deflate",
  connection: "close"
}

/**
 * What a `Retry-After` value asks for, in milliseconds from `now`: seconds, or an HTTP date; `"stop"` for a
 * negative number of seconds (EventBridge then retries no more); undefined when it cannot be read.
 */
export const retryAfter = (value: string | undefined, now: number): number | "stop" | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^-\d+$/.test(text)) return "stop"
  if (/^\d+$/.test(text)) return Number(text) * 1_000
  const date = Date.parse(text)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

/** Whether a status is retried: 429 and 5xx. */
export const retryableStatus = (status: number) => status === 429 || status >= 500

const firstBytes = (text: string) => {
  const bytes = Buffer.from(text, "utf8")
  return bytes.length <= BODY_BYTES ? text : bytes.subarray(0, BODY_BYTES).toString("utf8")
}

/** The outcome of a status and body (and `Retry-After`). */
export const outcomeOf = (status: number, body: string, retryAfterHeader: string | undefined, now: number): Outcome => {
  const answer = { status, body: firstBytes(body) }
  if (status >= 200 && status < 300) return { _tag: "Delivered", answer }
  if (!retryableStatus(status)) {
    return { _tag: "GiveUp", answer, reason: `the target answered ${status}, which is not retried` }
  }
  const after = retryAfter(retryAfterHeader, now)
  if (after === "stop") {
    return { _tag: "GiveUp", answer, reason: `the target answered ${status} with a negative Retry-After` }
  }
  return { _tag: "Retry", answer, retryAfterMs: after }
}

/** Reads at most `BODY_BYTES` of a response (decompressed), draining the rest. */
const readBody = (response: Http.IncomingMessage, done: (body: string) => void) => {
  const encoding = String(response.headers["content-encoding"] ?? "").trim().toLowerCase()
  const source: NodeJS.ReadableStream = encoding === "gzip"
    ? response.pipe(Zlib.createGunzip())
    : encoding === "deflate"
    ? response.pipe(Zlib.createInflate())
    : response
  const chunks: Array<Buffer> = []
  let size = 0
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    done(Buffer.concat(chunks).subarray(0, BODY_BYTES).toString("utf8"))
  }
  source.on("data", (chunk: Buffer) => {
    if (size < BODY_BYTES) chunks.push(chunk)
    size += chunk.length
  })
  source.on("end", finish)
  source.on("error", finish)
  response.on("error", finish)
  response.on("aborted", finish)
}

/** A webhook: one POST per attempt, a new connection each time (`Connection: close`). */
export const webhook = (url: URL): Sender => ({
  close: () => undefined,
  send: (json, now) =>
    Effect.async<Outcome>((resume) => {
      const payload = Buffer.from(json, "utf8")
      let settled = false
      const settle = (outcome: Outcome) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(Effect.succeed(outcome))
      }
      const networkError = (message: string): Outcome => ({
        _tag: "Retry",
        answer: { error: message },
        retryAfterMs: undefined
      })
      let request: Http.ClientRequest
      try {
        request = (url.protocol === "https:" ? Https.request : Http.request)(url, {
          method: "POST",
          agent: false,
          headers: { ...HEADERS, "content-length": payload.length }
        })
      } catch (error) {
        // A URL node refuses to request (checked at start-up, so not expected): nothing to retry.
        const message = error instanceof Error ? error.message : String(error)
        settled = true
        resume(
          Effect.succeed({
            _tag: "GiveUp",
            answer: { error: message },
            reason: `the request cannot be made: ${message}`
          })
        )
        return
      }
      const timer = setTimeout(() => {
        settle(networkError(`no answer within ${TIMEOUT_MS / 1000} s (timeout)`))
        request.destroy()
      }, TIMEOUT_MS)
      request.on("response", (response) => {
        readBody(response, (body) => {
          const header = response.headers["retry-after"]
          settle(outcomeOf(response.statusCode ?? 0, body, Array.isArray(header) ? header[0] : header, now))
          request.destroy()
        })
      })
      request.on("error", (error) => settle(networkError(error.message || String(error))))
      request.end(payload)
      return Effect.sync(() => {
        settled = true
        clearTimeout(timer)
        request.destroy()
      })
    })
})

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "AWS.SimpleQueueService.RequestThrottled"
])

/** The outcome of an SDK error: throttling, 5xx and network errors are retried; the rest is not. */
export const sqsOutcomeOf = (error: unknown): Outcome => {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    readonly name?: unknown
    readonly message?: unknown
    readonly $metadata?: { readonly httpStatusCode?: number }
    readonly $retryable?: unknown
  }
  const name = typeof e.name === "string" ? e.name : "Error"
  const message = typeof e.message === "string" ? e.message : String(error)
  const status = e.$metadata?.httpStatusCode
  if (name === "CredentialsProviderError") {
    return { _tag: "GiveUp", answer: { error: `${name}: ${message}` }, reason: "no AWS credentials for SQS" }
  }
  if (status === undefined || status === 0) {
    return { _tag: "Retry", answer: { error: `${name}: ${message}` }, retryAfterMs: undefined }
  }
  const answer = { status, body: firstBytes(`${name}: ${message}`) }
  if (retryableStatus(status) || THROTTLING.has(name) || e.$retryable !== undefined) {
    return { _tag: "Retry", answer, retryAfterMs: undefined }
  }
  return { _tag: "GiveUp", answer, reason: `SQS refused the message (${name}), which is not retried` }
}

/** The SQS client of a queue's target, created on first use. */
export const sqs = (target: Extract<Target, { readonly _tag: "Sqs" }>): Sender => {
  let client: Promise<{ readonly send: (body: string, signal: AbortSignal) => Promise<unknown> }> | undefined
  let destroy: (() => void) | undefined
  const load = () =>
    client ??= import("@aws-sdk/client-sqs").then(({ SendMessageCommand, SQSClient }) => {
      const sdk = new SQSClient({
        endpoint: target.endpoint,
        region: target.region,
        maxAttempts: 1,
        requestHandler: { requestTimeout: TIMEOUT_MS, connectionTimeout: TIMEOUT_MS }
      })
      destroy = () => sdk.destroy()
      return {
        send: (body, abortSignal) =>
          sdk.send(new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: body }), { abortSignal })
      }
    })
  return {
    close: () => destroy?.(),
    send: (json) =>
      Effect.async<Outcome>((resume) => {
        const controller = new AbortController()
        load().then((c) => c.send(json, controller.signal)).then(
          () => resume(Effect.succeed({ _tag: "Delivered", answer: { status: 200, body: "" } })),
          (error: unknown) => resume(Effect.succeed(sqsOutcomeOf(error)))
        )
        return Effect.sync(() => controller.abort())
      })
  }
}

/** The sender of a target. */
export const senderOf = (target: Target): Sender => target._tag === "Webhook" ? webhook(target.url) : sqs(target)
