/**
 * `SqsEvents` against moto's server (a child process on a free loopback port, stopped by its pid): the queue's
 * events decoded, in order, each message deleted once its event was handled and before the next is emitted; a
 * failing handler's message left to come back after its (1 s) visibility timeout, and an interrupted one's left
 * in the queue; an undecodable body reported
 * as a typed `UndecodableEvent` and left in the queue; a missing queue as `EventSourceError` with SQS's code; an
 * interrupted consumer's 20 s long poll aborted; the client destroyed with the layer; spans; `layerConfig`.
 * Without moto those are skipped (required in CI); what needs no server (option ranges, a refused connection,
 * the error mapping) runs everywhere. moto keeps its state for its whole life: every case uses its own queue.
 */
import * as Sdk from "@aws-sdk/client-sqs"
import { SqsEvents } from "@ecr-scan/aws-backend"
import { Events, RegistryEvents } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, vi } from "vitest"
import { freePort, type RunningMoto, startMotoServer } from "../../../tests/support/motoServer.js"
import { describeWith, moto } from "../../../tests/support/tools.js"
import { recordingTracer } from "./fixtures.js"

const REGION = "us-east-1"
const ACCOUNT = "123456789012"
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
const DIGEST = `sha256:${"b".repeat(64)}`

const origin = (n: number): Events.Origin => ({
  accountId: ACCOUNT,
  region: REGION,
  time: Date.parse("2026-03-01T09:00:00Z") + n * 1_000,
  id: Events.deterministicId("sqs-events", String(n))
})

/** One event of each kind a scanning pipeline reads, in the order they are sent. */
const SAMPLE: ReadonlyArray<Events.RegistryEvent> = [
  Events.imagePushed(origin(1), { repositoryName: "team/app", imageDigest: DIGEST, imageTag: "v1" }),
  Events.imageScanned(origin(2), {
    repositoryName: "team/app",
    imageDigest: DIGEST,
    imageTags: ["v1"],
    scanStatus: "COMPLETE",
    counts: { HIGH: 2, LOW: 1 }
  }),
  Events.inspectorScanned(origin(3), {
    repositoryName: "team/app",
    imageDigest: DIGEST,
    imageTags: ["v1"],
    counts: { CRITICAL: 1 }
  })
]

/** The failure of an exit, which must be a typed failure (not a defect, not an interruption). */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  expect(Exit.isFailure(exit), "the stream failed").toBe(true)
  const cause = (exit as Exit.Failure<A, E>).cause
  expect(Cause.isDie(cause), `not a defect: ${Cause.pretty(cause)}`).toBe(false)
  return Option.getOrThrow(Cause.failureOption(cause))
}

describe("SqsEvents without a server", () => {
  const client = () => new Sdk.SQSClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1 })

  it.live("options out of SQS's ranges fail the stream with EventSourceError and send nothing", () =>
    Effect.gen(function*() {
      const sqs = client()
      const send = vi.spyOn(sqs, "send")
      const cases: ReadonlyArray<[SqsEvents.SqsEventsOptions, string]> = [
        [{ queueUrl: "https://sqs.invalid/1/q", waitTimeSeconds: 21 }, "waitTimeSeconds"],
        [{ queueUrl: "https://sqs.invalid/1/q", waitTimeSeconds: 1.5 }, "waitTimeSeconds"],
        [{ queueUrl: "https://sqs.invalid/1/q", maxMessages: 0 }, "maxMessages"],
        [{ queueUrl: "https://sqs.invalid/1/q", maxMessages: Number.NaN }, "maxMessages"],
        [{ queueUrl: "https://sqs.invalid/1/q", visibilityTimeout: 43_201 }, "visibilityTimeout"],
        [{ queueUrl: "" }, "queueUrl"]
      ]
      for (const [options, named] of cases) {
        const exit = yield* Effect.exit(Stream.runDrain(SqsEvents.make(sqs, options).events))
        const error = failureOf(exit)
        expect(error).toBeInstanceOf(RegistryEvents.EventSourceError)
        expect(error).toMatchObject({ code: "InvalidParameterValue" })
        expect(error.message).toContain(named)
      }
      expect(send).not.toHaveBeenCalled()
      sqs.destroy()
    }))

  it.live("a refused connection fails the stream with EventSourceError ECONNREFUSED", () =>
    Effect.gen(function*() {
      // Nobody listens on a port the kernel just handed out and took back.
      const port = yield* Effect.promise(() => freePort())
      const layer = SqsEvents.layer({
        queueUrl: `http://127.0.0.1:${port}/${ACCOUNT}/nowhere`,
        region: REGION,
        endpoint: `http://127.0.0.1:${port}`,
        credentials: CREDENTIALS,
        maxAttempts: 1
      })
      const exit = yield* Effect.exit(Stream.runDrain(RegistryEvents.events).pipe(Effect.provide(layer)))
      const error = failureOf(exit)
      expect(error._tag).toBe("EventSourceError")
      expect(error).toMatchObject({ code: "ECONNREFUSED" })
      expect(error.message).toMatch(/^SQS ReceiveMessage failed: /)
    }), { timeout: 20_000 })

  it("fromSdkError prefers SQS's query code, then the exception's name, then a network code", () => {
    const service = Object.assign(new Error("The specified queue does not exist."), {
      name: "QueueDoesNotExist",
      Code: "AWS.SimpleQueueService.NonExistentQueue",
      $fault: "client",
      $metadata: { httpStatusCode: 400 }
    })
    expect(SqsEvents.fromSdkError("ReceiveMessage", service)).toMatchObject({
      _tag: "EventSourceError",
      code: "AWS.SimpleQueueService.NonExistentQueue",
      message: "SQS ReceiveMessage failed (HTTP 400): The specified queue does not exist."
    })
    const named = Object.assign(new Error("Access to the resource is denied."), { name: "AccessDenied" })
    expect(SqsEvents.fromSdkError("DeleteMessage", named)).toMatchObject({ code: "AccessDenied" })
    const network = Object.assign(new Error("connect EHOSTUNREACH"), { code: "EHOSTUNREACH" })
    expect(SqsEvents.fromSdkError("ReceiveMessage", network)).toMatchObject({ code: "EHOSTUNREACH" })
    for (const odd of [undefined, null, 42, "text", {}, Object.create(null)]) {
      const error = SqsEvents.fromSdkError("ReceiveMessage", odd)
      expect(error).toBeInstanceOf(RegistryEvents.EventSourceError)
      expect(error.message).toMatch(/^SQS ReceiveMessage failed: /)
    }
  })

  it("layerOptions passes credentials only when both the key id and the secret are set", () => {
    const none = Option.none()
    const base: SqsEvents.SqsEventsConfig = {
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
      region: Option.some("eu-west-1"),
      endpoint: none,
      accessKeyId: Option.some(Redacted.make("AKIDEXAMPLE")),
      secretAccessKey: none,
      sessionToken: none,
      maxAttempts: none,
      waitTimeSeconds: Option.some(5),
      maxMessages: none,
      visibilityTimeout: none
    }
    expect(SqsEvents.layerOptions(base)).toMatchObject({
      region: "eu-west-1",
      waitTimeSeconds: 5,
      credentials: undefined
    })
    const full = {
      ...base,
      secretAccessKey: Option.some(Redacted.make("secret")),
      sessionToken: Option.some(Redacted.make("token"))
    }
    expect(SqsEvents.layerOptions(full).credentials).toStrictEqual({
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token"
    })
  })
})

describeWith(moto(), "SqsEvents against moto's server", () => {
  let server: RunningMoto
  let sqs: Sdk.SQSClient
  beforeAll(async () => {
    server = await startMotoServer()
    sqs = new Sdk.SQSClient({ region: REGION, endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1 })
  }, 60_000)
  afterAll(async () => {
    sqs?.destroy()
    await server?.stop()
  })

  const createQueue = (name: string) =>
    Effect.promise(() => sqs.send(new Sdk.CreateQueueCommand({ QueueName: name }))).pipe(
      Effect.map((created) => created.QueueUrl!)
    )

  const sendBody = (queueUrl: string, body: string) =>
    Effect.promise(() => sqs.send(new Sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))).pipe(
      Effect.map((sent) => sent.MessageId!)
    )

  /** The messages still in the queue: visible, and received but neither deleted nor visible again yet. */
  const inQueue = (queueUrl: string) =>
    Effect.promise(() =>
      sqs.send(
        new Sdk.GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        })
      )
    ).pipe(Effect.map(({ Attributes }) => ({
      visible: Number(Attributes?.ApproximateNumberOfMessages),
      notVisible: Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    })))

  const events = (queueUrl: string, options: Partial<SqsEvents.SqsEventsOptions> = {}) =>
    SqsEvents.layer({
      queueUrl,
      region: REGION,
      endpoint: server.endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      ...options
    })

  it.live(
    "yields the queue's events decoded and in order, deleting each message before emitting the next",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-in-order")
        for (const event of SAMPLE) yield* sendBody(queueUrl, Events.toJson(event))
        const handled: Array<{ event: Events.RegistryEvent; notVisible: number }> = []
        yield* RegistryEvents.events.pipe(
          Stream.take(SAMPLE.length),
          Stream.runForEach((event) =>
            Effect.map(inQueue(queueUrl), ({ notVisible }) => {
              handled.push({ event, notVisible })
            })
          ),
          Effect.provide(events(queueUrl))
        )
        expect(handled.map((h) => h.event)).toStrictEqual(SAMPLE)
        // One batch of three: while the k-th is handled, the k-1 before it are gone and the rest are in flight.
        expect(handled.map((h) => h.notVisible)).toStrictEqual([3, 2, 1])
        // The last one, handled when `take` ended the stream successfully, is deleted too.
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 0 })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "RegistryEvents.handle acknowledges only what its handler finished: one event per batch of one",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-batch-of-one")
        for (const event of SAMPLE) yield* sendBody(queueUrl, Events.toJson(event))
        const seen: Array<string> = []
        const exit = yield* RegistryEvents.handle((event) => {
          seen.push(event.id)
          return seen.length === SAMPLE.length ? Effect.fail("stop" as const) : Effect.void
        }).pipe(Effect.provide(events(queueUrl, { maxMessages: 1 })), Effect.exit)
        expect(failureOf(exit)).toBe("stop")
        expect(seen).toStrictEqual(SAMPLE.map((event) => event.id))
        // The first two were deleted; the third, whose handler failed, is still there (received, not visible).
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 1 })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "a failing handler leaves its message, which comes back after the visibility timeout",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-redelivered")
        const [event] = SAMPLE
        yield* sendBody(queueUrl, Events.toJson(event!))
        const failed = yield* RegistryEvents.handle(() => Effect.fail("handler failed" as const)).pipe(
          Effect.provide(events(queueUrl, { visibilityTimeout: 1 })),
          Effect.either
        )
        expect(failed).toStrictEqual(Either.left("handler failed"))
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 1 })
        // A long poll of at most 10 s (a bounded wait on real I/O) gets it once its 1 s timeout has passed.
        const again = yield* RegistryEvents.events.pipe(
          Stream.runHead,
          Effect.provide(events(queueUrl, { waitTimeSeconds: 10, visibilityTimeout: 1 }))
        )
        expect(again).toStrictEqual(Option.some(event))
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 0 })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "a consumer interrupted while it handles an event leaves that event's message in the queue",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-interrupted-handler")
        yield* sendBody(queueUrl, Events.toJson(SAMPLE[0]!))
        const handling = yield* Deferred.make<Events.RegistryEvent>()
        const fiber = yield* RegistryEvents.handle((event) =>
          Effect.zipRight(Deferred.succeed(handling, event), Effect.never)
        )
          .pipe(Effect.provide(events(queueUrl)), Effect.fork)
        expect(yield* Deferred.await(handling)).toStrictEqual(SAMPLE[0])
        expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 1 })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "an undecodable body fails the stream with UndecodableEvent, after the events before it, and stays",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-poison")
        yield* sendBody(queueUrl, Events.toJson(SAMPLE[0]!))
        const poisonId = yield* sendBody(queueUrl, "{\"detail-type\": \"ECR Image Scan\", \"source\": \"aws.ecr\"")
        const handled: Array<Events.RegistryEvent> = []
        const exit = yield* RegistryEvents.handle((event) => Effect.sync(() => handled.push(event))).pipe(
          Effect.provide(events(queueUrl)),
          Effect.exit
        )
        const error = failureOf(exit)
        expect(error).toBeInstanceOf(RegistryEvents.UndecodableEvent)
        expect(error).toMatchObject({
          _tag: "UndecodableEvent",
          body: "{\"detail-type\": \"ECR Image Scan\", \"source\": \"aws.ecr\"",
          messageId: poisonId
        })
        expect(error.message).toMatch(/^The message's body is not an event this library knows: Not JSON: /)
        expect(handled).toStrictEqual([SAMPLE[0]])
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 1 })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "JSON that is not a known event is undecodable too, and says what does not match",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-unknown")
        const body = JSON.stringify({ ...SAMPLE[1], "detail-type": "ECR Image Push" })
        yield* sendBody(queueUrl, body)
        const exit = yield* Effect.exit(Stream.runDrain(RegistryEvents.events).pipe(Effect.provide(events(queueUrl))))
        const error = failureOf(exit)
        expect(error).toMatchObject({ _tag: "UndecodableEvent", body })
        expect(error.message).toContain("detail-type")
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 1 })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "a queue that does not exist fails the stream with EventSourceError and SQS's code",
    () =>
      Effect.gen(function*() {
        const queueUrl = `${server.endpoint}/${ACCOUNT}/no-such-queue`
        const exit = yield* Effect.exit(Stream.runDrain(RegistryEvents.events).pipe(Effect.provide(events(queueUrl))))
        const error = failureOf(exit)
        expect(error).toBeInstanceOf(RegistryEvents.EventSourceError)
        expect(error).toMatchObject({ code: "AWS.SimpleQueueService.NonExistentQueue" })
        expect(error.message).toContain("The specified queue does not exist")
      }),
    { timeout: 30_000 }
  )

  it.live(
    "interrupting a consumer blocked in a 20 s long poll aborts the poll and destroys the client",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-interrupted")
        const client = new Sdk.SQSClient({ region: REGION, endpoint: server.endpoint, credentials: CREDENTIALS })
        let destroyed = 0
        const destroy = client.destroy.bind(client)
        client.destroy = () => {
          destroyed++
          destroy()
        }
        // Sees the ReceiveMessage leave for the server, and how its request ends.
        let sent!: () => void
        const reached = new Promise<void>((resolve) => (sent = resolve))
        let ended: Promise<string> | undefined
        client.middlewareStack.add((next) => (args) => {
          const result = next(args)
          ended = result.then(() => "answered", (error: Error) => error.name)
          sent()
          return result
        }, { step: "finalizeRequest", name: "observeReceive" })
        const fiber = yield* RegistryEvents.events.pipe(
          Stream.runDrain,
          Effect.provide(SqsEvents.baseLayer(() => client, { queueUrl, waitTimeSeconds: 20 })),
          Effect.fork
        )
        yield* Effect.promise(() => reached)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        // Within the test's 10 s, well before moto would answer the 20 s poll: the request was aborted.
        expect(yield* Effect.promise(() => ended!)).toBe("AbortError")
        expect(destroyed).toBe(1)
      }),
    { timeout: 10_000 }
  )

  it.live("each call is a client span SQS.<Operation> with the AWS attributes", () =>
    Effect.gen(function*() {
      const queueUrl = yield* createQueue("events-traced")
      yield* sendBody(queueUrl, Events.toJson(SAMPLE[0]!))
      const { spans, tracer } = recordingTracer()
      yield* RegistryEvents.events.pipe(
        Stream.runHead,
        Effect.provide(events(queueUrl)),
        Effect.withTracer(tracer)
      )
      const receive = spans.find((span) => span.name === "SQS.ReceiveMessage")!
      expect(receive.kind).toBe("client")
      expect(Object.fromEntries(receive.attributes)).toMatchObject({
        "rpc.system": "aws-api",
        "rpc.service": "SQS",
        "rpc.method": "ReceiveMessage",
        "messaging.batch.message_count": 1
      })
      expect(receive.attributes.get("aws.request_id")).toEqual(expect.any(String))
      expect(receive.exit && Exit.isSuccess(receive.exit)).toBe(true)
      const remove = spans.find((span) => span.name === "SQS.DeleteMessage")!
      expect(remove.attributes.get("rpc.method")).toBe("DeleteMessage")
    }), { timeout: 30_000 })

  it.live(
    "layerConfig reads the queue, the endpoint, the credentials and the polling from effect/Config",
    () =>
      Effect.gen(function*() {
        const queueUrl = yield* createQueue("events-config")
        yield* sendBody(queueUrl, Events.toJson(SAMPLE[1]!))
        const config = new Map([
          ["ECR_SCAN_EVENTS_QUEUE_URL", queueUrl],
          ["AWS_REGION", REGION],
          ["AWS_ENDPOINT_URL_SQS", server.endpoint],
          ["AWS_ACCESS_KEY_ID", CREDENTIALS.accessKeyId],
          ["AWS_SECRET_ACCESS_KEY", CREDENTIALS.secretAccessKey],
          ["AWS_MAX_ATTEMPTS", "1"],
          ["ECR_SCAN_EVENTS_WAIT_TIME_SECONDS", "1"],
          ["ECR_SCAN_EVENTS_MAX_MESSAGES", "5"],
          ["ECR_SCAN_EVENTS_VISIBILITY_TIMEOUT", "60"]
        ])
        const withConfig = (map: Map<string, string>) =>
          Layer.provide(SqsEvents.layerConfig(), Layer.setConfigProvider(ConfigProvider.fromMap(map)))
        const first = yield* RegistryEvents.events.pipe(Stream.runHead, Effect.provide(withConfig(config)))
        expect(first).toStrictEqual(Option.some(SAMPLE[1]))
        expect(yield* inQueue(queueUrl)).toStrictEqual({ visible: 0, notVisible: 0 })

        const outOfRange = new Map([...config, ["ECR_SCAN_EVENTS_WAIT_TIME_SECONDS", "30"]])
        const invalid = yield* Effect.exit(
          Stream.runDrain(RegistryEvents.events).pipe(Effect.provide(withConfig(outOfRange)))
        )
        expect(failureOf(invalid)).toMatchObject({ _op: "InvalidData" })
        const noQueue = new Map([...config].filter(([key]) => key !== "ECR_SCAN_EVENTS_QUEUE_URL"))
        const missing = yield* Effect.exit(
          Stream.runDrain(RegistryEvents.events).pipe(Effect.provide(withConfig(noQueue)))
        )
        expect(failureOf(missing)).toMatchObject({ _op: "MissingData" })
      }),
    { timeout: 30_000 }
  )
})
