/**
 * The JS SDK's figure: `@aws-sdk/client-ecr`'s `StartImageScanCommand` against the emulator, 16 calls
 * in flight over a keep-alive `http.Agent` (maxSockets 16), one distinct image per call, no retries.
 * Latency from `client.send` to its result; the SDK's own cost (serialize, sign, parse) is in it.
 * Run as a child process of `bench/emulator.ts`.
 *
 * @since 0.1.0
 */
import { ECRClient, StartImageScanCommand, type StartImageScanCommandInput } from "@aws-sdk/client-ecr"
import * as Http from "node:http"
import * as Fixtures from "../fixtures.js"
import { percentiles, readSpec, report, type SdkSpec } from "./protocol.js"
import * as Requests from "./requests.js"

const MAX_SAMPLES = 3

const main = async (spec: SdkSpec) => {
  const buildStart = performance.now()
  const inputs: ReadonlyArray<StartImageScanCommandInput> = Array.from(
    { length: spec.images },
    (_, i) => Fixtures.requestFor(i, Requests.emulatorDigest(i)) as StartImageScanCommandInput
  )
  const buildMs = performance.now() - buildStart
  const agent = new Http.Agent({ keepAlive: true, maxSockets: spec.connections })
  const client = new ECRClient({
    endpoint: `http://${spec.host}:${spec.port}`,
    region: Requests.REGION,
    credentials: { accessKeyId: "AKIDBENCHMARK0000000", secretAccessKey: "bench-secret" },
    maxAttempts: 1,
    requestHandler: { httpAgent: agent }
  })
  const latencies = new Float64Array(Math.max(1, inputs.length))
  const statuses: Record<string, number> = {}
  const samples: Array<string> = []
  let measured = 0
  let total = 0
  let errors = 0
  let next = 0
  let measuring = false
  let stopped = false
  let started = 0
  let ended = 0
  let lastResponse = 0
  let reason = "time"

  const worker = async () => {
    while (!stopped && next < inputs.length) {
      const input = inputs[next++]
      const sentAt = performance.now()
      let outcome: string
      try {
        const out = await client.send(new StartImageScanCommand(input))
        outcome = out.imageScanStatus?.status ?? "?"
      } catch (error) {
        errors += 1
        outcome = (error as { name?: string }).name ?? "Error"
        if (samples.length < MAX_SAMPLES) samples.push(String(error))
      }
      const now = performance.now()
      total += 1
      lastResponse = now
      if (measuring) {
        statuses[outcome] = (statuses[outcome] ?? 0) + 1
        latencies[measured++] = now - sentAt
      }
    }
  }

  const warmup = setTimeout(() => {
    measuring = true
    started = performance.now()
    process.stdout.write("START\n")
  }, spec.warmupMs)
  const stop = (why: string) => {
    if (stopped) return
    stopped = true
    reason = why
    if (measuring) {
      ended = why === "time" ? performance.now() : lastResponse
      measuring = false
      process.stdout.write("END\n")
    }
  }
  const window = setTimeout(() => stop("time"), spec.warmupMs + spec.durationMs)
  const hardStop = setTimeout(() => {
    stop("timeout")
    report({ error: "the SDK calls did not finish in time" })
  }, spec.warmupMs + spec.durationMs + 15_000)
  await Promise.all(Array.from({ length: spec.connections }, worker))
  stop("exhausted")
  clearTimeout(warmup)
  clearTimeout(window)
  clearTimeout(hardStop)
  client.destroy()
  agent.destroy()
  const seconds = ended > started ? (ended - started) / 1000 : NaN
  report({
    measured,
    seconds,
    requests_per_s: measured / seconds,
    ...percentiles(latencies.subarray(0, measured)),
    statuses,
    total_responses: total,
    errors,
    reason,
    samples,
    build_ms: buildMs
  })
}

main(readSpec<SdkSpec>()).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
