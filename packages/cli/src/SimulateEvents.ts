/**
 * The EventBridge events of a simulation: a subscriber to the in-memory registry's events on the
 * simulation's virtual clock, read after every step so that each event takes its place in the timeline,
 * and the `expectEvent` step that asserts on them with an EventBridge pattern.
 *
 * The subscriber is made in the simulation's own fiber (`MemoryEvents.subscribe`): what a step publishes
 * (a push, an archive, the completions that fell before it) is in its buffer when the step returns. Only a
 * completion that falls between steps, as the clock moves, is published by the subscriber's timer fiber;
 * after a step that leaves a scan's completion instant behind (tracked from the change feed), the
 * simulation yields to that fiber, a bounded number of times, until its events are in.
 *
 * An `expectEvent` step counts the events that match its pattern among those of its window: by default the
 * events since the previous group of `expectEvent` steps (consecutive `expectEvent` steps form one group and
 * look at the same events), with `"since": "start"` every event so far. Without `count`, it wants at least
 * one; with `count`, exactly that many (`0`: none).
 *
 * @since 0.1.0
 */
import { EventPattern, type Events } from "@ecr-scan/core"
import { EventPublisher, MemoryRegistry, type VirtualClock } from "@ecr-scan/memory-backend"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as EventText from "./EventText.js"

/** The `expectEvent` step: a pattern, how many events should match it, and which events it looks at. */
export const ExpectEvent = Schema.Struct({
  pattern: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  count: Schema.optional(Schema.Int.pipe(Schema.between(0, 1_000_000_000))),
  since: Schema.optional(Schema.Literal("start", "last"))
})
/** @since 0.1.0 */
export type ExpectEvent = typeof ExpectEvent.Type

/** A scenario's assertion did not hold: the timeline up to it, and what went wrong. */
export class ExpectationFailed extends Data.TaggedError("ExpectationFailed")<{
  /** The timeline as printed up to and including the failed step. */
  readonly output: string
  readonly message: string
}> {}

/** How many yields the subscriber's timer fiber takes to publish, with room to spare (it takes some 8). */
const TIMER_YIELDS = 32

/** How many more yields, at most, while nothing has come (a completion that gives no event). */
const MAX_YIELDS = 1_000

/** The events of a simulation, as they happen. */
export interface Recorder {
  /** Reads what the registry published since the last call (after a step): the new events, in order. */
  readonly collect: Effect.Effect<ReadonlyArray<Events.RegistryEvent>>
  /** Every event so far. */
  readonly all: ReadonlyArray<Events.RegistryEvent>
}

/**
 * Subscribes to the registry's events on `clock`, for the scope. The subscriber's timer sleeps on `clock`,
 * so it wakes when the simulation moves it.
 */
export const subscribe = (
  clock: VirtualClock.VirtualClock
): Effect.Effect<Recorder, never, Scope.Scope | EventPublisher.MemoryEvents | MemoryRegistry.MemoryRegistryChanges> =>
  Effect.gen(function*() {
    const events = yield* EventPublisher.MemoryEvents
    const changes = yield* MemoryRegistry.MemoryRegistryChanges
    // The completion instants of the scans started, earliest first: a step that leaves one behind waits for
    // the subscriber's timer (a scan replaced or deleted since is waited for in vain, a bounded number of yields).
    const due: Array<number> = []
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        changes.unsafeSubscribe((batch) => {
          for (const change of batch.changes) {
            if (change._tag !== "ScanStarted" || change.record.kind === "LIMIT_EXCEEDED") continue
            const at = change.record.completesAt
            let index = due.length
            while (index > 0 && due[index - 1]! > at) index--
            due.splice(index, 0, at)
          }
        })
      ),
      (unsubscribe) => Effect.sync(unsubscribe)
    )
    const queue = yield* Effect.withClock(events.subscribe, clock)
    const all: Array<Events.RegistryEvent> = []

    const collect = Effect.gen(function*() {
      const now = clock.unsafeCurrentTimeMillis()
      let passed = 0
      while (passed < due.length && due[passed]! <= now) passed++
      if (passed > 0) {
        due.splice(0, passed)
        // The timer publishes every completion due by now at once when it runs: a few yields for a timer woken
        // during the step (whose own events may already be in), then more while nothing has come.
        for (let i = 0; i < TIMER_YIELDS; i++) yield* Effect.yieldNow()
        for (let i = 0; i < MAX_YIELDS && (yield* Queue.size(queue)) === 0; i++) yield* Effect.yieldNow()
      }
      const taken = yield* Queue.takeAll(queue)
      for (const event of taken) all.push(event)
      return [...taken]
    })
    return { collect, all }
  })

/** The window of `expectEvent` steps: where the current group's events start. */
export interface Window {
  /** Called before every step that is not an `expectEvent` (a group of expectations ends there). */
  readonly step: (seen: number) => void
  /** Where the events of an `expectEvent` step start, for `since`. */
  readonly start: (since: "start" | "last" | undefined) => number
}

/** A new window: the first group of expectations looks at every event from the start. */
export const makeWindow = (): Window => {
  let start = 0
  let inGroup = false
  return {
    step: (seen) => {
      if (inGroup) start = seen
      inGroup = false
    },
    start: (since) => {
      inGroup = true
      return since === "start" ? 0 : start
    }
  }
}

/** What an `expectEvent` step found: its timeline text and, when it failed, why. */
export interface Verdict {
  readonly line: string
  readonly failure: string | undefined
}

/**
 * Checks an `expectEvent` step against `events` (its window), or says what is wrong with its pattern (a
 * usage error: a pattern can only be checked once a `repeat` has numbered it).
 */
export const check = (expect: ExpectEvent, events: ReadonlyArray<Events.RegistryEvent>): Either.Either<
  Verdict,
  string
> => {
  let parsed: Either.Either<EventPattern.EventPattern, string>
  try {
    parsed = EventPattern.parse(expect.pattern)
  } catch (error) {
    parsed = Either.left(`Event pattern: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const pattern = parsed.right
  let matched = 0
  for (const event of events) {
    try {
      if (EventPattern.matches(pattern, event)) matched++
    } catch {
      // An event the matcher cannot read does not match.
    }
  }
  const wanted = expect.count === undefined ? "at least 1" : `count ${expect.count}`
  const ok = expect.count === undefined ? matched >= 1 : matched === expect.count
  const window = expect.since === "start" ? "since the start" : "since the last expectations"
  const seen = `${matched} of ${events.length} event${events.length === 1 ? "" : "s"} matched`
  return Either.right({
    line: `expect-event ${JSON.stringify(expect.pattern)} (${wanted}, ${window}) -> ${ok ? "ok" : "FAILED"}: ${seen}`,
    failure: ok
      ? undefined
      : `expected ${
        expect.count === undefined ? "at least 1 event" : `${expect.count} event${expect.count === 1 ? "" : "s"}`
      } matching ` +
        `${JSON.stringify(expect.pattern)} ${window}; ${seen}`
  })
}

/** The timeline text of an event, without its instant: `event ECR Image Scan shop/api:v1 (…) -> COMPLETE {…}`. */
export const line = (event: Events.RegistryEvent): string => `event ${EventText.describe(event)}`

/** The instant of an event in epoch milliseconds (its `time`, to the second). */
export const instantOf = (event: Events.RegistryEvent): number => Date.parse(event.time)
