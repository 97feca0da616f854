/**
 * The deployment gate through the aws backend against moto's server (moto 5.2.1, started as a child process on a
 * free loopback port and stopped by its pid): `ScanGate.check` (the Effect API) and `ecr-scan gate` (the built
 * bin, `--endpoint-url`), each once with a policy that passes and once with one that blocks.
 *
 * moto differs from AWS here (spec section 9), and the tests only assert what holds on both:
 * - #3: moto's scan is COMPLETE on the first read after StartImageScan, with one fixed finding, CVE-9999-9999,
 *   severity HIGH, package `moto_fake` (moto/ecr/models.py, describe_image_scan_findings), whatever the image.
 *   So a gate failing on CRITICAL passes and one failing on HIGH blocks; the wait through IN_PROGRESS is not
 *   exercised (see tests/simulation/ScanGate.test.ts and the emulator for that).
 * - #9: moto's digest is the sha256 of the joined layer digests, not of the manifest, so the digest the gate
 *   reports is not compared with `Fixtures.digestOf`.
 * - #5: moto echoes the image's newest tag with the digest; nothing here depends on the echo.
 * moto keeps its state for its whole life: every case uses its own repository.
 */
import { AwsBackend } from "@ecr-scan/aws-backend"
import { ImageRegistry, ScanGate } from "@ecr-scan/core"
import { Fixtures } from "@ecr-scan/testing"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type RunningMoto, startMotoServer } from "../support/motoServer.js"
import { run } from "../support/subprocess.js"
import { awsEnv, describeWith, moto } from "../support/tools.js"

const BIN = fileURLToPath(new URL("../../packages/cli/bin/ecr-scan.js", import.meta.url))

describeWith(moto(), "the gate against moto's server", () => {
  let server: RunningMoto
  beforeAll(async () => {
    server = await startMotoServer()
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  const backend = () =>
    AwsBackend.layer({
      endpoint: server.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "gate" },
      maxAttempts: 1
    })

  /** A repository of its own with one image tagged v1 (a manifest from the fixtures). */
  const pushImage = (repositoryName: string) =>
    Effect.runPromise(
      Effect.gen(function*() {
        yield* ImageRegistry.createRepository({ repositoryName })
        yield* ImageRegistry.putImage({
          repositoryName,
          imageManifest: Fixtures.image(repositoryName),
          imageTag: "v1"
        })
      }).pipe(Effect.provide(backend()))
    )

  const gate = (repositoryName: string, failOn: "CRITICAL" | "HIGH") =>
    Effect.runPromise(
      ScanGate.check({ repositoryName, imageId: { imageTag: "v1" } }, { failOn }).pipe(Effect.provide(backend()))
    )

  const cli = (repositoryName: string, failOn: "CRITICAL" | "HIGH") =>
    run("node", [
      BIN,
      "gate",
      "--endpoint-url",
      server.endpoint,
      "--region",
      "us-east-1",
      "--repository-name",
      repositoryName,
      "--image-id",
      "imageTag=v1",
      "--fail-on",
      failOn,
      "--timeout",
      "1m"
    ], { env: awsEnv(), timeoutMs: 60_000 })

  it("ScanGate.check starts the scan and passes a policy failing on CRITICAL", async () => {
    await pushImage("gate-moto/api-pass")
    const result = await gate("gate-moto/api-pass", "CRITICAL")
    expect(result.scan.started).toBe(true)
    expect(result.scan.status).toBe("COMPLETE")
    expect(result.verdict.verdict).toBe("PASSED")
    expect(result.verdict.blocking).toEqual([])
    // moto's fixed finding (section 9 #3), found but below the threshold.
    expect(result.verdict.counts.found.HIGH).toBe(1)
  }, 60_000)

  it("ScanGate.check blocks on moto's fixed HIGH finding with a policy failing on HIGH", async () => {
    await pushImage("gate-moto/api-block")
    const result = await gate("gate-moto/api-block", "HIGH")
    expect(result.verdict.verdict).toBe("BLOCKED")
    expect(result.verdict.blocking.map((f) => [f.id, f.severity])).toEqual([["CVE-9999-9999", "HIGH"]])
    expect(result.image.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
  }, 60_000)

  it("ecr-scan gate --endpoint-url exits 0 when the policy passes", async () => {
    await pushImage("gate-moto/cli-pass")
    const finished = await cli("gate-moto/cli-pass", "CRITICAL")
    expect(finished.timedOut).toBe(false)
    expect(finished.code, `${finished.stdout}\n${finished.stderr}\n${server.output()}`).toBe(0)
  }, 90_000)

  it("ecr-scan gate --endpoint-url exits 1 when moto's HIGH finding blocks", async () => {
    await pushImage("gate-moto/cli-block")
    const finished = await cli("gate-moto/cli-block", "HIGH")
    expect(finished.timedOut).toBe(false)
    expect(finished.code, `${finished.stdout}\n${finished.stderr}\n${server.output()}`).toBe(1)
    expect(finished.stdout).toContain("CVE-9999-9999")
  }, 90_000)
})
