/**
 * A Trivy report and a Grype report, each posted to the emulator's findings control endpoint, drive a gate
 * decision end to end: `ScanGate.check` through the AWS backend against the emulator. The emulator's clock is
 * virtual (moved with its control endpoint), and the gate's own waits run on `TestClock`.
 */
import { AwsBackend } from "@ecr-scan/aws-backend"
import { ImageRegistry, ScanGate } from "@ecr-scan/core"
import { Fixtures } from "@ecr-scan/testing"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { readFileSync } from "node:fs"
import { type RunningEmulator, startEmulator } from "../support/emulator.js"

const report = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../packages/core/test/fixtures/${name}`, import.meta.url), "utf8"))

let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await startEmulator({ seed: "gate-reports" })
})
afterAll(() => emulator.stop())

const backend = () =>
  AwsBackend.layer({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "gate" },
    maxAttempts: 1
  })

/** Pushes an image, posts the scanner's report as its findings, and runs the gate to its verdict. */
const gateWithReport = (repositoryName: string, scanner: "trivy" | "grype", file: string) =>
  Effect.gen(function*() {
    const manifest = Fixtures.image(repositoryName)
    yield* Effect.promise(async () => {
      await emulator.control("POST", "/findings", { imageDigest: Fixtures.digestOf(manifest), [scanner]: report(file) })
    })
    const setUp = Effect.gen(function*() {
      yield* ImageRegistry.createRepository({ repositoryName })
      yield* ImageRegistry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" })
    })
    yield* setUp.pipe(Effect.provide(backend()))
    const fiber = yield* Effect.fork(
      ScanGate.check({ repositoryName, imageId: { imageTag: "v1" } }, { failOn: "HIGH" }).pipe(
        Effect.provide(backend())
      )
    )
    // The gate started the scan; the emulator completes it on its clock, the gate reads again on its own.
    for (let poll = 0; poll < 5; poll++) {
      yield* Effect.promise(() => emulator.advance("1 minute"))
      yield* TestClock.adjust("5 seconds")
      if ((yield* Fiber.poll(fiber))._tag === "Some") break
    }
    return yield* Fiber.await(fiber)
  })

describe("a scanner's report drives a gate through the emulator", () => {
  it.effect("a Trivy report with CRITICAL and HIGH vulnerabilities blocks at HIGH", () =>
    Effect.gen(function*() {
      const exit = yield* gateWithReport("gate/trivy", "trivy", "trivy-report.json")
      expect(Exit.isSuccess(exit)).toBe(true)
      if (Exit.isSuccess(exit)) {
        expect(exit.value.verdict.verdict).toBe("BLOCKED")
        expect(exit.value.verdict.blocking.length).toBeGreaterThan(0)
        expect(exit.value.verdict.blocking.every((f) => f.severity === "CRITICAL" || f.severity === "HIGH")).toBe(true)
        expect(exit.value.verdict.blocking[0].package).toBeDefined()
      }
    }))

  it.effect("a Grype report is judged the same way", () =>
    Effect.gen(function*() {
      const exit = yield* gateWithReport("gate/grype", "grype", "grype-report.json")
      expect(Exit.isSuccess(exit)).toBe(true)
      if (Exit.isSuccess(exit)) {
        const found = exit.value.verdict.counts.found
        expect(Object.values(found).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
        expect(exit.value.verdict.verdict).toBe(found.CRITICAL + found.HIGH > 0 ? "BLOCKED" : "PASSED")
      }
    }))
})
