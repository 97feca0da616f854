/**
 * `MemoryRegistryDirect`, the synchronous access, against the ports' effects: two registries with one
 * seed go through the same random history (pushes, scans, reads, deletes, configuration, invalid
 * requests, planned faults, clock moves), one through `ImageScanner`/`ImageRegistry` on a clock, the
 * other through `unsafeCall` at that clock's instant. Every outcome and the final state must agree.
 */
import type { Api } from "@ecr-scan/core"
import { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { MemoryRegistry, VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { DAY, digestOf, HOUR, ociImage, plain, T0 } from "./fixtures.js"

type Call = { readonly _tag: "call"; readonly operation: Api.OperationName; readonly input: unknown }
type Step =
  | Call
  | { readonly _tag: "advance"; readonly millis: number }
  | { readonly _tag: "fault"; readonly operation: Api.OperationName; readonly probability: number }

const repository = fc.constantFrom("alpha", "beta", "Not-Valid")
const image = fc.integer({ min: 0, max: 5 })
const imageId = fc.oneof(
  image.map((n) => ({ imageDigest: digestOf(ociImage(n)) })),
  fc.constantFrom({ imageTag: "v1" }, { imageTag: "v2" }, {}, { imageDigest: "sha256:short" })
)

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ repositoryName: repository, imageScanningConfiguration: fc.record({ scanOnPush: fc.boolean() }) })
    .map((input) => ({ _tag: "call" as const, operation: "CreateRepository" as const, input })),
  fc.record({ repositoryName: repository, image, imageTag: fc.constantFrom("v1", "v2", undefined) })
    .map(({ image, imageTag, repositoryName }) => ({
      _tag: "call" as const,
      operation: "PutImage" as const,
      input: { repositoryName, imageManifest: ociImage(image), ...(imageTag === undefined ? {} : { imageTag }) }
    })),
  fc.record({ repositoryName: repository, imageId })
    .map((input) => ({ _tag: "call" as const, operation: "StartImageScan" as const, input })),
  fc.record({ repositoryName: repository, imageId, maxResults: fc.constantFrom(1, 10, 0, undefined) })
    .map((input) => ({ _tag: "call" as const, operation: "DescribeImageScanFindings" as const, input })),
  fc.record({ repositoryName: repository })
    .map((input) => ({ _tag: "call" as const, operation: "DescribeImages" as const, input })),
  fc.record({ repositoryName: repository, imageIds: fc.array(imageId, { maxLength: 2 }) })
    .map((input) => ({ _tag: "call" as const, operation: "BatchDeleteImage" as const, input })),
  fc.record({ repositoryName: repository, force: fc.boolean() })
    .map((input) => ({ _tag: "call" as const, operation: "DeleteRepository" as const, input })),
  fc.record({ repositoryName: repository, imageScanningConfiguration: fc.record({ scanOnPush: fc.boolean() }) })
    .map((input) => ({ _tag: "call" as const, operation: "PutImageScanningConfiguration" as const, input })),
  fc.constant({ _tag: "call" as const, operation: "DescribeRepositories" as const, input: {} }),
  // Members of the wrong type: refused by validation, on both paths alike.
  fc.constant({ _tag: "call" as const, operation: "StartImageScan" as const, input: { repositoryName: 7 } })
)

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: call, weight: 8 },
  {
    arbitrary: fc.record({
      _tag: fc.constant("advance" as const),
      millis: fc.constantFrom(1, HOUR, DAY, DAY + 1)
    }),
    weight: 1
  },
  {
    arbitrary: fc.record({
      _tag: fc.constant("fault" as const),
      operation: fc.constantFrom("StartImageScan" as const, "PutImage" as const),
      probability: fc.constantFrom(0.5, 1)
    }),
    weight: 1
  }
)

/** An outcome as plain data. */
const outcome = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit)
    ? { ok: exit.value }
    : { error: Cause.failureOption(exit.cause).pipe((o) => o._tag === "Some" ? plain(o.value) : "defect") }

const seeded = { seed: "direct", rules: { accountQuotaLimit: 4, accountQuotaWindow: "24 hours" } } as const

/** The port's effect of an operation, by name. */
const viaPorts = (registry: MemoryRegistry.MemoryRegistry, operation: Api.OperationName, input: unknown) => {
  const services: Record<string, unknown> = { ...registry.scanner, ...registry.registry }
  const name = operation[0].toLowerCase() + operation.slice(1)
  return (services[name] as (input: unknown) => Effect.Effect<unknown, unknown>)(input)
}

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
