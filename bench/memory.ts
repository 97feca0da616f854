/**
 * `npm run bench:memory`: the memory backend's StartImageScan against a plain-TypeScript floor and
 * against moto, its heap per image, and thirty virtual days of simulation on `TestClock`. Prints a
 * table and writes `bench/results/memory.json`. Never part of the tests.
 *
 * Run with `node --expose-gc` (the heap figures need it). `BENCH_QUICK=1` runs a small version of
 * everything (for working on the benchmark itself; its figures are not the targets', and it writes
 * `memory.quick.json`). `SIM_STEP_MINUTES=10` changes how far each `TestClock.adjust` of the
 * simulation moves (default 30 virtual minutes).
 *
 * @since 0.1.0
 */
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as TestContext from "effect/TestContext"
import { mkdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Machine from "./machine.js"
import { type MotoResult, runMoto } from "./moto.js"
import * as Simulation from "./simulation.js"
import * as Throughput from "./throughput.js"
import { makeTracer } from "./tracer.js"

const quick = process.env.BENCH_QUICK === "1"
const SMALL = 10_000
const LARGE = quick ? 100_000 : 1_000_000
const MIXED_CALLS = quick ? 200_000 : 1_000_000
const MOTO_IMAGES = quick ? 1_000 : 10_000

/** The targets on the 2-core reference machine. */
const TARGETS = {
  ratio_to_moto: { min: 100 },
  admit_10k_ratio_to_floor: { min: 0.10 },
  admit_1m_ratio_to_floor: { min: 0.10 },
  mixed_10k_ratio_to_floor: { min: 0.02 },
  mixed_1m_ratio_to_floor: { min: 0.02 },
  bytes_per_image: { max: 1024 },
  simulate_30_days_s: { max: 20 }
} as const

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`)
const elapsed = (() => {
  const start = performance.now()
  return () => `${((performance.now() - start) / 1000).toFixed(0)} s`
})()

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

const main = async () => {
  if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error("run node with --expose-gc")
  const machine = Machine.describe()
  log(Machine.summary(machine))

  // 1. moto first, while this process is small and idle.
  log(`moto: ${MOTO_IMAGES} images, put then start_image_scan (about 80 s) ...`)
  let moto: MotoResult | undefined
  let motoError: string | undefined
  try {
    moto = await runMoto(MOTO_IMAGES, 360_000)
  } catch (error) {
    motoError = String(error)
    log(motoError)
  }
  log(`moto: ${moto === undefined ? "failed" : `${fmt(moto.calls_per_s)} calls/s`} (${elapsed()})`)

  // 2. StartImageScan throughput, backend against floor, on one TestClock.
  const runtime = ManagedRuntime.make(TestContext.TestContext)
  const clock = new Throughput.VirtualClock(runtime)
  await clock.start()
  const results: Array<Throughput.WorkloadResult> = []

  log(`${fmt(SMALL)} images: pushing ...`)
  let registries: Throughput.Registries | undefined = await Throughput.setUp(SMALL, runtime)
  const smallFigures = { bytesPerImage: registries.bytesPerImage, pushSeconds: registries.pushSeconds }
  results.push(await Throughput.run(registries, clock, Throughput.admit(SMALL), { warmups: 3, repetitions: 9 }))
  results.push(
    await Throughput.run(registries, clock, Throughput.mixed(SMALL, MIXED_CALLS, 7), { warmups: 1, repetitions: 3 })
  )
  // The same admit workload in a program that installs a tracer: a span per call (none under Effect's default).
  const traced = makeTracer()
  const admitTraced = await Throughput.run(registries, clock, Throughput.admit(SMALL), {
    warmups: 1,
    repetitions: 5,
    tracer: traced.tracer
  })
  if (traced.spans() !== SMALL * 6) throw new Error(`expected a span per traced call, got ${traced.spans()}`)
  results.push({ ...admitTraced, name: "admit, tracer installed" })
  log(`${fmt(SMALL)} images done (${elapsed()})`)
  registries = undefined

  // The small runs warmed the code; the large ones are expensive, so each is timed three times.
  log(`${fmt(LARGE)} images: pushing through ImageRegistry.putImage (about a minute) ...`)
  registries = await Throughput.setUp(LARGE, runtime)
  const large = {
    bytesPerImage: registries.bytesPerImage,
    floorBytesPerImage: registries.floorBytesPerImage,
    pushSeconds: registries.pushSeconds
  }
  log(`pushed in ${large.pushSeconds.toFixed(1)} s, ${large.bytesPerImage.toFixed(0)} bytes/image (${elapsed()})`)
  results.push(await Throughput.run(registries, clock, Throughput.admit(LARGE), { warmups: 0, repetitions: 3 }))
  log(`admit ${fmt(LARGE)} done (${elapsed()})`)
  results.push(
    await Throughput.run(registries, clock, Throughput.mixed(LARGE, MIXED_CALLS, 11), { warmups: 0, repetitions: 3 })
  )
  log(`mixed ${fmt(LARGE)} done (${elapsed()})`)
  registries = undefined
  await runtime.dispose()
  Throughput.heapAfterGc()

  // 3. Thirty virtual days on TestClock.
  const simulationOptions = {
    ...Simulation.defaultOptions,
    ...(quick ? { days: 3 } : {}),
    ...(process.env.SIM_STEP_MINUTES === undefined ? {} : { stepMinutes: Number(process.env.SIM_STEP_MINUTES) })
  }
  log(`simulating ${simulationOptions.days} virtual days ...`)
  const simulation = await Simulation.simulate(simulationOptions)
  log(`simulated in ${simulation.wallSeconds.toFixed(1)} s (${elapsed()})`)
  // The same days with an events subscriber: what following the registry's events costs.
  log(`simulating ${simulationOptions.days} virtual days with an events subscriber ...`)
  const withEvents = await Simulation.simulate({ ...simulationOptions, events: true })
  log(`simulated in ${withEvents.wallSeconds.toFixed(1)} s (${elapsed()})`)

  // Report.
  const find = (name: string, images: number) => results.find((r) => r.name === name && r.images === images)!
  const admitSmall = find("admit", SMALL)
  const mixedSmall = find("mixed", SMALL)
  const admitLarge = find("admit", LARGE)
  const mixedLarge = find("mixed", LARGE)
  const ratioToMoto = moto === undefined ? null : admitSmall.memory.callsPerSecond / moto.calls_per_s
  const figures = {
    admit_10k_ratio_to_floor: admitSmall.ratio,
    mixed_10k_ratio_to_floor: mixedSmall.ratio,
    admit_1m_ratio_to_floor: admitLarge.ratio,
    mixed_1m_ratio_to_floor: mixedLarge.ratio,
    ratio_to_moto: ratioToMoto,
    bytes_per_image: large.bytesPerImage,
    simulate_30_days_s: simulation.wallSeconds
  }
  const met = Object.fromEntries(
    Object.entries(TARGETS).map(([key, target]) => {
      const value = figures[key as keyof typeof figures]
      if (value === null) return [key, null]
      return [key, "min" in target ? value >= target.min : value <= target.max]
    })
  )
  const sizeLabel = (n: number) => n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`
  const rows = [
    ["workload", "images", "calls", "memory calls/s", "floor calls/s", "ratio", "target", "accepted", "refused"],
    ...results.map((r) => [
      r.name,
      sizeLabel(r.images),
      fmt(r.calls),
      fmt(r.memory.callsPerSecond),
      fmt(r.floor.callsPerSecond),
      r.ratio.toFixed(3),
      r.name === "admit" ? ">= 0.10" : r.name === "mixed" ? ">= 0.02" : "",
      fmt(r.memory.accepted),
      fmt(r.memory.refused)
    ])
  ]
  const check = (ok: boolean | null) => ok === null ? "n/a" : ok ? "met" : "MISSED"
  const lines = [
    "",
    `memory benchmark — node ${process.version}, ${machine.cpu} x ${machine.cpus}, ${new Date().toISOString()}`,
    "",
    "StartImageScan through the ImageScanner port (one Effect program, Effect.either per call) vs the plain-TS floor",
    "(median calls/s of the timed repetitions; accepted/refused of the last one)",
    Machine.table(rows),
    "",
    Machine.table([
      ["figure", "value", "target", ""],
      [
        "moto in-process, admit 10k",
        moto === undefined ? "failed" : `${fmt(moto.calls_per_s)} calls/s`,
        "",
        moto === undefined
          ? motoError ?? ""
          : `(put_image of ${fmt(moto.images)} took ${fmt(moto.put_image_seconds)} s)`
      ],
      ["ratio_to_moto", ratioToMoto === null ? "n/a" : fmt(ratioToMoto, 1), ">= 100", check(met.ratio_to_moto)],
      [
        `bytes_per_image (${sizeLabel(LARGE)} images)`,
        fmt(large.bytesPerImage),
        "<= 1024",
        check(met.bytes_per_image)
      ],
      [`  (at 10k images)`, fmt(smallFigures.bytesPerImage), "", ""],
      [`  floor bytes/image (no manifests)`, fmt(large.floorBytesPerImage), "", ""],
      [`  push ${sizeLabel(LARGE)} images via putImage`, `${large.pushSeconds.toFixed(1)} s`, "", ""],
      [
        `simulate_${simulation.options.days}_days_s`,
        simulation.wallSeconds.toFixed(1),
        "<= 20",
        check(met.simulate_30_days_s)
      ],
      [`  with an events subscriber`, withEvents.wallSeconds.toFixed(1), "", ""]
    ]),
    "",
    `simulation: ${simulation.options.days} virtual days x ${fmt(simulation.options.callsPerDay)} StartImageScan ` +
    `calls, TestClock.adjust every ${simulation.options.stepMinutes} virtual minutes (${
      fmt(simulation.adjusts)
    } adjusts)`,
    `  wall: ${(simulation.wallMillis.calls / 1000).toFixed(1)} s in scan calls, ` +
    `${(simulation.wallMillis.pushes / 1000).toFixed(1)} s in daily pushes, ` +
    `${(simulation.wallMillis.clock / 1000).toFixed(1)} s in TestClock.adjust + quota reads ` +
    `(${(simulation.wallMillis.clock / simulation.adjusts).toFixed(1)} ms a step); rest: initial pushes, set-up`,
    `  ${fmt(simulation.calls)} calls, ${fmt(simulation.pushes)} images pushed, ${
      fmt(simulation.accepted)
    } accepted; ` +
    `refused: ${
      Object.entries(simulation.refused).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")
    }`,
    `  events with a subscriber: ${
      Object.entries(withEvents.events ?? {}).map(([type, count]) => `${type} ${fmt(count)}`).join(", ")
    }`,
    `  accepted per day max ${fmt(simulation.maxAcceptedPerDay)} (<= 100,000: ${
      simulation.maxAcceptedPerDay <= 100_000 ? "yes" : "NO"
    }); quota used in the rolling window max ${fmt(simulation.maxQuotaUsed)} of ${fmt(simulation.quotaLimit)} (${
      simulation.maxQuotaUsed <= simulation.quotaLimit ? "ok" : "EXCEEDED"
    })`,
    ""
  ]
  process.stdout.write(lines.join("\n") + "\n")

  const json = {
    ...figures,
    targets: TARGETS,
    targets_met: met,
    calls_per_s: {
      memory: {
        admit_10k: admitSmall.memory.callsPerSecond,
        admit_10k_tracer_installed: admitTraced.memory.callsPerSecond,
        mixed_10k: mixedSmall.memory.callsPerSecond,
        admit_1m: admitLarge.memory.callsPerSecond,
        mixed_1m: mixedLarge.memory.callsPerSecond
      },
      floor: {
        admit_10k: admitSmall.floor.callsPerSecond,
        mixed_10k: mixedSmall.floor.callsPerSecond,
        admit_1m: admitLarge.floor.callsPerSecond,
        mixed_1m: mixedLarge.floor.callsPerSecond
      },
      moto_admit_10k: moto?.calls_per_s ?? null
    },
    workloads: results,
    moto: moto ?? { error: motoError },
    memory: {
      bytes_per_image_1m: large.bytesPerImage,
      bytes_per_image_10k: smallFigures.bytesPerImage,
      floor_bytes_per_image_1m: large.floorBytesPerImage,
      push_seconds_1m: large.pushSeconds
    },
    simulation,
    simulation_with_events: { ...withEvents, days: undefined },
    simulate_30_days_with_events_s: withEvents.wallSeconds,
    quick,
    node: process.version,
    date: new Date().toISOString(),
    machine: { ...machine, load_average_at_end: Machine.loadAverage() },
    wall_seconds: Number(elapsed().replace(" s", ""))
  }
  const out = fileURLToPath(new URL(`../results/memory${quick ? ".quick" : ""}.json`, import.meta.url))
  mkdirSync(fileURLToPath(new URL("../results/", import.meta.url)), { recursive: true })
  writeFileSync(out, JSON.stringify(json, null, 2) + "\n")
  log(`wrote ${out} (${elapsed()})`)
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
