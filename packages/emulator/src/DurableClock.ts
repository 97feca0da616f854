/**
 * The virtual clock kept in `--state-dir`: its instant is written (temporary file, fsync, rename,
 * directory fsync) when the emulator starts and whenever the control endpoints move it, before they
 * answer; on restart the clock resumes from the stored instant rather than from `--start-time`, so a
 * restart does not move time. One clock serves every account's registry, so it has a file of its own
 * beside the accounts' directories.
 *
 * @since 0.1.0
 */
import { VirtualClock } from "@ecr-scan/memory-backend"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Path from "node:path"
import { EmulatorClock, type EmulatorClockService } from "./EmulatorClock.js"
import * as StateFiles from "./StateFiles.js"

/** The clock file's name in the state directory. */
export const FILE = "clock"

const ClockRecord = Schema.Struct({ epochMillis: Schema.Number })

/** The stored instant, if any. */
export const read = (stateDir: string): Effect.Effect<number | undefined, StateFiles.StateFileError> =>
  Effect.suspend(() => {
    const file = Path.join(stateDir, FILE)
    const stored = StateFiles.readSingle(file, "clock")
    if (stored instanceof StateFiles.StateFileError) return Effect.fail(stored)
    if (stored === undefined) return Effect.succeed(undefined)
    const decoded = Schema.decodeUnknownOption(ClockRecord)(stored.value)
    return decoded._tag === "Some" && Number.isFinite(decoded.value.epochMillis)
      ? Effect.succeed(decoded.value.epochMillis)
      : Effect.fail(new StateFiles.StateFileError({ file, offset: 8, reason: "the clock record does not decode" }))
  })

const write = (stateDir: string, epochMillis: number) =>
  Effect.try({
    try: () => StateFiles.writeAtomicSync(Path.join(stateDir, FILE), "clock", { epochMillis }),
    catch: (error) => StateFiles.fromErrno(Path.join(stateDir, FILE), error)
  })

/** A virtual clock stored in `stateDir`: from the stored instant if there is one, else from `startMillis`. */
export const virtual = (startMillis: number, stateDir: string): Layer.Layer<EmulatorClock, StateFiles.StateFileError> =>
  Layer.effect(
    EmulatorClock,
    Effect.gen(function*() {
      yield* Effect.try({
        try: () => StateFiles.ensureDirectorySync(stateDir),
        catch: (error) => StateFiles.fromErrno(stateDir, error)
      })
      const stored = yield* read(stateDir)
      const clock = VirtualClock.unsafeMake(stored ?? startMillis)
      yield* write(stateDir, clock.unsafeCurrentTimeMillis())
      // A write that fails is a defect of the control endpoint that moved the clock: answered 500.
      const persist = Effect.suspend(() => Effect.orDie(write(stateDir, clock.unsafeCurrentTimeMillis())))
      const durable: VirtualClock.VirtualClock = {
        ...clock,
        advance: (duration) => Effect.zipRight(clock.advance(duration), persist),
        setTime: (millis) => Effect.zipRight(clock.setTime(millis), persist)
      }
      return {
        mode: "virtual",
        virtual: durable,
        run: (effect) => Effect.withClock(effect, clock),
        now: clock.currentTimeMillis
      } satisfies EmulatorClockService
    })
  )
