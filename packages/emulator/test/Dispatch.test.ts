/**
 * The dispatcher's two paths: over the in-memory registry's own ports it answers synchronously
 * (`unsafeDispatch`), with the replies its effects give; over anything else (a layer wrapped around the
 * ports, durable state) it has no synchronous path, so every call goes through the ports.
 */
import { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { Dispatch } from "@ecr-scan/emulator"
import { DurableRegistry, MemoryRegistry, MemoryRegistryDriver, VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { manifest } from "./fixtures.js"

const T0 = Date.parse("2026-03-01T09:00:00.000Z")

/** A dispatcher over `layer`'s ports, synchronous calls at `clock`'s instant. */
const dispatcherOver = <E>(
  layer: Layer.Layer<ImageScanner | ImageRegistry | MemoryRegistryDriver, E>,
  clock: VirtualClock.VirtualClock
) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(layer)
    const dispatcher = yield* Effect.provide(Dispatch.make(clock.unsafeCurrentTimeMillis), context)
    return { dispatcher, driver: Context.get(context, MemoryRegistryDriver) }
  })

const image = { repositoryName: "app", imageId: { imageTag: "v1" } }

/** Requests of every kind of outcome: accepted, refused by a rule, invalid, of the wrong JSON type, faulted. */
const script: ReadonlyArray<readonly [string, unknown]> = [
  ["CreateRepository", { repositoryName: "app" }],
  ["CreateRepository", { repositoryName: "app" }],
  ["PutImage", { repositoryName: "app", imageManifest: manifest(1), imageTag: "v1" }],
  ["DescribeImageScanFindings", image],
  ["StartImageScan", image],
  ["StartImageScan", image],
  ["DescribeImageScanFindings", image],
  ["StartImageScan", { repositoryName: "app", imageId: { imageDigest: "sha256:short" } }],
  ["StartImageScan", { repositoryName: 7, imageId: { imageTag: "v1" } }],
  ["DescribeImages", { repositoryName: "app" }],
  ["DescribePullThroughCacheRules", {}],
  ["PutImage", { repositoryName: "app", imageManifest: manifest(2), imageTag: "v2" }]
]

describe("Dispatch", () => {
  it("answers the memory registry synchronously, with the replies of its effects", () =>
    Effect.gen(function*() {
      const clock = VirtualClock.unsafeMake(T0)
      const viaEffects = yield* dispatcherOver(MemoryRegistry.layer({ seed: 1 }), clock)
      const direct = yield* dispatcherOver(MemoryRegistry.layer({ seed: 1 }), clock)
      expect(direct.dispatcher.unsafeDispatch).toBeDefined()
      const plan = { operation: "PutImage" as const, count: 1 }
      const replies: Array<unknown> = []
      for (const [index, [operation, input]] of script.entries()) {
        if (index === script.length - 1) {
          yield* viaEffects.driver.planFault(plan)
          yield* direct.driver.planFault(plan)
        }
        clock.unsafeSetTime(T0 + index * 1_000)
        const expected = yield* Effect.withClock(viaEffects.dispatcher.dispatch(operation, input), clock)
        const actual = direct.dispatcher.unsafeDispatch!(operation, input)
        expect(actual).toStrictEqual(expected)
        replies.push([actual.status, actual.errorType])
      }
      // The script does reach every kind of outcome.
      expect(replies).toStrictEqual([
        [200, undefined],
        [400, "RepositoryAlreadyExistsException"],
        [200, undefined],
        [400, "ScanNotFoundException"],
        [200, undefined],
        [400, "LimitExceededException"],
        [200, undefined],
        [400, "InvalidParameterException"],
        [400, "SerializationException"],
        [200, undefined],
        [400, "UnknownOperationException"],
        [500, "ServerException"]
      ])
    }).pipe(Effect.scoped, Effect.runPromise))

  it("has no synchronous path when a layer wraps the ports: every call reaches the wrapper", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const counting = Layer.effect(
        ImageScanner,
        Effect.map(ImageScanner, (scanner) => ({
          ...scanner,
          startImageScan: (request) => {
            seen.push(request.repositoryName)
            return scanner.startImageScan(request)
          }
        }))
      )
      const wrapped = Layer.provideMerge(counting, MemoryRegistry.layer())
      const { dispatcher } = yield* dispatcherOver(wrapped, VirtualClock.unsafeMake(T0))
      expect(dispatcher.unsafeDispatch).toBeUndefined()
      const reply = yield* dispatcher.dispatch("StartImageScan", image)
      expect(reply.errorType).toBe("RepositoryNotFoundException")
      expect(seen).toStrictEqual(["app"])
    }).pipe(Effect.scoped, Effect.runPromise))

  it("has no synchronous path over durable state: every write goes through its journal", () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "dispatch-durable-"))
    return Effect.gen(function*() {
      const { dispatcher } = yield* dispatcherOver(
        DurableRegistry.layer({ directory: dir }),
        VirtualClock.unsafeMake(T0)
      )
      expect(dispatcher.unsafeDispatch).toBeUndefined()
    }).pipe(
      Effect.scoped,
      Effect.ensuring(Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))),
      Effect.runPromise
    )
  })

  it("answers a synchronous call that throws with a ServerException, not a crash", () =>
    Effect.gen(function*() {
      const registry = yield* MemoryRegistry.make()
      const context = Context.make(ImageScanner, registry.scanner).pipe(
        Context.add(ImageRegistry, registry.registry),
        Context.add(MemoryRegistry.MemoryRegistryDirect, {
          ...registry.direct,
          unsafeCall: () => {
            throw new Error("a bug in a rule")
          }
        })
      )
      const dispatcher = yield* Effect.provide(Dispatch.make(() => T0), context)
      const reply = dispatcher.unsafeDispatch!("StartImageScan", image)
      expect(reply.status).toBe(500)
      expect(reply.errorType).toBe("ServerException")
    }).pipe(Effect.runPromise))
})
