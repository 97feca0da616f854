/**
 * The emulator's bin delivering events. `--event-pattern FILE` applies to the `--event-target` after it, read
 * from the process's command line; a pattern file EventBridge would refuse is a usage error naming the file.
 *
 * Events owed to a target survive a crash: the emulator's bin (packages/emulator/bin/ecr-scan-emulator.js,
 * built by `npm run build`) runs as a child process with `--state-dir` and a webhook (a node:http server on
 * loopback) that fails; the event is written to the outbox before the first attempt; the child is killed with
 * SIGKILL, by its pid; restarted on the same state directory with the same target, now answering 200, it
 * delivers the event, the same JSON, and then owes nothing.
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand, StartImageScanCommand } from "@aws-sdk/client-ecr"
import { Fixtures } from "@ecr-scan/testing"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { startReceiver, until } from "../../packages/emulator/test/EventReceiver.js"
import { run } from "../support/subprocess.js"

const BIN = fileURLToPath(new URL("../../packages/emulator/bin/ecr-scan-emulator.js", import.meta.url))
const BUILT = fileURLToPath(new URL("../../packages/emulator/dist/main.js", import.meta.url))

interface Child {
  readonly process: ChildProcess
  readonly endpoint: string
  readonly exited: Promise<void>
  readonly output: () => string
}

const children: Array<Child> = []
const directories: Array<string> = []
afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null && child.process.pid !== undefined) {
      process.kill(child.process.pid, "SIGKILL")
      await child.exited
    }
  }
  for (const dir of directories) rmSync(dir, { recursive: true, force: true })
})

/** Starts the bin with `args` on a free port; resolves once it says where it listens (30 s at most). */
const startBin = (args: ReadonlyArray<string>): Promise<Child> => {
  const child = spawn(process.execPath, [BIN, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const read = (chunk: Buffer) => {
    if (output.length < 65_536) output += chunk.toString("utf8")
  }
  child.stderr!.on("data", read)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL")
      reject(new Error(`the emulator did not start within 30 s: ${output}`))
    }, 30_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      read(chunk)
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        const started = { process: child, endpoint: match[1], exited, output: () => output }
        children.push(started)
        resolve(started)
      }
    })
    child.once("close", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited (${code ?? signal}) before listening: ${output}`))
    })
  })
}

const targets = async (endpoint: string) =>
  ((await (await fetch(`${endpoint}/_ecr-scan/events/targets`)).json()) as {
    targets: Array<{ pending: number; delivered: number }>
  }).targets

/** An SDK client of an emulator, one attempt per call. */
const client = (endpoint: string) =>
  new ECRClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1
  })

describe("event delivery across a crash (--state-dir)", () => {
  it("delivers after SIGKILL and a restart what the webhook had not yet accepted", async () => {
    expect(existsSync(BUILT), `${BUILT} is missing: run npm run build first`).toBe(true)
    const hook = await startReceiver(() => ({ status: 503, body: "down" }))
    try {
      const stateDir = mkdtempSync(join(tmpdir(), "ecr-scan-events-"))
      directories.push(stateDir)
      const args = [
        "--clock",
        "virtual",
        "--start-time",
        "2026-01-01T00:00:00Z",
        "--state-dir",
        stateDir,
        "--event-target",
        hook.url,
        "--quiet"
      ]
      const first = await startBin(args)
      const ecr = client(first.endpoint)
      try {
        await ecr.send(new CreateRepositoryCommand({ repositoryName: "crash/app" }))
        await ecr.send(
          new PutImageCommand({ repositoryName: "crash/app", imageManifest: Fixtures.image(1), imageTag: "v1" })
        )
      } finally {
        ecr.destroy()
      }
      const [failed] = await hook.received(1)
      expect(JSON.parse(failed.body)).toMatchObject({
        "detail-type": "ECR Image Action",
        detail: { "image-tag": "v1" }
      })

      process.kill(first.process.pid!, "SIGKILL")
      await first.exited
      expect(first.process.signalCode).toBe("SIGKILL")
      expect(existsSync(join(stateDir, "events", "outbox"))).toBe(true)

      hook.answerWith(() => ({ status: 200, body: "ok" }))
      const second = await startBin(args)
      const requests = await hook.received(2)
      expect(requests[1].body).toBe(failed.body)
      expect(requests[1].headers["user-agent"]).toBe("Amazon/EventBridge/ApiDestinations")
      await until("the restarted emulator has delivered it", async () => {
        const [target] = await targets(second.endpoint)
        return target.delivered === 1 && target.pending === 0
      })
      // Owing nothing, the outbox is compacted down to the last sequence number.
      await until("the outbox is compacted", () => statSync(join(stateDir, "events", "outbox")).size < 200)
      expect(hook.requests).toHaveLength(2)

      // The log's numbers carry on from the first run's.
      const ecr2 = client(second.endpoint)
      try {
        await ecr2.send(
          new PutImageCommand({ repositoryName: "crash/app", imageManifest: Fixtures.image(2), imageTag: "v2" })
        )
      } finally {
        ecr2.destroy()
      }
      await hook.received(3)
      const log = await (await fetch(`${second.endpoint}/_ecr-scan/events`)).json() as { cursor: number }
      expect(log.cursor).toBe(2)
      process.kill(second.process.pid!, "SIGTERM")
      await second.exited
    } finally {
      await hook.close()
    }
  })
})

describe("--event-pattern on the command line", () => {
  it("filters the events of the --event-target that follows it, and only that one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ecr-scan-pattern-"))
    directories.push(dir)
    const patternFile = join(dir, "scans.json")
    writeFileSync(patternFile, JSON.stringify({ source: ["aws.ecr"], "detail-type": ["ECR Image Scan"] }))
    const all = await startReceiver(undefined, "/all")
    const scans = await startReceiver(undefined, "/scans")
    try {
      const emulator = await startBin([
        "--clock",
        "virtual",
        "--scan-duration",
        "5s",
        "--event-target",
        all.url,
        "--event-pattern",
        patternFile,
        "--event-target",
        scans.url,
        "--quiet"
      ])
      const ecr = client(emulator.endpoint)
      try {
        await ecr.send(new CreateRepositoryCommand({ repositoryName: "pattern/app" }))
        await ecr.send(
          new PutImageCommand({ repositoryName: "pattern/app", imageManifest: Fixtures.image(3), imageTag: "v3" })
        )
        await ecr.send(new StartImageScanCommand({ repositoryName: "pattern/app", imageId: { imageTag: "v3" } }))
      } finally {
        ecr.destroy()
      }
      const advanced = await fetch(`${emulator.endpoint}/_ecr-scan/clock/advance`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ duration: "1m" })
      })
      expect(advanced.status).toBe(200)
      const every = await all.received(2)
      const [scan] = await scans.received(1)
      expect(every.map((r) => JSON.parse(r.body)["detail-type"])).toEqual(["ECR Image Action", "ECR Image Scan"])
      // In order per target: the action, had it matched, would have reached /scans before the scan did.
      expect(scans.requests).toHaveLength(1)
      expect(scan.body).toBe(every[1].body)
      process.kill(emulator.process.pid!, "SIGTERM")
      await emulator.exited
    } finally {
      await all.close()
      await scans.close()
    }
  })

  it("refuses to start on a pattern EventBridge would refuse, naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ecr-scan-pattern-"))
    directories.push(dir)
    const patternFile = join(dir, "bad.json")
    writeFileSync(patternFile, JSON.stringify({ "detail-type": "ECR Image Scan" }))
    const finished = await run(process.execPath, [
      BIN,
      "--port",
      "0",
      "--event-pattern",
      patternFile,
      "--event-target",
      "http://127.0.0.1:9/hook"
    ])
    expect(finished.code).not.toBe(0)
    expect(finished.stderr).toContain(`--event-pattern ${patternFile}: Event pattern: "detail-type"`)
  })
})
