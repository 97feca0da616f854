/**
 * What a load child and the orchestrator say to each other: the spec goes in as the child's one
 * argument (JSON); the child prints `START` when the measured window opens, `END` when it closes and
 * `RESULT <json>` last.
 *
 * @since 0.1.0
 */

/** A timed run of StartImageScan, one distinct image per request. */
export interface ScanSpec {
  readonly mode: "scan"
  readonly host: string
  readonly port: number
  /** Requests in flight, one per keep-alive connection. */
  readonly connections: number
  /** Images `[firstImage, firstImage + images)` are scanned in order, each once (unless `cycle`). */
  readonly images: number
  /** The first image of the run (default 0): rounds against one emulator take disjoint slices. */
  readonly firstImage?: number | undefined
  /** A JSON file with the digest of every image (moto's); default: the emulator's digests. */
  readonly digestsFile?: string | undefined
  /** Go round the requests again when they run out (the floor, which keeps no state). */
  readonly cycle: boolean
  readonly warmupMs: number
  readonly durationMs: number
}

/** Set-up of the emulator over HTTP: CreateRepository for each repository, then PutImage for each image. */
export interface SetupSpec {
  readonly mode: "setup"
  readonly host: string
  readonly port: number
  readonly connections: number
  readonly images: number
}

/** A timed run of the JS SDK's StartImageScanCommand. */
export interface SdkSpec {
  readonly mode: "sdk"
  readonly host: string
  readonly port: number
  readonly connections: number
  readonly images: number
  readonly warmupMs: number
  readonly durationMs: number
}

/** What a timed run measured. */
export interface LoadResult {
  /** Responses completed in the measured window. */
  readonly measured: number
  readonly seconds: number
  readonly requests_per_s: number
  readonly p50_ms: number
  readonly p90_ms: number
  readonly p99_ms: number
  readonly max_ms: number
  readonly mean_ms: number
  /** HTTP status (or SDK outcome) of each measured response. */
  readonly statuses: Record<string, number>
  /** Every response, warm-up included. */
  readonly total_responses: number
  readonly errors: number
  /** Why the run stopped: `time`, `exhausted` (no images left: the window closed early) or a failure. */
  readonly reason: string
  /** The first replies that were not 200, for diagnosis. */
  readonly samples: ReadonlyArray<string>
  /** Time spent building the requests before the run. */
  readonly build_ms: number
}

/** The latency figures of some samples (milliseconds). */
export const percentiles = (samples: Float64Array) => {
  const sorted = samples.slice().sort()
  const at = (q: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  let sum = 0
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]
  return {
    p50_ms: at(0.5),
    p90_ms: at(0.9),
    p99_ms: at(0.99),
    max_ms: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    mean_ms: sorted.length === 0 ? NaN : sum / sorted.length
  }
}

/** Prints the result line and exits. */
export const report = (result: unknown): void => {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0))
}

/** Reads the spec from the child's argument. */
export const readSpec = <A>(): A => {
  const text = process.argv[2]
  if (text === undefined) throw new Error("usage: node <load child> '<json spec>'")
  return JSON.parse(text) as A
}
