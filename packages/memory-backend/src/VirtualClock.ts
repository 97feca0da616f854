/**
 * A settable `Clock` for long simulations and the emulator's virtual time. `TestClock.adjust` runs
 * the scheduler and costs milliseconds per call; this clock is a number that moves only when told, so
 * a simulation can step it millions of times. Sleepers on it wake when virtual time passes their
 * deadline.
 *
 * Provide it to the code that should see virtual time only (`Effect.withClock`), not to a whole
 * runtime: servers and timeouts around it keep real time.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** A clock whose time moves only when told. */
export interface VirtualClock extends Clock.Clock {
  /** Moves time forward by `duration` (negative durations are ignored). */
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** Sets the time. Moving it backwards is allowed; registries never see their time run backwards anyway. */
  readonly setTime: (millis: number) => Effect.Effect<void>
  /** The same without an Effect, for loops that step time millions of times. */
  readonly unsafeSetTime: (millis: number) => void
}

interface Sleeper {
  readonly wakeAt: number
  readonly wake: Deferred.Deferred<void>
}

/** A virtual clock that starts at `startMillis` (epoch milliseconds). */
export const unsafeMake = (startMillis: number): VirtualClock => {
  let now = startMillis
  let sleepers: Array<Sleeper> = []
  const wakeDue = () => {
    if (sleepers.length === 0) return
    const due = sleepers.filter((s) => s.wakeAt <= now)
    if (due.length === 0) return
    sleepers = sleepers.filter((s) => s.wakeAt > now)
    for (const sleeper of due) Deferred.unsafeDone(sleeper.wake, Effect.void)
  }
  const unsafeSetTime = (millis: number) => {
    now = millis
    wakeDue()
  }
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now * 1_000_000)),
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now * 1_000_000))),
    sleep: (duration) =>
      Effect.suspend(() => {
        const millis = Duration.toMillis(duration)
        if (millis <= 0) return Effect.void
        return Effect.flatMap(Deferred.make<void>(), (wake) => {
          const sleeper = { wakeAt: now + millis, wake }
          sleepers.push(sleeper)
          return Deferred.await(wake).pipe(
            Effect.onInterrupt(() => Effect.sync(() => (sleepers = sleepers.filter((s) => s !== sleeper))))
          )
        })
      }),
    advance: (duration) =>
      Effect.sync(() => {
        const millis = Duration.toMillis(Duration.decode(duration))
        if (millis > 0) unsafeSetTime(now + millis)
      }),
    setTime: (millis) => Effect.sync(() => unsafeSetTime(millis)),
    unsafeSetTime
  }
}

/** A virtual clock that starts at `startMillis`. */
export const make = (startMillis: number): Effect.Effect<VirtualClock> => Effect.sync(() => unsafeMake(startMillis))
