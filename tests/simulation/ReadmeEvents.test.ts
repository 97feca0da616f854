/**
 * The README's events example ("React to scan events"), run as a test so it cannot rot: a handler of scan
 * events on the memory registry, the scan's event arriving only when TestClock passes its completion.
 */
import { Events, ImageRegistry, ImageScanner, ManifestBuilder } from "@ecr-scan/core"
import { EventPublisher, MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { expect, it } from "@effect/vitest"
import { Chunk, Effect, Queue, TestClock } from "effect"

const manifest = ManifestBuilder.image({
  config: { digest: `sha256:${"7".repeat(64)}`, size: 1 },
  layers: [{ digest: `sha256:${"8".repeat(64)}`, size: 2 }]
})

// --- README: events -----------------------------------------------------------------------------
/** The handler under test: which images must not be deployed. */
const blockedBy = (event: Events.RegistryEvent): string | undefined =>
  event["detail-type"] === "ECR Image Scan" && (event.detail["finding-severity-counts"]?.CRITICAL ?? 0) > 0
    ? `${event.detail["repository-name"]}@${event.detail["image-digest"]}`
    : undefined

it.scoped("a critical finding's scan event arrives when the scan completes", () =>
  Effect.gen(function*() {
    const events = yield* Effect.flatMap(EventPublisher.MemoryEvents, (publisher) => publisher.subscribe)
    const driver = yield* MemoryRegistryDriver
    yield* ImageRegistry.createRepository({ repositoryName: "shop/api" })
    const pushed = yield* ImageRegistry.putImage({
      repositoryName: "shop/api",
      imageManifest: manifest,
      imageTag: "v1"
    })
    const digest = pushed.image!.imageId!.imageDigest!
    yield* driver.setFindings({ imageDigest: digest }, [{ name: "CVE-2099-0001", severity: "CRITICAL" }])
    yield* ImageScanner.startImageScan({ repositoryName: "shop/api", imageId: { imageTag: "v1" } })

    // The push's event is there at once; the scan's only when virtual time passes its completion.
    expect(Chunk.toArray(yield* Queue.takeAll(events)).map(blockedBy)).toEqual([undefined])
    yield* TestClock.adjust("1 minute")
    expect(Chunk.toArray(yield* Queue.takeAll(events)).map(blockedBy)).toEqual([`shop/api@${digest}`])
  }).pipe(Effect.provide(MemoryRegistry.layer({ seed: 42 }))))
// -------------------------------------------------------------------------------------------------
