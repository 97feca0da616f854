/**
 * `MemoryRegistryDirect`, the synchronous access, against the ports' effects: two registries with one
 * seed go through the same random history (pushes, scans, reads, deletes, configuration, invalid
 * requests, planned faults, clock moves), one through `ImageScanner`/`ImageRegistry` on a clock, the
 * other through `unsafeCall` at that clock's instant. Every outcome and the final state must agree.
 */
import type { Api } from "@ecr-scan/core"
import { ImageRegistry, ImageScanner, Ports } from "@ecr-scan/core"
import { MemoryRegistry, VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { DAY, ociImage, plain, T0 } from "./fixtures.js"
import { step } from "./histories.js"

/** An outcome as plain data. */
const outcome = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit)
    ? { ok: exit.value }
    : { error: Cause.failureOption(exit.cause).pipe((o) => o._tag === "Some" ? plain(o.value) : "defect") }

const seeded = { seed: "direct", rules: { accountQuotaLimit: 4, accountQuotaWindow: "24 hours" } } as const

/** The port's effect of an operation, by name. */
const viaPorts = (registry: MemoryRegistry.MemoryRegistry, operation: Api.OperationName, input: unknown) =>
  (Ports.handlersOf({ ImageScanner: registry.scanner, ImageRegistry: registry.registry })[operation] as (
    input: unknown
  ) => Effect.Effect<unknown, unknown>)(input)

describe("MemoryRegistryDirect", () => {
  it("gives the outcomes and the state the ports' effects give, over random histories", () =>
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 60 }), (steps) => {
        const viaEffects = Effect.runSync(MemoryRegistry.make(seeded))
        const direct = Effect.runSync(MemoryRegistry.make(seeded))
        const clock = VirtualClock.unsafeMake(T0)
        for (const s of steps) {
          if (s._tag === "advance") {
            clock.unsafeSetTime(clock.unsafeCurrentTimeMillis() + s.millis)
            continue
          }
          if (s._tag === "fault") {
            const plan = { operation: s.operation, probability: s.probability, count: 2 }
            Effect.runSync(viaEffects.driver.planFault(plan))
            Effect.runSync(direct.driver.planFault(plan))
            continue
          }
          const expected = Effect.runSyncExit(Effect.withClock(viaPorts(viaEffects, s.operation, s.input), clock))
          const actual = direct.direct.unsafeCall(s.operation, s.input, clock.unsafeCurrentTimeMillis())
          expect(outcome(actual)).toStrictEqual(outcome(expected))
        }
        expect(Effect.runSync(direct.driver.snapshot)).toStrictEqual(Effect.runSync(viaEffects.driver.snapshot))
      }),
      { numRuns: 100 }
    ))

  it("never runs before an instant the registry has seen: an earlier `now` is the last one", () => {
    const registry = Effect.runSync(MemoryRegistry.make())
    const call = (operation: Api.OperationName, input: unknown, now: number) => {
      const exit = registry.direct.unsafeCall(operation, input, now)
      if (Exit.isFailure(exit)) throw new Error(`${operation} failed: ${Cause.pretty(exit.cause)}`)
      return exit.value as Record<string, any>
    }
    call("CreateRepository", { repositoryName: "alpha" }, T0 + DAY)
    call("PutImage", { repositoryName: "alpha", imageManifest: ociImage(1), imageTag: "v1" }, T0)
    const described = call("DescribeImages", { repositoryName: "alpha" }, T0)
    expect(described.imageDetails[0].imagePushedAt).toStrictEqual(new Date(T0 + DAY))
    expect(Effect.runSync(Effect.withClock(registry.driver.now, VirtualClock.unsafeMake(T0)))).toStrictEqual(
      new Date(T0 + DAY)
    )
  })

  it("is in the layer's context, beside the very services it calls", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(MemoryRegistry.layer())
      const direct = Context.get(context, MemoryRegistry.MemoryRegistryDirect)
      expect(direct.scanner).toBe(Context.get(context, ImageScanner))
      expect(direct.registry).toBe(Context.get(context, ImageRegistry))
    }).pipe(Effect.scoped, Effect.runPromise))
})
