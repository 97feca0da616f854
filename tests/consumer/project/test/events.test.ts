/**
 * The registry's events as a user subscribes to them, from the tarballs: `RegistryEvents.events` of the
 * packaged memory backend on `TestClock` (a push at once, the scan's completion when the clock passes it),
 * and the exported events conformance suite.
 */
import { Events, ImageRegistry, ImageScanner, ManifestBuilder, RegistryEvents } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import { EventsConformance } from "@ecr-scan/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"

const manifest = ManifestBuilder.image({
  config: { digest: `sha256:${"5".repeat(64)}`, size: 1 },
  layers: [{ digest: `sha256:${"6".repeat(64)}`, size: 2 }]
})

describe("RegistryEvents from the tarballs", () => {
  it.effect("a push's event, then the scan's when TestClock passes its completion", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(RegistryEvents.events, 2)))
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow()
      yield* ImageRegistry.createRepository({ repositoryName: "consumer/events" })
      yield* ImageRegistry.putImage({ repositoryName: "consumer/events", imageManifest: manifest, imageTag: "v1" })
      yield* ImageScanner.startImageScan({ repositoryName: "consumer/events", imageId: { imageTag: "v1" } })
      yield* TestClock.adjust("1 minute")
      const events = Chunk.toArray(yield* Fiber.join(fiber))
      expect(events.map((e) => e["detail-type"])).toEqual(["ECR Image Action", "ECR Image Scan"])
      expect(Events.decode(JSON.parse(Events.toJson(events[1]!)))._tag).toBe("Right")
    }).pipe(Effect.provide(MemoryRegistry.layer({ seed: "consumer-events" }))))
})

EventsConformance.suite(
  "events conformance from the tarballs: the memory registry",
  MemoryRegistry.layer({ seed: "consumer", rules: { scanDuration: { min: "1 second", max: "3 seconds" } } }),
  { virtualTime: "fiber" }
)
