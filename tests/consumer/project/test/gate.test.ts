/**
 * `ScanGate` embedded as a user embeds it, from the tarballs: a gate on the memory registry, on `TestClock`,
 * blocking on a CRITICAL finding and passing once it is ignored.
 */
import { ImageRegistry, ManifestBuilder, ScanGate } from "@ecr-scan/core"
import { MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { createHash } from "node:crypto"

const manifest = ManifestBuilder.image({
  config: { digest: `sha256:${"3".repeat(64)}`, size: 1 },
  layers: [{ digest: `sha256:${"4".repeat(64)}`, size: 2 }]
})
const digest = `sha256:${createHash("sha256").update(manifest, "utf8").digest("hex")}`
const image = { repositoryName: "consumer/gate", imageId: { imageTag: "v1" } }

describe("ScanGate from the tarballs", () => {
  it.effect("blocks on a CRITICAL finding, and passes with it ignored", () =>
    Effect.gen(function*() {
      yield* ImageRegistry.createRepository({ repositoryName: image.repositoryName })
      yield* ImageRegistry.putImage({ repositoryName: image.repositoryName, imageManifest: manifest, imageTag: "v1" })
      const driver = yield* MemoryRegistryDriver
      yield* driver.setFindings({ imageDigest: digest }, [{ name: "CVE-2026-9999", severity: "CRITICAL" }])
      const fiber = yield* Effect.fork(ScanGate.check(image, { failOn: "HIGH" }))
      yield* TestClock.adjust("1 minute")
      const blocked = yield* Fiber.join(fiber)
      expect(blocked.verdict.verdict).toBe("BLOCKED")
      const passed = yield* ScanGate.check(image, { failOn: "HIGH", ignore: [{ id: "CVE-2026-9999" }] })
      expect(passed.verdict.verdict).toBe("PASSED")
    }).pipe(Effect.provide(MemoryRegistry.layer({ seed: "consumer-gate" }))))
})
