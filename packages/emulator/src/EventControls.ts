/**
 * The Promise API's controls of events (see `PromiseApi`): an account's logged events from a cursor, its dead
 * letters, and the targets' state, read from the `EventDelivery` service rather than the control endpoints.
 *
 * @since 0.1.0
 */
import type { Events } from "@ecr-scan/core"
import * as Effect from "effect/Effect"
import type { Accounts } from "./Accounts.js"
import { EmulatorError } from "./EmulatorError.js"
import { EventDelivery, type TargetStatus } from "./EventDelivery.js"
import * as EventEndpoints from "./EventEndpoints.js"
import type * as EventLog from "./EventLog.js"
import * as RegistryTarget from "./RegistryTarget.js"

/**
 * Which events `events()` returns: those numbered after `since` (default 0), at most `limit` (default 1,000,
 * at most 10,000), of `account` (default: the first) in `region` (default: the emulator's `region`).
 *
 * @example
 * ```ts
 * import { type EventControls, startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * const query: EventControls.EventsQuery = { since: 0, limit: 100 }
 * const { cursor, events } = await emulator.events(query)
 * ```
 */
export interface EventsQuery {
  readonly since?: number | undefined
  readonly limit?: number | undefined
  readonly account?: string | undefined
  /** The region (default: the emulator's `region`): each account has a log per region. */
  readonly region?: string | undefined
}

/**
 * A page of logged events and the cursor to ask from next (the number of the last one, or `since`).
 *
 * @example
 * ```ts
 * import { type EventControls, startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * let page: EventControls.EventsPage = await emulator.events()
 * page = await emulator.events({ since: page.cursor })
 * ```
 */
export interface EventsPage {
  readonly events: ReadonlyArray<Events.RegistryEvent>
  readonly cursor: number
}

/**
 * The event controls of a running emulator.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator({ eventTargets: ["http://127.0.0.1:9/unreachable"] })
 * const { events } = await emulator.events()
 * const dead = await emulator.deadLetters()
 * const [target] = await emulator.eventTargets() // { target, pending, delivered, deadLetters, ... }
 * ```
 */
export interface EventControls {
  /** The account's logged events (as `GET /_ecr-scan/events`): the newest `eventLogSize` are kept. */
  events(query?: EventsQuery): Promise<EventsPage>
  /** The deliveries given up on, oldest first (as `GET /_ecr-scan/events/dead-letters`). */
  deadLetters(options?: RegistryTarget.RegistryOptions): Promise<ReadonlyArray<EventLog.DeadLetter>>
  /** Each target's state (as `GET /_ecr-scan/events/targets`). */
  eventTargets(): Promise<ReadonlyArray<TargetStatus>>
}

/** Runs a control, rejecting with an `EmulatorError` (as `PromiseApi` does). */
export type Run = <A>(method: string, effect: Effect.Effect<A, EmulatorError, Accounts | EventDelivery>) => Promise<A>

const logOf = (method: string, options: RegistryTarget.RegistryOptions) =>
  Effect.gen(function*() {
    const delivery = yield* EventDelivery
    const { accountId, region } = yield* RegistryTarget.registryOf(method, options)
    const log = delivery.log(accountId, region)
    if (log === undefined) {
      return yield* Effect.fail(
        new EmulatorError("Internal", `${method}: account '${accountId}' has no events in ${region}`)
      )
    }
    return log
  })

const count = (method: string, name: string, value: unknown, fallback: number, max: number) =>
  value === undefined
    ? Effect.succeed(fallback)
    : typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= max
    ? Effect.succeed(value)
    : Effect.fail(
      new EmulatorError(
        "InvalidArgument",
        `${method}: ${name} must be an integer from 0 to ${max}, not ${String(value)}`
      )
    )

/** The event controls, each run by `run`. */
export const make = (run: Run): EventControls => ({
  events: (query = {}) =>
    run(
      "events",
      Effect.gen(function*() {
        const since = yield* count("events", "since", query.since, 0, Number.MAX_SAFE_INTEGER)
        const limit = yield* count(
          "events",
          "limit",
          query.limit,
          EventEndpoints.LIMITS.default,
          EventEndpoints.LIMITS.max
        )
        const entries = (yield* logOf("events", query)).since(since, limit)
        return {
          events: entries.map((entry) => JSON.parse(entry.json) as Events.RegistryEvent),
          cursor: entries.length === 0 ? since : entries[entries.length - 1].seq
        }
      })
    ),
  deadLetters: (options = {}) =>
    run("deadLetters", Effect.map(logOf("deadLetters", options), (log) => log.deadLetters())),
  eventTargets: () => run("eventTargets", Effect.map(EventDelivery, (delivery) => delivery.targets()))
})
