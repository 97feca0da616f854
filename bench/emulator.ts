/**
 * `npm run bench:emulator`: StartImageScan over HTTP with exactly 16 requests in flight, in one run
 * and side by side, against
 *
 * - the emulator (`packages/emulator/dist/main.js --port 0`, a child process): in its default
 *   configuration (real clock, one log line per request on its stdout, read by this process), and with
 *   `--clock virtual --quiet`;
 * - moto's server (`python3 -m moto.server`), its images put with boto3 by `moto_server_setup.py`;
 * - the floor: a bare `node:http` server answering every request with a fixed body;
 * - and, beside them, the JS SDK (`@aws-sdk/client-ecr`'s `StartImageScanCommand`, 16 calls in flight)
 *   against the emulator in its default configuration.
 *
 * The raw load comes from another child process (`http/loadgen.ts`): 16 keep-alive sockets, one request
 * in flight on each, pre-built awsJson1_1 request bytes, one distinct image per request, a warm-up of
 * 1 s, then a fixed window; latency is from the write of a request to the last byte of its reply. Each
 * image is scanned once, so every call to the emulator is an accepted scan: it gets 99,000 images, under
 * its account quota of 100,000 scans a day, and its window closes early if they run out.
 *
 * Prints a table and writes `bench/results/emulator.json`. Never part of the tests. `BENCH_QUICK=1`
 * runs a small version (writes `emulator.quick.json`); `BENCH_PROFILE=1` also runs the default
 * emulator under `node --cpu-prof` (into `bench/results/profiles/`) and prints where its CPU went
 * during the measured window. `BENCH_EMULATOR_MAIN=/path/to/main.js` measures another build of the
 * emulator (to try a fix without touching `packages/`).
 *
 * @since 0.1.0
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Processes from "./http/processes.js"
import { summarize } from "./http/profileSummary.js"
import type { LoadResult, ScanSpec, SdkSpec, SetupSpec } from "./http/protocol.js"
import * as Machine from "./machine.js"

// The SDK's warning about Node 20 says nothing about the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
const quick = process.env.BENCH_QUICK === "1"
const profiling = process.env.BENCH_PROFILE === "1"

const HOST = "127.0.0.1"
const CONNECTIONS = 16
const WARMUP_MS = 1_000
const DURATION_MS = quick ? 2_000 : 5_000
/** The floor and the default emulator are measured in alternating windows, this many of each. */
const ROUNDS = quick ? 2 : 3
const ROUND_MS = quick ? 1_500 : 2_500
/** Warm-up of the windows after the first (the processes are warm by then). */
const LATER_WARMUP_MS = 300
const MOTO_DURATION_MS = quick ? 1_000 : 3_000
/** The emulator's account quota: scans admitted in any 24 hours. */
const ACCOUNT_QUOTA = 100_000
const EMULATOR_IMAGES = quick ? 20_000 : ACCOUNT_QUOTA - 1_000
const SDK_IMAGES = quick ? 10_000 : 45_000
const MOTO_IMAGES = quick ? 400 : 3_000
/** The floor keeps no state: it goes round the same requests. */
const FLOOR_REQUESTS = quick ? 20_000 : 50_000
const LOAD_LIMIT = 1.5
const LOAD_WAIT_MS = quick ? 5_000 : 120_000
/** Before each window: wait (bounded) until the rest of the machine uses less than this much of a core. */
const OTHER_LIMIT_PCT = 25
const OTHER_WAIT_MS = quick ? 3_000 : 30_000

/** The targets on the 2-core reference machine. */
const TARGETS = {
  ratio_to_moto: { min: 10 },
  ratio_to_floor: { min: 0.40 },
  p99_ms: { max: 20 }
} as const

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const EMULATOR_MAIN = process.env.BENCH_EMULATOR_MAIN ?? here("../../packages/emulator/dist/main.js")
const LOADGEN = here("./http/loadgen.js")
const SDK_LOAD = here("./http/sdkLoad.js")
const FLOOR_SERVER = here("./http/floorServer.js")
const MOTO_SETUP = here("../moto_server_setup.py")
const RESULTS = here("../results/")

const began = performance.now()
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0)} s`
const log = (text: string) => process.stderr.write(`[bench] ${text} (${elapsed()})\n`)
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? "n/a"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** CPU use while the window was open (percent of one core), from `/proc`. */
interface CpuFigures {
  readonly server_us_per_request: number | null
  readonly server_pct: number | null
  readonly client_pct: number | null
  /** This process (it reads the emulator's request log). */
  readonly bench_pct: number | null
  /** Everything else on the machine: other people's work. */
  readonly other_pct: number | null
}

/** One measured run. */
export interface Measured extends LoadResult {
  readonly cpu: CpuFigures
  readonly load_average_before: ReadonlyArray<number>
  /** What the rest of the machine used in the second before the window (percent of a core). */
  readonly other_pct_before: number
  /** How long the run waited for that second. */
  readonly quiet_wait_ms: number
  /** The window's bounds on the monotonic clock (µs), to find it in a CPU profile. */
  readonly window_micros: readonly [number, number]
}

interface Snapshot {
  readonly at: number
  readonly micros: number
  readonly server: number
  readonly client: number
  readonly bench: number
  readonly machine: number
}

const snapshot = (serverPid: number, clientPid: number): Snapshot => {
  const usage = process.cpuUsage()
  return {
    at: performance.now(),
    micros: Number(process.hrtime.bigint() / 1000n),
    server: Processes.cpuMillis(serverPid),
    client: Processes.cpuMillis(clientPid),
    bench: (usage.user + usage.system) / 1000,
    machine: Processes.machineBusyMillis()
  }
}

const cpuFigures = (from: Snapshot | undefined, to: Snapshot | undefined, requests: number): CpuFigures => {
  if (from === undefined || to === undefined) {
    return { server_us_per_request: null, server_pct: null, client_pct: null, bench_pct: null, other_pct: null }
  }
  const window = to.at - from.at
  const pct = (value: number) => Number.isFinite(value) ? Number((100 * value / window).toFixed(1)) : null
  const server = to.server - from.server
  const client = to.client - from.client
  const bench = to.bench - from.bench
  return {
    server_us_per_request: Number.isFinite(server) && requests > 0
      ? Number((1000 * server / requests).toFixed(1))
      : null,
    server_pct: pct(server),
    client_pct: pct(client),
    bench_pct: pct(bench),
    other_pct: pct(to.machine - from.machine - server - client - bench)
  }
}

/** CPU the rest of the machine uses over `ms` (percent of one core): all of it but `pids` and this process. */
const otherBusy = async (pids: ReadonlyArray<number>, ms: number) => {
  const machine = Processes.machineBusyMillis()
  const ours = pids.reduce((sum, pid) => sum + Processes.cpuMillis(pid), 0)
  const bench = process.cpuUsage()
  const start = performance.now()
  await sleep(ms)
  const usage = process.cpuUsage(bench)
  const busy = Processes.machineBusyMillis() - machine -
    (pids.reduce((sum, pid) => sum + Processes.cpuMillis(pid), 0) - ours) - (usage.user + usage.system) / 1000
  return 100 * busy / (performance.now() - start)
}

/**
 * Other engineers run test suites on this machine: before a window opens, wait (bounded) until the
 * rest of the machine is quiet for a second, and say how long that took.
 */
const waitForQuietMachine = async (name: string, pids: ReadonlyArray<number>) => {
  const start = performance.now()
  let other = await otherBusy(pids, 1_000)
  while (Number.isFinite(other) && other > OTHER_LIMIT_PCT && performance.now() - start < OTHER_WAIT_MS) {
    log(`${name}: the rest of the machine uses ${other.toFixed(0)} % of a core; waiting for a quieter second`)
    other = await otherBusy(pids, 1_000)
  }
  return { other_pct_before: Number(other.toFixed(1)), quiet_wait_ms: Math.round(performance.now() - start) }
}

/** Runs a load child against a server and reads its result and the CPU each side used. */
const measure = async (
  name: string,
  script: string,
  spec: ScanSpec | SdkSpec,
  serverPid: number
): Promise<Measured> => {
  const quiet = await waitForQuietMachine(name, [serverPid])
  const loadBefore = Machine.loadAverage()
  const load = Processes.start(`${name} load`, process.execPath, [script, JSON.stringify(spec)])
  let from: Snapshot | undefined
  let to: Snapshot | undefined
  const timers: Array<NodeJS.Timeout> = []
  const result = new Promise<LoadResult>((resolve, reject) => {
    load.onLine((line) => {
      if (line === "START") from = snapshot(serverPid, load.pid)
      else if (line === "END") to = snapshot(serverPid, load.pid)
      else if (line.startsWith("RESULT ")) {
        const value = JSON.parse(line.slice("RESULT ".length)) as LoadResult | { error: string }
        if ("error" in value) reject(new Error(`${name}: ${value.error}`))
        else resolve(value)
      }
    })
    void load.exited.then((exit) =>
      timers.push(
        setTimeout(() => reject(new Error(`${name} load exited (${exit.code}): ${load.stderr().slice(-2000)}`)), 1_000)
      )
    )
    timers.push(setTimeout(
      () => reject(new Error(`${name}: no result within the time bound`)),
      spec.warmupMs + spec.durationMs + 90_000
    ))
  })
  try {
    const value = await result
    return {
      ...value,
      cpu: cpuFigures(from, to, value.measured),
      load_average_before: loadBefore,
      ...quiet,
      window_micros: [from?.micros ?? NaN, to?.micros ?? NaN]
    }
  } finally {
    for (const timer of timers) clearTimeout(timer)
    await Processes.stop(load)
  }
}

const quota = async (baseUrl: string): Promise<{ used: number; limit: number }> => {
  const response = await fetch(`${baseUrl}/_ecr-scan/quota`, { signal: AbortSignal.timeout(10_000) })
  return await response.json() as { used: number; limit: number }
}

interface SetupResult {
  readonly created: LoadResult
  readonly put: LoadResult
}

/** Pushes the images into an emulator over HTTP (CreateRepository, then PutImage), 16 in flight. */
const setUpEmulator = async (port: number, images: number) => {
  const spec: SetupSpec = { mode: "setup", host: HOST, port, connections: CONNECTIONS, images }
  const out = await Processes.run("emulator set-up", process.execPath, [LOADGEN, JSON.stringify(spec)], 280_000)
  const line = out.split("\n").find((l) => l.startsWith("RESULT "))
  if (line === undefined) throw new Error(`the set-up printed no result: ${out.slice(0, 2000)}`)
  const result = JSON.parse(line.slice("RESULT ".length)) as SetupResult
  const createdOk = result.created.statuses["200"] ?? 0
  const putOk = result.put.statuses["200"] ?? 0
  if (putOk !== images) {
    throw new Error(
      `set-up: ${createdOk} repositories created, ${putOk} of ${images} images put: ${result.put.samples.join(" | ")}`
    )
  }
  return {
    images,
    put_seconds: result.put.seconds,
    put_per_s: result.put.requests_per_s,
    build_ms: result.put.build_ms
  }
}

/** One emulator run: start it, push the images, check the quota, measure, check the quota again, stop it. */
const runEmulator = async (name: string, flags: ReadonlyArray<string>, load: "raw" | "sdk", images: number) => {
  const args = [EMULATOR_MAIN, "--port", "0", ...flags]
  log(`${name}: node ${args.map((a) => path.isAbsolute(a) ? path.relative(process.cwd(), a) : a).join(" ")}`)
  const emulator = Processes.start(name, process.execPath, args)
  try {
    const listening = await emulator.waitForLine(/listening on http:\/\/([\d.]+):(\d+)/, 30_000)
    const port = Number(listening[2])
    const baseUrl = `http://${HOST}:${port}`
    log(`${name}: listening on ${baseUrl}; pushing ${fmt(images)} images over HTTP (PutImage, 16 in flight) ...`)
    const setup = await setUpEmulator(port, images)
    const quotaBefore = await quota(baseUrl)
    log(`${name}: pushed in ${setup.put_seconds.toFixed(1)} s; quota used ${quotaBefore.used}; measuring ...`)
    const linesBefore = emulator.lines()
    const result = load === "raw"
      ? await measure(name, LOADGEN, {
        mode: "scan",
        host: HOST,
        port,
        connections: CONNECTIONS,
        images,
        cycle: false,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS
      }, emulator.pid)
      : await measure(name, SDK_LOAD, {
        mode: "sdk",
        host: HOST,
        port,
        connections: CONNECTIONS,
        images,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS
      }, emulator.pid)
    const quotaAfter = await quota(baseUrl)
    const logLines = emulator.lines() - linesBefore
    log(`${name}: ${fmt(result.requests_per_s)} req/s, p99 ${fmt(result.p99_ms, 2)} ms; quota used ${quotaAfter.used}`)
    const exit = await Processes.stop(emulator, 10_000)
    return {
      ...result,
      config: flags.length === 0 ? "default (real clock, request log on)" : flags.join(" "),
      setup,
      quota_used_before: quotaBefore.used,
      quota_used_after: quotaAfter.used,
      quota_limit: quotaAfter.limit,
      request_log_lines: logLines,
      exit
    }
  } finally {
    await Processes.stop(emulator, 10_000)
  }
}

/**
 * The floor and the default emulator side by side: both processes up at once (the emulator's images
 * pushed first), their windows alternating floor, emulator, floor, emulator, ..., each emulator window
 * on a slice of images of its own. This machine's speed drifts by tens of percent from minute to minute
 * (other tenants); a ratio of neighbouring windows is far steadier than one of runs minutes apart.
 */
const runPaired = async () => {
  const name = "emulator"
  const profileDir = profiling ? path.join(RESULTS, "profiles") : undefined
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true })
  const nodeFlags = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]
  const args = [...nodeFlags, EMULATOR_MAIN, "--port", "0"]
  log(`${name}: node ${args.map((a) => path.isAbsolute(a) ? path.relative(process.cwd(), a) : a).join(" ")}`)
  const before = profileDir === undefined ? new Set<string>() : new Set(readdirSync(profileDir))
  const emulator = Processes.start(name, process.execPath, args)
  const floor = Processes.start("floor", process.execPath, [FLOOR_SERVER, "0"])
  try {
    const emulatorPort = Number((await emulator.waitForLine(/listening on http:\/\/([\d.]+):(\d+)/, 30_000))[2])
    const floorPort = Number((await floor.waitForLine(/listening on http:\/\/([\d.]+):(\d+)/, 15_000))[2])
    const baseUrl = `http://${HOST}:${emulatorPort}`
    log(
      `${name}: listening on ${baseUrl}; pushing ${fmt(EMULATOR_IMAGES)} images over HTTP (PutImage, 16 in flight) ...`
    )
    const setup = await setUpEmulator(emulatorPort, EMULATOR_IMAGES)
    const quotaBefore = await quota(baseUrl)
    log(
      `${name}: pushed in ${setup.put_seconds.toFixed(1)} s; quota used ${quotaBefore.used}; floor on port ${floorPort}`
    )
    const slice = Math.floor(EMULATOR_IMAGES / ROUNDS)
    const floorRounds: Array<Measured> = []
    const emulatorRounds: Array<Measured> = []
    const linesBefore = emulator.lines()
    for (let round = 0; round < ROUNDS; round++) {
      const warmupMs = round === 0 ? WARMUP_MS : LATER_WARMUP_MS
      const f = await measure(`floor, round ${round + 1}`, LOADGEN, {
        mode: "scan",
        host: HOST,
        port: floorPort,
        connections: CONNECTIONS,
        images: FLOOR_REQUESTS,
        cycle: true,
        warmupMs,
        durationMs: ROUND_MS
      }, floor.pid)
      const e = await measure(`emulator, round ${round + 1}`, LOADGEN, {
        mode: "scan",
        host: HOST,
        port: emulatorPort,
        connections: CONNECTIONS,
        images: slice,
        firstImage: round * slice,
        cycle: false,
        warmupMs,
        durationMs: ROUND_MS
      }, emulator.pid)
      log(
        `round ${round + 1}: floor ${fmt(f.requests_per_s)} req/s, emulator ${fmt(e.requests_per_s)} req/s ` +
          `(${(e.requests_per_s / f.requests_per_s).toFixed(3)}), emulator p99 ${fmt(e.p99_ms, 2)} ms`
      )
      floorRounds.push(f)
      emulatorRounds.push(e)
    }
    const quotaAfter = await quota(baseUrl)
    const logLines = emulator.lines() - linesBefore
    const exit = await Processes.stop(emulator, 10_000)
    let profile: ReturnType<typeof summarize> | undefined
    let profileFile: string | undefined
    if (profileDir !== undefined) {
      const written = readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f))
      if (written.length > 0) {
        profileFile = path.join(profileDir, written[0])
        const first = emulatorRounds[0].window_micros
        profile = summarize(profileFile, first[0], first[1])
      }
    }
    const ratios = emulatorRounds.map((e, i) => e.requests_per_s / floorRounds[i].requests_per_s)
    /** The round whose rate is the median, as the run shown in the table. */
    const medianRun = (runs: ReadonlyArray<Measured>) =>
      [...runs].sort((a, b) => a.requests_per_s - b.requests_per_s)[Math.floor(runs.length / 2)]
    return {
      ratio_to_floor: Machine.median(ratios),
      round_ratios: ratios,
      floor: { ...medianRun(floorRounds), rounds: floorRounds.map(brief) },
      emulator: {
        ...medianRun(emulatorRounds),
        requests_per_s: Machine.median(emulatorRounds.map((e) => e.requests_per_s)),
        // The worst window's p99, not the median's.
        p99_ms: Math.max(...emulatorRounds.map((e) => e.p99_ms)),
        rounds: emulatorRounds.map(brief),
        config: "default (real clock, request log on)",
        setup,
        quota_used_before: quotaBefore.used,
        quota_used_after: quotaAfter.used,
        quota_limit: quotaAfter.limit,
        request_log_lines: logLines,
        exit,
        ...(profile === undefined ? {} : { profile: { file: profileFile, ...profile } })
      }
    }
  } finally {
    await Processes.stop(emulator, 10_000)
    await Processes.stop(floor)
  }
}

/** A window's figures without its samples, for the per-round list. */
const brief = (r: Measured) => ({
  requests_per_s: r.requests_per_s,
  p50_ms: r.p50_ms,
  p99_ms: r.p99_ms,
  measured: r.measured,
  seconds: r.seconds,
  reason: r.reason,
  server_us_per_request: r.cpu.server_us_per_request,
  other_pct_before: r.other_pct_before
})

const runMoto = async (scratch: string) => {
  const port = await Processes.freePort()
  log(`moto: python3 -m moto.server -H ${HOST} -p ${port}`)
  const moto = Processes.start("moto", "python3", ["-m", "moto.server", "-H", HOST, "-p", String(port)], {
    env: { ...process.env, PYTHONWARNINGS: "ignore" }
  })
  try {
    await Processes.waitForPort(port, moto, 30_000)
    log(`moto: accepting connections; putting ${fmt(MOTO_IMAGES)} images with boto3 ...`)
    const digestsFile = path.join(scratch, "moto-digests.json")
    const out = await Processes.run(
      "moto set-up",
      "python3",
      [
        MOTO_SETUP,
        "--port",
        String(port),
        "--images",
        String(MOTO_IMAGES),
        "--out",
        digestsFile,
        "--max-seconds",
        "150"
      ],
      180_000,
      { env: { ...process.env, PYTHONWARNINGS: "ignore" } }
    )
    const setup = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, unknown>
    log(`moto: put in ${fmt(Number(setup.put_image_seconds), 1)} s; measuring ...`)
    const result = await measure("moto", LOADGEN, {
      mode: "scan",
      host: HOST,
      port,
      connections: CONNECTIONS,
      images: MOTO_IMAGES,
      digestsFile,
      cycle: false,
      warmupMs: WARMUP_MS,
      durationMs: MOTO_DURATION_MS
    }, moto.pid)
    log(`moto: ${fmt(result.requests_per_s)} req/s, p99 ${fmt(result.p99_ms, 2)} ms`)
    if (result.measured === 0) throw new Error(`moto answered nothing in the window: ${result.samples.join(" | ")}`)
    return { ...result, setup }
  } finally {
    await Processes.stop(moto)
  }
}

const statusText = (statuses: Record<string, number>) =>
  Object.entries(statuses).map(([status, count]) => `${status}:${count}`).join(" ")

const main = async () => {
  const machine = Machine.describe()
  log(Machine.summary(machine))
  const quiet = await Machine.waitForQuiet(LOAD_LIMIT, LOAD_WAIT_MS, log)
  const scratch = mkdtempSync(path.join(os.tmpdir(), "ecr-scan-bench-"))
  try {
    const paired = await runPaired()
    const { emulator, floor } = paired
    const virtualQuiet = await runEmulator(
      "emulator --clock virtual --quiet",
      [
        "--clock",
        "virtual",
        "--quiet"
      ],
      "raw",
      EMULATOR_IMAGES
    )
    const sdk = await runEmulator("SDK -> emulator", [], "sdk", SDK_IMAGES)
    let moto: Awaited<ReturnType<typeof runMoto>> | undefined
    let motoError: string | undefined
    try {
      moto = await runMoto(scratch)
    } catch (error) {
      motoError = error instanceof Error ? error.message : String(error)
      log(`moto failed: ${motoError}`)
    }

    const ratioToMoto = moto === undefined ? null : emulator.requests_per_s / moto.requests_per_s
    const ratioToFloor = paired.ratio_to_floor
    const figures = { ratio_to_moto: ratioToMoto, ratio_to_floor: ratioToFloor, p99_ms: emulator.p99_ms }
    const met = {
      ratio_to_moto: ratioToMoto === null ? null : ratioToMoto >= TARGETS.ratio_to_moto.min,
      ratio_to_floor: ratioToFloor >= TARGETS.ratio_to_floor.min,
      p99_ms: emulator.p99_ms < TARGETS.p99_ms.max
    }
    const check = (ok: boolean | null) => ok === null ? "n/a" : ok ? "met" : "MISSED"
    const row = (name: string, r: Measured | undefined, note = "") =>
      r === undefined
        ? [name, "failed", "", "", "", "", "", "", "", "", "", "", note]
        : [
          name,
          fmt(r.requests_per_s),
          fmt(r.p50_ms, 2),
          fmt(r.p90_ms, 2),
          fmt(r.p99_ms, 2),
          fmt(r.max_ms, 1),
          fmt(r.measured),
          r.seconds.toFixed(2),
          statusText(r.statuses),
          fmt(r.cpu.server_us_per_request),
          fmt(r.cpu.server_pct),
          fmt(r.cpu.client_pct),
          `${fmt(r.cpu.other_pct)}${note}`
        ]
    const loadEnd = Machine.loadAverage()
    const lines = [
      "",
      `emulator HTTP benchmark — node ${process.version}, ${machine.cpu} x ${machine.cpus}, ${
        new Date().toISOString()
      }`,
      `load average at start ${machine.load_average_at_start.join(" ")}` +
      (quiet.waited_ms > 0
        ? ` (waited ${(quiet.waited_ms / 1000).toFixed(0)} s: ${quiet.load_average_when_started.join(" ")})`
        : "") +
      `, at end ${loadEnd.join(" ")}`,
      "",
      `StartImageScan over HTTP, ${CONNECTIONS} requests in flight on keep-alive connections, a distinct image per request;`,
      `floor and default emulator: ${ROUNDS} alternating windows each of ${ROUND_MS / 1000} s (warm-up ${
        WARMUP_MS / 1000
      } s, then ${LATER_WARMUP_MS / 1000} s), or until the window's images run out; rows show the median window,`,
      `ratio_to_floor is the median of the neighbouring windows' ratios (${
        paired.round_ratios.map((r) => r.toFixed(3)).join(", ")
      }), p99 the worst emulator window's;`,
      `the other rows: warm-up ${WARMUP_MS / 1000} s, then ${DURATION_MS / 1000} s (moto ${
        MOTO_DURATION_MS / 1000
      } s) or until the images run out`,
      `(srv µs/req, srv %, client %, other %: CPU while measuring, % of one core; other = the rest of the machine)`,
      Machine.table([
        [
          "target",
          "req/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "calls",
          "window s",
          "statuses",
          "srv µs/req",
          "srv %",
          "client %",
          "other %"
        ],
        row("floor (node:http, fixed body)", floor),
        row("emulator (default: log on)", emulator),
        row("emulator --clock virtual --quiet", virtualQuiet),
        row("moto server", moto, moto === undefined ? ` ${motoError ?? ""}` : ""),
        row("JS SDK -> emulator (default)", sdk)
      ]),
      "",
      Machine.table([
        ["figure", "value", "target", ""],
        ["ratio_to_moto (emulator ÷ moto)", fmt(ratioToMoto, 1), ">= 10", check(met.ratio_to_moto)],
        ["ratio_to_floor (emulator ÷ floor)", fmt(ratioToFloor, 3), ">= 0.40", check(met.ratio_to_floor)],
        ["p99_ms (emulator)", fmt(emulator.p99_ms, 2), "< 20", check(met.p99_ms)],
        ["  --clock virtual --quiet: ÷ floor", fmt(virtualQuiet.requests_per_s / floor.requests_per_s, 3), "", ""],
        [
          "  --clock virtual --quiet: ÷ moto",
          fmt(moto && virtualQuiet.requests_per_s / moto.requests_per_s, 1),
          "",
          ""
        ],
        ["  JS SDK ÷ raw client (emulator)", fmt(sdk.requests_per_s / emulator.requests_per_s, 3), "", ""]
      ]),
      "",
      `emulator set-up: ${fmt(emulator.setup.images)} images by PutImage over HTTP in ${
        emulator.setup.put_seconds.toFixed(1)
      } s; ` +
      `quota used ${fmt(emulator.quota_used_before)} before, ${fmt(emulator.quota_used_after)} after ` +
      `(of ${fmt(emulator.quota_limit)}): every image scanned once, every call an accepted scan`,
      `emulator request log: ${fmt(emulator.request_log_lines)} lines read while measuring ` +
      `(bench process ${fmt(emulator.cpu.bench_pct)} % of a core)`,
      moto === undefined
        ? `moto: ${motoError}`
        : `moto: ${fmt(Number(moto.setup.images))} images put with boto3 in ${
          fmt(Number(moto.setup.put_image_seconds), 1)
        } s ` +
          `(moto ${String(moto.setup.moto)}, boto3 ${String(moto.setup.boto3)}, Python ${String(moto.setup.python)})`,
      `window closed by: floor ${floor.reason}, emulator ${emulator.reason}, virtual/quiet ${virtualQuiet.reason}, ` +
      `SDK ${sdk.reason}, moto ${moto?.reason ?? "n/a"}`,
      `rest of the machine in the second before each window (% of a core; waited up to ${OTHER_WAIT_MS / 1000} s ` +
      `for it to fall under ${OTHER_LIMIT_PCT}): ` +
      [["floor", floor], ["emulator", emulator], ["virtual/quiet", virtualQuiet], ["SDK", sdk], ["moto", moto]]
        .map(([label, r]) => {
          const run = r as Measured | undefined
          return run === undefined
            ? `${label} n/a`
            : `${label} ${fmt(run.other_pct_before)} (${(run.quiet_wait_ms / 1000).toFixed(0)} s)`
        })
        .join(", "),
      ""
    ]
    process.stdout.write(lines.join("\n") + "\n")
    if (emulator.profile !== undefined) {
      const p = emulator.profile
      process.stdout.write(
        [
          `CPU profile of the default emulator in the measured window (${p.file}): busy ${fmt(p.busy_ms)} ms, idle ${
            fmt(p.idle_ms)
          } ms`,
          "  by package: " + p.packages.map((s) => `${s.name} ${s.percent}%`).join(", "),
          "  self time:",
          ...p.self.slice(0, 20).map((s) => `    ${s.percent.toFixed(1).padStart(5)}%  ${s.name}`),
          "  inclusive:",
          ...p.inclusive.slice(0, 40).map((s) => `    ${s.percent.toFixed(1).padStart(5)}%  ${s.name}`),
          ""
        ].join("\n") + "\n"
      )
    }

    const json = {
      ...figures,
      targets: TARGETS,
      targets_met: met,
      requests_per_s: {
        emulator: emulator.requests_per_s,
        emulator_virtual_quiet: virtualQuiet.requests_per_s,
        moto: moto?.requests_per_s ?? null,
        floor: floor.requests_per_s,
        sdk_to_emulator: sdk.requests_per_s
      },
      virtual_quiet: {
        ratio_to_moto: moto === undefined ? null : virtualQuiet.requests_per_s / moto.requests_per_s,
        ratio_to_floor: virtualQuiet.requests_per_s / floor.requests_per_s,
        p99_ms: virtualQuiet.p99_ms
      },
      round_ratios_to_floor: paired.round_ratios,
      runs: { floor, emulator, emulator_virtual_quiet: virtualQuiet, moto: moto ?? { error: motoError }, sdk },
      settings: {
        connections: CONNECTIONS,
        warmup_ms: WARMUP_MS,
        duration_ms: DURATION_MS,
        rounds: ROUNDS,
        round_ms: ROUND_MS,
        later_warmup_ms: LATER_WARMUP_MS,
        moto_duration_ms: MOTO_DURATION_MS,
        emulator_images: EMULATOR_IMAGES,
        sdk_images: SDK_IMAGES,
        moto_images: MOTO_IMAGES,
        floor_requests_cycled: FLOOR_REQUESTS,
        account_quota: ACCOUNT_QUOTA,
        request_mix: "three in four by digest, one in four by tag; 16 repositories",
        emulator_main: path.relative(process.cwd(), EMULATOR_MAIN),
        quick
      },
      node: process.version,
      date: new Date().toISOString(),
      machine: { ...machine, load_wait: quiet, load_average_at_end: loadEnd },
      wall_seconds: Number(((performance.now() - began) / 1000).toFixed(1))
    }
    mkdirSync(RESULTS, { recursive: true })
    const out = path.join(RESULTS, `emulator${quick ? ".quick" : ""}.json`)
    writeFileSync(out, JSON.stringify(json, null, 2) + "\n")
    log(`wrote ${out}`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

Processes.runMain(main, log)
