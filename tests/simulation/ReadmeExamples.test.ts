/**
 * The README's examples, run as tests so they cannot rot: embedding the scanner in a program that
 * gates a deployment on findings, and a simulation test of a scanning pipeline on TestClock.
 */
import { ImageRegistry, ImageScanner, ManifestBuilder, Waiter } from "@ecr-scan/core"
import { MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"

// --- README: embedding -------------------------------------------------------------------------
// Gate a deployment on the findings of a fresh scan. The program names only the ports; the layer
// decides where it runs (the in-memory registry here, real ECR with the aws backend's layer).
const gate = (repositoryName: string, imageTag: string) =>
  Effect.gen(function*() {
    yield* ImageScanner.startImageScan({ repositoryName, imageId: { imageTag } }).pipe(
      // Scanned in the last 24 hours (or on push): the latest findings are as good as new ones.
      Effect.catchTag("LimitExceededException", (e) => e.limit === "PER_IMAGE" ? Effect.void : Effect.fail(e))
    )
    const result = yield* Waiter.waitForImageScanComplete({ repositoryName, imageId: { imageTag } })
    const counts = result.imageScanFindings?.findingSeverityCounts ?? {}
    return (counts.CRITICAL ?? 0) === 0 ? "deploy" as const : "blocked" as const
  })
// -----------------------------------------------------------------------------------------------

const manifest = ManifestBuilder.image({
  config: { digest: `sha256:${"1".repeat(64)}`, size: 1 },
  layers: [{ digest: `sha256:${"2".repeat(64)}`, size: 2 }]
})

describe("README examples", () => {
  // --- README: simulation test ---------------------------------------------------------------
  it.effect("a critical finding blocks the deployment, and a rescan waits out the 24 hour rule", () =>
    Effect.gen(function*() {
      const driver = yield* MemoryRegistryDriver
      yield* ImageRegistry.createRepository({ repositoryName: "shop/api" })
      const pushed = yield* ImageRegistry.putImage({
        repositoryName: "shop/api",
        imageManifest: manifest,
        imageTag: "v1"
      })
      yield* driver.setFindings({ imageDigest: pushed.image!.imageId!.imageDigest! }, [
        { name: "CVE-2099-0001", severity: "CRITICAL" }
      ])

      // The waiter polls on a Schedule: fork it and move virtual time.
      const decision = yield* Effect.fork(gate("shop/api", "v1"))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(decision)).toBe("blocked")

      // A second scan the same day is refused, and says when the image is next eligible.
      const refused = yield* Effect.flip(
        ImageScanner.startImageScan({ repositoryName: "shop/api", imageId: { imageTag: "v1" } })
      )
      expect(refused._tag).toBe("LimitExceededException")
      yield* TestClock.adjust("1 day")
      const rescan = yield* ImageScanner.startImageScan({ repositoryName: "shop/api", imageId: { imageTag: "v1" } })
      expect(rescan.imageScanStatus?.status).toBe("IN_PROGRESS")
    }).pipe(Effect.provide(MemoryRegistry.layer({ seed: 42 }))))
  // -------------------------------------------------------------------------------------------

  it.effect("an image without critical findings deploys", () =>
    Effect.gen(function*() {
      const driver = yield* MemoryRegistryDriver
      yield* ImageRegistry.createRepository({ repositoryName: "shop/web" })
      const pushed = yield* ImageRegistry.putImage({
        repositoryName: "shop/web",
        imageManifest: manifest,
        imageTag: "v2"
      })
      yield* driver.setFindings({ imageDigest: pushed.image!.imageId!.imageDigest! }, [
        { name: "CVE-2099-0002", severity: "LOW" }
      ])
      const decision = yield* Effect.fork(gate("shop/web", "v2"))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(decision)).toBe("deploy")
    }).pipe(Effect.provide(MemoryRegistry.layer({ seed: 42 }))))
})
