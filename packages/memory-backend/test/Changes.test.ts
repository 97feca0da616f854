/**
 * The change feed: a subscriber that applies every batch, in order, to its own projection (the durable
 * layer's journal model) holds what the registry holds, without ever reading the registry's state; and a
 * registry with no subscriber builds no change at all.
 */
import { ImageRegistry, ImageScanner, Ports, ScanQuota } from "@ecr-scan/core"
import { Journal, JournalChanges, MemoryRegistry, type Snapshot, VirtualClock } from "@ecr-scan/memory-backend"
import type { Changes } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { DAY, digestOf, ociImage, T0 } from "./fixtures.js"
import { step } from "./histories.js"

const seeded = { seed: "changes", rules: { accountQuotaLimit: 4, accountQuotaWindow: "24 hours" } } as const
const WINDOW = DAY

type Handler = (input: unknown) => Effect.Effect<unknown, unknown>

/** The snapshot's facts a subscriber can know: the quota as the scans it counts at `now`, and no `now`. */
const comparable = (snapshot: Snapshot.RegistrySnapshot, now: number) => {
  const { now: _, quota, ...rest } = snapshot
  const counted = ScanQuota.toArray(ScanQuota.prune(ScanQuota.fromArray(quota), now, WINDOW))
  return { ...rest, quota: counted }
}

/** A driver action a test may take between calls. */
const action = fc.oneof(
  fc.record({
    _tag: fc.constant("findings" as const),
    image: fc.integer({ min: 0, max: 5 }),
    repositoryName: fc.constantFrom("alpha", undefined)
  }),
  fc.record({ _tag: fc.constant("outcome" as const), image: fc.integer({ min: 0, max: 5 }) }),
  fc.constantFrom(
    { _tag: "clearOverrides" as const },
    { _tag: "clearFaults" as const },
    { _tag: "reset" as const },
    { _tag: "restore" as const }
  )
)

describe("the change feed", () => {
  it("lets a subscriber keep an exact projection of the registry, over random histories", () =>
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ arbitrary: step, weight: 9 }, { arbitrary: action, weight: 1 }), {
          minLength: 5,
          maxLength: 80
        }),
        (steps) => {
          const registry = Effect.runSync(MemoryRegistry.make(seeded))
          const model = Journal.modelOf(Journal.emptySnapshot("123456789012", "us-east-1"), undefined)
          let seq = 0
          const causes: Array<string> = []
          registry.changes.unsafeSubscribe((batch) => {
            causes.push(batch.cause)
            JournalChanges.recordOf(model, batch, ++seq)
          })
          const handlers = Ports.handlersOf({ ImageScanner: registry.scanner, ImageRegistry: registry.registry })
          const clock = VirtualClock.unsafeMake(T0)
          const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSyncExit(Effect.withClock(effect, clock))
          for (const s of steps) {
            switch (s._tag) {
              case "advance":
                clock.unsafeSetTime(clock.unsafeCurrentTimeMillis() + s.millis)
                break
              case "fault":
                run(registry.driver.planFault({ operation: s.operation, probability: s.probability, count: 2 }))
                break
              case "call":
                run((handlers[s.operation] as Handler)(s.input))
                break
              case "findings":
                run(registry.driver.setFindings(
                  { imageDigest: digestOf(ociImage(s.image)), repositoryName: s.repositoryName },
                  [{ name: "CVE-2026-0001", severity: "HIGH" }]
                ))
                break
              case "outcome":
                run(registry.driver.setScanOutcome({ imageDigest: digestOf(ociImage(s.image)) }, "FAILED"))
                break
              case "clearOverrides":
                run(registry.driver.clearOverrides)
                break
              case "clearFaults":
                run(registry.driver.clearFaults)
                break
              case "reset":
                run(registry.driver.reset)
                break
              case "restore":
                run(Effect.flatMap(registry.driver.snapshot, registry.driver.restore))
                break
            }
          }
          const now = clock.unsafeCurrentTimeMillis()
          const actual = Effect.runSync(registry.driver.snapshot)
          expect(comparable(Journal.snapshotOf(model), now)).toStrictEqual(comparable(actual, now))
          // Reads change nothing, so they are never reported.
          expect(causes).not.toContain("DescribeImages")
          expect(causes).not.toContain("DescribeRepositories")
        }
      ),
      { numRuns: 150 }
    ))

  it("reports a push, the scan it starts on push and its quota entry, in that order, at the push's instant", () => {
    const registry = Effect.runSync(MemoryRegistry.make(seeded))
    const batches: Array<Changes.ChangeBatch> = []
    registry.changes.unsafeSubscribe((batch) => batches.push(batch))
    const clock = VirtualClock.unsafeMake(T0)
    const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSync(Effect.withClock(effect, clock))
    run(
      registry.registry.createRepository({ repositoryName: "alpha", imageScanningConfiguration: { scanOnPush: true } })
    )
    run(registry.registry.putImage({ repositoryName: "alpha", imageManifest: ociImage(1), imageTag: "v1" }))
    expect(batches.map((b) => b.cause)).toStrictEqual(["CreateRepository", "PutImage"])
    const push = batches[1]
    expect(push.now).toBe(T0)
    expect(push.changes.map((c) => c._tag)).toStrictEqual(["ImagePut", "ScanStarted", "QuotaAppended"])
    const started = push.changes[1]
    expect(started._tag === "ScanStarted" && started.record).toMatchObject({
      kind: "BASIC",
      trigger: "PUSH",
      startedAt: T0,
      outcome: "COMPLETE"
    })
    expect(started._tag === "ScanStarted" && started.record.completesAt).toBeGreaterThan(T0)
  })

  it("reports nothing after a subscriber unsubscribes, and a refused request reports nothing", () => {
    const registry = Effect.runSync(MemoryRegistry.make(seeded))
    const batches: Array<Changes.ChangeBatch> = []
    const unsubscribe = registry.changes.unsafeSubscribe((batch) => batches.push(batch))
    const clock = VirtualClock.unsafeMake(T0)
    const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSyncExit(Effect.withClock(effect, clock))
    run(registry.registry.createRepository({ repositoryName: "alpha" }))
    run(registry.registry.createRepository({ repositoryName: "alpha" }))
    run(registry.scanner.startImageScan({ repositoryName: "alpha", imageId: { imageTag: "missing" } }))
    expect(batches.map((b) => b.cause)).toStrictEqual(["CreateRepository"])
    unsubscribe()
    run(registry.registry.createRepository({ repositoryName: "beta" }))
    expect(batches).toHaveLength(1)
  })

  it.effect("is in the memory layer's context", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(MemoryRegistry.layer())
      const feed = Context.get(context, MemoryRegistry.MemoryRegistryChanges)
      const batches: Array<Changes.ChangeBatch> = []
      feed.unsafeSubscribe((batch) => batches.push(batch))
      yield* Effect.provide(ImageRegistry.createRepository({ repositoryName: "alpha" }), context)
      yield* Effect.provide(
        Effect.either(ImageScanner.startImageScan({ repositoryName: "alpha", imageId: {} })),
        context
      )
      expect(batches.map((b) => b.changes.map((c) => c._tag))).toStrictEqual([["RepositoryCreated"]])
    }).pipe(Effect.scoped))
})
