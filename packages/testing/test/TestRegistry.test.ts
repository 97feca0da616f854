/**
 * The fixtures and the test registry: fixtures' digests are the registry's, an image without layers
 * scans FAILED, an index is refused; the test registry starts its clock where it is told, gives each
 * test a fresh registry, and runs the waiter to its end moving time exactly as far as it sleeps.
 */
import { ImageRegistry, ImageScanner, Waiter } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { Fixtures, TestRegistry } from "@ecr-scan/testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

const SECOND = 1000

/** Repository `app`, `manifest` pushed into it as `tag`: the digest the registry gave it. */
const pushed = (manifest: string, tag = "v1") =>
  Effect.gen(function*() {
    yield* ImageRegistry.createRepository({ repositoryName: "app" }).pipe(
      Effect.catchTag("RepositoryAlreadyExistsException", () => Effect.void)
    )
    const response = yield* ImageRegistry.putImage({ repositoryName: "app", imageManifest: manifest, imageTag: tag })
    return response.image!.imageId!.imageDigest!
  })

describe("Fixtures", () => {
  it("gives the same bytes for the same seed and options, and different bytes otherwise", () => {
    expect(Fixtures.image(1)).toBe(Fixtures.image(1))
    expect(Fixtures.image("a")).toBe(Fixtures.image("a", { layers: 1, format: "oci" }))
    const distinct = [
      Fixtures.image(1),
      Fixtures.image(2),
      Fixtures.image(1, { layers: 2 }),
      Fixtures.image(1, { layers: 0 }),
      Fixtures.image(1, { format: "docker" })
    ]
    expect(new Set(distinct).size).toBe(distinct.length)
    expect(JSON.parse(Fixtures.image(1, { layers: 3 })).layers).toHaveLength(3)
  })

  it("writes OCI images and indexes unless told Docker", () => {
    expect(JSON.parse(Fixtures.image(1)).mediaType).toBe("application/vnd.oci.image.manifest.v1+json")
    expect(JSON.parse(Fixtures.image(1, { format: "docker" })).mediaType).toBe(
      "application/vnd.docker.distribution.manifest.v2+json"
    )
    expect(JSON.parse(Fixtures.index([])).mediaType).toBe("application/vnd.oci.image.index.v1+json")
    expect(JSON.parse(Fixtures.index([], { format: "docker" })).mediaType).toBe(
      "application/vnd.docker.distribution.manifest.list.v2+json"
    )
  })

  it("computes the sha256 of the exact UTF-8 bytes", () => {
    expect(Fixtures.digestOf("")).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(Fixtures.digestOf("é")).not.toBe(Fixtures.digestOf("e"))
  })

  it.effect("names a pushed manifest by the digest the registry gives it, images and indexes alike", () =>
    Effect.gen(function*() {
      for (
        const manifest of [Fixtures.image(1), Fixtures.image(2, { layers: 3 }), Fixtures.image(3, { format: "docker" })]
      ) {
        expect(yield* pushed(manifest)).toBe(Fixtures.digestOf(manifest))
      }
      const index = Fixtures.index([
        Fixtures.digestOf(Fixtures.image(1)),
        Fixtures.digestOf(Fixtures.image(2, { layers: 3 }))
      ])
      expect(yield* pushed(index, "multi")).toBe(Fixtures.digestOf(index))
      const refused = yield* Effect.flip(
        ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "multi" } })
      )
      expect(refused._tag).toBe("UnsupportedImageTypeException")
    }).pipe(TestRegistry.withRegistry()))

  it.effect("an image without layers is accepted for scanning, and its scan ends FAILED", () =>
    Effect.gen(function*() {
      yield* pushed(Fixtures.image(1, { layers: 0 }))
      const started = yield* ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      expect(started.imageScanStatus?.status).toBe("IN_PROGRESS")
      const failed = yield* Effect.flip(
        TestRegistry.waitForScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      )
      expect(failed._tag).toBe("ImageScanFailed")
    }).pipe(TestRegistry.withRegistry()))

  it.effect("findings built with Fixtures.finding are what a completed scan reports", () =>
    Effect.gen(function*() {
      const digest = yield* pushed(Fixtures.image(1))
      const findings = [
        Fixtures.finding("CVE-2026-0001", "CRITICAL", "openssl"),
        Fixtures.finding("CVE-2026-0002", "LOW", "zlib")
      ]
      yield* (yield* MemoryRegistryDriver).setFindings({ imageDigest: digest }, findings)
      yield* ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageDigest: digest } })
      const done = yield* TestRegistry.waitForScan({ repositoryName: "app", imageId: { imageDigest: digest } })
      expect(done.imageScanFindings?.findings).toStrictEqual(findings)
      expect(done.imageScanFindings?.findingSeverityCounts).toStrictEqual({ CRITICAL: 1, LOW: 1 })
    }).pipe(TestRegistry.withRegistry()))
})

describe("TestRegistry", () => {
  it.effect("starts the test clock at 2026-01-01, or where it is told", () =>
    Effect.gen(function*() {
      expect(yield* Clock.currentTimeMillis).toBe(TestRegistry.START)
      expect(yield* Effect.flatMap(MemoryRegistryDriver, (driver) => driver.now)).toStrictEqual(
        new Date(TestRegistry.START)
      )
      const elsewhere = yield* Clock.currentTimeMillis.pipe(
        TestRegistry.withRegistry({ startTime: "2030-06-01T12:00:00Z" })
      )
      expect(elsewhere).toBe(Date.parse("2030-06-01T12:00:00Z"))
    }).pipe(TestRegistry.withRegistry()))

  it.effect("gives each test a fresh registry", () =>
    Effect.gen(function*() {
      yield* ImageRegistry.createRepository({ repositoryName: "app" }).pipe(TestRegistry.withRegistry())
      const again = yield* ImageRegistry.createRepository({ repositoryName: "app" }).pipe(TestRegistry.withRegistry())
      expect(again.repository?.repositoryName).toBe("app")
    }))

  it.effect("waitForScan moves the clock to the first poll after the scan completes, and no further", () =>
    Effect.gen(function*() {
      yield* pushed(Fixtures.image(1))
      yield* ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      // The scan takes 7 seconds; the waiter polls at 0, 5 and 10 seconds.
      const done = yield* TestRegistry.waitForScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      expect(done.imageScanStatus?.status).toBe("COMPLETE")
      expect((yield* Clock.currentTimeMillis) - TestRegistry.START).toBe(10 * SECOND)
    }).pipe(TestRegistry.withRegistry({ rules: { scanDuration: { min: "7 seconds", max: "7 seconds" } } })))

  it.effect("waitForScan passes the waiter's options: its delay, and its attempts", () =>
    Effect.gen(function*() {
      yield* pushed(Fixtures.image(1))
      yield* ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      const timedOut = yield* Effect.flip(
        TestRegistry.waitForScan({ repositoryName: "app", imageId: { imageTag: "v1" } }, {
          delay: "1 second",
          maxAttempts: 3
        })
      )
      expect(timedOut).toBeInstanceOf(Waiter.ImageScanWaitTimeout)
      expect((yield* Clock.currentTimeMillis) - TestRegistry.START).toBe(2 * SECOND)
    }).pipe(TestRegistry.withRegistry({ rules: { scanDuration: { min: "7 seconds", max: "7 seconds" } } })))

  it.effect("advance moves the registry's time: a scan is accepted again a day later", () =>
    Effect.gen(function*() {
      yield* pushed(Fixtures.image(1))
      const imageId = { imageTag: "v1" }
      yield* ImageScanner.startImageScan({ repositoryName: "app", imageId })
      yield* TestRegistry.advance("23 hours")
      const refused = yield* Effect.flip(ImageScanner.startImageScan({ repositoryName: "app", imageId }))
      expect(refused._tag).toBe("LimitExceededException")
      yield* TestRegistry.advance("1 hour")
      const again = yield* ImageScanner.startImageScan({ repositoryName: "app", imageId })
      expect(again.imageScanStatus?.status).toBe("IN_PROGRESS")
    }).pipe(TestRegistry.withRegistry()))

  it.effect("drive gives up, with a defect, on an effect that never ends", () =>
    Effect.gen(function*() {
      const forever = TestRegistry.drive(Effect.forever(Effect.sleep("1 hour")), { maxSteps: 5 })
      const exit = yield* Effect.exit(forever)
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      if (Exit.isFailure(exit)) {
        expect(Cause.pretty(exit.cause)).toContain("still running after moving the clock 5 times")
      }
      expect((yield* Clock.currentTimeMillis) - TestRegistry.START).toBe(5 * 3600 * SECOND)
    }).pipe(TestRegistry.withRegistry()))
})

layer(TestRegistry.layer({ seed: 7 }))("TestRegistry.layer shared by the tests of a block", (it) => {
  it.effect("the first test pushes an image", () =>
    Effect.gen(function*() {
      expect(yield* Clock.currentTimeMillis).toBe(TestRegistry.START)
      yield* pushed(Fixtures.image(1))
    }))

  it.effect("the next test sees it", () =>
    Effect.gen(function*() {
      const images = yield* ImageRegistry.describeImages({ repositoryName: "app" })
      expect(images.imageDetails?.map((image) => image.imageDigest)).toStrictEqual([
        Fixtures.digestOf(Fixtures.image(1))
      ])
    }))
})
