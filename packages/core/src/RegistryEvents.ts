/**
 * The events port: `events`, a `Stream` of the registry's EventBridge events, decoded (see `Events`). The
 * memory backend publishes them from its change feed on the registry's clock (a scan's completion at the
 * very instant it completes); the AWS backend reads them from an SQS queue an EventBridge rule feeds.
 *
 * At-least-once where the source is a queue: an element is acknowledged (the message deleted) once the
 * consumer has handled it and asks for the next, so a handler that fails, or a fiber interrupted while
 * handling, leaves the event to be delivered again. Handle events idempotently, on their `id`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { RegistryEvent } from "./Events.js"

/** A message whose body is not an event this library knows: reported, never deleted, never a defect. */
export class UndecodableEvent extends Schema.TaggedError<UndecodableEvent>()("UndecodableEvent", {
  /** What is wrong with it. */
  message: Schema.String,
  /** The body as received. */
  body: Schema.String,
  /** The source's id of the message (an SQS `MessageId`), when it has one. */
  messageId: Schema.optional(Schema.String)
}) {}

/** The source of events cannot be read (a queue that does not exist, no credentials, no network). */
export class EventSourceError extends Schema.TaggedError<EventSourceError>()("EventSourceError", {
  message: Schema.String,
  /** The source's error code (`AWS.SimpleQueueService.NonExistentQueue`, ...), when it has one. */
  code: Schema.optional(Schema.String)
}) {}

/** What reading events can fail with. */
export type RegistryEventsError = UndecodableEvent | EventSourceError

/** The events port. */
export interface RegistryEventsService {
  /**
   * The events from now on, in the order the registry emitted them. Each run of the stream is its own
   * subscription.
   */
  readonly events: Stream.Stream<RegistryEvent, RegistryEventsError>
}

/** The events port's tag. */
export class RegistryEvents extends Context.Tag("@ecr-scan/core/RegistryEvents")<
  RegistryEvents,
  RegistryEventsService
>() {}

/** The events of whichever backend provides the port. */
export const events: Stream.Stream<RegistryEvent, RegistryEventsError, RegistryEvents> = Stream.unwrap(
  Effect.map(RegistryEvents, (service) => service.events)
)

/**
 * Handles every event with `handler`, one at a time, in order: an event is acknowledged only after its
 * handler succeeded. The first failure (the handler's or the source's) ends it.
 *
 * @example
 * ```ts
 * import { RegistryEvents } from "@ecr-scan/core"
 * import { Effect } from "effect"
 *
 * const onScans = RegistryEvents.handle((event) =>
 *   event["detail-type"] === "ECR Image Scan"
 *     ? Effect.log(`${event.detail["repository-name"]}: ${event.detail["scan-status"]}`)
 *     : Effect.void
 * )
 * ```
 */
export const handle = <E, R>(
  handler: (event: RegistryEvent) => Effect.Effect<void, E, R>
): Effect.Effect<void, E | RegistryEventsError, R | RegistryEvents> => Stream.runForEach(events, handler)
