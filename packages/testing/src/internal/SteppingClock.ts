/**
 * A virtual `Clock` that tells when a fiber starts sleeping on it. A test that forks a poller (the
 * `ImageScanComplete` waiter) can then move time exactly when the poller waits, and by exactly as much
 * as it waits: no wall-clock sleeps, and no race between "the poller began to sleep" and "the test
 * moved time" (a sleep is registered and announced in one step).
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Queue from "effect/Queue"

/** A clock whose time moves only when told, announcing every sleep. */
export interface SteppingClock extends Clock.Clock {
  /** Moves time forward by `duration`, waking the sleepers that are due. */
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** The length (milliseconds) of every sleep begun on this clock, in order. */
  readonly sleeps: Queue.Dequeue<number>
}

interface Sleeper {
  readonly wakeAt: number
  readonly wake: Deferred.Deferred<void>
}

/** A stepping clock that starts at `startMillis` (epoch milliseconds). */
export const make = (startMillis: number): SteppingClock => {
  let now = startMillis
  let sleepers: Array<Sleeper> = []
  const sleeps = Effect.runSync(Queue.unbounded<number>())
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration) =>
      Effect.suspend(() => {
        const millis = Duration.toMillis(duration)
        if (millis <= 0) return Effect.void
        const sleeper: Sleeper = { wakeAt: now + millis, wake: Deferred.unsafeMake<void>(FiberId.none) }
        sleepers.push(sleeper)
        Queue.unsafeOffer(sleeps, millis)
        return Deferred.await(sleeper.wake).pipe(
          Effect.onInterrupt(() => Effect.sync(() => (sleepers = sleepers.filter((s) => s !== sleeper))))
        )
      }),
    advance: (duration) =>
      Effect.sync(() => {
        const millis = Duration.toMillis(Duration.decode(duration))
        if (!(millis > 0)) return
        now += millis
        const due = sleepers.filter((s) => s.wakeAt <= now)
        sleepers = sleepers.filter((s) => s.wakeAt > now)
        for (const sleeper of due) Deferred.unsafeDone(sleeper.wake, Effect.void)
      }),
    sleeps
  }
}
