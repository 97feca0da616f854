/**
 * The findings control endpoint fed a scanner's JSON report: `POST /_ecr-scan/findings` with `trivy` or
 * `grype` in place of `findings` sets the report's findings, and a body without a report is read as before.
 */
import {
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  ECRClient,
  PutImageCommand,
  StartImageScanCommand
} from "@aws-sdk/client-ecr"
import { ScannerReports } from "@ecr-scan/core"
import { Control, type RunningEmulator, startEmulator } from "@ecr-scan/emulator"
import { Either, ParseResult, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { manifest } from "./fixtures.js"

const fixture = (name: string): unknown =>
  JSON.parse(
    Fs.readFileSync(
      Path.join(Path.dirname(fileURLToPath(import.meta.url)), "..", "..", "core", "test", "fixtures", name),
      "utf8"
    )
  )

describe("POST /_ecr-scan/findings with a scanner's report", () => {
  let emulator: RunningEmulator
  let client: ECRClient

  beforeAll(async () => {
    emulator = await startEmulator({ startTime: "2026-01-01T00:00:00.000Z", seed: 7 })
    client = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 })
  })
  afterAll(async () => {
    client?.destroy()
    await emulator?.stop()
  })

  const post = async (body: unknown) => {
    const response = await fetch(`${emulator.endpoint}${Control.PREFIX}/findings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
    return { status: response.status, json: (await response.json()) as any }
  }

  /** Pushes image `n`, sets its findings from `report`, scans it to the end and answers with its findings. */
  const scanWith = async (repositoryName: string, n: number, report: Record<string, unknown>) => {
    await client.send(new CreateRepositoryCommand({ repositoryName }))
    const pushed = await client.send(
      new PutImageCommand({ repositoryName, imageManifest: manifest(n), imageTag: "v1" })
    )
    const imageDigest = pushed.image!.imageId!.imageDigest!
    expect(await post({ imageDigest, repositoryName, ...report })).toEqual({ status: 200, json: { ok: true } })
    await client.send(new StartImageScanCommand({ repositoryName, imageId: { imageDigest } }))
    await emulator.clock.advance("10 minutes")
    const described = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageDigest }, maxResults: 1000 })
    )
    expect(described.imageScanStatus?.status).toBe("COMPLETE")
    return described.imageScanFindings
  }

  it("sets the findings of a Trivy report, which a scan of the image then reports", async () => {
    const trivy = fixture("trivy-report.json")
    const findings = await scanWith("reports/trivy", 101, { trivy })
    const expected = Either.getOrThrow(ScannerReports.decodeTrivy(trivy))
    expect(findings?.findings).toHaveLength(expected.length)
    expect(findings?.findings).toEqual(expect.arrayContaining(expected.map((f) => expect.objectContaining(f))))
    expect(findings?.findingSeverityCounts).toEqual({ UNDEFINED: 1, HIGH: 1, MEDIUM: 1, CRITICAL: 1, LOW: 1 })
  })

  it("sets the findings of a Grype report", async () => {
    const findings = await scanWith("reports/grype", 102, { grype: fixture("grype-report.json") })
    expect(findings?.findingSeverityCounts).toEqual({
      INFORMATIONAL: 1,
      HIGH: 1,
      MEDIUM: 1,
      UNDEFINED: 1,
      CRITICAL: 1,
      LOW: 1
    })
  })

  it("refuses a report that is not of its scanner's format, saying why", async () => {
    const reply = await post({ imageDigest: "sha256:abc", grype: { SchemaVersion: 2, Results: [] } })
    expect(reply.status).toBe(400)
    expect(reply.json.error).toMatch(/^Not a Grype JSON report:\n/)
  })

  it("refuses a body with more than one of findings, trivy and grype", async () => {
    const reply = await post({ imageDigest: "sha256:abc", findings: [], trivy: { SchemaVersion: 2 } })
    expect(reply).toEqual({
      status: 400,
      json: { error: "Give one of findings, trivy or grype, not findings and trivy" }
    })
  })

  it("answers a bad body without a report with the same errors as before", async () => {
    for (const body of [{ imageDigest: 5, findings: [] }, { imageDigest: "sha256:abc" }, [1], "null"]) {
      const json = typeof body === "string" ? JSON.parse(body) : body
      const error = Schema.decodeUnknownEither(Control.Bodies.findings)(json)
      if (Either.isRight(error)) throw new Error("expected a bad body")
      expect(await post(body)).toEqual({
        status: 400,
        json: { error: ParseResult.TreeFormatter.formatErrorSync(error.left) }
      })
    }
    expect(await post("{not json")).toEqual({ status: 400, json: { error: "The request body is not valid JSON" } })
  })
})
