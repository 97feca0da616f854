/**
 * The time the emulator's registry sees: the real clock, or a virtual one that starts at a given
 * instant and moves only when the control endpoints say so. Only the registry's calls run on it; the
 * server's own timers keep real time.
 *
 * @since 0.1.0
 */
import { VirtualClock } from "@ecr-scan/memory-backend"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** The emulator's clock. */
export interface EmulatorClockService {
  readonly mode: "real" | "virtual"
  /** Present in virtual mode. */
  readonly virtual: VirtualClock.VirtualClock | undefined
  /** Runs an effect on this clock. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The current instant. */
  readonly now: Effect.Effect<number>
}

/** The emulator's clock. */
export class EmulatorClock
  extends Context.Tag("@ecr-scan/emulator/EmulatorClock")<EmulatorClock, EmulatorClockService>()
{}

/** Runs `effect` on the emulator's clock, the one the registry's operations run on (a driver call, say). */
export const onRegistryClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | EmulatorClock> =>
  Effect.flatMap(EmulatorClock, (clock) => clock.run(effect))

/** Real time. */
export const real: Layer.Layer<EmulatorClock> = Layer.succeed(EmulatorClock, {
  mode: "real",
  virtual: undefined,
  run: (effect) => effect,
  now: Clock.currentTimeMillis
})

/** Virtual time, starting at `startMillis`. */
export const virtual = (startMillis: number): Layer.Layer<EmulatorClock> =>
  Layer.sync(EmulatorClock, (): EmulatorClockService => {
    const clock = VirtualClock.unsafeMake(startMillis)
    return {
      mode: "virtual",
      virtual: clock,
      run: (effect) => Effect.withClock(effect, clock),
      now: clock.currentTimeMillis
    }
  })
