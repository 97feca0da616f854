/**
 * A virtual clock kept on disk: its instant is written (temporary file, fsync, rename, directory fsync)
 * when it is made and whenever it is moved, before the move completes; made again on the same file, it
 * resumes from the stored instant rather than from the given start, so a restart does not move time. One
 * clock may serve several durable registries, so it has a file of its own (the emulator keeps it beside
 * the accounts' directories).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Path from "node:path"
import * as StateFiles from "./StateFiles.js"
import * as VirtualClock from "./VirtualClock.js"

/** The clock file's name in its directory. */
export const FILE = "clock"

const ClockRecord = Schema.Struct({ epochMillis: Schema.Number })

/** The instant stored in `directory`, if any. */
export const read = (directory: string): Effect.Effect<number | undefined, StateFiles.StateFileError> =>
  Effect.suspend(() => {
    const file = Path.join(directory, FILE)
    const stored = StateFiles.readSingle(file, "clock")
    if (stored instanceof StateFiles.StateFileError) return Effect.fail(stored)
    if (stored === undefined) return Effect.succeed(undefined)
    const decoded = Schema.decodeUnknownOption(ClockRecord)(stored.value)
    return decoded._tag === "Some" && Number.isFinite(decoded.value.epochMillis)
      ? Effect.succeed(decoded.value.epochMillis)
      : Effect.fail(
        new StateFiles.StateFileError({
          file,
          offset: StateFiles.MAGIC_BYTES,
          reason: "the clock record does not decode"
        })
      )
  })

/**
 * A virtual clock stored in `directory` (created if missing): from the stored instant if there is one, else
 * from `startMillis`. A move whose write fails is a defect: the clock has moved, but not on disk.
 */
export const make = (
  startMillis: number,
  directory: string
): Effect.Effect<VirtualClock.VirtualClock, StateFiles.StateFileError> =>
  Effect.gen(function*() {
    const file = Path.join(directory, FILE)
    yield* Effect.try({
      try: () => StateFiles.ensureDirectorySync(directory),
      catch: (error) => StateFiles.fromErrno(directory, error)
    })
    const stored = yield* read(directory)
    const clock = VirtualClock.unsafeMake(stored ?? startMillis)
    // One write at a time (they share the temporary file); each writes the instant of when it runs, so the
    // last one leaves the latest.
    const lock = yield* Effect.makeSemaphore(1)
    const write = lock.withPermits(1)(Effect.tryPromise({
      try: () =>
        StateFiles.writeAtomic(file, "clock", JSON.stringify({ epochMillis: clock.unsafeCurrentTimeMillis() })),
      catch: (error) => StateFiles.fromErrno(file, error)
    }))
    yield* write
    const persist = Effect.orDie(write)
    return {
      ...clock,
      advance: (duration) => Effect.zipRight(clock.advance(duration), persist),
      setTime: (millis) => Effect.zipRight(clock.setTime(millis), persist)
    } satisfies VirtualClock.VirtualClock
  })
