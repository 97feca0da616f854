/**
 * What the AWS backend's tests share: an in-memory request handler that answers canned awsJson1_1
 * replies through a real `ECRClient` (serialisation, signing, retries and parsing all run; no socket is
 * opened), and a tracer that records the spans it is asked for.
 */
import type { ECRClientConfig } from "@aws-sdk/client-ecr"
import { EcrClientInstance } from "@ecr-scan/aws-backend"
import type { HttpHandler } from "@smithy/core/protocols"
import { type HttpRequest, HttpResponse } from "@smithy/core/transport"
import type { HttpHandlerOptions } from "@smithy/types"
import type * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import type * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { Readable } from "node:stream"

export const ACCOUNT = "123456789012"
export const DIGEST = `sha256:${"a".repeat(64)}`
export const REQUEST_ID = "8c3f6a47-1d2e-4b5a-9c8d-7e6f5a4b3c2d"

/** What a canned reply sees of a request. */
export interface Seen {
  readonly request: HttpRequest
  readonly abortSignal: AbortSignal | undefined
}

/** One canned reply: a response, or a rejection as the node http handler would give. */
export type Reply = (seen: Seen) => HttpResponse | Promise<HttpResponse>

/**
 * A request handler that answers from a script of replies (the last one repeats), recording every
 * request it is handed and the abort signal it came with. Node's http handler gives the SDK an
 * `IncomingMessage`; this one gives it a `Readable` of the body bytes, so the SDK's stream collector runs.
 */
export class FakeHandler implements HttpHandler {
  readonly seen: Array<Seen> = []
  /** Abort events the pending replies observed. */
  aborts = 0
  destroyed = false
  private readonly replies: ReadonlyArray<Reply>

  constructor(...replies: ReadonlyArray<Reply>) {
    this.replies = replies
  }

  /** How many requests reached the handler. */
  get calls(): number {
    return this.seen.length
  }

  /** The JSON body of the `index`th request. */
  body(index = 0): unknown {
    const body: unknown = this.seen[index].request.body
    // The SDK's body is a Uint8Array that warns when used as a string: decode its bytes.
    return JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body as Uint8Array))
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const seen = { request, abortSignal: options.abortSignal as AbortSignal | undefined }
    const reply = this.replies[Math.min(this.seen.length, this.replies.length - 1)]
    this.seen.push(seen)
    return { response: await reply(seen) }
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): {} {
    return {}
  }

  destroy(): void {
    this.destroyed = true
  }
}

/** A reply with a JSON body (a string is sent as it is), the awsJson1_1 content type and a request id. */
export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Reply => () =>
  new HttpResponse({
    statusCode,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": REQUEST_ID, ...headers },
    body: Readable.from([Buffer.from(typeof body === "string" ? body : JSON.stringify(body))])
  })

/** ECR's error reply: `{"__type": name, "message": ...}` with 400 (500 for ServerException). */
export const awsError = (
  name: string,
  message: string,
  extra: Record<string, unknown> = {},
  statusCode = name === "ServerException" ? 500 : 400
): Reply => json(statusCode, { __type: name, message, ...extra })

/** A rejection, as the node http handler rejects (the error goes to the SDK as it is). */
export const reject = (error: unknown): Reply => () => Promise.reject(error)

/** An error as Node's http module raises it (`connect ECONNREFUSED ...`). */
export const nodeError = (code: string, message: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...fields })

/**
 * A reply that never comes: calls `onReached` when the request arrives, then waits for the request's
 * abort signal and rejects with an `AbortError`, as the node http handler does.
 */
export const pending = (handler: () => FakeHandler, onReached: () => void): Reply => ({ abortSignal }) =>
  new Promise<HttpResponse>((_resolve, rejectWith) => {
    abortSignal?.addEventListener("abort", () => {
      handler().aborts++
      rejectWith(Object.assign(new Error("Request aborted"), { name: "AbortError" }))
    }, { once: true })
    onReached()
  })

/** The SDK client config the tests use: a fixed region and static credentials, one attempt. */
export const clientConfig = (handler: FakeHandler, config: ECRClientConfig = {}): ECRClientConfig => ({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  maxAttempts: 1,
  requestHandler: handler,
  ...config
})

/** The backend's own client (`EcrClientInstance.make`: the scan-limit retry strategy) over `handler`. */
export const makeClient = (handler: FakeHandler, config: ECRClientConfig = {}) =>
  EcrClientInstance.make(clientConfig(handler, config))

// -------------------------------------------------------------------------------------------------
// Spans

/** A span as the recording tracer keeps it. */
export class RecordedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId = "recorded"
  readonly sampled = true
  readonly attributes = new Map<string, unknown>()
  readonly links: Array<Tracer.SpanLink>
  status: Tracer.SpanStatus

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.spanId = `span-${id}`
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
  }

  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }

  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }

  event(): void {}

  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }

  /** The exit the span ended with. */
  get exit(): Exit.Exit<unknown, unknown> | undefined {
    return this.status._tag === "Ended" ? this.status.exit : undefined
  }
}

/** A tracer that keeps every span it starts (install it with `Layer.setTracer` or `Effect.withTracer`). */
export const recordingTracer = (): { readonly tracer: Tracer.Tracer; readonly spans: ReadonlyArray<RecordedSpan> } => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const span = new RecordedSpan(name, parent, context, links, startTime, kind, spans.length + 1)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { tracer, spans }
}
