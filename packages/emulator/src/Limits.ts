/**
 * The emulator's limits: header size, connection count, request rate and the timeouts that cut off
 * slow clients (the body size limit lives in the listener, which reads the body). Every refusal is an
 * AWS-style JSON reply, including those node's HTTP parser makes before a request reaches a handler.
 *
 * - Headers over `maxHeaderBytes`: 431 `RequestHeaderFieldsTooLargeException`, connection closed.
 * - Connections beyond `maxConnections`: closed by node as they are accepted, before a byte is read
 *   (clients see a reset or a closed socket, which the AWS SDKs retry as a network error).
 * - More than `rateLimit` requests per second per key (a token bucket of `rateBurst` tokens): 400
 *   `ThrottlingException` "Rate exceeded", as AWS's JSON services send it; the connection stays usable.
 * - Headers not complete within `headersTimeoutMs` of the request's start, or a whole request (body
 *   included) not within `requestTimeoutMs`: 408 `RequestTimeoutException`, connection closed; a
 *   connection with no traffic either way for twice `requestTimeoutMs` (a client that stops reading
 *   its replies) is destroyed; an idle keep-alive connection is closed after `keepAliveTimeoutMs`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import type * as Stream from "node:stream"
import * as Wire from "./Wire.js"

/** The limits a server enforces (each optional: see the defaults). */
export interface LimitOptions {
  /** The largest request head (request line and headers) accepted, in bytes (node's `maxHeaderSize`). */
  readonly maxHeaderBytes?: number
  /** The most connections open at once; further ones are closed as they are accepted. */
  readonly maxConnections?: number
  /** Requests per second admitted per key (per account); 0 or absent: no rate limit. */
  readonly rateLimit?: number
  /** The bucket's size: requests admitted at once after a quiet spell (default: the rate, at least 1). */
  readonly rateBurst?: number
  /** Time from a request's first byte (or a connection's opening) to the end of its headers. */
  readonly headersTimeoutMs?: number
  /** Time from a request's first byte to the end of its body; twice it, the longest silence of a busy connection. */
  readonly requestTimeoutMs?: number
  /** How long an idle keep-alive connection is kept open. */
  readonly keepAliveTimeoutMs?: number
}

/** The limits with every default filled in. */
export type ResolvedLimits = { readonly [K in keyof LimitOptions]-?: NonNullable<LimitOptions[K]> }

/** The defaults: generous enough for the benchmarks and the SDKs' retries, tight enough against slowloris. */
export const DEFAULTS: ResolvedLimits = {
  maxHeaderBytes: 16 * 1024,
  maxConnections: 512,
  rateLimit: 0,
  rateBurst: 0,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000
}

/** The key of the rate limiter when requests are not told apart by account. */
export const DEFAULT_KEY = "*"

/** Fills in the defaults and checks the values (node refuses a headers timeout above the request timeout). */
export const resolve = (options: LimitOptions = {}): ResolvedLimits => {
  const limits: ResolvedLimits = {
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
    maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
    rateLimit: options.rateLimit ?? DEFAULTS.rateLimit,
    rateBurst: options.rateBurst ?? DEFAULTS.rateBurst,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs
  }
  const positive = ["maxHeaderBytes", "maxConnections", "headersTimeoutMs", "requestTimeoutMs", "keepAliveTimeoutMs"]
  for (const name of positive) {
    const value = limits[name as keyof ResolvedLimits]
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, not ${value}`)
  }
  if (!(limits.rateLimit >= 0) || !(limits.rateBurst >= 0)) {
    throw new RangeError("rateLimit and rateBurst must not be negative")
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError(
      `the headers timeout (${limits.headersTimeoutMs} ms) must not exceed the request timeout (${limits.requestTimeoutMs} ms)`
    )
  }
  return limits
}

/**
 * The `node:http` server options that carry the limits. Node looks for expired requests every
 * `connectionsCheckingInterval` (30 s by default): a quarter of the shortest timeout, at most a second,
 * so a timeout is enforced within 25% of its value.
 */
export const serverOptions = (limits: ResolvedLimits): Http.ServerOptions => ({
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  headersTimeout: limits.headersTimeoutMs,
  requestTimeout: limits.requestTimeoutMs,
  maxHeaderSize: limits.maxHeaderBytes,
  // The listener answers a missing Host in JSON (node's own reply is a bare 400).
  requireHostHeader: false,
  connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)))
})

/** Sets the limits a server carries as properties, and logs dropped connections when there is a log. */
export const apply = (server: Http.Server, limits: ResolvedLimits, log?: (line: string) => void) => {
  server.maxConnections = limits.maxConnections
  // Inactivity in both directions: a client that stops reading its replies cannot hold a connection.
  // Twice the request timeout, so that a stalled request gets its 408 first.
  server.timeout = 2 * limits.requestTimeoutMs
  if (log !== undefined) {
    server.on(
      "drop",
      (data?: { remoteAddress?: string; remotePort?: number }) =>
        log(
          `DROP ${data?.remoteAddress ?? "?"}:${
            data?.remotePort ?? "?"
          } over --max-connections ${limits.maxConnections}`
        )
    )
  }
}

// -------------------------------------------------------------------------------------------------
// Request rate

/** Admits or refuses one request of `key` at monotonic time `nowMs`. */
export interface RateLimiter {
  /** Takes a token from `key`'s bucket: `false` when it is empty and the request must be refused. */
  readonly admit: (key: string, nowMs: number) => boolean
}

interface Bucket {
  tokens: number
  at: number
}

/** Keys kept before full buckets are forgotten (a full bucket is the same as no bucket). */
const MAX_KEYS = 10_000

/**
 * A token bucket per key: `burst` tokens, refilled at `ratePerSecond`; a request takes one. No
 * allocation per request once a key has its bucket. Keys should be verified identities (accounts): the
 * number of buckets is bounded by forgetting full ones when there are more than 10,000.
 */
export const tokenBucket = (ratePerSecond: number, burst: number): RateLimiter => {
  const buckets = new Map<string, Bucket>()
  const perMs = ratePerSecond / 1000
  const forgetFull = (nowMs: number) => {
    for (const [key, b] of buckets) if (b.tokens + (nowMs - b.at) * perMs >= burst) buckets.delete(key)
  }
  return {
    admit: (key, nowMs) => {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        if (buckets.size >= MAX_KEYS) forgetFull(nowMs)
        bucket = { tokens: burst, at: nowMs }
        buckets.set(key, bucket)
      } else if (nowMs > bucket.at) {
        bucket.tokens = Math.min(burst, bucket.tokens + (nowMs - bucket.at) * perMs)
        bucket.at = nowMs
      }
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    }
  }
}

/** The limiter of a server, or `undefined` when the rate is not limited (the listener then checks nothing). */
export const rateLimiter = (limits: ResolvedLimits): RateLimiter | undefined =>
  limits.rateLimit > 0
    ? tokenBucket(limits.rateLimit, Math.max(1, limits.rateBurst || Math.ceil(limits.rateLimit)))
    : undefined

/** The reply to an HTTP/1.1 request without a Host header (which HTTP/1.1 requires). */
export const missingHost: Wire.WireReply = Wire.errorReply(400, "SerializationException", "Missing Host header")

/** AWS's reply to a request over the rate: the JSON services send exactly this. */
export const throttled: Wire.WireReply = Wire.errorReply(400, "ThrottlingException", "Rate exceeded")

// -------------------------------------------------------------------------------------------------
// Faults of node's HTTP parser

/** The reply to what node's parser refused (`clientError`): by the error's code. */
export const clientErrorReply = (code: string | undefined, limits: ResolvedLimits): Wire.WireReply => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return Wire.errorReply(
        431,
        "RequestHeaderFieldsTooLargeException",
        `The request headers are larger than ${limits.maxHeaderBytes} bytes`
      )
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return Wire.errorReply(
        408,
        "RequestTimeoutException",
        `The request was not received in time (headers within ${limits.headersTimeoutMs} ms, ` +
          `the whole request within ${limits.requestTimeoutMs} ms)`
      )
    default:
      return Wire.errorReply(400, "SerializationException", "Malformed HTTP request")
  }
}

/**
 * Answers a `clientError` in JSON, then closes the connection once the reply is written; a socket
 * whose reply has begun, or that cannot be written, is destroyed at once (as node does).
 *
 * Unlike node, a whole request received before the fault (pipelined, then garbage) is answered first:
 * its operation runs all the same, and a client told only "400" would think it refused.
 */
export const answerClientError = (error: Error & { code?: string }, socket: Stream.Duplex, limits: ResolvedLimits) => {
  const inFlight = (socket as { _httpMessage?: Http.ServerResponse | null })._httpMessage
  if (!socket.writable || inFlight?.headersSent === true || error.code === "ECONNRESET") return socket.destroy()
  if (inFlight != null && inFlight.req?.complete === true && !inFlight.writableFinished) {
    // Node moves the socket to the next pipelined reply on `finish`: look again then.
    inFlight.once("finish", () => setImmediate(() => answerClientError(error, socket, limits)))
    return
  }
  const reply = clientErrorReply(error.code, limits)
  socket.end(
    `HTTP/1.1 ${reply.status} ${Http.STATUS_CODES[reply.status] ?? "Error"}\r\n` +
      `content-type: ${Wire.CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(reply.body)}\r\n` +
      `x-amzn-requestid: ${randomUUID()}\r\nx-amzn-errortype: ${reply.errorType}\r\n` +
      `connection: close\r\n\r\n${reply.body}`,
    // The server's sockets are half-open: without this a client that never closes its side keeps it.
    () => socket.destroy()
  )
}
