/**
 * The core's `RegistryEvents` port over an SQS queue that an EventBridge rule feeds (spec/ecr-events.md,
 * section 9): a long-polling `ReceiveMessage` loop whose messages' bodies are decoded with
 * `Events.decodeJson`, one event at a time.
 *
 * ```ts
 * RegistryEvents.handle(onEvent).pipe(Effect.provide(SqsEvents.layer({ queueUrl, region: "eu-west-1" })))
 * ```
 *
 * At-least-once: a message is deleted (`DeleteMessage` with its receipt handle) only once the consumer has
 * handled its event, that is when it pulls the next one, or when the stream ends successfully (a `take` that
 * is satisfied). A handler that fails, or a fiber interrupted while handling, leaves the message in the
 * queue: it is delivered again when its visibility timeout expires, as are the messages received with it but
 * not yet emitted. Standard queues (and EventBridge's retries) can deliver an event twice anyway: handle
 * events idempotently, on their `id`. Operators that pull ahead of the handler (`Stream.buffer`,
 * `Stream.mapEffect` with concurrency) acknowledge what they pull, handled or not.
 *
 * A body that is not an event this library knows fails the stream with `UndecodableEvent` and is not
 * deleted: it comes back after its visibility timeout, so give the queue a redrive policy (a dead-letter
 * queue after a few receives), as for a Lambda consumer, to set such poison messages aside. SQS's own
 * errors (a queue that does not exist, denied access, no network) fail it with `EventSourceError` and the
 * service's error code; none is a defect. Interrupting the consumer aborts the long poll in flight through
 * the SDK's abort signal, so it returns at once rather than at the end of the wait.
 *
 * Each call runs in a client span `SQS.<Operation>` with the AWS attributes when a tracer is installed.
 *
 * @since 0.1.0
 */
import * as Sdk from "@aws-sdk/client-sqs"
import { Events, RegistryEvents } from "@ecr-scan/core"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as SdkConfig from "./SdkConfig.js"

/** `ReceiveMessage`'s wait unless told otherwise: 20 s, the longest long poll, as AWS suggests. */
export const DEFAULT_WAIT_TIME_SECONDS = 20

/** `ReceiveMessage`'s batch unless told otherwise: 10 messages, the most SQS returns at once. */
export const DEFAULT_MAX_MESSAGES = 10

/** How the queue is read. */
export interface SqsEventsOptions {
  /** The queue's URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`). */
  readonly queueUrl: string
  /**
   * How long one `ReceiveMessage` waits for a message, 0 to 20 s (default 20). 0 is short polling: an empty
   * queue is asked again at once, request after request, so keep it for tests.
   */
  readonly waitTimeSeconds?: number | undefined
  /** How many messages one `ReceiveMessage` asks for, 1 to 10 (default 10). */
  readonly maxMessages?: number | undefined
  /**
   * How long a received message stays hidden from other consumers, 0 to 43,200 s (default: the queue's own,
   * 30 s unless configured). A message not deleted by then (its handler failed, or is still running) is
   * delivered again.
   */
  readonly visibilityTimeout?: number | undefined
}

/** The SQS client the events are read through. */
export class SqsClientInstance extends Context.Tag("@ecr-scan/aws-backend/SqsClientInstance")<
  SqsClientInstance,
  Sdk.SQSClient
>() {}

/** The SQS operations the events use. */
export type SqsOperation = "ReceiveMessage" | "DeleteMessage"

interface SdkErrorShape {
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly Code?: unknown
  readonly $fault?: unknown
  readonly $metadata?: { readonly httpStatusCode?: unknown }
}

const text = (value: unknown): string | undefined => typeof value === "string" && value !== "" ? value : undefined

/**
 * The `EventSourceError` for what `client.send` threw while running `operation`. Its `code` is the service's
 * error code as the query protocol spells it when the reply says it (`AWS.SimpleQueueService.NonExistentQueue`,
 * the code older SDKs and the AWS CLI report), else the SDK's exception name (`QueueDoesNotExist`,
 * `AccessDenied`, ...), else a network error's code (`ECONNREFUSED`, ...).
 */
export const fromSdkError = (operation: SqsOperation, thrown: unknown): RegistryEvents.EventSourceError => {
  const error: SdkErrorShape = typeof thrown === "object" && thrown !== null ? thrown as SdkErrorShape : {}
  const name = text(error.name)
  const code = text(error.Code) ?? (name === undefined || name === "Error" ? text(error.code) : name) ??
    text(error.code)
  const primitive = typeof thrown === "number" || typeof thrown === "boolean" || typeof thrown === "bigint"
    ? String(thrown)
    : thrown
  const detail = text(error.message) ?? text(primitive) ?? name ?? "unknown error"
  const status = typeof error.$metadata?.httpStatusCode === "number" && error.$fault !== undefined
    ? ` (HTTP ${error.$metadata.httpStatusCode})`
    : ""
  return new RegistryEvents.EventSourceError({
    message: `SQS ${operation} failed${status}: ${detail}`,
    ...(code === undefined ? {} : { code })
  })
}

/** What `client.send` resolves with, as far as the events read it. */
type Output = { readonly $metadata?: { readonly requestId?: string | undefined } }

/**
 * Sends one command in a client span `SQS.<operation>`. Interrupting the fiber aborts the request: the SDK's
 * handler closes the connection, and the fiber does not wait for the reply.
 */
const send = <A extends Output>(
  operation: SqsOperation,
  call: (options: { readonly abortSignal: AbortSignal }) => Promise<A>,
  attributesOf: (output: A) => Record<string, unknown> = () => ({})
): Effect.Effect<A, RegistryEvents.EventSourceError> =>
  Effect.tryPromise({
    // A native signal: one per call costs nothing next to a long poll, and a `fetch` handler needs a native one.
    try: (abortSignal) => call({ abortSignal }),
    catch: (error) => fromSdkError(operation, error)
  }).pipe(
    Effect.tapBoth({
      onFailure: (error) => Effect.annotateCurrentSpan("error.type", error.code ?? "EventSourceError"),
      onSuccess: (output) => {
        const requestId = output.$metadata?.requestId
        return Effect.annotateCurrentSpan({
          ...(requestId === undefined ? {} : { "aws.request_id": requestId }),
          ...attributesOf(output)
        })
      }
    }),
    Effect.withSpan(`SQS.${operation}`, {
      kind: "client",
      attributes: { "rpc.system": "aws-api", "rpc.service": "SQS", "rpc.method": operation },
      captureStackTrace: false
    })
  )

/** The `ReceiveMessage` members of valid options, or what is wrong with them (as SQS itself would say it). */
const receiveInput = (options: SqsEventsOptions): Either.Either<Sdk.ReceiveMessageRequest, string> => {
  const range = (name: string, value: number | undefined, min: number, max: number) =>
    value === undefined || (Number.isInteger(value) && value >= min && value <= max)
      ? undefined
      : `${name} must be an integer from ${min} to ${max}, got ${String(value)}`
  const problem =
    (typeof options.queueUrl !== "string" || options.queueUrl === "" ? "queueUrl is required" : undefined) ??
      range("waitTimeSeconds", options.waitTimeSeconds, 0, 20) ??
      range("maxMessages", options.maxMessages, 1, 10) ??
      range("visibilityTimeout", options.visibilityTimeout, 0, 43_200)
  if (problem !== undefined) return Either.left(problem)
  return Either.right({
    QueueUrl: options.queueUrl,
    WaitTimeSeconds: options.waitTimeSeconds ?? DEFAULT_WAIT_TIME_SECONDS,
    MaxNumberOfMessages: options.maxMessages ?? DEFAULT_MAX_MESSAGES,
    ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout })
  })
}

/** A received message's event, or why it is undecodable. */
const decodeMessage = (message: Sdk.Message): Either.Either<Events.RegistryEvent, RegistryEvents.UndecodableEvent> => {
  const body = message.Body
  const decoded = body === undefined ? Either.left("The message has no body") : Events.decodeJson(body)
  if (Either.isRight(decoded)) return Either.right(decoded.right)
  return Either.left(
    new RegistryEvents.UndecodableEvent({
      message: `The message's body is not an event this library knows: ${decoded.left}`,
      body: body ?? "",
      ...(message.MessageId === undefined ? {} : { messageId: message.MessageId })
    })
  )
}

/**
 * The events port over `client`, which the caller owns (it is neither built nor destroyed here). Options out
 * of SQS's ranges fail the stream with `EventSourceError` code `InvalidParameterValue`, as SQS would.
 */
export const make = (client: Sdk.SQSClient, options: SqsEventsOptions): RegistryEvents.RegistryEventsService => {
  const input = receiveInput(options)
  if (Either.isLeft(input)) {
    return {
      events: Stream.fail(
        new RegistryEvents.EventSourceError({ message: input.left, code: "InvalidParameterValue" })
      )
    }
  }
  const request = input.right

  const receive = Effect.map(
    send(
      "ReceiveMessage",
      (options) => client.send(new Sdk.ReceiveMessageCommand(request), options),
      (output) => ({ "messaging.batch.message_count": output.Messages?.length ?? 0 })
    ),
    (output) => output.Messages ?? []
  )

  const remove = (receiptHandle: string) =>
    Effect.asVoid(
      send("DeleteMessage", (options) =>
        client.send(
          new Sdk.DeleteMessageCommand({ QueueUrl: request.QueueUrl, ReceiptHandle: receiptHandle }),
          options
        ))
    )

  const events = Stream.unwrapScoped(Effect.gen(function*() {
    // One subscription: the batch being emitted, and the receipt of the event last emitted, not yet acknowledged.
    let batch: ReadonlyArray<Sdk.Message> = []
    let next = 0
    let unacknowledged: string | undefined

    // A stream that ends successfully was consumed up to its last element (a `take`): acknowledge that one too.
    // A failed or interrupted one was not, so its last message stays to be delivered again.
    yield* Effect.addFinalizer((exit) => {
      const receiptHandle = unacknowledged
      unacknowledged = undefined
      if (receiptHandle === undefined || !Exit.isSuccess(exit)) return Effect.void
      return remove(receiptHandle).pipe(
        Effect.catchAll((error) => Effect.logWarning("SqsEvents: the last event's message was not deleted", error))
      )
    })

    const acknowledge = Effect.suspend(() => {
      const receiptHandle = unacknowledged
      if (receiptHandle === undefined) return Effect.void
      return Effect.tap(remove(receiptHandle), () => {
        unacknowledged = undefined
      })
    })

    /** The next event, as a chunk of one (empty when a poll found nothing); never ends the stream. */
    const pull: Effect.Effect<Chunk.Chunk<Events.RegistryEvent>, Option.Option<RegistryEvents.RegistryEventsError>> =
      Effect.gen(function*() {
        yield* acknowledge
        if (next >= batch.length) {
          batch = yield* receive
          next = 0
          if (batch.length === 0) return Chunk.empty()
        }
        const message = batch[next++]!
        const event = decodeMessage(message)
        if (Either.isLeft(event)) return yield* event.left
        if (message.ReceiptHandle === undefined) {
          return yield* new RegistryEvents.EventSourceError({
            message: `SQS ReceiveMessage returned message ${message.MessageId ?? "(no id)"} without a receipt handle`,
            code: "InvalidResponse"
          })
        }
        unacknowledged = message.ReceiptHandle
        return Chunk.of(event.right)
      }).pipe(Effect.mapError(Option.some))

    return Stream.repeatEffectChunkOption(pull)
  }))

  return { events }
}

/** The SDK client for `config`. */
export const makeClient = (config: Sdk.SQSClientConfig = {}): Sdk.SQSClient => new Sdk.SQSClient(config)

/** A scoped layer of a client built by `makeClient`: destroyed (its sockets closed) when the layer's scope closes. */
export const clientLayerFrom = (makeClient: () => Sdk.SQSClient): Layer.Layer<SqsClientInstance> =>
  Layer.scoped(
    SqsClientInstance,
    Effect.acquireRelease(Effect.sync(makeClient), (client) => Effect.sync(() => client.destroy()))
  )

/** The events port over the client in the environment. */
export const layerWithClient = (
  options: SqsEventsOptions
): Layer.Layer<RegistryEvents.RegistryEvents, never, SqsClientInstance> =>
  Layer.effect(RegistryEvents.RegistryEvents, Effect.map(SqsClientInstance, (client) => make(client, options)))

/** The events port over a client you build (its lifetime is the layer's: it is destroyed with it). */
export const baseLayer = (
  makeClient: () => Sdk.SQSClient,
  options: SqsEventsOptions
): Layer.Layer<RegistryEvents.RegistryEvents> =>
  layerWithClient(options).pipe(Layer.provide(clientLayerFrom(makeClient)))

/** What `layer` takes: where the queue is, how to reach it, how to read it. */
export interface SqsEventsLayerOptions extends SqsEventsOptions {
  /** The queue's region (default: the SDK's resolution, `AWS_REGION`, ...). */
  readonly region?: string | undefined
  /** Another endpoint than AWS's (a local SQS, moto's server, ...). */
  readonly endpoint?: string | undefined
  /** Credentials (default: the SDK's default chain). */
  readonly credentials?: Sdk.SQSClientConfig["credentials"] | undefined
  /** The SDK's attempts per call (default: its own, 3). */
  readonly maxAttempts?: number | undefined
  /** Any other SDK client config; the members above take precedence. */
  readonly client?: Sdk.SQSClientConfig | undefined
}

/** The SDK client config of `layer`'s options. */
export const clientConfig = (options: SqsEventsLayerOptions): Sdk.SQSClientConfig => ({
  ...options.client,
  ...(options.region === undefined ? {} : { region: options.region }),
  ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts })
})

/**
 * The events port over a queue, through a client of its own (created with the layer, destroyed with it).
 *
 * @example
 * ```ts
 * import { SqsEvents } from "@ecr-scan/aws-backend"
 * import { RegistryEvents } from "@ecr-scan/core"
 * import { Effect } from "effect"
 *
 * // The queue a rule `{"source":["aws.ecr"],"detail-type":["ECR Image Scan"]}` targets.
 * const events = SqsEvents.layer({
 *   queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/ecr-scans",
 *   region: "eu-west-1"
 * })
 *
 * // Each message is deleted once its handler succeeded; a failure leaves it to come back.
 * const program = RegistryEvents.handle((event) =>
 *   event["detail-type"] === "ECR Image Scan"
 *     ? Effect.log(`${event.detail["repository-name"]}: ${event.detail["scan-status"]}`)
 *     : Effect.void
 * )
 * program.pipe(Effect.provide(events), Effect.runFork)
 * ```
 */
export const layer = (options: SqsEventsLayerOptions): Layer.Layer<RegistryEvents.RegistryEvents> =>
  baseLayer(() => makeClient(clientConfig(options)), options)

/** What `layerConfig` reads. */
export interface SqsEventsConfig {
  readonly queueUrl: string
  readonly region: Option.Option<string>
  readonly endpoint: Option.Option<string>
  readonly accessKeyId: Option.Option<Redacted.Redacted>
  readonly secretAccessKey: Option.Option<Redacted.Redacted>
  readonly sessionToken: Option.Option<Redacted.Redacted>
  readonly maxAttempts: Option.Option<number>
  readonly waitTimeSeconds: Option.Option<number>
  readonly maxMessages: Option.Option<number>
  readonly visibilityTimeout: Option.Option<number>
}

const bounded = (name: string, min: number, max: number) =>
  Config.option(
    Config.integer(name).pipe(
      Config.validate({ message: `Expected an integer from ${min} to ${max}`, validation: (n) => n >= min && n <= max })
    )
  )

/**
 * The default configuration, from the environment: `ECR_SCAN_EVENTS_QUEUE_URL` (required), `AWS_REGION`,
 * `AWS_ENDPOINT_URL_SQS` (or `AWS_ENDPOINT_URL`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN` (secrets as `Redacted`), `AWS_MAX_ATTEMPTS`, and the polling options
 * `ECR_SCAN_EVENTS_WAIT_TIME_SECONDS` (0–20), `ECR_SCAN_EVENTS_MAX_MESSAGES` (1–10),
 * `ECR_SCAN_EVENTS_VISIBILITY_TIMEOUT` (0–43,200). Anything optional and absent is left to the defaults.
 */
export const defaultConfig: Config.Config<SqsEventsConfig> = Config.all({
  queueUrl: Config.nonEmptyString("ECR_SCAN_EVENTS_QUEUE_URL"),
  ...SdkConfig.common,
  endpoint: SdkConfig.endpoint("AWS_ENDPOINT_URL_SQS"),
  waitTimeSeconds: bounded("ECR_SCAN_EVENTS_WAIT_TIME_SECONDS", 0, 20),
  maxMessages: bounded("ECR_SCAN_EVENTS_MAX_MESSAGES", 1, 10),
  visibilityTimeout: bounded("ECR_SCAN_EVENTS_VISIBILITY_TIMEOUT", 0, 43_200)
})

/** `layer`'s options for a resolved `SqsEventsConfig` (credentials only when both key id and secret are set). */
export const layerOptions = (config: SqsEventsConfig): SqsEventsLayerOptions => ({
  queueUrl: config.queueUrl,
  region: Option.getOrUndefined(config.region),
  endpoint: Option.getOrUndefined(config.endpoint),
  maxAttempts: Option.getOrUndefined(config.maxAttempts),
  waitTimeSeconds: Option.getOrUndefined(config.waitTimeSeconds),
  maxMessages: Option.getOrUndefined(config.maxMessages),
  visibilityTimeout: Option.getOrUndefined(config.visibilityTimeout),
  credentials: SdkConfig.credentials(config)
})

/** The events port over a queue configured through `effect/Config` (`defaultConfig` unless given). */
export const layerConfig = (
  config: Config.Config<SqsEventsConfig> = defaultConfig
): Layer.Layer<RegistryEvents.RegistryEvents, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, (resolved) => layer(layerOptions(resolved))))
