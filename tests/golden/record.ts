/**
 * Records the golden corpus (tests/golden/corpus.jsonl): starts an emulator built from the REFERENCE
 * code as a subprocess, plays the sequence of corpus.ts against it one request at a time, and writes
 * every request with the exact reply it got. Golden.test.ts then replays the file against the working
 * tree and requires byte-identical replies.
 *
 * The corpus is the reference behaviour: record it only against the code whose behaviour is meant to be
 * kept (a clean, built checkout of the commit before a refactor), never against work in progress, or the
 * test will hold the new code to whatever the work in progress did.
 *
 * Re-record (from the repository root; the reference checkout must be built, `npm run build` there):
 *
 *   GOLDEN_EMULATOR=/path/to/reference/packages/emulator/dist/main.js npx vite-node tests/golden/record.ts
 *
 * Check that the committed corpus still replays against a reference (writes nothing):
 *
 *   GOLDEN_MODE=verify GOLDEN_EMULATOR=/path/to/reference/packages/emulator/dist/main.js \
 *     npx vite-node tests/golden/record.ts
 *
 * GOLDEN_REFERENCE overrides the label written in the corpus header (by default the reference checkout's
 * commit, marked "-dirty" when it has uncommitted changes).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { corpus } from "./corpus.js"
import {
  agent,
  describeMismatches,
  emulatorArgs,
  encodeStep,
  type GoldenHeader,
  type GoldenReply,
  type GoldenRequest,
  parseCorpus,
  RECORDING,
  replay,
  send,
  TARGET_PREFIX
} from "./exchange.js"

const HERE = Path.dirname(fileURLToPath(import.meta.url))
const CORPUS = Path.join(HERE, "corpus.jsonl")
/** A bound on the sequence, whatever corpus.ts does: it aims at a few thousand steps. */
const MAX_STEPS = 20_000
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

const fail = (message: string): never => {
  console.error(`record: ${message}`)
  process.exit(1)
}

/** Starts `main.js` with the recording's flags and resolves with its address once it says where it listens. */
const startEmulator = (main: string): Promise<{ child: ChildProcess; endpoint: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...emulatorArgs], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the emulator did not say where it listens within ${START_TIMEOUT_MS} ms:\n${out}${err}`))
    }, START_TIMEOUT_MS)
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")))
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8")
      const address = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (address !== null) {
        clearTimeout(timer)
        resolve({ child, endpoint: address[1] })
      }
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited (${code ?? signal}) before listening:\n${out}${err}`))
    })
  })

/** Stops the emulator this script started, by its pid, and waits for it to exit. */
const stopEmulator = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    process.kill(child.pid!, "SIGTERM")
  })

/** The reference's commit, as far as git knows it. */
const referenceLabel = (main: string) => {
  if (process.env.GOLDEN_REFERENCE !== undefined) return process.env.GOLDEN_REFERENCE
  const dir = Path.dirname(main)
  try {
    const commit = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim()
    const dirty = execFileSync("git", ["-C", dir, "status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8"
    }).trim()
    return `${commit}${dirty === "" ? "" : "-dirty"}`
  } catch {
    return "unknown"
  }
}

/** What a step exercised, for the coverage table: the operation, control endpoint or protocol case. */
const subjectOf = (request: GoldenRequest) => {
  const target = request.headers["x-amz-target"]
  const standard = request.method === "POST" && request.path === "/" && target?.startsWith(TARGET_PREFIX) &&
    request.headers["content-type"] === "application/x-amz-json-1.1" && Object.keys(request.headers).length === 2
  if (standard && target!.length > TARGET_PREFIX.length) return target!.slice(TARGET_PREFIX.length)
  if (request.path.startsWith("/_ecr-scan")) return `control ${request.method} ${request.path.split("?")[0]}`
  return "protocol"
}

const outcomeOf = (reply: GoldenReply) => `${reply.status}${reply.errorType === undefined ? "" : ` ${reply.errorType}`}`

const printCoverage = (rows: ReadonlyArray<{ request: GoldenRequest; reply: GoldenReply }>) => {
  const table = new Map<string, Map<string, number>>()
  for (const { reply, request } of rows) {
    const subject = subjectOf(request)
    const outcomes = table.get(subject) ?? new Map<string, number>()
    outcomes.set(outcomeOf(reply), (outcomes.get(outcomeOf(reply)) ?? 0) + 1)
    table.set(subject, outcomes)
  }
  for (const [subject, outcomes] of [...table].sort(([a], [b]) => a.localeCompare(b))) {
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0)
    const list = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([o, n]) => `${o} x${n}`).join(", ")
    console.log(`${subject} (${total}): ${list}`)
  }
}

const record = async (main: string) => {
  const { child, endpoint } = await startEmulator(main)
  const httpAgent = agent()
  const lines: Array<string> = []
  const rows: Array<{ request: GoldenRequest; reply: GoldenReply }> = []
  try {
    const sequence = corpus()
    let next = sequence.next()
    while (!next.done) {
      if (lines.length >= MAX_STEPS) throw new Error(`the sequence is longer than ${MAX_STEPS} steps`)
      const request = next.value
      const reply = await send(endpoint, httpAgent, request)
      lines.push(encodeStep({ step: lines.length, request, reply }))
      rows.push({ request, reply })
      next = sequence.next(reply)
    }
  } finally {
    httpAgent.destroy()
    await stopEmulator(child)
  }
  const header: GoldenHeader = {
    golden: "ecr-scan",
    format: 1,
    recording: RECORDING,
    emulatorArgs,
    steps: lines.length,
    reference: referenceLabel(main)
  }
  const text = `${[JSON.stringify(header), ...lines].join("\n")}\n`
  const temporary = `${CORPUS}.tmp`
  Fs.writeFileSync(temporary, text)
  Fs.renameSync(temporary, CORPUS)
  printCoverage(rows)
  console.log(
    `\nwrote ${CORPUS}: ${lines.length} steps, ${Buffer.byteLength(text)} bytes, reference ${header.reference}`
  )
}

const verify = async (main: string) => {
  const { steps } = parseCorpus(Fs.readFileSync(CORPUS, "utf8"))
  const { child, endpoint } = await startEmulator(main)
  // Stopped before any verdict: `fail` exits the process.
  const { mismatches, replayed } = await replay(endpoint, steps).finally(() => stopEmulator(child))
  if (mismatches.length > 0) fail(describeMismatches(mismatches, replayed, steps.length))
  console.log(`all ${replayed} steps of ${CORPUS} replay identically against ${main}`)
}

const main = process.env.GOLDEN_EMULATOR ??
  fail("set GOLDEN_EMULATOR to the reference's packages/emulator/dist/main.js (see the top of this file)")
if (!Fs.existsSync(main)) fail(`no such file: ${main} (is the reference checkout built?)`)
const mode = process.env.GOLDEN_MODE ?? "record"
if (mode !== "record" && mode !== "verify") fail(`GOLDEN_MODE must be record or verify, not ${mode}`)
await (mode === "record" ? record(main) : verify(main)).catch((error: unknown) =>
  fail(error instanceof Error ? error.stack ?? error.message : String(error))
)
