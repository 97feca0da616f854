/**
 * StartImageScan throughput of the memory backend against the plain-TypeScript floor, and the heap
 * the backend holds per image.
 *
 * Both implementations get the same images (pushed through the backend's `ImageRegistry.putImage`,
 * then handed to the floor), the same request objects in the same order, and the same virtual
 * instant: the backend reads a `TestClock`, the floor a number, and both advance together between
 * repetitions. Only the scan calls are timed.
 *
 * @since 0.1.0
 */
import { type Api, ImageRegistry, ImageScanner, type ImageScannerService } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as Effect from "effect/Effect"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as TestClock from "effect/TestClock"
import type * as TestServices from "effect/TestServices"
import type * as Tracer from "effect/Tracer"
import * as Fixtures from "./fixtures.js"
import { type FloorRequest, StartImageScanFloor } from "./floor/StartImageScanFloor.js"
import * as Machine from "./machine.js"

const HOUR = 3_600_000
const SEED = "bench"

/** What one timed loop did. */
export interface LoopResult {
  readonly seconds: number
  readonly calls: number
  readonly accepted: number
  /** Refusals other than `LimitExceededException` (there should be none). */
  readonly otherRefusals: number
}

/** The figures of one workload on one implementation. */
export interface WorkloadFigures {
  readonly callsPerSecond: number
  /** calls/s of every timed repetition. */
  readonly repetitions: ReadonlyArray<number>
  readonly accepted: number
  readonly refused: number
}

/** The figures of one workload, side by side. */
export interface WorkloadResult {
  readonly name: string
  readonly images: number
  readonly calls: number
  readonly memory: WorkloadFigures
  readonly floor: WorkloadFigures
  readonly ratio: number
}

/** The runtime every Effect of the throughput part runs in: one `TestClock` for the whole run. */
export type BenchRuntime = ManagedRuntime.ManagedRuntime<TestServices.TestServices, never>

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) {
    collect()
    collect()
  }
}

/** The heap in use after a full collection. */
export const heapAfterGc = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * The timed loop on the backend, written the way an Effect user writes it: one program, the port taken
 * from the environment, one `yield*` per call, failures kept as values by `Effect.either`.
 */
const backendLoop = (requests: ReadonlyArray<Fixtures.ScanRequest>, order: Uint32Array) =>
  Effect.gen(function*() {
    const scanner = yield* ImageScanner
    let accepted = 0
    let otherRefusals = 0
    const start = performance.now()
    for (let k = 0; k < order.length; k++) {
      const request = requests[order[k]] as Api.RequestOf<"StartImageScan">
      const result = yield* Effect.either(scanner.startImageScan(request))
      if (result._tag === "Right") accepted++
      else if (result.left._tag !== "LimitExceededException") otherRefusals++
    }
    const seconds = (performance.now() - start) / 1000
    return { seconds, calls: order.length, accepted, otherRefusals } satisfies LoopResult
  })

/** The same loop on the floor. */
const floorLoop = (
  floor: StartImageScanFloor,
  requests: ReadonlyArray<FloorRequest>,
  order: Uint32Array,
  clock: { readonly now: number }
): LoopResult => {
  let accepted = 0
  let otherRefusals = 0
  const start = performance.now()
  for (let k = 0; k < order.length; k++) {
    const result = floor.startImageScan(requests[order[k]], clock.now)
    if (result._tag === undefined) accepted++
    else if (result._tag !== "LimitExceededException") otherRefusals++
  }
  const seconds = (performance.now() - start) / 1000
  return { seconds, calls: order.length, accepted, otherRefusals }
}

/** One registry of `n` images in both implementations, on a shared virtual instant. */
export interface Registries {
  readonly n: number
  readonly scanner: ImageScannerService
  readonly floor: StartImageScanFloor
  readonly requests: ReadonlyArray<Fixtures.ScanRequest>
  /** Heap held by the backend per image after the pushes (manifests included). */
  readonly bytesPerImage: number
  /** Heap held by the floor per image (it keeps no manifests). */
  readonly floorBytesPerImage: number
  readonly pushSeconds: number
}

/** The shared virtual clock: the backend's `TestClock` and the floor's number move together. */
export class VirtualClock {
  now = Date.parse("2026-01-05T00:00:00Z")
  constructor(readonly runtime: BenchRuntime) {}

  start(): Promise<void> {
    return this.runtime.runPromise(TestClock.setTime(this.now))
  }

  async advance(millis: number): Promise<void> {
    this.now += millis
    await this.runtime.runPromise(TestClock.adjust(millis))
  }
}

/** Builds both registries with `n` images, measuring the backend's heap per image on the way. */
export const setUp = async (n: number, runtime: BenchRuntime): Promise<Registries> => {
  // Everything the benchmark itself keeps is allocated before the first measurement or after the last.
  const digests = new Array<string>(n).fill("")
  const before = heapAfterGc()
  const backend = await runtime.runPromise(
    MemoryRegistry.make({ seed: SEED, rules: { accountQuotaLimit: 4 * n } }).pipe(Effect.orDie)
  )
  const pushStart = performance.now()
  await runtime.runPromise(
    Effect.gen(function*() {
      const registry = yield* ImageRegistry
      for (const repositoryName of Fixtures.repositoryNames) yield* registry.createRepository({ repositoryName })
      for (let i = 0; i < n; i++) {
        const pushed = yield* registry.putImage({
          repositoryName: Fixtures.repositoryOf(i),
          imageManifest: Fixtures.manifest(i),
          imageTag: Fixtures.tagOf(i)
        })
        digests[i] = pushed.image!.imageId!.imageDigest!
      }
    }).pipe(Effect.provideService(ImageRegistry, backend.registry), Effect.orDie)
  )
  const pushSeconds = (performance.now() - pushStart) / 1000
  const after = heapAfterGc()
  const bytesPerImage = (after - before) / n

  const floor = new StartImageScanFloor({ seed: SEED, accountQuotaLimit: 4 * n })
  for (const name of Fixtures.repositoryNames) floor.createRepository(name)
  for (let i = 0; i < n; i++) {
    floor.putImage(Fixtures.repositoryOf(i), {
      digest: digests[i],
      tag: Fixtures.tagOf(i),
      mediaType: Fixtures.MEDIA.manifest,
      artifactMediaType: Fixtures.MEDIA.config,
      layerCount: 1
    })
  }
  const floorBytesPerImage = (heapAfterGc() - after) / n
  const requests = digests.map((digest, i) => Fixtures.requestFor(i, digest))
  return { n, scanner: backend.scanner, floor, requests, bytesPerImage, floorBytesPerImage, pushSeconds }
}

const runBackend = (runtime: BenchRuntime, registries: Registries, order: Uint32Array, tracer?: Tracer.Tracer) => {
  const loop = backendLoop(registries.requests, order).pipe(Effect.provideService(ImageScanner, registries.scanner))
  return runtime.runPromise(tracer === undefined ? loop : Effect.withTracer(loop, tracer))
}

const check = (what: string, backend: LoopResult, floor: LoopResult) => {
  if (backend.accepted !== floor.accepted || backend.otherRefusals !== 0 || floor.otherRefusals !== 0) {
    throw new Error(
      `${what}: the implementations disagree (backend accepted ${backend.accepted}, ` +
        `floor ${floor.accepted}; other refusals ${backend.otherRefusals} / ${floor.otherRefusals})`
    )
  }
}

/** A workload: how to make both registries ready for one repetition, and the order of the calls. */
interface Workload {
  readonly name: string
  readonly order: Uint32Array
  /** Untimed, before each repetition: both implementations are brought to the same state. */
  readonly prepare: (registries: Registries, clock: VirtualClock) => Promise<void>
}

const allImages = (n: number): Uint32Array => {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order
}

/** Every call accepted: each image scanned once per repetition, a day later than the last. */
export const admit = (n: number): Workload => ({
  name: "admit",
  order: allImages(n),
  prepare: (_, clock) => clock.advance(25 * HOUR)
})

/**
 * A seeded-random image per call, the clock standing still: nine images in ten were scanned (untimed)
 * at this instant, so most calls are refused by the 24 h rule; the first call on each of the others
 * is accepted.
 */
export const mixed = (n: number, calls: number, seed: number): Workload => {
  const random = Fixtures.makeRandom(seed)
  const order = new Uint32Array(calls)
  for (let k = 0; k < calls; k++) order[k] = random.int(n)
  const scannedBefore = allImages(n).filter((i) => i % 10 !== 0)
  return {
    name: "mixed",
    order,
    prepare: async (registries, clock) => {
      await clock.advance(25 * HOUR)
      const backend = await runBackend(clock.runtime, registries, scannedBefore)
      const floor = floorLoop(registries.floor, registries.requests, scannedBefore, clock)
      check("mixed, scanning nine images in ten", backend, floor)
    }
  }
}

const figures = (results: ReadonlyArray<LoopResult>): WorkloadFigures => {
  const repetitions = results.map((r) => r.calls / r.seconds)
  const last = results[results.length - 1]
  return {
    callsPerSecond: Machine.median(repetitions),
    repetitions,
    accepted: last.accepted,
    refused: last.calls - last.accepted
  }
}

/**
 * Runs a workload `warmups + repetitions` times, alternating which implementation goes first, and
 * reports the median calls/s of the timed repetitions.
 */
export const run = async (
  registries: Registries,
  clock: VirtualClock,
  workload: Workload,
  options: {
    readonly warmups: number
    readonly repetitions: number
    /** A tracer the program installs (the backend makes a span per call under any but Effect's default). */
    readonly tracer?: Tracer.Tracer
  }
): Promise<WorkloadResult> => {
  const backendResults: Array<LoopResult> = []
  const floorResults: Array<LoopResult> = []
  for (let rep = 0; rep < options.warmups + options.repetitions; rep++) {
    // Both implementations start each repetition in the same state at the same instant.
    await workload.prepare(registries, clock)
    let backend: LoopResult
    let floor: LoopResult
    if (rep % 2 === 0) {
      floor = floorLoop(registries.floor, registries.requests, workload.order, clock)
      backend = await runBackend(clock.runtime, registries, workload.order, options.tracer)
    } else {
      backend = await runBackend(clock.runtime, registries, workload.order, options.tracer)
      floor = floorLoop(registries.floor, registries.requests, workload.order, clock)
    }
    check(`${workload.name} ${registries.n}`, backend, floor)
    if (rep >= options.warmups) {
      backendResults.push(backend)
      floorResults.push(floor)
    }
  }
  const memory = figures(backendResults)
  const floor = figures(floorResults)
  return {
    name: workload.name,
    images: registries.n,
    calls: workload.order.length,
    memory,
    floor,
    ratio: memory.callsPerSecond / floor.callsPerSecond
  }
}
