/**
 * The emulator's EventBridge: it subscribes to every registry's events (one per account and region: those
 * built when it starts, and each built later before it is used), keeps the most recent in each registry's
 * `EventLog`, and delivers each event to every target whose pattern it matches, as a rule's
 * targets get them (spec/ecr-events.md §8): each target in order and on its own, a failed attempt retried with
 * exponential backoff and jitter (seeded, so a run is reproducible) on the registry's clock (advancing a
 * virtual clock makes the retries happen), within the retry policy; what it gives up on becomes a dead letter.
 * A slow or failing target never holds up the registry or another target.
 *
 * With a state directory, an event owed to a target is on disk (`EventOutbox`) before the first attempt, and
 * a restart on the same directory delivers what is still owed.
 *
 * @since 0.1.0
 */
import { EventPattern, Events, RegistryEvents } from "@ecr-scan/core"
import { EventPublisher, type StateFiles } from "@ecr-scan/memory-backend"
import * as Cause from "effect/Cause"
import type * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Hash from "effect/Hash"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Utils from "effect/Utils"
import * as Accounts from "./Accounts.js"
import { EmulatorClock } from "./EmulatorClock.js"
import * as EventLog from "./EventLog.js"
import * as EventOutbox from "./EventOutbox.js"
import * as EventSend from "./EventSend.js"
import * as EventTargets from "./EventTargets.js"
import * as Regions from "./Regions.js"

/** How the emulator delivers events. */
export interface DeliveryOptions {
  /** The targets, each with its pattern (default: none; events are still logged). */
  readonly targets?: ReadonlyArray<EventTargets.TargetRule> | undefined
  /** The retry policy of every target (default: EventBridge's, 185 retries within 24 hours). */
  readonly retry?: EventTargets.RetryPolicy | undefined
  /** How many events each account's log keeps (default 10,000). */
  readonly logSize?: number | undefined
  /** Where problems of delivery are reported (an outbox that cannot be written); default: stderr. */
  readonly report?: ((line: string) => void) | undefined
}

/**
 * A target's state, as `GET /_ecr-scan/events/targets` reports it.
 *
 * @example
 * ```ts
 * import type { EventDelivery } from "@ecr-scan/emulator"
 *
 * const status: EventDelivery.TargetStatus = {
 *   target: "http://127.0.0.1:9000/hook",
 *   pattern: { "detail-type": ["ECR Image Scan"] },
 *   pending: 1,
 *   delivered: 4,
 *   deadLetters: 0,
 *   attempts: 2,
 *   nextAttemptAt: "2026-01-01T00:00:07.000Z"
 * }
 * ```
 */
export interface TargetStatus {
  readonly target: string
  /** The pattern as given, or null: every event. */
  readonly pattern: unknown
  /** Events waiting for it, the one being tried included. */
  readonly pending: number
  readonly delivered: number
  readonly deadLetters: number
  /** Attempts made so far at the event being tried (0: none under way). */
  readonly attempts: number
  /** When the event being tried is tried again (ISO 8601, registry's clock), or null. */
  readonly nextAttemptAt: string | null
}

/** The delivery of the emulator's events. */
export interface EventDeliveryService {
  /**
   * The log of an account's registry in `region` (default: the default region); undefined for a registry not
   * built (yet), or whose backend has no events.
   */
  readonly log: (accountId: string, region?: string) => EventLog.EventLog | undefined
  /** Each target's state, in the order given. */
  readonly targets: () => ReadonlyArray<TargetStatus>
}

/** The delivery of the emulator's events. */
export class EventDelivery extends Context.Tag("@ecr-scan/emulator/EventDelivery")<
  EventDelivery,
  EventDeliveryService
>() {}

/** The most events waiting for one target; beyond it, new ones become dead letters at once. */
export const MAX_PENDING = 100_000

/** An event waiting for a target. */
interface Job {
  /** The registry's key (`Regions.keyOf`: the account id in the default region). */
  readonly account: string
  readonly seq: number
  /** When it entered delivery (registry's clock): its age counts from here. */
  readonly at: number
  readonly json: string
}

interface Worker {
  readonly rule: EventTargets.TargetRule
  readonly sender: EventSend.Sender
  readonly queue: Queue.Queue<Job>
  readonly random: Utils.PCGRandom
  pending: number
  delivered: number
  deadLetters: number
  attempts: number
  nextAttemptAt: number | undefined
}

const iso = (millis: number) => new Date(millis).toISOString()

/** The event of a dead letter: its JSON parsed (it always parses; if not, the text as it is). */
const parsed = (json: string): unknown => {
  try {
    return JSON.parse(json)
  } catch {
    return json
  }
}

/** A dead letter's details for an event given up on at `at`, before any attempt. */
const notAttempted = (at: number, reason: string): Omit<EventLog.DeadLetter, "target" | "event"> => ({
  attempts: 0,
  firstAttemptAt: iso(at),
  lastAttemptAt: iso(at),
  lastAnswer: { error: "not attempted" },
  reason
})

const durationText = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`

/**
 * Delivery over the emulator's accounts and clock: the logs, the target fibers, the subscriptions, and with
 * `stateDir` the outbox (a corrupt one fails the layer). `seed` seeds the retries' jitter.
 */
export const layer = (
  options: DeliveryOptions & { readonly stateDir?: string | undefined; readonly seed?: string | number | undefined }
): Layer.Layer<EventDelivery, StateFiles.StateFileError, Accounts.Accounts | EmulatorClock> =>
  Layer.scoped(
    EventDelivery,
    Effect.gen(function*() {
      const clock = yield* EmulatorClock
      const accounts = yield* Accounts.Accounts
      const retry = options.retry ?? EventTargets.DEFAULT_RETRY
      const report = options.report ?? ((line: string) => void process.stderr.write(`${line}\n`))
      const outbox = options.stateDir === undefined
        ? undefined
        : yield* Effect.acquireRelease(EventOutbox.open(options.stateDir, report), (o) => o.close)

      // One log per registry, named by its key (the account id in the default region, as before regions).
      const logs = new Map<string, EventLog.EventLog>()
      const scope = yield* Effect.scope
      // On the way out, the logs' numbers go to the outbox: a restart on the same directory continues them.
      yield* Effect.addFinalizer(() =>
        Effect.sync(() =>
          logs.forEach((log, id) => {
            outbox?.noteSeq(id, log.lastSeq())
            log.close()
          })
        )
      )

      const workers: Array<Worker> = []
      for (const [index, rule] of (options.targets ?? []).entries()) {
        const sender = EventSend.senderOf(rule.target)
        yield* Effect.addFinalizer(() => Effect.sync(() => sender.close()))
        const seed = Hash.string(`${String(options.seed ?? "0")}\u0000${rule.target.target}\u0000${index}`)
        workers.push({
          rule,
          sender,
          queue: yield* Queue.unbounded<Job>(),
          random: new Utils.PCGRandom(seed, Hash.string(rule.target.target)),
          pending: 0,
          delivered: 0,
          deadLetters: 0,
          attempts: 0,
          nextAttemptAt: undefined
        })
      }

      const dead = (worker: Worker, job: Job, letter: Omit<EventLog.DeadLetter, "target" | "event">) => {
        worker.deadLetters++
        logs.get(job.account)?.addDeadLetter({ target: worker.rule.target.target, event: parsed(job.json), ...letter })
        outbox?.done(job.account, job.seq, worker.rule.target.target)
      }

      const offer = (worker: Worker, job: Job, now: number) => {
        if (worker.pending >= MAX_PENDING) {
          return dead(worker, job, notAttempted(now, `the target's backlog is full (${MAX_PENDING} events waiting)`))
        }
        worker.pending++
        Queue.unsafeOffer(worker.queue, job)
      }

      /** Tries one event until it is delivered or given up: at most 1 + `retry.maxAttempts` attempts. */
      const deliver = (worker: Worker, job: Job) =>
        Effect.gen(function*() {
          let first: number | undefined
          for (let attempt = 1; attempt <= retry.maxAttempts + 1; attempt++) {
            const attemptAt = yield* clock.now
            if (attempt === 1 && attemptAt - job.at > retry.maxAgeMs) {
              // It waited behind others (or a restart) for longer than the policy tries an event: never tried.
              return dead(
                worker,
                job,
                notAttempted(
                  attemptAt,
                  `maximum age: the event is more than ${
                    durationText(retry.maxAgeMs)
                  } old (the retry policy's maximum age)`
                )
              )
            }
            first ??= attemptAt
            worker.attempts = attempt
            worker.nextAttemptAt = undefined
            const outcome = yield* worker.sender.send(job.json, attemptAt)
            const letter = { attempts: attempt, firstAttemptAt: iso(first), lastAttemptAt: iso(attemptAt) }
            if (outcome._tag === "Delivered") {
              worker.delivered++
              outbox?.done(job.account, job.seq, worker.rule.target.target)
              return
            }
            if (outcome._tag === "GiveUp") {
              return dead(worker, job, { ...letter, lastAnswer: outcome.answer, reason: outcome.reason })
            }
            if (attempt > retry.maxAttempts) {
              return dead(worker, job, {
                ...letter,
                lastAnswer: outcome.answer,
                reason: `maximum attempts: gave up after ${attempt} attempt${
                  attempt > 1 ? "s" : ""
                } (the retry policy allows ${retry.maxAttempts} retr${retry.maxAttempts === 1 ? "y" : "ies"})`
              })
            }
            const backoff = EventTargets.backoffMillis(attempt, worker.random.number())
            const retryAt = attemptAt + Math.max(backoff, outcome.retryAfterMs ?? 0)
            if (retryAt - job.at > retry.maxAgeMs) {
              return dead(worker, job, {
                ...letter,
                lastAnswer: outcome.answer,
                reason: `maximum age: the next attempt would be more than ${
                  durationText(retry.maxAgeMs)
                } after the event (the retry policy's maximum age)`
              })
            }
            worker.nextAttemptAt = retryAt
            // Until the instant, not for a duration: a clock moved on before this fiber got here has passed it.
            const now = yield* clock.now
            if (retryAt > now) {
              yield* Effect.sleep(retryAt - now)
            }
          }
        }).pipe(
          Effect.ensuring(Effect.sync(() => {
            worker.pending--
            worker.attempts = 0
            worker.nextAttemptAt = undefined
          }))
        )

      // What a previous run on this state directory still owed.
      if (outbox !== undefined) {
        const now = yield* clock.now
        for (const owed of outbox.recovered) {
          for (const target of owed.targets) {
            const worker = workers.find((w) => w.rule.target.target === target)
            if (worker === undefined) {
              report(
                `ecr-scan emulator: event ${owed.seq} of ${owed.account} was owed to ${target}, no longer a target`
              )
              outbox.done(owed.account, owed.seq, target)
            } else {
              offer(worker, { account: owed.account, seq: owed.seq, at: owed.at, json: owed.json }, now)
            }
          }
        }
      }

      /** Logs a chunk of an account's events, writes what targets are owed, then hands it to them. */
      const onChunk = (account: string, log: EventLog.EventLog) => (chunk: Chunk.Chunk<Events.RegistryEvent>) =>
        Effect.gen(function*() {
          const now = yield* clock.now
          const handed: Array<readonly [Worker, Job]> = []
          const owed: Array<EventOutbox.OwedEvent> = []
          for (const event of chunk) {
            const entry = log.append(event)
            if (workers.length === 0) continue
            const matching = workers.filter((w) =>
              w.rule.pattern === undefined || EventPattern.matches(w.rule.pattern, event)
            )
            if (matching.length === 0) continue
            const job: Job = { account, seq: entry.seq, at: now, json: entry.json }
            for (const worker of matching) handed.push([worker, job])
            owed.push({ ...job, targets: matching.map((w) => w.rule.target.target) })
          }
          if (outbox !== undefined && owed.length > 0) {
            yield* outbox.add(owed).pipe(Effect.catchAll(() => Effect.void))
          }
          for (const [worker, job] of handed) offer(worker, job, now)
        })

      /**
       * Follows a registry's events: its log, and a fiber handing them on. The memory registry's are
       * subscribed to here, before the registry can be used, so none is missed.
       */
      const follow = (registry: Accounts.Registry) =>
        Effect.gen(function*() {
          const context = registry.context as Context.Context<never>
          const service = Context.getOption(context, RegistryEvents.RegistryEvents)
          if (Option.isNone(service)) return
          const account = registry.key
          const log = EventLog.make(options.logSize ?? EventLog.DEFAULT_SIZE, outbox?.lastSeq.get(account) ?? 0)
          logs.set(account, log)
          const memory = Context.getOption(context, EventPublisher.MemoryEvents)
          const events = Option.isSome(memory)
            ? Stream.fromQueue(yield* Scope.extend(clock.run(memory.value.subscribe), scope))
            : service.value.events
          yield* Effect.forkIn(
            clock.run(Stream.runForEachChunk(events, onChunk(account, log))).pipe(
              Effect.catchAllCause((cause) =>
                Cause.isInterruptedOnly(cause)
                  ? Effect.void
                  : Effect.sync(() =>
                    report(`ecr-scan emulator: the events of ${account} stopped: ${Cause.pretty(cause)}`)
                  )
              )
            ),
            scope
          )
        })

      // Nothing to keep and nowhere to deliver: the registries are not followed at all (they build no events).
      if (options.logSize !== 0 || workers.length > 0) {
        for (const registry of yield* accounts.follow(follow)) yield* follow(registry)
      }

      // The workers start once every log is there (a dead letter goes to its registry's log).
      for (const worker of workers) {
        yield* Effect.forkScoped(
          clock.run(Effect.forever(Effect.flatMap(Queue.take(worker.queue), (job) => deliver(worker, job))))
        )
      }

      return {
        log: (accountId, region) =>
          logs.get(Regions.keyOf(accountId, region ?? accounts.defaultRegion, accounts.defaultRegion)),
        targets: () =>
          workers.map((w) => ({
            target: w.rule.target.target,
            pattern: w.rule.pattern?.document ?? null,
            pending: w.pending,
            delivered: w.delivered,
            deadLetters: w.deadLetters,
            attempts: w.attempts,
            nextAttemptAt: w.nextAttemptAt === undefined ? null : iso(w.nextAttemptAt)
          }))
      }
    })
  )
