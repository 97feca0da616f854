/**
 * `npm run bench:soak`: the emulator under 10 minutes (`SOAK_SECONDS` to shorten) of mixed traffic from
 * 16 concurrent clients, against a child emulator with `--clock virtual --quiet`, its clock jumped 2 h
 * forward every 5 s through `POST /_ecr-scan/clock/advance` (so scans complete, per-image windows
 * reopen and the account quota's 24 h window rolls over, about every minute).
 *
 * Each client owns a repository and a ring of at most 200 images: it pushes new images (PutImage of a
 * manifest never pushed before), deleting its oldest image first once the ring is full
 * (BatchDeleteImage), and starts scans (StartImageScan), reads findings (DescribeImageScanFindings)
 * and describes images (DescribeImages) of images in its ring; one request in ten is invalid (bad JSON,
 * an unknown operation, a bad repository name, a wrong type). The registry thus holds at most
 * 16 × 200 live images, whatever the duration: the memory it needs is bounded, and any growth of the
 * emulator's memory beyond the bound is a leak (of deleted images, of scans, of the quota's log, of
 * connections).
 *
 * The bound: the emulator's RSS (`/proc/<pid>/status`, sampled every 2 s) saws up and down by 50 MiB
 * and more as V8 lets garbage pile up between major collections, so one reading against another says
 * little. Peaks are compared instead: the highest RSS of the last quarter of the run may exceed the
 * highest RSS of the quarter after the warm-up (the warm-up: the first 15% of the run, at least 10 s,
 * every ring full by then) by at most max(64 MiB, 25%). A leak raises every peak; V8's sawtooth does
 * not. The live images and the size of the exported state are reported after the warm-up and at the
 * end, to show the registry itself stays bounded.
 *
 * Reports requests/s, p50/p99 latency (from the write of a request to the last byte of its reply, in
 * this process: 16 keep-alive connections, one request in flight on each), the emulator's memory and
 * CPU, and replies by status and error type; prints a table and writes `bench/results/soak.json`.
 * Never part of the tests. Run it when nothing else heavy runs: the load average and the CPU the rest
 * of the machine used are in the results.
 *
 * @since 0.1.0
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import { fileURLToPath } from "node:url"
import * as Fixtures from "./fixtures.js"
import * as Processes from "./http/processes.js"
import * as Requests from "./http/requests.js"
import * as Machine from "./machine.js"

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
/** A shortened run writes beside the full run's figures (`soak.quick.json`, not committed), never over them. */
const RESULT_FILE = `soak${SECONDS < 600 ? ".quick" : ""}.json`
const CLIENTS = 16
const RING = 200
const JUMP_EVERY_MS = 5_000
const JUMP = "2h"
const SAMPLE_EVERY_MS = 2_000
const LOG_EVERY_MS = 10_000
const WARMUP_MS = Math.max(10_000, 0.15 * SECONDS * 1000)
const BOUND_MIB = 64
const BOUND_FRACTION = 0.25
const HOST = "127.0.0.1"
/** Latency samples kept (enough for 10 minutes at 13,000 requests/s). */
const MAX_SAMPLES = 8_000_000

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const EMULATOR_MAIN = process.env.BENCH_EMULATOR_MAIN ?? here("../../packages/emulator/dist/main.js")
const RESULTS = here("../results/")

const began = performance.now()
const log = (text: string) =>
  process.stderr.write(`[soak] ${text} (${((performance.now() - began) / 1000).toFixed(0)} s)\n`)
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a"

/** Resident memory of a process in bytes, from `/proc/<pid>/status`; NaN where it cannot be read. */
const rssBytes = (pid: number): number => {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? NaN : Number(match[1]) * 1024
  } catch {
    return NaN
  }
}

const MIB = 1024 * 1024

// -------------------------------------------------------------------------------------------------
// A keep-alive connection with one request in flight

interface Reply {
  readonly status: number
  readonly body: string
}

const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i

const openConnection = (port: number) =>
  new Promise<{ exchange: (bytes: Buffer) => Promise<Reply>; close: () => void }>((resolve, reject) => {
    const socket = net.connect({ host: HOST, port, noDelay: true })
    let buffer: Buffer | null = null
    let waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer === null ? chunk : Buffer.concat([buffer, chunk])
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0 || waiting === undefined) return
      const head = buffer.toString("latin1", 0, end)
      const length = CONTENT_LENGTH.exec(head)
      if (length === null) return waiting.reject(new Error(`a reply without content-length: ${head}`))
      const total = end + 4 + Number(length[1])
      if (buffer.length < total) return
      const reply = { status: Number(head.slice(9, 12)), body: buffer.toString("utf8", end + 4, total) }
      buffer = buffer.length === total ? null : buffer.subarray(total)
      const w = waiting
      waiting = undefined
      w.resolve(reply)
    })
    socket.on("error", () => {
      // the close says it
    })
    socket.on("close", () => {
      const w = waiting
      waiting = undefined
      w?.reject(new Error("the emulator closed the connection"))
    })
    socket.once("error", reject)
    socket.once("connect", () =>
      resolve({
        exchange: (bytes) =>
          new Promise<Reply>((done, fail) => {
            waiting = { resolve: done, reject: fail }
            socket.write(bytes)
          }),
        close: () => socket.destroy()
      }))
  })

// -------------------------------------------------------------------------------------------------
// The traffic

interface Totals {
  requests: number
  /** Replies by operation, then by `200` or `<status> <__type>`. */
  readonly byTag: Map<string, number>
  readonly latencies: Float64Array
  samples: number
  /** Replies that are not well-formed AWS replies, and exchanges that failed. */
  unexpected: number
  readonly unexpectedSamples: Array<string>
}

const INVALID: ReadonlyArray<readonly [string, string]> = [
  ["StartImageScan", "{\"repositoryName\": "],
  ["NoSuchOperation", "{}"],
  ["DescribeImages", JSON.stringify({ repositoryName: "Not A Name!" })],
  ["DescribeImageScanFindings", JSON.stringify({ repositoryName: "soak/x", imageId: "v1" })],
  ["PutImage", JSON.stringify({ repositoryName: "soak/x", imageManifest: 5 })]
]

const tagOf = (reply: Reply): string | undefined => {
  if (reply.status === 200) return "200"
  try {
    const json = JSON.parse(reply.body) as { __type?: unknown; message?: unknown }
    if (typeof json.__type === "string" && typeof json.message === "string") return `${reply.status} ${json.__type}`
  } catch {
    // not JSON: unexpected
  }
  return undefined
}

/** One client: its repository, its ring of images, its loop until `deadline`. */
const client = async (port: number, index: number, deadline: number, totals: Totals) => {
  // A seeded generator (mulberry32) per client.
  const random = Fixtures.makeRandom(0x50a6 + index).next
  const repositoryName = `soak/client-${index}`
  const ring: Array<{ readonly n: number; readonly digest: string }> = []
  let pushed = 0
  let connection = await openConnection(port)
  const call = async (operation: string, body: string, count = true) => {
    const bytes = Requests.build(HOST, port, operation, body)
    const sent = performance.now()
    let reply: Reply
    try {
      reply = await connection.exchange(bytes)
    } catch (error) {
      totals.unexpected += 1
      if (totals.unexpectedSamples.length < 10) totals.unexpectedSamples.push(`${operation}: ${String(error)}`)
      connection.close()
      connection = await openConnection(port)
      return undefined
    }
    const ms = performance.now() - sent
    if (!count) return reply
    totals.requests += 1
    if (totals.samples < totals.latencies.length) totals.latencies[totals.samples++] = ms
    const tag = tagOf(reply)
    if (tag === undefined || reply.status >= 500) {
      totals.unexpected += 1
      if (totals.unexpectedSamples.length < 10) {
        totals.unexpectedSamples.push(`${operation}: ${reply.status} ${reply.body.slice(0, 200)}`)
      }
    }
    const key = `${operation} ${tag ?? `${reply.status} (not an AWS reply)`}`
    totals.byTag.set(key, (totals.byTag.get(key) ?? 0) + 1)
    return reply
  }
  await call("CreateRepository", JSON.stringify({ repositoryName }), false)
  const imageOf = (n: number) => Fixtures.manifest(index * 100_000_000 + n, 0x50a6)
  const push = async () => {
    if (ring.length >= RING) {
      const oldest = ring.shift()!
      await call("BatchDeleteImage", JSON.stringify({ repositoryName, imageIds: [{ imageDigest: oldest.digest }] }))
    }
    const n = pushed++
    const manifest = imageOf(n)
    const reply = await call("PutImage", JSON.stringify({ repositoryName, imageManifest: manifest, imageTag: `t${n}` }))
    if (reply?.status === 200) {
      const digest =
        (JSON.parse(reply.body) as { image: { imageId: { imageDigest: string } } }).image.imageId.imageDigest
      ring.push({ n, digest })
    }
  }
  const anyImage = () => ring[Math.floor(random() * ring.length)]
  const imageId = (image: { readonly n: number; readonly digest: string }) =>
    random() < 0.5 ? { imageDigest: image.digest } : { imageTag: `t${image.n}` }
  while (performance.now() < deadline) {
    const roll = random()
    if (ring.length === 0 || roll < 0.2) await push()
    else if (roll < 0.45) await call("StartImageScan", JSON.stringify({ repositoryName, imageId: imageId(anyImage()) }))
    else if (roll < 0.7) {
      await call("DescribeImageScanFindings", JSON.stringify({ repositoryName, imageId: imageId(anyImage()) }))
    } else if (roll < 0.9) {
      await call("DescribeImages", JSON.stringify({ repositoryName, imageIds: [imageId(anyImage())] }))
    } else {
      const [operation, body] = INVALID[Math.floor(random() * INVALID.length)]
      await call(operation, body)
    }
  }
  connection.close()
}

// -------------------------------------------------------------------------------------------------

interface Sample {
  readonly at_s: number
  readonly rss_mib: number
  readonly requests: number
  readonly emulator_cpu_ms: number
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]

const stateBytes = async (baseUrl: string) => {
  const response = await fetch(`${baseUrl}/_ecr-scan/state`, { signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  const state = JSON.parse(text) as { repositories?: ReadonlyArray<{ images?: ReadonlyArray<unknown> }> }
  const images = (state.repositories ?? []).reduce((sum, r) => sum + (r.images?.length ?? 0), 0)
  return { bytes: Buffer.byteLength(text), images }
}

const main = async () => {
  const machine = { ...Machine.describe(), node: process.version }
  log(Machine.summary(machine))
  const emulator = Processes.start("emulator", process.execPath, [
    EMULATOR_MAIN,
    "--port",
    "0",
    "--clock",
    "virtual",
    "--quiet",
    "--start-time",
    "2026-01-01T00:00:00Z"
  ])
  const timers: Array<NodeJS.Timeout> = []
  try {
    const listening = await emulator.waitForLine(/listening on http:\/\/([\d.]+):(\d+)/, 30_000)
    const port = Number(listening[2])
    const baseUrl = `http://${HOST}:${port}`
    const rssAtStart = rssBytes(emulator.pid)
    log(`emulator pid ${emulator.pid} on ${baseUrl}, RSS ${fmt(rssAtStart / MIB, 1)} MiB; ${SECONDS} s of traffic`)

    const totals: Totals = {
      requests: 0,
      byTag: new Map(),
      latencies: new Float64Array(MAX_SAMPLES),
      samples: 0,
      unexpected: 0,
      unexpectedSamples: []
    }
    const start = performance.now()
    const deadline = start + SECONDS * 1000
    const machineBusyAtStart = Processes.machineBusyMillis()
    const emulatorCpuAtStart = Processes.cpuMillis(emulator.pid)
    const benchCpuAtStart = process.cpuUsage()

    let jumps = 0
    let jumpFailures = 0
    const jump = async () => {
      try {
        const response = await fetch(`${baseUrl}/_ecr-scan/clock/advance`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ duration: JUMP }),
          signal: AbortSignal.timeout(10_000)
        })
        await response.text()
        if (response.ok) jumps += 1
        else jumpFailures += 1
      } catch {
        jumpFailures += 1
      }
    }
    timers.push(setInterval(() => void jump(), JUMP_EVERY_MS))

    const samples: Array<Sample> = []
    const sample = () => {
      const s = {
        at_s: Number(((performance.now() - start) / 1000).toFixed(1)),
        rss_mib: Number((rssBytes(emulator.pid) / MIB).toFixed(1)),
        requests: totals.requests,
        emulator_cpu_ms: Processes.cpuMillis(emulator.pid) - emulatorCpuAtStart
      }
      samples.push(s)
      if (samples.length % (LOG_EVERY_MS / SAMPLE_EVERY_MS) === 0) {
        log(`${s.at_s} s: ${fmt(s.requests)} requests, emulator RSS ${fmt(s.rss_mib, 1)} MiB`)
      }
    }
    timers.push(setInterval(sample, SAMPLE_EVERY_MS))

    let warm: { rss: number; at_s: number; requests: number; state: { bytes: number; images: number } } | undefined
    timers.push(setTimeout(() => {
      void stateBytes(baseUrl).then((state) => {
        warm = {
          rss: rssBytes(emulator.pid),
          at_s: Number(((performance.now() - start) / 1000).toFixed(1)),
          requests: totals.requests,
          state
        }
        log(
          `end of warm-up: RSS ${fmt(warm.rss / MIB, 1)} MiB, ${state.images} images, state ${fmt(state.bytes)} bytes`
        )
      })
    }, WARMUP_MS))

    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(port, i, deadline, totals)))
    const seconds = (performance.now() - start) / 1000
    for (const timer of timers) clearInterval(timer)
    sample()
    const emulatorCpu = Processes.cpuMillis(emulator.pid) - emulatorCpuAtStart
    const benchUsage = process.cpuUsage(benchCpuAtStart)
    const machineBusy = Processes.machineBusyMillis() - machineBusyAtStart
    const benchCpu = (benchUsage.user + benchUsage.system) / 1000
    const rssEnd = rssBytes(emulator.pid)
    const stateEnd = await stateBytes(baseUrl)
    const alive = emulator.process.exitCode === null && emulator.process.signalCode === null

    const latencies = totals.latencies.subarray(0, totals.samples).sort()
    const warmAt = warm?.at_s ?? WARMUP_MS / 1000
    const peakOf = (from: number, to: number) =>
      Math.max(...samples.filter((x) => x.at_s >= from && x.at_s <= to).map((x) => x.rss_mib)) * MIB
    const baseline = peakOf(warmAt, warmAt + (seconds - warmAt) / 4)
    const finalPeak = peakOf(seconds - (seconds - warmAt) / 4, seconds + 1)
    const allowed = Math.max(BOUND_MIB * MIB, BOUND_FRACTION * baseline)
    const growth = finalPeak - baseline
    const withinBound = Number.isFinite(growth) && growth <= allowed
    const maxRss = Math.max(...samples.map((s) => s.rss_mib))
    const errorsByTag: Record<string, number> = {}
    for (const [key, count] of [...totals.byTag.entries()].sort((a, b) => b[1] - a[1])) errorsByTag[key] = count

    const result = {
      date: new Date().toISOString(),
      machine,
      load_average_at_end: Machine.loadAverage(),
      config: {
        seconds: SECONDS,
        clients: CLIENTS,
        images_per_client: RING,
        clock_jump: `${JUMP} every ${JUMP_EVERY_MS / 1000} s`,
        warmup_s: WARMUP_MS / 1000,
        emulator: "--clock virtual --quiet"
      },
      seconds: Number(seconds.toFixed(1)),
      requests: totals.requests,
      requests_per_s: Number((totals.requests / seconds).toFixed(0)),
      p50_ms: Number(percentile(latencies, 0.5).toFixed(3)),
      p99_ms: Number(percentile(latencies, 0.99).toFixed(3)),
      max_ms: Number((latencies[latencies.length - 1] ?? NaN).toFixed(1)),
      clock_jumps: jumps,
      clock_jump_failures: jumpFailures,
      memory: {
        rss_at_start_mib: Number((rssAtStart / MIB).toFixed(1)),
        rss_after_warmup_mib: Number(((warm?.rss ?? NaN) / MIB).toFixed(1)),
        rss_at_end_mib: Number((rssEnd / MIB).toFixed(1)),
        rss_max_mib: maxRss,
        peak_rss_after_warmup_mib: Number((baseline / MIB).toFixed(1)),
        peak_rss_last_quarter_mib: Number((finalPeak / MIB).toFixed(1)),
        peak_growth_mib: Number((growth / MIB).toFixed(1)),
        bound_mib: Number((allowed / MIB).toFixed(1)),
        within_bound: withinBound,
        state_after_warmup: warm?.state,
        state_at_end: stateEnd
      },
      cpu: {
        emulator_pct: Number((100 * emulatorCpu / (seconds * 1000)).toFixed(1)),
        emulator_us_per_request: Number((1000 * emulatorCpu / totals.requests).toFixed(1)),
        soak_clients_pct: Number((100 * benchCpu / (seconds * 1000)).toFixed(1)),
        rest_of_machine_pct: Number((100 * (machineBusy - emulatorCpu - benchCpu) / (seconds * 1000)).toFixed(1))
      },
      emulator_alive_at_end: alive,
      unexpected: totals.unexpected,
      unexpected_samples: totals.unexpectedSamples,
      replies_by_operation_and_tag: errorsByTag,
      samples
    }
    mkdirSync(RESULTS, { recursive: true })
    writeFileSync(`${RESULTS}${RESULT_FILE}`, `${JSON.stringify(result, null, 2)}\n`)

    const rows: Array<[string, string]> = [
      [
        "duration",
        `${fmt(seconds, 1)} s, ${CLIENTS} clients, clock +${JUMP} every ${JUMP_EVERY_MS / 1000} s (${jumps})`
      ],
      ["requests", `${fmt(totals.requests)} (${fmt(result.requests_per_s)} /s)`],
      ["latency", `p50 ${fmt(result.p50_ms, 2)} ms, p99 ${fmt(result.p99_ms, 2)} ms, max ${fmt(result.max_ms, 1)} ms`],
      [
        "emulator RSS",
        `start ${fmt(result.memory.rss_at_start_mib, 1)} MiB, after warm-up (${warm?.at_s ?? "?"} s) ${
          fmt(result.memory.rss_after_warmup_mib, 1)
        } MiB, end ${fmt(result.memory.rss_at_end_mib, 1)} MiB, max ${fmt(maxRss, 1)} MiB`
      ],
      [
        "RSS peaks",
        `${fmt(result.memory.peak_rss_after_warmup_mib, 1)} MiB in the quarter after warm-up, ${
          fmt(result.memory.peak_rss_last_quarter_mib, 1)
        } MiB in the last quarter: ${fmt(result.memory.peak_growth_mib, 1)} MiB more, bound ${
          fmt(result.memory.bound_mib, 1)
        } MiB: ${withinBound ? "within" : "EXCEEDED"}`
      ],
      [
        "state",
        `after warm-up ${warm?.state.images ?? "?"} images / ${
          fmt(warm?.state.bytes ?? NaN)
        } bytes, end ${stateEnd.images} images / ${fmt(stateEnd.bytes)} bytes`
      ],
      [
        "CPU",
        `emulator ${result.cpu.emulator_pct} % (${result.cpu.emulator_us_per_request} µs/request), clients ${result.cpu.soak_clients_pct} %, rest of machine ${result.cpu.rest_of_machine_pct} %`
      ],
      [
        "load average",
        `${machine.load_average_at_start.join(" ")} at start, ${result.load_average_at_end.join(" ")} at end`
      ],
      ["unexpected", `${totals.unexpected} (5xx, malformed replies, failed exchanges); emulator alive: ${alive}`]
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    const tagWidth = Math.max(...Object.keys(errorsByTag).map((k) => k.length))
    process.stdout.write(
      `\nemulator soak — node ${process.version}, ${machine.cpu} x ${machine.cpus}, ${result.date}\n\n` +
        rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") +
        "\n\nreplies by operation and tag\n" +
        Object.entries(errorsByTag).map(([k, v]) => `  ${k.padEnd(tagWidth)}  ${fmt(v).padStart(10)}`).join("\n") +
        (totals.unexpectedSamples.length > 0 ? `\n\nunexpected:\n  ${totals.unexpectedSamples.join("\n  ")}` : "") +
        `\n\nwritten to bench/results/${RESULT_FILE}\n`
    )
    if (!withinBound || !alive || totals.unexpected > 0) process.exitCode = 1
  } finally {
    for (const timer of timers) clearInterval(timer)
    await Processes.stop(emulator, 10_000)
  }
}

process.on("exit", Processes.killAllSync)
main().catch(async (error) => {
  process.stderr.write(`[soak] failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  await Processes.stopAll()
  process.exitCode = 1
})
