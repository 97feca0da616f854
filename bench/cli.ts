/**
 * `npm run bench:cli`: how fast `ecr-scan` starts and answers, as whole processes, side by side with the
 * AWS CLI v2 (Debian's `awscli` package, `/usr/bin/aws`; the `aws` on PATH may be another version) in the
 * same run:
 *
 * - `ecr-scan --version` against `aws --version`;
 * - `ecr-scan describe-images` against `aws ecr describe-repositories`, each one call to one emulator that
 *   this benchmark starts on 127.0.0.1 (`--clock virtual --quiet`), with one repository holding one image.
 *
 * `ecr-scan` is its bin (packages/cli/bin/ecr-scan.js) run by this node, as `npx ecr-scan` or a linked
 * `ecr-scan` runs it. Each run is a new process, timed by a small Python wrapper that spawns it and reaps it
 * with `wait4`: its wall time from spawn to exit and its CPU time (user + system, its own and its
 * children's), not the wrapper's. The two commands of a pair run alternately (which goes first alternates
 * too), after a warm-up of two runs each (the file cache); the figures are the medians of `RUNS` runs each,
 * and a pair stops early, with at least `MIN_RUNS` runs each, if it has taken `PAIR_BUDGET_MS`.
 *
 * Prints a table with the ratios (ecr-scan ÷ AWS CLI) and the targets (`--version` at most 0.5×, the call
 * at most 0.75× in wall time), and writes `bench/results/cli.json`. Never part of the tests: CI does not
 * install the AWS CLI v2 for it, and without `/usr/bin/aws` it says so and exits 1. `BENCH_QUICK=1` runs
 * five of each (writes `cli.quick.json`); `BENCH_CLI_BASELINE=/path/to/main.js` measures another build of the
 * CLI instead, such as the one before a change (writes `cli.baseline.json`).
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import type { Readable } from "node:stream"
import { fileURLToPath } from "node:url"
import * as Fixtures from "./fixtures.js"
import * as Processes from "./http/processes.js"
import { CONTENT_TYPE, TARGET_PREFIX } from "./http/requests.js"
import * as Machine from "./machine.js"

const quick = process.env.BENCH_QUICK === "1"
const baseline = process.env.BENCH_CLI_BASELINE

/** Runs of each command of a pair (after the warm-up). */
const RUNS = quick ? 5 : 15
const MIN_RUNS = 5
const WARMUP_RUNS = 2
/** Time a pair may take; past it, a pair with `MIN_RUNS` of each stops. */
const PAIR_BUDGET_MS = quick ? 30_000 : 120_000
/** A run past this is killed and the benchmark fails. */
const RUN_TIMEOUT_MS = 30_000
const LOAD_LIMIT = 1.5
const LOAD_WAIT_MS = quick ? 5_000 : 60_000

/** The targets: ecr-scan's median wall time at most this fraction of the AWS CLI v2's. */
const TARGETS = { version_wall_ratio: { max: 0.5 }, call_wall_ratio: { max: 0.75 } } as const

const AWS = "/usr/bin/aws"
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3"
const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const ECR_SCAN = baseline ?? here("../../packages/cli/bin/ecr-scan.js")
const EMULATOR = here("../../packages/emulator/bin/ecr-scan-emulator.js")
const RESULTS = here("../results/")
const REPOSITORY = "bench"

const began = performance.now()
const log = (text: string) =>
  process.stderr.write(`[bench] ${text} (${((performance.now() - began) / 1000).toFixed(0)} s)\n`)

// Spawns argv (an absolute path first) with this environment, reaps it with wait4, and writes one JSON line of
// its figures to fd 3 (which the child does not inherit). Its own start-up is outside what it measures.
const TIMER = `
import json, os, sys, time
os.set_inheritable(3, False)
argv = sys.argv[1:]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
os.write(3, json.dumps({
    "wall_ms": wall * 1000, "user_ms": usage.ru_utime * 1000, "sys_ms": usage.ru_stime * 1000,
    "max_rss_mb": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)
}).encode())
`

/** One timed run. */
interface Run {
  readonly wall_ms: number
  readonly cpu_ms: number
  readonly max_rss_mb: number
}

interface Timed extends Run {
  readonly exit: number
  readonly stdout: string
  readonly stderr: string
}

const collect = (stream: Readable | null): Promise<string> =>
  new Promise((resolve) => {
    if (stream === null) return resolve("")
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

/** Runs `argv` once under the timer: its figures and what it printed. */
const timed = async (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Timed> => {
  // In a process group of its own, so that a run past its time is killed with the timer (by the group's id).
  const child: ChildProcess = spawn(PYTHON, ["-c", TIMER, ...argv], {
    env,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    detached: true
  })
  const [stdout, stderr, figures] = await Promise.all([
    collect(child.stdout),
    collect(child.stderr),
    collect(child.stdio[3] as Readable),
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
        reject(new Error(`${argv.join(" ")} did not finish within ${RUN_TIMEOUT_MS} ms`))
      }, RUN_TIMEOUT_MS)
      child.once("exit", () => {
        clearTimeout(timer)
        resolve()
      })
      child.once("error", (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  ])
  if (figures === "") throw new Error(`the timer reported nothing for ${argv.join(" ")}: ${stderr.slice(0, 2000)}`)
  const f = JSON.parse(figures) as {
    wall_ms: number
    user_ms: number
    sys_ms: number
    max_rss_mb: number
    exit: number
  }
  return { wall_ms: f.wall_ms, cpu_ms: f.user_ms + f.sys_ms, max_rss_mb: f.max_rss_mb, exit: f.exit, stdout, stderr }
}

/** One command of a pair. */
interface Subject {
  readonly name: string
  readonly argv: ReadonlyArray<string>
  /** Whether what it printed is what it should print (checked on every run). */
  readonly check: (run: Timed) => string | undefined
}

interface Measured {
  readonly name: string
  readonly command: string
  readonly runs: number
  readonly wall_ms: number
  readonly cpu_ms: number
  readonly max_rss_mb: number
  readonly samples: { readonly wall_ms: ReadonlyArray<number>; readonly cpu_ms: ReadonlyArray<number> }
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits))

/** A path as the results show it: from the working directory when it is under it (node as `node`). */
const shown = (arg: string) =>
  arg === process.execPath
    ? "node"
    : arg.startsWith(`${process.cwd()}${path.sep}`)
    ? path.relative(process.cwd(), arg)
    : arg

const summarise = (subject: Subject, runs: ReadonlyArray<Run>): Measured => ({
  name: subject.name,
  command: subject.argv.map(shown).join(" "),
  runs: runs.length,
  wall_ms: round(Machine.median(runs.map((r) => r.wall_ms))),
  cpu_ms: round(Machine.median(runs.map((r) => r.cpu_ms))),
  max_rss_mb: round(Machine.median(runs.map((r) => r.max_rss_mb))),
  samples: { wall_ms: runs.map((r) => round(r.wall_ms)), cpu_ms: runs.map((r) => round(r.cpu_ms)) }
})

const runChecked = async (subject: Subject, env: NodeJS.ProcessEnv): Promise<Run> => {
  const run = await timed(subject.argv, env)
  const problem = run.exit !== 0 ? `exited ${run.exit}` : subject.check(run)
  if (problem !== undefined) {
    throw new Error(
      `${subject.name}: ${problem}\nstdout: ${run.stdout.slice(0, 1000)}\nstderr: ${run.stderr.slice(0, 1000)}`
    )
  }
  return run
}

/** Measures two commands alternately: `RUNS` each (fewer past the pair's budget), after the warm-up. */
const pair = async (a: Subject, b: Subject, env: NodeJS.ProcessEnv) => {
  log(`${a.name} vs ${b.name}: warm-up`)
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await runChecked(a, env)
    await runChecked(b, env)
  }
  const runsA: Array<Run> = []
  const runsB: Array<Run> = []
  const start = performance.now()
  for (let i = 0; i < RUNS; i++) {
    if (i >= MIN_RUNS && performance.now() - start > PAIR_BUDGET_MS) {
      log(`${a.name} vs ${b.name}: stopping after ${i} runs each (budget of ${PAIR_BUDGET_MS / 1000} s)`)
      break
    }
    const [first, second, firstRuns, secondRuns] = i % 2 === 0 ? [a, b, runsA, runsB] : [b, a, runsB, runsA]
    firstRuns.push(await runChecked(first, env))
    secondRuns.push(await runChecked(second, env))
  }
  const measuredA = summarise(a, runsA)
  const measuredB = summarise(b, runsB)
  log(`${a.name}: ${measuredA.wall_ms} ms wall; ${b.name}: ${measuredB.wall_ms} ms wall`)
  return { ecrScan: measuredA, aws: measuredB }
}

/** One awsJson1_1 call to the emulator, as set-up. */
const call = async (endpoint: string, operation: string, body: unknown) => {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${TARGET_PREFIX}${operation}` },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${operation}: ${response.status} ${text}`)
  return JSON.parse(text) as unknown
}

const main = async () => {
  const awsVersion = existsSync(AWS) ? spawnSync(AWS, ["--version"], { encoding: "utf8" }).stdout.trim() : ""
  if (!awsVersion.startsWith("aws-cli/2.")) {
    process.stderr.write(
      `bench:cli compares ecr-scan with the AWS CLI v2 at ${AWS}, and ${
        awsVersion === "" ? "there is none" : `that is ${awsVersion}`
      }.\nInstall Debian's AWS CLI v2 (apt-get install awscli) and run it again.\n`
    )
    process.exit(1)
  }
  for (const file of [ECR_SCAN, EMULATOR]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (npm run build)`)
  }
  const machine = Machine.describe()
  log(`${Machine.summary(machine)}; ${awsVersion}`)
  const quiet = await Machine.waitForQuiet(LOAD_LIMIT, LOAD_WAIT_MS, log)

  const emulator = Processes.start("emulator", process.execPath, [
    EMULATOR,
    "--port",
    "0",
    "--clock",
    "virtual",
    "--quiet"
  ])
  try {
    const [, endpoint] = await emulator.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000)
    await call(endpoint, "CreateRepository", { repositoryName: REPOSITORY })
    await call(endpoint, "PutImage", {
      repositoryName: REPOSITORY,
      imageManifest: Fixtures.manifest(0),
      imageTag: "v1"
    })

    // Both CLIs: dummy credentials, a region, no config files, no pager, no instance metadata.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: "C.UTF-8",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PAGER: ""
    }
    const ecrScan = (args: ReadonlyArray<string>) => [process.execPath, ECR_SCAN, ...args]
    const printsJson = (key: string) => (run: Timed) => {
      try {
        const value = (JSON.parse(run.stdout) as Record<string, Array<unknown>>)[key]
        return Array.isArray(value) && value.length === 1 ? undefined : `printed no ${key} with one item`
      } catch {
        return "printed no JSON"
      }
    }
    const version = await pair(
      {
        name: "ecr-scan --version",
        argv: ecrScan(["--version"]),
        check: (run) => (/^\d+\.\d+\.\d+\n/.test(run.stdout) ? undefined : "printed no version")
      },
      {
        name: "aws --version",
        argv: [AWS, "--version"],
        check: (run) => (run.stdout.startsWith("aws-cli/2.") ? undefined : "printed no version")
      },
      env
    )
    const describe = await pair(
      {
        name: "ecr-scan describe-images",
        argv: ecrScan(["describe-images", "--repository-name", REPOSITORY, "--endpoint-url", endpoint]),
        check: printsJson("imageDetails")
      },
      {
        name: "aws ecr describe-repositories",
        argv: [AWS, "ecr", "describe-repositories", "--endpoint-url", endpoint],
        check: printsJson("repositories")
      },
      env
    )

    const ratio = (a: number, b: number) => round(a / b, 3)
    const figures = {
      version_wall_ratio: ratio(version.ecrScan.wall_ms, version.aws.wall_ms),
      version_cpu_ratio: ratio(version.ecrScan.cpu_ms, version.aws.cpu_ms),
      call_wall_ratio: ratio(describe.ecrScan.wall_ms, describe.aws.wall_ms),
      call_cpu_ratio: ratio(describe.ecrScan.cpu_ms, describe.aws.cpu_ms)
    }
    const met = {
      version_wall_ratio: figures.version_wall_ratio <= TARGETS.version_wall_ratio.max,
      call_wall_ratio: figures.call_wall_ratio <= TARGETS.call_wall_ratio.max
    }
    const check = (ok: boolean) => ok ? "met" : "MISSED"
    const row = (
      m: Measured
    ) => [m.name, String(m.runs), m.wall_ms.toFixed(0), m.cpu_ms.toFixed(0), m.max_rss_mb.toFixed(0)]
    const loadEnd = Machine.loadAverage()
    process.stdout.write(
      [
        "",
        `CLI start-up — node ${process.version}, ${
          awsVersion.split(" ").slice(0, 2).join(" ")
        }, ${machine.cpu} x ${machine.cpus}, ` +
        `load ${quiet.load_average_when_started.join(" ")} → ${loadEnd.join(" ")}`,
        "",
        Machine.table([
          ["command (whole process, median)", "runs", "wall ms", "cpu ms", "max rss MB"],
          row(version.ecrScan),
          row(version.aws),
          row(describe.ecrScan),
          row(describe.aws)
        ]),
        "",
        Machine.table([
          ["ecr-scan ÷ AWS CLI v2", "wall", "cpu", "target (wall)", ""],
          [
            "--version",
            figures.version_wall_ratio.toFixed(2),
            figures.version_cpu_ratio.toFixed(2),
            `≤ ${TARGETS.version_wall_ratio.max}`,
            check(met.version_wall_ratio)
          ],
          [
            "describe-images ÷ describe-repositories",
            figures.call_wall_ratio.toFixed(2),
            figures.call_cpu_ratio.toFixed(2),
            `≤ ${TARGETS.call_wall_ratio.max}`,
            check(met.call_wall_ratio)
          ]
        ]),
        ""
      ].join("\n") + "\n"
    )

    const json = {
      ...figures,
      targets: TARGETS,
      targets_met: met,
      runs: { version, describe },
      settings: {
        runs: RUNS,
        min_runs: MIN_RUNS,
        warmup_runs: WARMUP_RUNS,
        pair_budget_ms: PAIR_BUDGET_MS,
        ecr_scan: shown(ECR_SCAN),
        emulator: "--clock virtual --quiet on 127.0.0.1, one repository with one image",
        timer: "a Python wrapper: posix_spawn, then wait4 (wall from spawn to exit; user + system CPU of the process)",
        quick
      },
      aws_cli: awsVersion,
      node: process.version,
      date: new Date().toISOString(),
      machine: { ...machine, load_wait: quiet, load_average_at_end: loadEnd },
      wall_seconds: round((performance.now() - began) / 1000)
    }
    mkdirSync(RESULTS, { recursive: true })
    const out = path.join(RESULTS, `cli${baseline !== undefined ? ".baseline" : quick ? ".quick" : ""}.json`)
    writeFileSync(out, JSON.stringify(json, null, 2) + "\n")
    log(`wrote ${out}`)
  } finally {
    await Processes.stop(emulator)
  }
}

Processes.runMain(main, log)
