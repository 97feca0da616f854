import { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:" + "a".repeat(64), size: 10 },
  layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: "sha256:" + "b".repeat(64), size: 100 }]
})

describe("smoke", () => {
  it.effect("scan lifecycle", () =>
    Effect.gen(function*() {
      yield* ImageRegistry.createRepository({ repositoryName: "app" })
      const put = yield* ImageRegistry.putImage({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" })
      const started = yield* ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      expect(started.imageScanStatus?.status).toBe("IN_PROGRESS")
      expect(started.imageId).toEqual({ imageTag: "v1", imageDigest: put.image?.imageId?.imageDigest })
      const again = yield* Effect.flip(
        ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      )
      expect(again._tag).toBe("LimitExceededException")
      yield* TestClock.adjust("1 minute")
      const findings = yield* ImageScanner.describeImageScanFindings({
        repositoryName: "app",
        imageId: { imageTag: "v1" }
      })
      expect(findings.imageScanStatus?.status).toBe("COMPLETE")
      const bad = yield* Effect.flip(
        ImageScanner.startImageScan({ repositoryName: "App", imageId: { imageTag: "v1" } })
      )
      expect(bad.message).toContain("Invalid parameter at 'repositoryName'")
    }).pipe(Effect.provide(MemoryRegistry.layer())))
})
