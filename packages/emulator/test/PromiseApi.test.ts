/**
 * The Promise API as a test without Effect uses it: start an emulator, drive it with the real
 * `@aws-sdk/client-ecr`, move its virtual clock, fix findings and outcomes, plan faults, reset, stop. No
 * wall-clock waits: scans end when the test moves the clock.
 */
import {
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  PutImageCommand,
  StartImageScanCommand
} from "@aws-sdk/client-ecr"
import { EmulatorError, type RunningEmulator, startEmulator } from "@ecr-scan/emulator"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { manifest, rejection } from "./fixtures.js"

const T0 = "2026-01-01T00:00:00.000Z"

const clients: Array<ECRClient> = []
/** An SDK client on the emulator for one test, one attempt per call (a planned fault must not be retried away). */
const clientOf = (emulator: RunningEmulator) => {
  const client = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 })
  clients.push(client)
  return client
}
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

/** How a connection to the port ends: `connected`, or the error's code (`ECONNREFUSED`). */
const connect = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = Net.connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve("connected")
    })
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })

/** Creates a repository and pushes an image to it; resolves to the image's digest. */
const pushImage = async (client: ECRClient, repositoryName: string, n: number) => {
  await client.send(new CreateRepositoryCommand({ repositoryName }))
  const pushed = await client.send(new PutImageCommand({ repositoryName, imageManifest: manifest(n), imageTag: "v1" }))
  return pushed.image!.imageId!.imageDigest!
}

const finding = {
  name: "CVE-2026-0001",
  description: "A buffer overflow in libexample.",
  uri: "https://security-tracker.example/CVE-2026-0001",
  severity: "HIGH" as const,
  attributes: [{ key: "package_name", value: "libexample" }, { key: "package_version", value: "1.2.3" }]
}

describe("startEmulator", () => {
  let emulator: RunningEmulator
  let client: ECRClient

  beforeAll(async () => {
    emulator = await startEmulator({ startTime: T0, seed: 7 })
    client = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 })
  })
  afterAll(async () => {
    client?.destroy()
    await emulator?.stop()
  })

  it("listens on a free loopback port, on the virtual clock, with the defaults of serve", async () => {
    expect(emulator.port).toBeGreaterThan(0)
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`)
    expect(emulator.region).toBe("us-east-1")
    expect(emulator.accountId).toBe("123456789012")
    expect(emulator.accounts).toEqual(["123456789012"])
    expect(emulator.credentials).toEqual({ accessKeyId: "test", secretAccessKey: "test" })
    expect(emulator.clientConfig).toEqual({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" }
    })
    expect(emulator.adminToken).toBeUndefined()
    expect(emulator.clock.mode).toBe("virtual")
    expect(await connect(emulator.port)).toBe("connected")
  })

  it("scans through the SDK: IN_PROGRESS, then COMPLETE with the findings set once the clock moves", async () => {
    const start = await emulator.clock.now()
    const digest = await pushImage(client, "promise/scan", 1)
    await emulator.setFindings(digest, [finding], { repositoryName: "promise/scan" })

    const started = await client.send(
      new StartImageScanCommand({ repositoryName: "promise/scan", imageId: { imageTag: "v1" } })
    )
    expect(started.imageScanStatus?.status).toBe("IN_PROGRESS")
    const during = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName: "promise/scan", imageId: { imageTag: "v1" } })
    )
    expect(during.imageScanStatus?.status).toBe("IN_PROGRESS")

    const later = await emulator.clock.advance("10 minutes")
    expect(later.getTime() - start.getTime()).toBe(10 * 60_000)
    expect(await emulator.clock.now()).toEqual(later)

    const after = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName: "promise/scan", imageId: { imageTag: "v1" } })
    )
    expect(after.imageScanStatus?.status).toBe("COMPLETE")
    expect(after.imageScanFindings?.findings).toEqual([finding])
    expect(after.imageScanFindings?.findingSeverityCounts).toEqual({ HIGH: 1 })
    expect(await emulator.quota()).toMatchObject({ used: 1, limit: 100_000, nextSlotAt: undefined })
  })

  it("ends an image's next scans as setScanOutcome says", async () => {
    const digest = await pushImage(client, "promise/outcome", 2)
    await emulator.setScanOutcome(digest, "FAILED")
    await client.send(
      new StartImageScanCommand({ repositoryName: "promise/outcome", imageId: { imageDigest: digest } })
    )
    await emulator.clock.advance(600_000)
    const after = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName: "promise/outcome", imageId: { imageDigest: digest } })
    )
    expect(after.imageScanStatus?.status).toBe("FAILED")
  })

  it("sets an image's findings from a Trivy report with setFindingsFromReport", async () => {
    const digest = await pushImage(client, "promise/trivy", 3)
    const trivy = JSON.parse(
      Fs.readFileSync(new URL("../../core/test/fixtures/trivy-report.json", import.meta.url), "utf8")
    )
    await emulator.setFindingsFromReport(digest, trivy, { repositoryName: "promise/trivy" })
    await client.send(
      new StartImageScanCommand({ repositoryName: "promise/trivy", imageId: { imageDigest: digest } })
    )
    await emulator.clock.advance(600_000)
    const after = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName: "promise/trivy", imageId: { imageDigest: digest } })
    )
    expect(after.imageScanFindings?.findings?.map((f) => f.name).sort()).toEqual(
      trivy.Results.flatMap((r: any) => r.Vulnerabilities ?? []).map((v: any) => v.VulnerabilityID).sort()
    )
    expect(after.imageScanFindings?.findings?.find((f) => f.name === "CVE-2024-2511")?.attributes).toEqual(
      expect.arrayContaining([{ key: "package_name", value: "libssl3" }, {
        key: "fixed_in_version",
        value: "3.1.4-r6"
      }])
    )
  })

  it("sets the virtual clock to an instant", async () => {
    const target = new Date(Date.parse(T0) + 30 * 86_400_000)
    expect(await emulator.clock.set(target)).toEqual(target)
    expect(await emulator.clock.set(target.toISOString())).toEqual(target)
    expect(await emulator.clock.set(target.getTime())).toEqual(target)
    expect(await emulator.clock.now()).toEqual(target)
  })

  it("plans faults the SDK receives, and clearFaults cancels them", async () => {
    await emulator.planFault({ operation: "DescribeRepositories" })
    const server = await rejection(client.send(new DescribeRepositoriesCommand({})))
    expect(server.name).toBe("ServerException")
    expect(server.$metadata.httpStatusCode).toBe(500)
    // Used up: the next call succeeds.
    await client.send(new DescribeRepositoriesCommand({}))

    await emulator.planFault({
      operation: "DescribeImages",
      error: "ThrottlingException",
      message: "Slow down",
      count: 5
    })
    const throttled = await rejection(client.send(new DescribeImagesCommand({ repositoryName: "promise/scan" })))
    expect(throttled.name).toBe("ThrottlingException")
    expect(throttled.message).toBe("Slow down")
    await emulator.clearFaults()
    await client.send(new DescribeImagesCommand({ repositoryName: "promise/scan" }))
  })

  it("rejects what a control cannot use with an EmulatorError that says why", async () => {
    const plan = await rejection(emulator.planFault({ operation: "StartImageScann" }))
    expect(plan).toBeInstanceOf(EmulatorError)
    expect(plan.reason).toBe("InvalidArgument")
    expect(plan.message).toBe("planFault: unknown operation 'StartImageScann'")

    const wrongError = await rejection(
      emulator.planFault({ operation: "CreateRepository", error: "ImageNotFoundException" })
    )
    expect(wrongError.message).toMatch(/^planFault: ImageNotFoundException is not an error of CreateRepository/)

    const duration = await rejection(emulator.clock.advance("soon"))
    expect(duration).toMatchObject({ name: "EmulatorError", reason: "InvalidArgument" })
    expect(duration.message).toMatch(/^clock\.advance: not a duration: 'soon'/)
    expect((await rejection(emulator.clock.advance(-5))).reason).toBe("InvalidArgument")

    const instant = await rejection(emulator.clock.set("the day after tomorrow"))
    expect(instant.message).toBe("clock.set: not an instant: the day after tomorrow")

    const outcome = await rejection(emulator.setScanOutcome("sha256:abc", "MAYBE" as any))
    expect(outcome.reason).toBe("InvalidArgument")
    expect(outcome.message).toMatch(/^setScanOutcome: /)

    const findings = await rejection(emulator.setFindings("sha256:abc", [{ severity: "DIRE" as any }]))
    expect(findings.reason).toBe("InvalidArgument")
    expect(findings.message).toMatch(/^setFindings: /)

    const report = await rejection(emulator.setFindingsFromReport("sha256:abc", { matches: "none" }))
    expect(report.reason).toBe("InvalidArgument")
    expect(report.message).toMatch(/^setFindingsFromReport: Not a Grype JSON report:\n/)

    const account = await rejection(emulator.quota({ account: "999999999999" }))
    expect(account.reason).toBe("UnknownAccount")
    expect(account.message).toBe("quota: no account '999999999999' in this emulator (accounts: 123456789012)")

    const snapshot = await rejection(emulator.importState({ version: 2 } as any))
    expect(snapshot.reason).toBe("InvalidArgument")
  })

  it("reset empties the registry and leaves the clock where it is", async () => {
    const before = await emulator.clock.now()
    expect((await client.send(new DescribeRepositoriesCommand({}))).repositories?.length).toBeGreaterThan(0)
    await emulator.reset()
    expect((await client.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([])
    expect(await emulator.quota()).toMatchObject({ used: 0 })
    expect(await emulator.clock.now()).toEqual(before)
  })
})

describe("stopping", () => {
  it("closes the port; stopping again is harmless; the controls then reject", async () => {
    const emulator = await startEmulator()
    const client = clientOf(emulator)
    await client.send(new CreateRepositoryCommand({ repositoryName: "promise/stop" }))
    await emulator.stop()
    await emulator.stop()
    await Promise.all([emulator.stop(), emulator.stop()])
    expect(await connect(emulator.port)).toBe("ECONNREFUSED")
    const stopped = await rejection(emulator.clock.now())
    expect(stopped).toBeInstanceOf(EmulatorError)
    expect(stopped.reason).toBe("Stopped")
    expect((await rejection(emulator.reset())).reason).toBe("Stopped")
  })

  it("stops at the end of an `await using` block", async () => {
    let port = 0
    {
      await using emulator = await startEmulator()
      port = emulator.port
      expect(await connect(port)).toBe("connected")
    }
    expect(await connect(port)).toBe("ECONNREFUSED")
  })
})

describe("several emulators", () => {
  it("run side by side on their own ports, each with its own registry and clock", async () => {
    const a = await startEmulator({ startTime: T0 })
    const b = await startEmulator({ startTime: T0 })
    try {
      expect(a.port).not.toBe(b.port)
      await pushImage(clientOf(a), "only/in-a", 3)
      expect((await clientOf(b).send(new DescribeRepositoriesCommand({}))).repositories).toEqual([])
      await a.clock.advance("2 days")
      expect((await a.clock.now()).toISOString()).toBe("2026-01-03T00:00:00.000Z")
      expect((await b.clock.now()).toISOString()).toBe(T0)

      // One's state, exported, imported into the other.
      await b.importState(await a.exportState())
      const names = (await clientOf(b).send(new DescribeRepositoriesCommand({}))).repositories?.map((r) =>
        r.repositoryName
      )
      expect(names).toEqual(["only/in-a"])
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it("a port in use rejects the second start with StartFailed", async () => {
    const first = await startEmulator()
    try {
      const error = await rejection(startEmulator({ port: first.port }))
      expect(error).toBeInstanceOf(EmulatorError)
      expect(error.reason).toBe("StartFailed")
      expect(error.message).toBe(
        `startEmulator: cannot listen on 127.0.0.1:${first.port}: the port is already in use (EADDRINUSE)`
      )
      // The first is unharmed.
      expect(await connect(first.port)).toBe("connected")
    } finally {
      await first.stop()
    }
  })
})

describe("state directory", () => {
  it("a second emulator on the same directory resumes the registry and the virtual clock", async () => {
    const stateDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ecr-scan-promise-"))
    try {
      const first = await startEmulator({ stateDir, startTime: T0 })
      const digest = await pushImage(clientOf(first), "durable/app", 4)
      await first.setFindings(digest, [finding])
      await clientOf(first).send(
        new StartImageScanCommand({ repositoryName: "durable/app", imageId: { imageTag: "v1" } })
      )
      const stoppedAt = await first.clock.advance("1 hour")
      await first.stop()

      // Its start time is ignored: the directory's clock wins.
      const second = await startEmulator({ stateDir, startTime: "2030-01-01T00:00:00Z" })
      try {
        expect(await second.clock.now()).toEqual(stoppedAt)
        const found = await clientOf(second).send(
          new DescribeImageScanFindingsCommand({ repositoryName: "durable/app", imageId: { imageTag: "v1" } })
        )
        expect(found.imageScanStatus?.status).toBe("COMPLETE")
        expect(found.imageScanFindings?.findings).toEqual([finding])
        expect(await second.quota()).toMatchObject({ used: 1 })
      } finally {
        await second.stop()
      }
    } finally {
      Fs.rmSync(stateDir, { recursive: true, force: true })
    }
  })
})

describe("options", () => {
  const refused = async (options: any) => {
    const error = await rejection(startEmulator(options))
    expect(error).toBeInstanceOf(EmulatorError)
    expect(error.reason).toBe("InvalidOptions")
    return error.message as string
  }

  it("refuses options it cannot use, saying which and why", async () => {
    expect(await refused({ startTime: "yesterday" })).toBe("startEmulator: startTime: not an instant")
    expect(await refused({ clock: "sideways" })).toBe(`startEmulator: clock: must be "virtual" or "real", not sideways`)
    expect(await refused({ scanDuration: "8s..3s" })).toBe(
      "startEmulator: scanDuration: the longest scan is shorter than the shortest: '8s..3s'"
    )
    expect(await refused({ scanDuration: { min: "1s", max: "a while" } })).toMatch(
      /^startEmulator: scanDuration: not a duration: 'a while'/
    )
    expect(await refused({ port: 70_000 })).toBe("startEmulator: port: must be an integer from 0 to 65535, not 70000")
    expect(await refused({ clok: "virtual" })).toMatch(/^startEmulator: unknown option 'clok' \(options: port, host,/)
    expect(await refused({ host: "0.0.0.0" })).toBe(
      "startEmulator: host 0.0.0.0: refusing to listen beyond loopback without authentication; " +
        "use auth (SigV4 credentials), or allowOpen to let in anyone who can reach the port"
    )
    expect(await refused({ limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 } })).toBe(
      "startEmulator: limits.headersTimeoutMs: must not exceed limits.requestTimeoutMs"
    )
    expect(await refused({ accountId: "42" })).toBe("startEmulator: accountId must be 12 digits, got '42'")
    expect(await refused({ auth: { credentials: [] } })).toMatch(/^startEmulator: auth\.credentials: /)
  })

  it("runs on the real clock when asked, and refuses to move it", async () => {
    const emulator = await startEmulator({ clock: "real" })
    try {
      expect(emulator.clock.mode).toBe("real")
      const now = await emulator.clock.now()
      expect(Math.abs(now.getTime() - Date.now())).toBeLessThan(60_000)
      const error = await rejection(emulator.clock.advance("1h"))
      expect(error.reason).toBe("RealClock")
      expect(error.message).toBe(`clock.advance: the emulator runs on the real clock; start it with clock: "virtual"`)
    } finally {
      await emulator.stop()
    }
  })

  it("with auth, serves each account's own registry, and the controls take an account", async () => {
    const credentials = [
      { accessKeyId: "AKIAPROMISEA", secretAccessKey: "secret-a", accountId: "111111111111" },
      { accessKeyId: "AKIAPROMISEB", secretAccessKey: "secret-b", accountId: "222222222222" }
    ]
    const emulator = await startEmulator({ auth: { credentials }, region: "eu-west-1" })
    try {
      expect(emulator.accounts).toEqual(["111111111111", "222222222222"])
      expect(emulator.accountId).toBe("111111111111")
      expect(emulator.credentials).toEqual({ accessKeyId: "AKIAPROMISEA", secretAccessKey: "secret-a" })
      expect(emulator.adminToken).toMatch(/^[0-9a-f]{32}$/)
      const a = clientOf(emulator)
      const b = new ECRClient({
        ...emulator.clientConfig,
        credentials: { accessKeyId: "AKIAPROMISEB", secretAccessKey: "secret-b" },
        maxAttempts: 1
      })
      clients.push(b)
      await a.send(new CreateRepositoryCommand({ repositoryName: "mine" }))
      await emulator.planFault({ operation: "DescribeRepositories" }, { account: "222222222222" })
      expect((await a.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual(
        ["mine"]
      )
      expect((await rejection(b.send(new DescribeRepositoriesCommand({})))).name).toBe("ServerException")
      expect((await b.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([])
      const unsigned = new ECRClient({
        ...emulator.clientConfig,
        credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "y" },
        maxAttempts: 1
      })
      clients.push(unsigned)
      expect((await rejection(unsigned.send(new DescribeRepositoriesCommand({})))).name).toBe(
        "UnrecognizedClientException"
      )
      // Only account B is reset.
      await emulator.reset({ account: "222222222222" })
      expect((await a.send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1)
    } finally {
      await emulator.stop()
    }
  })
})
