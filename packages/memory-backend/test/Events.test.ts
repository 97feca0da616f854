/**
 * The registry's EventBridge events on TestClock: a push or delete at the instant of the call; a scan's
 * completion at exactly the instant it completes (not a millisecond earlier), for manual scans, scans on
 * push and enhanced initial scans, with that scan's counts; a FAILED scan's event; the same events for the
 * same seed; a subscriber that does not read holds only its newest events and never blocks the registry.
 */
import { Events, ImageRegistry, RegistryEvents } from "@ecr-scan/core"
import { EventPublisher, MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import {
  ACCOUNT,
  at,
  createRepository,
  findings,
  HOUR,
  noLayersImage,
  ociImage,
  push,
  registry,
  repositoryArn,
  scan,
  T0
} from "./fixtures.js"

/** Subscribes (at once) and answers with a function that takes what has been published so far. */
const subscribed = Effect.gen(function*() {
  const queue = yield* Effect.flatMap(EventPublisher.MemoryEvents, (events) => events.subscribe)
  return Effect.map(Queue.takeAll(queue), Chunk.toArray)
})

/** When the image's latest scan (basic or enhanced) completes, from the driver's snapshot. */
const completesAt = (repositoryName: string, digest: string) =>
  Effect.map(Effect.flatMap(MemoryRegistryDriver, (d) => d.snapshot), (snapshot) => {
    const image = snapshot.repositories.find((r) => r.name === repositoryName)?.images.find((i) => i.digest === digest)
    return (image?.basicScan ?? image?.enhancedScan)!.completesAt
  })

const time = (millis: number) => Events.formatTime(millis)

describe("the registry's events", () => {
  it.scoped("a push gives ECR Image Action PUSH at the instant of the call, with the tag it set", () =>
    Effect.gen(function*() {
      yield* at(0)
      const take = yield* subscribed
      yield* createRepository("app")
      yield* at(1_500)
      const digest = yield* push("app", ociImage(1), "v1")
      const [event, ...rest] = yield* take
      expect(rest).toStrictEqual([])
      expect(event).toMatchObject({
        version: "0",
        "detail-type": "ECR Image Action",
        source: "aws.ecr",
        account: ACCOUNT,
        time: time(T0 + 1_500),
        region: "us-east-1",
        resources: [],
        detail: {
          result: "SUCCESS",
          "repository-name": "app",
          "image-digest": digest,
          "action-type": "PUSH",
          "image-tag": "v1",
          "manifest-media-type": "application/vnd.oci.image.manifest.v1+json"
        }
      })
      expect(Events.decode(event)._tag).toBe("Right")
    }).pipe(Effect.provide(registry())))

  it.scoped("a manual scan's completion arrives at exactly its completion instant, with the scan's counts", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(2), "v1")
      const take = yield* subscribed
      yield* scan("app", { imageDigest: digest })
      const done = yield* completesAt("app", digest)
      yield* TestClock.setTime(done - 1)
      expect(yield* take).toStrictEqual([])
      yield* TestClock.setTime(done)
      const [event, ...rest] = yield* take
      expect(rest).toStrictEqual([])
      const described = yield* findings("app", { imageDigest: digest }, { maxResults: 1000 })
      expect(event).toMatchObject({
        "detail-type": "ECR Image Scan",
        time: time(done),
        resources: [repositoryArn("app")],
        detail: {
          "scan-status": "COMPLETE",
          "repository-name": "app",
          "finding-severity-counts": described.imageScanFindings?.findingSeverityCounts ?? {},
          "image-digest": digest,
          "image-tags": ["v1"]
        }
      })
    }).pipe(Effect.provide(registry({ seed: 3 }))))

  it.scoped("a scan on push: the push's event, then the scan's when it completes; counts from setFindings", () =>
    Effect.gen(function*() {
      yield* at(0)
      const take = yield* subscribed
      yield* createRepository("app", { scanOnPush: true })
      const driver = yield* MemoryRegistryDriver
      const digest = yield* push("app", ociImage(3), "v3")
      yield* driver.setFindings({ imageDigest: digest }, [
        { name: "CVE-1", severity: "CRITICAL" },
        { name: "CVE-2", severity: "HIGH" },
        { name: "CVE-3", severity: "HIGH" }
      ])
      yield* at(HOUR)
      const events = yield* take
      expect(events.map((e) => e["detail-type"])).toStrictEqual(["ECR Image Action", "ECR Image Scan"])
      expect(events[1]!.detail).toStrictEqual({
        "scan-status": "COMPLETE",
        "repository-name": "app",
        "finding-severity-counts": { CRITICAL: 1, HIGH: 2 },
        "image-digest": digest,
        "image-tags": ["v3"]
      })
    }).pipe(Effect.provide(registry())))

  it.scoped("a FAILED scan says FAILED without counts; with failedScans off it says nothing", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", noLayersImage(4), "static")
      const take = yield* subscribed
      yield* scan("app", { imageDigest: digest })
      yield* at(HOUR)
      const [event] = yield* take
      expect(event?.detail).toStrictEqual({
        "scan-status": "FAILED",
        "repository-name": "app",
        "image-digest": digest,
        "image-tags": ["static"]
      })
    }).pipe(Effect.provide(registry())))

  it.scoped("failedScans: false leaves a FAILED scan without an event", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", noLayersImage(5), "static")
      const take = yield* subscribed
      yield* scan("app", { imageDigest: digest })
      yield* at(HOUR)
      expect(yield* take).toStrictEqual([])
    }).pipe(Effect.provide(registry({ events: { failedScans: false } }))))

  it.scoped("enhanced scanning: a Scan Resource Change, then Inspector2 Scan when the initial scan completes", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("prod-api")
      const take = yield* subscribed
      yield* ImageRegistry.putRegistryScanningConfiguration({
        scanType: "ENHANCED",
        rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "prod*", filterType: "WILDCARD" }] }]
      })
      const digest = yield* push("prod-api", ociImage(6), "v1")
      const done = yield* completesAt("prod-api", digest)
      yield* TestClock.setTime(done - 1)
      const before = yield* take
      expect(before.map((e) => e["detail-type"])).toStrictEqual(["ECR Scan Resource Change", "ECR Image Action"])
      expect(before[0]!.detail).toStrictEqual({
        "action-type": "SCAN_FREQUENCY_CHANGE",
        repositories: [{
          "repository-name": "prod-api",
          "repository-arn": repositoryArn("prod-api"),
          "scan-frequency": "CONTINUOUS_SCAN",
          "previous-scan-frequency": "MANUAL"
        }],
        "resource-type": "REPOSITORY",
        "scan-type": "ENHANCED"
      })
      yield* TestClock.setTime(done)
      const [inspector] = yield* take
      expect(inspector).toMatchObject({
        "detail-type": "Inspector2 Scan",
        source: "aws.inspector2",
        time: time(done),
        resources: [repositoryArn("prod-api")],
        detail: {
          "scan-status": "INITIAL_SCAN_COMPLETE",
          "repository-name": repositoryArn("prod-api"),
          "image-digest": digest,
          "image-tags": ["v1"]
        }
      })
    }).pipe(Effect.provide(registry())))

  it.scoped("a delete gives DELETE with the tag; a scan of an image deleted before it completes gives nothing", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(7), "v7")
      const take = yield* subscribed
      yield* scan("app", { imageDigest: digest })
      yield* ImageRegistry.batchDeleteImage({ repositoryName: "app", imageIds: [{ imageTag: "v7" }] })
      yield* at(HOUR)
      const events = yield* take
      expect(events).toHaveLength(1)
      expect(events[0]!.detail).toStrictEqual({
        result: "SUCCESS",
        "repository-name": "app",
        "image-digest": digest,
        "action-type": "DELETE",
        "image-tag": "v7"
      })
    }).pipe(Effect.provide(registry())))

  it.scoped("completions that fall before a later call come before its events, in order of completion", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const first = yield* push("app", ociImage(8), "a")
      const second = yield* push("app", ociImage(9), "b")
      const take = yield* subscribed
      yield* scan("app", { imageDigest: first })
      yield* scan("app", { imageDigest: second })
      const ends = [yield* completesAt("app", first), yield* completesAt("app", second)]
      yield* at(HOUR)
      yield* push("app", ociImage(10), "c")
      const events = yield* take
      const scans = events.filter((e) => e["detail-type"] === "ECR Image Scan")
      expect(scans.map((e) => e.time)).toStrictEqual([...ends].sort((a, b) => a - b).map(time))
      expect(events.at(-1)!.detail).toMatchObject({ "action-type": "PUSH", "image-tag": "c" })
    }).pipe(Effect.provide(registry({ seed: 11 }))))
})

describe("determinism and back-pressure", () => {
  /** A scripted history; its events, as JSON. */
  const history = Effect.gen(function*() {
    yield* at(0)
    const take = yield* subscribed
    yield* createRepository("app", { scanOnPush: true })
    for (let n = 0; n < 5; n++) yield* push("app", ociImage(100 + n), `v${n}`)
    yield* at(HOUR)
    return (yield* take).map(Events.toJson)
  })

  it.effect("the same seed gives the same events, ids included; another seed other ids", () =>
    Effect.gen(function*() {
      const run = (seed: number) => Effect.scoped(Effect.provide(history, registry({ seed })))
      const first = yield* run(1)
      expect(first).toHaveLength(10)
      expect(yield* run(1)).toStrictEqual(first)
      const other = yield* run(2)
      expect(other.map((e) => JSON.parse(e).id)).not.toStrictEqual(first.map((e) => JSON.parse(e).id))
    }))

  it.scoped("a subscriber that does not read keeps only its newest events and never slows the registry", () =>
    Effect.gen(function*() {
      yield* at(0)
      const take = yield* subscribed
      yield* createRepository("app")
      for (let n = 0; n < 500; n++) yield* push("app", ociImage(1_000 + n), `v${n}`)
      const kept = yield* take
      expect(kept).toHaveLength(50)
      expect(kept.map((e) => (e.detail as Events.ImageActionDetail)["image-tag"])).toStrictEqual(
        Array.from({ length: 50 }, (_, i) => `v${450 + i}`)
      )
    }).pipe(Effect.provide(registry({ events: { buffer: 50 } }))))

  it.scoped("RegistryEvents.events is the same feed, as a Stream", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(RegistryEvents.events, 2)))
      // Let the forked fiber start the stream (its subscription) before the pushes.
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow()
      yield* push("app", ociImage(20), "v1")
      yield* push("app", ociImage(21), "v2")
      const events = Chunk.toArray(yield* Fiber.join(fiber))
      expect(events.map((e) => (e.detail as Events.ImageActionDetail)["image-tag"])).toStrictEqual(["v1", "v2"])
    }).pipe(Effect.provide(MemoryRegistry.layer())))
})
