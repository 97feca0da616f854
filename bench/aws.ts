/**
 * `npm run bench:aws`: what the AWS backend costs on top of the SDK. StartImageScan through
 * `AwsBackend.layer` (validation, the fiber's abort signal, decoding: the defaults) against the raw
 * `client.send(new StartImageScanCommand(...))` of the same request on a plain `ECRClient`, both
 * through the SDK's whole pipeline: serialisation, endpoint resolution, SigV4 signing, the retry
 * middleware and parsing all run. Each client's request handler answers in memory with a canned
 * `IN_PROGRESS` reply (a `Readable` of the body bytes, as node's http handler gives the SDK a stream):
 * no socket. Two more series, for reference: the raw call with a fresh `AbortSignal` (what cancellation
 * alone costs in the SDK), and the backend with a tracer installed. The backend series runs under
 * Effect's built-in tracer, which keeps no spans, so the backend makes none there; the traced one
 * installs a minimal tracer (its spans are made, annotated and ended, then dropped: no exporter), so
 * what the span `ECR.StartImageScan` costs stays in the figures.
 *
 * Calls are sequential (one in flight). Each round runs the same number of calls in every series, in
 * chunks whose order alternates (raw, signal, backend, traced, then the reverse, ...) so drift and
 * bursts of load from elsewhere fall on all alike; a minor GC before each chunk empties the young
 * generation, so each series pays for the collections its own garbage causes. Each chunk gives a
 * per-call time (wall clock, and this process's CPU time beside it); a series' figure is the median
 * over all its chunks (robust to the bursts of a shared machine), and `overhead` is backend / raw − 1
 * of the wall-clock medians. The median of the ratios of neighbouring chunks, and each round's totals,
 * are reported beside it.
 *
 * Prints a table and writes `bench/results/aws.json`. Never part of the tests. `BENCH_QUICK=1` runs a
 * small version (for working on the benchmark itself; writes `aws.quick.json`). `BENCH_PROFILE=1` then
 * profiles the raw and backend series alone (the inspector's CPU profiler, in this process), writes the
 * profiles to `bench/results/profiles/` and prints where each one's CPU time went, by category.
 *
 * @since 0.1.0
 */
import { ECRClient, type ECRClientConfig, StartImageScanCommand } from "@aws-sdk/client-ecr"
import { AwsBackend } from "@ecr-scan/aws-backend"
import { ImageScanner, type ImageScannerService } from "@ecr-scan/core"
import type { HttpHandler } from "@smithy/core/protocols"
import { HttpResponse } from "@smithy/core/transport"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { mkdirSync, writeFileSync } from "node:fs"
import * as inspector from "node:inspector/promises"
import { Readable } from "node:stream"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import * as Machine from "./machine.js"
import { makeTracer } from "./tracer.js"

// The SDK's warning about Node 20 says nothing about the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
const quick = process.env.BENCH_QUICK === "1"
const profiling = process.env.BENCH_PROFILE === "1"
/** Calls per series in each timed round. */
const CALLS = quick ? 4_000 : 20_000
/** Calls in one chunk (a series' share of a round runs in CALLS / CHUNK chunks). */
const CHUNK = quick ? 500 : 1_000
/** Timed rounds (each runs every series). */
const ROUNDS = quick ? 3 : 6
/** Calls per series before timing starts. */
const WARMUP_CALLS = quick ? 2_000 : 10_000
/** No new round starts after this much wall time (the run stays bounded on a slow or busy machine). */
const BUDGET_S = quick ? 60 : 240
/** At least this many rounds count, whatever the budget says. */
const MIN_ROUNDS = 3
const TARGET = { overhead: { max: 0.2 } } as const

const ACCOUNT = "123456789012"
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`
const REQUEST = { repositoryName: "team/app", imageId: { imageDigest: DIGEST } }
const REPLY = Buffer.from(JSON.stringify({
  registryId: ACCOUNT,
  repositoryName: "team/app",
  imageId: { imageDigest: DIGEST },
  imageScanStatus: { status: "IN_PROGRESS" }
}))
const REPLY_HEADERS = {
  "content-type": "application/x-amz-json-1.1",
  "content-length": String(REPLY.length),
  "x-amzn-requestid": "0b7c1b3e-5f4a-4a8e-9d3c-2e1f0a9b8c7d"
}

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`)
const started = performance.now()
const elapsedSeconds = () => (performance.now() - started) / 1000

/** V8's `gc`, without `--expose-gc` on the command line: a full GC, or a minor one (the young generation). */
const gc: (options?: { readonly type: "minor" | "major" }) => void = (() => {
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
})()

/** The request handler: a fresh stream of the canned reply for every request, and a count. */
class InMemoryHandler implements HttpHandler {
  calls = 0
  handle(): Promise<{ response: HttpResponse }> {
    this.calls++
    return Promise.resolve({
      response: new HttpResponse({ statusCode: 200, headers: { ...REPLY_HEADERS }, body: Readable.from([REPLY]) })
    })
  }
  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): {} {
    return {}
  }
  destroy(): void {}
}

const clientConfig = (requestHandler: InMemoryHandler): ECRClientConfig => ({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  requestHandler
})

/** `calls` raw SDK calls, one at a time. */
const rawBatch = async (client: ECRClient, calls: number): Promise<void> => {
  for (let i = 0; i < calls; i++) {
    await client.send(new StartImageScanCommand(REQUEST))
  }
}

/** `calls` raw SDK calls, one at a time, each with an abort signal of its own (never aborted). */
const signalBatch = async (client: ECRClient, calls: number): Promise<void> => {
  for (let i = 0; i < calls; i++) {
    await client.send(new StartImageScanCommand(REQUEST), { abortSignal: new AbortController().signal })
  }
}

/** `calls` StartImageScan calls through the backend's port, in one Effect program. */
const backendBatch = (scanner: ImageScannerService, calls: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < calls; i++) {
      yield* scanner.startImageScan(REQUEST)
    }
  })

// -------------------------------------------------------------------------------------------------
// Measurement

/** Time for some calls: wall clock and this process's CPU time (all threads), in µs. */
interface Spent {
  readonly wall_us: number
  readonly cpu_us: number
}

const SERIES = ["raw", "signal", "backend", "traced"] as const
type Series = (typeof SERIES)[number]
type PerSeries = { readonly [S in Series]: Spent }

/** Runs `batch` after a minor GC and measures it. */
const measure = async (batch: () => Promise<unknown>): Promise<Spent> => {
  gc({ type: "minor" })
  const cpu = process.cpuUsage()
  const start = performance.now()
  await batch()
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { wall_us: wall * 1000, cpu_us: used.user + used.system }
}

const perCall = (spent: Spent, calls: number): Spent => ({
  wall_us: spent.wall_us / calls,
  cpu_us: spent.cpu_us / calls
})

// -------------------------------------------------------------------------------------------------
// Profiles

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string }
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** The category of a sampled function: whose code it is. */
const category = ({ functionName, url }: ProfileNode["callFrame"]): string => {
  if (functionName === "(garbage collector)") return "GC"
  if (functionName === "(idle)" || functionName === "(program)" || functionName === "(root)") return "idle / VM"
  if (/effect\/dist\/.*(ParseResult|Schema)/.test(url)) return "Effect Schema (response decode)"
  if (/effect\/dist\/.*internal\/tracer/.test(url) || /Span|randomHexString/.test(functionName)) {
    return "Effect spans"
  }
  if (url.includes("/effect/dist/")) return "Effect runtime (fibers, async, scheduler)"
  if (url.includes("/packages/core/")) return "core (request validation)"
  if (url.includes("/packages/aws-backend/")) return "aws-backend"
  if (url.includes("abort_controller") || url.includes("event_target")) return "AbortSignal / EventTarget"
  if (url.includes("@smithy/") || url.includes("@aws-sdk/")) return "SDK (@smithy, @aws-sdk)"
  if (url.includes("/bench/")) return "benchmark loop"
  return "Node and V8 (streams, crypto, promises, ...)"
}

/** Shares of the busy (not idle) samples, by category, largest first. */
const categories = (profile: CpuProfile): Array<{ readonly name: string; readonly percent: number }> => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map<string, number>()
  let busy = 0
  profile.samples.forEach((id, i) => {
    const name = category(byId.get(id)!.callFrame)
    if (name === "idle / VM") return
    const delta = profile.timeDeltas[i] ?? 0
    busy += delta
    totals.set(name, (totals.get(name) ?? 0) + delta)
  })
  return [...totals]
    .map(([name, time]) => ({ name, percent: (time / busy) * 100 }))
    .sort((a, b) => b.percent - a.percent)
}

/** Runs `batch` under the CPU profiler. */
const profile = async (batch: () => Promise<unknown>): Promise<CpuProfile> => {
  const session = new inspector.Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 200 })
    await session.post("Profiler.start")
    await batch()
    const { profile } = await session.post("Profiler.stop")
    return profile as unknown as CpuProfile
  } finally {
    session.disconnect()
  }
}

// -------------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
const signed = (n: number, digits = 1) => `${n >= 0 ? "+" : ""}${fmt(n, digits)}`
const percent = (fraction: number, digits = 1) => `${signed(fraction * 100, digits)} %`

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows
    .map((r) => `  ${r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("   ")}`)
    .join("\n")
}

const main = async () => {
  const machine = Machine.describe()
  log(Machine.summary(machine))

  const handlers = {
    raw: new InMemoryHandler(),
    signal: new InMemoryHandler(),
    backend: new InMemoryHandler(),
    traced: new InMemoryHandler()
  }
  const rawClient = new ECRClient(clientConfig(handlers.raw))
  const signalClient = new ECRClient(clientConfig(handlers.signal))
  const runtime = ManagedRuntime.make(AwsBackend.layer(clientConfig(handlers.backend)))
  const scanner = await runtime.runPromise(ImageScanner)
  const tracedRuntime = ManagedRuntime.make(AwsBackend.layer(clientConfig(handlers.traced)))
  const tracedScanner = await tracedRuntime.runPromise(ImageScanner)
  const tracing = makeTracer()

  // All answer the same, through the whole pipeline.
  const replies = [
    await rawClient.send(new StartImageScanCommand(REQUEST)),
    await signalClient.send(new StartImageScanCommand(REQUEST), { abortSignal: new AbortController().signal }),
    await runtime.runPromise(scanner.startImageScan(REQUEST)),
    await tracedRuntime.runPromise(Effect.withTracer(tracedScanner.startImageScan(REQUEST), tracing.tracer))
  ]
  if (replies.some((reply) => reply.imageScanStatus?.status !== "IN_PROGRESS")) {
    throw new Error(`unexpected replies: ${JSON.stringify(replies)}`)
  }

  const run: { readonly [S in Series]: (calls: number) => Promise<void> } = {
    raw: (calls) => rawBatch(rawClient, calls),
    signal: (calls) => signalBatch(signalClient, calls),
    backend: (calls) => runtime.runPromise(backendBatch(scanner, calls)),
    traced: (calls) => tracedRuntime.runPromise(Effect.withTracer(backendBatch(tracedScanner, calls), tracing.tracer))
  }

  log(`warm-up: ${WARMUP_CALLS} calls of each series ...`)
  for (let i = 0; i < 2; i++) {
    for (const series of SERIES) await run[series](WARMUP_CALLS / 2)
  }

  log(`${ROUNDS} rounds of ${CALLS} calls per series, in chunks of ${CHUNK} (budget ${BUDGET_S} s) ...`)
  const rounds: Array<PerSeries> = []
  const chunks: Array<PerSeries> = []
  for (let r = 0; r < ROUNDS; r++) {
    if (r >= MIN_ROUNDS && elapsedSeconds() > BUDGET_S) {
      log(`budget spent after ${r} rounds`)
      break
    }
    gc()
    const roundChunks: Array<PerSeries> = []
    for (let c = 0; c < CALLS / CHUNK; c++) {
      // raw, signal, backend, traced, then traced, backend, signal, raw, ...
      const order = c % 2 === 0 ? SERIES : [...SERIES].reverse()
      const spent: Partial<Record<Series, Spent>> = {}
      for (const series of order) spent[series] = perCall(await measure(() => run[series](CHUNK)), CHUNK)
      roundChunks.push(spent as PerSeries)
    }
    chunks.push(...roundChunks)
    const total = (series: Series): Spent => ({
      wall_us: roundChunks.reduce((sum, chunk) => sum + chunk[series].wall_us, 0) / roundChunks.length,
      cpu_us: roundChunks.reduce((sum, chunk) => sum + chunk[series].cpu_us, 0) / roundChunks.length
    })
    const round: PerSeries = {
      raw: total("raw"),
      signal: total("signal"),
      backend: total("backend"),
      traced: total("traced")
    }
    rounds.push(round)
    log(
      `round ${r + 1}: raw ${fmt(round.raw.wall_us)} µs, raw with a signal ${fmt(round.signal.wall_us)} µs, ` +
        `backend ${fmt(round.backend.wall_us)} µs (${percent(round.backend.wall_us / round.raw.wall_us - 1)}), ` +
        `traced ${fmt(round.traced.wall_us)} µs (${percent(round.traced.wall_us / round.raw.wall_us - 1)}) ` +
        `(${elapsedSeconds().toFixed(0)} s)`
    )
  }

  let profiles:
    | { readonly raw: ReturnType<typeof categories>; readonly backend: ReturnType<typeof categories> }
    | undefined
  if (profiling) {
    log(`profiling ${CALLS} calls of the raw and the backend series, each alone ...`)
    const dir = fileURLToPath(new URL("../results/profiles/", import.meta.url))
    mkdirSync(dir, { recursive: true })
    const rawProfile = await profile(() => run.raw(CALLS))
    const backendProfile = await profile(() => run.backend(CALLS))
    writeFileSync(`${dir}aws-raw.cpuprofile`, JSON.stringify(rawProfile))
    writeFileSync(`${dir}aws-backend.cpuprofile`, JSON.stringify(backendProfile))
    profiles = { raw: categories(rawProfile), backend: categories(backendProfile) }
    log(`wrote ${dir}aws-raw.cpuprofile and aws-backend.cpuprofile`)
  }
  await runtime.dispose()
  await tracedRuntime.dispose()
  rawClient.destroy()
  signalClient.destroy()

  // Every call reached its handler exactly once: nothing was retried or short-circuited.
  const timed = rounds.length * CALLS
  const expected = {
    raw: 1 + WARMUP_CALLS + timed,
    signal: 1 + WARMUP_CALLS + timed,
    backend: 1 + WARMUP_CALLS + timed,
    traced: 1 + WARMUP_CALLS + timed
  }
  if (profiling) {
    expected.raw += CALLS
    expected.backend += CALLS
  }
  for (const series of SERIES) {
    if (handlers[series].calls !== expected[series]) {
      throw new Error(`${series}: expected ${expected[series]} requests, the handler saw ${handlers[series].calls}`)
    }
  }
  // And every traced call made its span.
  if (tracing.spans() !== expected.traced) {
    throw new Error(`traced: expected ${expected.traced} spans, the tracer made ${tracing.spans()}`)
  }

  const perCallUs = (series: Series, key: keyof Spent) => Machine.median(chunks.map((chunk) => chunk[series][key]))
  const figures = (key: keyof Spent) => ({
    raw: perCallUs("raw", key),
    signal: perCallUs("signal", key),
    backend: perCallUs("backend", key),
    traced: perCallUs("traced", key)
  })
  const wall = figures("wall_us")
  const cpu = figures("cpu_us")
  const overhead = wall.backend / wall.raw - 1
  const signalOverhead = wall.signal / wall.raw - 1
  const cpuOverhead = cpu.backend / cpu.raw - 1
  const tracedOverhead = wall.traced / wall.raw - 1
  const pairedOverhead = Machine.median(chunks.map((chunk) => chunk.backend.wall_us / chunk.raw.wall_us)) - 1
  const roundOverheads = rounds.map((round) => round.backend.wall_us / round.raw.wall_us - 1)
  const met = overhead <= TARGET.overhead.max
  const loadAtEnd = Machine.loadAverage()

  const lines = [
    "",
    `aws benchmark — node ${process.version}, ${machine.cpu} x ${machine.cpus}, ${new Date().toISOString()}`,
    "",
    "StartImageScan through the SDK's whole pipeline, request handler answering in memory (no socket), one call",
    `in flight; ${rounds.length} rounds x ${fmt(CALLS, 0)} calls per series, medians of ${chunks.length} chunks ` +
    `of ${fmt(CHUNK, 0)} calls`,
    "",
    table([
      ["", "wall µs/call", "vs raw", "CPU µs/call", "vs raw"],
      ["raw client.send(new StartImageScanCommand(...))", fmt(wall.raw), "", fmt(cpu.raw), ""],
      [
        "  the same with an AbortSignal per call (reference)",
        fmt(wall.signal),
        percent(signalOverhead),
        fmt(cpu.signal),
        percent(cpu.signal / cpu.raw - 1)
      ],
      [
        "AwsBackend.layer, ImageScanner.startImageScan",
        fmt(wall.backend),
        percent(overhead),
        fmt(cpu.backend),
        percent(cpuOverhead)
      ],
      [
        "  the same with a tracer installed (reference)",
        fmt(wall.traced),
        percent(tracedOverhead),
        fmt(cpu.traced),
        percent(cpu.traced / cpu.raw - 1)
      ]
    ]),
    "",
    `  overhead ${fmt(overhead * 100)} %, target <= ${TARGET.overhead.max * 100} %: ${met ? "met" : "MISSED"}`,
    `  (median of neighbouring chunks' ratios ${percent(pairedOverhead)}; rounds: ${
      roundOverheads.map((o) => percent(o, 0)).join(", ")
    })`,
    `  load average ${machine.load_average_at_start.join(" ")} at start, ${loadAtEnd.join(" ")} at end ` +
    `(${machine.cpus} CPUs)`,
    ""
  ]
  if (profiles !== undefined) {
    const names = [...new Set([...profiles.backend, ...profiles.raw].map((c) => c.name))]
    const share = (list: ReturnType<typeof categories>, name: string) =>
      `${fmt(list.find((c) => c.name === name)?.percent ?? 0)} %`
    lines.push(
      "where each series' CPU time went (self time by category, share of the busy samples, each series alone):",
      table([
        ["", "raw", "backend"],
        ...names.map((name) => [name, share(profiles!.raw, name), share(profiles!.backend, name)])
      ]),
      ""
    )
  }
  process.stdout.write(lines.join("\n") + "\n")

  const json = {
    overhead,
    target: TARGET,
    target_met: met,
    per_call_us: {
      backend: wall.backend,
      raw: wall.raw,
      raw_with_abort_signal: wall.signal,
      backend_with_tracer: wall.traced
    },
    calls_per_s: {
      backend: 1e6 / wall.backend,
      raw: 1e6 / wall.raw,
      raw_with_abort_signal: 1e6 / wall.signal,
      backend_with_tracer: 1e6 / wall.traced
    },
    abort_signal_overhead: signalOverhead,
    tracer_overhead: tracedOverhead,
    cpu: {
      overhead: cpuOverhead,
      per_call_us: {
        backend: cpu.backend,
        raw: cpu.raw,
        raw_with_abort_signal: cpu.signal,
        backend_with_tracer: cpu.traced
      }
    },
    paired_chunk_overhead: pairedOverhead,
    round_overheads: roundOverheads,
    rounds,
    calls_per_round: CALLS,
    chunk: CHUNK,
    chunks_per_series: chunks.length,
    warmup_calls: WARMUP_CALLS,
    setup: {
      raw: "new ECRClient(config); await client.send(new StartImageScanCommand(request)) in a loop",
      raw_with_abort_signal: "the same, with { abortSignal: new AbortController().signal } per call",
      backend: "AwsBackend.layer(config) (abort signal on: the defaults; under Effect's built-in tracer, which " +
        "keeps no spans, the backend makes none); yield* scanner.startImageScan(request) in a loop in one Effect " +
        "program per chunk",
      backend_with_tracer: "the same on a client of its own, the program run with Effect.withTracer(tracer): a " +
        "minimal Tracer.make whose spans keep their attributes and status and are dropped when ended",
      config: "region us-east-1, static credentials, default retries; a request handler answering every request " +
        "in memory with HTTP 200 and a Readable of a canned IN_PROGRESS reply",
      order: `chunks of ${CHUNK} calls, order alternating (raw, signal, backend, traced / the reverse); ` +
        "a minor GC before each chunk, a full GC before each round; per-call figures are medians over the chunks"
    },
    ...(profiles === undefined ? {} : { profile_categories_percent: profiles }),
    quick,
    node: process.version,
    date: new Date().toISOString(),
    machine: { ...machine, load_average_at_end: loadAtEnd },
    wall_seconds: Number(elapsedSeconds().toFixed(1))
  }
  const out = fileURLToPath(new URL(`../results/aws${quick ? ".quick" : ""}.json`, import.meta.url))
  mkdirSync(fileURLToPath(new URL("../results/", import.meta.url)), { recursive: true })
  writeFileSync(out, JSON.stringify(json, null, 2) + "\n")
  log(`wrote ${out} (${elapsedSeconds().toFixed(0)} s)`)
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
