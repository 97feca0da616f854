/**
 * `ecr-scan events tail` against a real emulator started in-process (`startEmulator`, the Promise API, on its
 * virtual clock), run in-process, and as the bin where the process matters (SIGINT, the end of stdin): the
 * events of a push and a scan as JSON equal to what `GET /_ecr-scan/events` returns, and as text; events as
 * they happen, filtered by an EventBridge pattern; a dropped connection taken up again from `Last-Event-ID`;
 * a refused connection (255); options and pattern files it cannot use (252, before any connection); an
 * endpoint with no event stream (254).
 *
 * Between the CLI and the emulator, where a test needs it, a loopback proxy of the stream records each request
 * and tells when a stream has started (its first bytes), so that a test acts once the CLI is listening, with
 * no sleep.
 */
import { type RunningEmulator, startEmulator } from "@ecr-scan/emulator"
import { spawn } from "node:child_process"
import { createServer as createHttpServer, request as httpRequest } from "node:http"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { digestOf, imageManifest } from "../support/emulator.js"
import { freePort } from "../support/motoServer.js"
import { ecrCall } from "../support/wire.js"
import { BIN, BUILT, cliEnv, ecrScan, expectNoTrace, linesOf, worlds } from "./support.js"

const START = "2026-01-01T00:00:00.000Z"

const emulators: Array<RunningEmulator> = []
const stops: Array<() => Promise<void>> = []
afterAll(async () => {
  await Promise.all([...stops.map((stop) => stop()), ...emulators.map((e) => e.stop())])
})

/** An emulator of this file's own, on the virtual clock from START, scans taking 5 s. */
const emulator = async () => {
  const started = await startEmulator({ startTime: START, scanDuration: "5s", seed: "tail" })
  emulators.push(started)
  return started
}

/** A repository `name` with image `n` pushed as `v1` and scanned (StartImageScan), not yet complete. */
const pushAndScan = async (e: RunningEmulator, name: string, n: number) => {
  const manifest = imageManifest(n)
  await ecrCall(e.endpoint, "CreateRepository", { repositoryName: name })
  await ecrCall(e.endpoint, "PutImage", { repositoryName: name, imageManifest: manifest, imageTag: "v1" })
  await ecrCall(e.endpoint, "StartImageScan", { repositoryName: name, imageId: { imageTag: "v1" } })
  return digestOf(manifest)
}

/** What `GET /_ecr-scan/events` returns. */
const logged = async (e: RunningEmulator): Promise<Array<unknown>> => {
  const response = await fetch(`${e.endpoint}/_ecr-scan/events`)
  expect(response.status).toBe(200)
  return ((await response.json()) as { events: Array<unknown> }).events
}

/** A request the proxy forwarded. */
interface Forwarded {
  readonly url: string
  readonly lastEventId: string | undefined
}

/**
 * A loopback proxy to the emulator's endpoints: records each request; `started(n)` resolves when the `n`th
 * stream has sent its first bytes; with `dropFirstAfterOneEvent`, the first stream is cut right after its
 * first event (returned by `firstId()`).
 */
const proxy = async (target: string, options: { readonly dropFirstAfterOneEvent?: boolean } = {}) => {
  const requests: Array<Forwarded> = []
  const waiting: Array<{ readonly n: number; readonly resolve: () => void }> = []
  let streams = 0
  let firstId: string | undefined
  const server = createHttpServer((req, res) => {
    const index = requests.length
    const header = req.headers["last-event-id"]
    requests.push({ url: req.url ?? "", lastEventId: typeof header === "string" ? header : undefined })
    const upstream = httpRequest(`${target}${req.url ?? "/"}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      let seen = ""
      let first = true
      let cut = false
      up.on("data", (chunk: Buffer) => {
        if (cut) return
        if (first) {
          first = false
          streams++
          for (const w of waiting.filter((w) => w.n <= streams)) w.resolve()
        }
        if (options.dropFirstAfterOneEvent === true && index === 0) {
          seen += chunk.toString("utf8")
          const data = seen.indexOf("data:")
          const end = data < 0 ? -1 : seen.indexOf("\n\n", data)
          if (end < 0) return
          firstId = /(?:^|\n)id: ?(\S+)/.exec(seen.slice(0, end))?.[1]
          cut = true
          res.write(seen.slice(0, end + 2), () => res.socket?.destroy())
          up.destroy()
          return
        }
        res.write(chunk)
      })
      up.on("end", () => res.end())
      up.on("error", () => res.destroy())
    })
    upstream.on("error", () => res.destroy())
    req.on("close", () => upstream.destroy())
    upstream.end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  stops.push(() =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  )
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    firstId: () => firstId,
    started: (n: number) =>
      new Promise<void>((resolve) => {
        if (streams >= n) resolve()
        else waiting.push({ n, resolve })
      })
  }
}

const tail = (endpoint: string, ...rest: Array<string>) => ["events", "tail", "--endpoint-url", endpoint, ...rest]

describe.concurrent("events tail against the emulator", () => {
  const { file } = worlds()

  it("--max-events 2 --output json: the push and the scan, each exactly the JSON GET /_ecr-scan/events returns", async () => {
    const e = await emulator()
    await pushAndScan(e, "tail/json", 1)
    await e.clock.advance("10 minutes")
    const finished = await ecrScan(tail(e.endpoint, "--since", "0", "--max-events", "2", "--output", "json"))
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    const lines = finished.stdout.split("\n")
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe("")
    const printed = lines.slice(0, 2).map((line) => JSON.parse(line))
    const events = await logged(e)
    expect(printed).toEqual(events)
    expect(printed.map((event) => event["detail-type"])).toEqual(["ECR Image Action", "ECR Image Scan"])
    expect(printed[1].detail["scan-status"]).toBe("COMPLETE")
    // The JSON as the emulator sent it: AWS's key order.
    expect(Object.keys(printed[0])).toEqual([
      "version",
      "id",
      "detail-type",
      "source",
      "account",
      "time",
      "region",
      "resources",
      "detail"
    ])
    expect((await e.events()).events).toEqual(printed)
  })

  it("--output text (the default): a line per event with its time, detail-type, image and status", async () => {
    const e = await emulator()
    const digest = await pushAndScan(e, "tail/text", 2)
    await e.setFindings(digest, [
      { name: "CVE-2026-0001", severity: "CRITICAL" },
      { name: "CVE-2026-0002", severity: "HIGH" }
    ])
    await e.clock.advance("10 minutes")
    const finished = await ecrScan(tail(e.endpoint, "--since", "0", "--max-events", "2"))
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(linesOf(finished.stdout)).toEqual([
      `2026-01-01T00:00:00Z  ECR Image Action PUSH tail/text:v1 (${digest.slice(0, 19)})`,
      `2026-01-01T00:00:05Z  ECR Image Scan tail/text:v1 (${digest.slice(0, 19)}) -> COMPLETE {"CRITICAL":1,"HIGH":1}`
    ])
  })

  it("prints events as they happen, and --pattern keeps those its EventBridge pattern matches", async () => {
    const e = await emulator()
    const via = await proxy(e.endpoint)
    const pattern = await file(
      "scans.json",
      JSON.stringify({
        source: ["aws.ecr"],
        "detail-type": ["ECR Image Scan"],
        detail: { "scan-status": ["COMPLETE"] }
      })
    )
    const running = ecrScan(tail(via.endpoint, "--pattern", pattern, "--max-events", "1", "--output", "json"))
    await via.started(1)
    await pushAndScan(e, "tail/live", 3)
    await e.clock.advance("10 minutes")
    const finished = await running
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    const [scan] = (await logged(e)).filter((event: any) => event["detail-type"] === "ECR Image Scan")
    expect(linesOf(finished.stdout).map((line) => JSON.parse(line))).toEqual([scan])
    // Live: no cursor asked for.
    expect(via.requests[0]?.url).toBe("/_ecr-scan/events/stream")
  })

  it("takes up a dropped connection where it stopped, with Last-Event-ID", async () => {
    const e = await emulator()
    await pushAndScan(e, "tail/drop", 4)
    await e.clock.advance("10 minutes")
    const via = await proxy(e.endpoint, { dropFirstAfterOneEvent: true })
    const finished = await ecrScan(tail(via.endpoint, "--since", "0", "--max-events", "2", "--output", "json"))
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(linesOf(finished.stdout).map((line) => JSON.parse(line))).toEqual(await logged(e))
    expect(via.firstId()).toMatch(/^\d+$/)
    expect(via.requests).toEqual([
      { url: "/_ecr-scan/events/stream?since=0", lastEventId: undefined },
      { url: "/_ecr-scan/events/stream", lastEventId: via.firstId() }
    ])
  })

  it("--account: the stream of that account", async () => {
    const e = await emulator()
    const via = await proxy(e.endpoint)
    await pushAndScan(e, "tail/account", 5)
    const finished = await ecrScan(
      tail(via.endpoint, "--account", e.accountId, "--since", "0", "--max-events", "1", "--output", "json")
    )
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(finished.stdout).account).toBe(e.accountId)
    expect(via.requests[0]?.url).toBe(`/_ecr-scan/events/stream?account=${e.accountId}&since=0`)
  })
})

describe.concurrent("events tail that cannot run", () => {
  const { file } = worlds()

  it("a refused connection: exit 255, Could not connect to the endpoint URL, as the other commands", async () => {
    const port = await freePort()
    const endpoint = `http://127.0.0.1:${port}`
    const finished = await ecrScan(tail(endpoint))
    expect(finished).toMatchObject({ code: 255, stdout: "" })
    expect(finished.stderr).toBe(`\nCould not connect to the endpoint URL: "${endpoint}"\n`)
  })

  it("a bad --pattern file, or a bad option, exits 252 before connecting", async () => {
    // A server that counts connections: none may come.
    let connections = 0
    const server = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const notAPattern = await file("not-a-pattern.json", JSON.stringify({ "detail-type": "ECR Image Scan" }))
    const notJson = await file("not-json.json", "{\"source\": [")
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [
        ["--pattern", notAPattern],
        `ecr-scan: error: --pattern ${notAPattern}: Event pattern: "detail-type" must be an array of values or matchers`
      ],
      [["--pattern", notJson], `ecr-scan: error: --pattern ${notJson}: Event pattern is not valid JSON: `],
      [["--pattern", `${notJson}.missing`], `ecr-scan: error: --pattern: cannot read ${notJson}.missing: `],
      [["--account", "abc"], "ecr-scan: error: --account: an account id is 12 digits, got \"abc\""],
      [
        ["--since", "yesterday"],
        "ecr-scan: error: --since: a cursor is the id of an event (digits), got \"yesterday\""
      ],
      [["--max-events", "0"], "ecr-scan: error: --max-events: must be at least 1, got 0"]
    ]
    const results = await Promise.all(cases.map(([args]) => ecrScan(tail(endpoint, ...args))))
    for (const [i, finished] of results.entries()) {
      expect(finished).toMatchObject({ code: 252, stdout: "" })
      expect(linesOf(finished.stderr)[0]).toContain(cases[i]![1])
      expectNoTrace(finished.stderr)
    }
    const notHttp = await ecrScan(tail("ftp://127.0.0.1:21"))
    expect(notHttp).toMatchObject({ code: 252, stdout: "" })
    expect(linesOf(notHttp.stderr)).toEqual([
      "ecr-scan: error: --endpoint-url: not an http:// or https:// URL: \"ftp://127.0.0.1:21\""
    ])
    const noEndpoint = await ecrScan(["events", "tail"])
    expect(noEndpoint.code).toBe(252)
    expect(connections).toBe(0)
  })

  it("an endpoint with no event stream: exit 254 with what it answered", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "No such control endpoint" }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const finished = await ecrScan(tail(endpoint))
    expect(finished).toMatchObject({ code: 254, stdout: "" })
    expect(finished.stderr).toBe(
      `\nThe endpoint answered 404 Not Found to GET ${endpoint}/_ecr-scan/events/stream: No such control endpoint\n`
    )
  })
})

describe.concurrent("events tail reads a stream however it comes", () => {
  it("CRLF line ends, one byte at a time, comments, data on several lines; an event that is not JSON is skipped with a warning", async () => {
    const event = (id: number, tag: string) =>
      JSON.stringify({
        version: "0",
        id: `00000000-0000-4000-8000-00000000000${id}`,
        "detail-type": "ECR Image Action",
        source: "aws.ecr",
        account: "123456789012",
        time: "2026-01-01T00:00:00Z",
        region: "us-east-1",
        resources: [],
        detail: {
          result: "SUCCESS",
          "repository-name": "a/b",
          "image-digest": `sha256:${"a".repeat(64)}`,
          "action-type": "PUSH",
          "image-tag": tag
        }
      })
    const body = [
      ": hello\r\n\r\n",
      `id: 1\r\nevent: ECR Image Action\r\ndata: ${event(1, "one")}\r\n\r\n`,
      "id: 2\r\ndata: not json\r\n\r\n",
      `id: 3\ndata: ${event(3, "three").replace(",\"source\"", "\ndata: ,\"source\"")}\n\n`,
      ": keep-alive\r\r"
    ].join("")
    // A stream written a byte at a time (each its own chunk), after which it stays open.
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" })
      const bytes = Buffer.from(body, "utf8")
      let i = 0
      const next = () => {
        if (i >= bytes.length) return
        res.write(bytes.subarray(i, i + 1), next)
        i++
      }
      next()
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    stops.push(() =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    )
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const [json, text] = await Promise.all([
      ecrScan(tail(endpoint, "--max-events", "2", "--output", "json")),
      ecrScan(tail(endpoint, "--max-events", "2"))
    ])
    expect(json.code).toBe(0)
    expect(json.stderr).toBe("ecr-scan: warning: skipped event 2: its data is not JSON\n")
    // Data on several lines is printed as one line of JSON.
    expect(json.stdout).toBe(`${event(1, "one")}\n${event(3, "three")}\n`)
    expect(text.code).toBe(0)
    expect(linesOf(text.stdout)).toEqual([
      `2026-01-01T00:00:00Z  ECR Image Action PUSH a/b:one (sha256:${"a".repeat(12)})`,
      `2026-01-01T00:00:00Z  ECR Image Action PUSH a/b:three (sha256:${"a".repeat(12)})`
    ])
  })
})

/**
 * The bin, following `endpoint` with its stdin a pipe this test holds: its exit and what it printed, and
 * `printed(n)`, which resolves once it has printed `n` lines (or when it ends).
 */
const spawnTail = (endpoint: string) => {
  const child = spawn(process.execPath, [BIN, ...tail(endpoint, "--output", "json")], {
    env: cliEnv(),
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const waiting: Array<{ readonly n: number; readonly resolve: () => void }> = []
  const lines = () => stdout.split("\n").length - 1
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
    for (const w of waiting.filter((w) => w.n <= lines())) w.resolve()
  })
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  // Bounded: killed if it has not ended in 30 s.
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) =>
      child.on("close", (code, signal) => {
        clearTimeout(timer)
        for (const w of waiting) w.resolve()
        resolve({ code, signal, stdout, stderr })
      })
  )
  const printed = (n: number) =>
    new Promise<void>((resolve) => {
      if (lines() >= n) resolve()
      else waiting.push({ n, resolve })
    })
  return { child, ended, printed }
}

describe.concurrent("events tail as a process", () => {
  beforeAll(async () => {
    const { existsSync } = await import("node:fs")
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build first (npm run build)`)
  })

  it("ends cleanly on SIGINT: exit 0, the events so far printed", async () => {
    const e = await emulator()
    const via = await proxy(e.endpoint)
    const { child, ended, printed } = spawnTail(via.endpoint)
    await via.started(1)
    await ecrCall(e.endpoint, "CreateRepository", { repositoryName: "tail/sigint" })
    await ecrCall(e.endpoint, "PutImage", {
      repositoryName: "tail/sigint",
      imageManifest: imageManifest(6),
      imageTag: "v1"
    })
    await printed(1)
    child.kill("SIGINT")
    const finished = await ended
    expect(finished).toMatchObject({ code: 0, signal: null, stderr: "" })
    expect(linesOf(finished.stdout).map((line) => JSON.parse(line))).toEqual(await logged(e))
  })

  it("ends cleanly when its stdin closes: exit 0", async () => {
    const e = await emulator()
    const via = await proxy(e.endpoint)
    const { child, ended } = spawnTail(via.endpoint)
    await via.started(1)
    child.stdin.end()
    expect(await ended).toEqual({ code: 0, signal: null, stdout: "", stderr: "" })
  })
})
