/**
 * One account's record of its events: the most recent N (default 10,000), each numbered in the order the
 * registry emitted it, for `GET /_ecr-scan/events` and its server-sent stream; and the dead letters, the
 * deliveries the emulator gave up on. Appending never blocks: readers that fall behind are told so.
 *
 * @since 0.1.0
 */
import type { Events } from "@ecr-scan/core"

/** An event as the log keeps it: its sequence number (from 1), the event and its JSON as delivered. */
export interface Entry {
  readonly seq: number
  readonly event: Events.RegistryEvent
  /**
   * The exact text targets receive (`Events.toJson(event)`; the registry builds its events in the schemas'
   * order, so this is their `JSON.stringify`), written the first time something reads it.
   */
  readonly json: string
}

/** What a delivery attempt got back: a status and the start of the body, or why there was no answer. */
export type LastAnswer =
  | { readonly status: number; readonly body: string }
  | { readonly error: string }

/**
 * A delivery the emulator gave up on, as `GET /_ecr-scan/events/dead-letters` lists it.
 *
 * @example
 * ```ts
 * import type { EventLog } from "@ecr-scan/emulator"
 *
 * const dead: EventLog.DeadLetter = {
 *   target: "http://127.0.0.1:9000/hook",
 *   event: { version: "0" },
 *   attempts: 1,
 *   firstAttemptAt: "2026-01-01T00:00:05.000Z",
 *   lastAttemptAt: "2026-01-01T00:00:05.000Z",
 *   lastAnswer: { status: 400, body: "bad request" },
 *   reason: "the target answered 400, which is not retried"
 * }
 * ```
 */
export interface DeadLetter {
  /** The target as given (`--event-target`). */
  readonly target: string
  /** The event's JSON. */
  readonly event: unknown
  readonly attempts: number
  /** ISO 8601, on the registry's clock. */
  readonly firstAttemptAt: string
  readonly lastAttemptAt: string
  readonly lastAnswer: LastAnswer
  /** Why it gave up: a status that is not retried, the retries or the age exhausted. */
  readonly reason: string
}

/** The default number of events kept per account. */
export const DEFAULT_SIZE = 10_000

/** The most dead letters kept per account (the oldest are forgotten first). */
export const MAX_DEAD_LETTERS = 10_000

/** A live reader: called with each new entry; returns false to be removed. */
export type Listener = (entry: Entry) => boolean

/** A live reader's subscription: what it missed, and how to stop. */
export interface Subscription {
  /** The kept entries numbered after the `since` it gave, oldest first. */
  readonly replay: ReadonlyArray<Entry>
  /** Removes the reader. */
  readonly unsubscribe: () => void
}

/** One account's log. */
export interface EventLog {
  /** Numbers `event` (one more than the last) and keeps it; live readers get it at once. */
  readonly append: (event: Events.RegistryEvent, json?: string) => Entry
  /** The entries numbered after `since`, oldest first, at most `limit`. */
  readonly since: (since: number, limit: number) => ReadonlyArray<Entry>
  /**
   * The entries numbered after `since` (all that are kept) and, from then on, every new entry to `listener`,
   * without a gap: both are taken in one step. Returns the replay and the function that unsubscribes.
   */
  readonly subscribe: (since: number, listener: Listener) => Subscription
  /** How many live readers there are (streams open on the log). */
  readonly readers: () => number
  /** The number of the last entry appended (0 before any). */
  readonly lastSeq: () => number
  /** The number of the oldest entry still kept (`lastSeq() + 1` when none is). */
  readonly firstSeq: () => number
  /** Adds a dead letter (forgetting the oldest beyond `MAX_DEAD_LETTERS`). */
  readonly addDeadLetter: (deadLetter: DeadLetter) => void
  /** The dead letters, oldest first. */
  readonly deadLetters: () => ReadonlyArray<DeadLetter>
  /** Tells every live reader that the log is closing (they get no more entries). */
  readonly close: () => void
  /** Registers a function called once when the log closes; returns the function that unregisters it. */
  readonly onClose: (f: () => void) => () => void
}

/**
 * A log keeping the newest `size` entries, numbering from `startSeq + 1` (a restart on the same state
 * directory continues the numbers).
 */
export const make = (size: number = DEFAULT_SIZE, startSeq = 0): EventLog => {
  const capacity = Math.max(1, Math.floor(size))
  const ring: Array<Entry | undefined> = []
  let next = 0 // where the next entry goes in the ring
  let count = 0
  let last = startSeq
  const listeners = new Set<Listener>()
  const closers = new Set<() => void>()
  let dead: Array<DeadLetter> = []
  let closed = false

  const oldest = () => last - count + 1
  const at = (seq: number) => ring[(next - (last - seq) - 1 + capacity) % capacity]!

  const since = (from: number, limit: number) => {
    const start = Math.max(oldest(), Math.floor(from) + 1)
    const end = Math.min(last, start + Math.max(0, Math.floor(limit)) - 1)
    const out: Array<Entry> = []
    for (let seq = start; seq <= end; seq++) out.push(at(seq))
    return out
  }

  return {
    append: (event, json) => {
      let text = json
      const entry: Entry = {
        seq: ++last,
        event,
        get json() {
          return text ??= JSON.stringify(event)
        }
      }
      ring[next] = entry
      next = (next + 1) % capacity
      count = Math.min(capacity, count + 1)
      for (const listener of listeners) {
        if (!listener(entry)) listeners.delete(listener)
      }
      return entry
    },
    since,
    subscribe: (from, listener) => {
      const replay = since(from, capacity)
      if (!closed) listeners.add(listener)
      return { replay, unsubscribe: () => void listeners.delete(listener) }
    },
    readers: () => listeners.size,
    lastSeq: () => last,
    firstSeq: oldest,
    addDeadLetter: (deadLetter) => {
      dead.push(deadLetter)
      if (dead.length > MAX_DEAD_LETTERS) dead = dead.slice(dead.length - MAX_DEAD_LETTERS)
    },
    deadLetters: () => dead.slice(),
    close: () => {
      if (closed) return
      closed = true
      listeners.clear()
      for (const f of closers) f()
      closers.clear()
    },
    onClose: (f) => {
      if (closed) {
        f()
        return () => undefined
      }
      closers.add(f)
      return () => void closers.delete(f)
    }
  }
}
