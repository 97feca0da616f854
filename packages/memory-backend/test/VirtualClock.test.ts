import { VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"

describe("VirtualClock", () => {
  it.effect("moves only when told, and code run on it reads its time", () =>
    Effect.gen(function*() {
      const clock = yield* VirtualClock.make(1_000)
      expect(yield* Effect.withClock(Clock.currentTimeMillis, clock)).toBe(1_000)
      yield* clock.advance("1 hour")
      expect(yield* Effect.withClock(Clock.currentTimeMillis, clock)).toBe(1_000 + 3_600_000)
      yield* clock.setTime(42)
      expect(clock.unsafeCurrentTimeMillis()).toBe(42)
      yield* clock.advance(-5)
      expect(clock.unsafeCurrentTimeMillis()).toBe(42)
    }))

  it.effect("wakes a sleeper when virtual time passes its deadline, not before", () =>
    Effect.gen(function*() {
      const clock = yield* VirtualClock.make(0)
      const sleeper = yield* Effect.fork(Effect.withClock(Effect.sleep("10 seconds"), clock))
      yield* Effect.yieldNow()
      yield* clock.advance("9999 millis")
      yield* Effect.yieldNow()
      expect(sleeper.unsafePoll()).toBeNull()
      yield* clock.advance("1 millis")
      yield* Fiber.join(sleeper)
      expect(clock.unsafeCurrentTimeMillis()).toBe(10_000)
    }))
})
