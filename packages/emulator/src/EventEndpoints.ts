/**
 * The control endpoints of events (under `/_ecr-scan/events`, per `?account=` and `?region=`, or the
 * `x-ecr-scan-account` and `x-ecr-scan-region` headers, as the other control endpoints; each registry, one per
 * account and region, has its own log, numbered from 1):
 *
 * - `GET /_ecr-scan/events?since=<seq>&limit=<n>`: `{"events": [<event JSON>...], "cursor": <seq>}`, the events
 *   numbered after `since` (default 0), oldest first, at most `limit` (default 1,000; more than 10,000 is 10,000); `cursor`
 *   is the number of the last one returned, or `since` when there is none.
 * - `GET /_ecr-scan/events/stream`: server-sent events, `id: <seq>`, `event: <detail-type>`, `data: <JSON>`;
 *   the kept events after `Last-Event-ID` (or `?since=`; one beyond the last event is taken as the last) first,
 *   then each as it happens; a `: keep-alive`
 *   comment every 15 s of real time. It ends when the client goes or the emulator stops.
 * - `GET /_ecr-scan/events/dead-letters`: `{"deadLetters": [...]}` (see `EventLog.DeadLetter`).
 * - `GET /_ecr-scan/events/targets`: `{"targets": [...]}`, each target's state (see `EventDelivery.TargetStatus`).
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Accounts from "./Accounts.js"
import { EventDelivery } from "./EventDelivery.js"
import type * as EventLog from "./EventLog.js"

/** The path of the events' endpoints. */
export const EVENTS_PATH = "/_ecr-scan/events"

/** The default and largest `limit` of `GET /_ecr-scan/events`. */
export const LIMITS = { default: 1_000, max: 10_000 } as const

/** How often, in real time, the stream sends a keep-alive comment. */
export const KEEP_ALIVE_MS = 15_000

/** The most events a stream's reader may fall behind by before the stream ends (it may reconnect and replay). */
export const STREAM_BUFFER = 10_000

/**
 * A request a control endpoint refuses (these and `Control`'s): answered `{"error": message}` with `status` (see
 * `Control.app`).
 */
export class EndpointError extends Schema.TaggedError<EndpointError>()("EndpointError", {
  status: Schema.Number,
  message: Schema.String
}) {}

const query = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
  const question = request.url.indexOf("?")
  return new URLSearchParams(question < 0 ? "" : request.url.slice(question + 1))
})

/**
 * The registry a control request is about: `?account=` (the header, or the first account) in `?region=` (the
 * header, or the default region), built if it is the first use of the region; refused with `Accounts.statusOf`.
 */
export const requestedRegistry: Effect.Effect<
  Accounts.Registry,
  EndpointError,
  Accounts.Accounts | HttpServerRequest.HttpServerRequest
> = Effect.gen(function*() {
  const accounts = yield* Accounts.Accounts
  const request = yield* HttpServerRequest.HttpServerRequest
  const { accountId, region } = Accounts.requested(accounts, request.url, request.headers)
  return yield* Effect.mapError(
    accounts.registry(accountId, region),
    (error) => new EndpointError({ status: Accounts.statusOf(error), message: error.message })
  )
})

/** The log of the registry a request is about (see `requestedRegistry`). */
const logOf = Effect.gen(function*() {
  const delivery = yield* Effect.serviceOption(EventDelivery)
  if (Option.isNone(delivery)) {
    return yield* new EndpointError({ status: 501, message: "This emulator does not deliver events" })
  }
  const accounts = yield* Accounts.Accounts
  const { accountId: id, region } = yield* requestedRegistry
  const log = delivery.value.log(id, region)
  if (log === undefined) {
    return yield* new EndpointError({
      status: 501,
      message: `The emulator does not follow the events of account '${id}'${
        region === accounts.defaultRegion ? "" : ` in ${region}`
      } (--event-log-size 0 and no --event-target, or a backend without events)`
    })
  }
  return log
})

/** A non-negative integer query parameter (digits; beyond `max`, `max`), or its default. */
const integerParam = (params: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) => {
  const text = params.get(name)
  if (text === null || text.trim() === "") return Effect.succeed(fallback)
  return /^\d+$/.test(text.trim())
    ? Effect.succeed(Math.min(max, Number(text.trim())))
    : Effect.fail(new EndpointError({ status: 400, message: `${name} must be a non-negative integer, not '${text}'` }))
}

/** One server-sent event. */
export const formatEntry = (entry: EventLog.Entry): string =>
  `id: ${entry.seq}\nevent: ${entry.event["detail-type"]}\ndata: ${entry.json}\n\n`

/** The stream of a log from `since` on: the kept events, then the live ones, with keep-alive comments. */
export const eventStream = (log: EventLog.EventLog, since: number): Stream.Stream<string> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    // `null` ends the stream: the log closed, or the reader fell too far behind.
    const queue = yield* Queue.unbounded<EventLog.Entry | null>()
    const { replay } = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const subscription = log.subscribe(since, (entry) => {
          if (Option.getOrElse(queue.unsafeSize(), () => 0) >= STREAM_BUFFER) {
            Queue.unsafeOffer(queue, null)
            return false
          }
          Queue.unsafeOffer(queue, entry)
          return true
        })
        const offClose = log.onClose(() => Queue.unsafeOffer(queue, null))
        return { replay: subscription.replay, release: () => (subscription.unsubscribe(), offClose()) }
      }),
      ({ release }) => Effect.sync(release)
    )
    const live = Stream.fromQueue(queue).pipe(Stream.takeWhile((e): e is EventLog.Entry => e !== null))
    const events = Stream.concat(Stream.fromIterable(replay), live).pipe(Stream.map(formatEntry))
    const keepAlive = Stream.tick(KEEP_ALIVE_MS).pipe(Stream.drop(1), Stream.as(": keep-alive\n\n"))
    // A first comment sends the headers at once, so a client knows it is connected.
    return Stream.make(": ecr-scan events\n\n").pipe(
      Stream.concat(Stream.merge(events, keepAlive, { haltStrategy: "left" }))
    )
  }))

/** The events' endpoints. */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get(
    EVENTS_PATH,
    Effect.gen(function*() {
      const log = yield* logOf
      const params = yield* query
      const since = yield* integerParam(params, "since", 0)
      const limit = yield* integerParam(params, "limit", LIMITS.default, LIMITS.max)
      const entries = log.since(since, limit)
      const cursor = entries.length === 0 ? since : entries[entries.length - 1].seq
      // The events' JSON as delivered, key order included: written as is, not parsed and printed again.
      return HttpServerResponse.text(`{"events":[${entries.map((e) => e.json).join(",")}],"cursor":${cursor}}`, {
        contentType: "application/json"
      })
    })
  ),
  HttpRouter.get(
    `${EVENTS_PATH}/stream`,
    Effect.gen(function*() {
      const log = yield* logOf
      const request = yield* HttpServerRequest.HttpServerRequest
      const lastEventId = request.headers["last-event-id"]
      const params = lastEventId === undefined ? yield* query : new URLSearchParams({ since: lastEventId })
      const asked = yield* integerParam(params, "since", log.lastSeq())
      // An id beyond the log's last is from another run of the emulator: from now on, rather than from there.
      const since = Math.min(asked, log.lastSeq())
      return HttpServerResponse.stream(Stream.encodeText(eventStream(log, since)), {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
      })
    })
  ),
  HttpRouter.get(
    `${EVENTS_PATH}/dead-letters`,
    Effect.map(logOf, (log) => HttpServerResponse.unsafeJson({ deadLetters: log.deadLetters() }))
  ),
  HttpRouter.get(
    `${EVENTS_PATH}/targets`,
    Effect.flatMap(
      Effect.serviceOption(EventDelivery),
      (delivery) =>
        Effect.succeed(
          HttpServerResponse.unsafeJson({
            targets: Option.match(delivery, { onNone: () => [], onSome: (d) => d.targets() })
          })
        )
    )
  )
)
