/**
 * The golden corpus: corpus.jsonl holds a few thousand requests over every operation, error, control
 * endpoint and protocol fault, with the exact replies the reference emulator gave them (recorded by
 * record.ts from a built checkout of the reference commit, `packages/emulator/dist/main.js`). This test
 * replays them in order against the emulator of the working tree and requires every reply to be the same,
 * byte for byte: status, content type, `x-amzn-errortype` and body. Only the random request id (and the
 * wall-clock `date`) are left out, and the emulator's own address in a body (`GetAuthorizationToken`'s
 * `proxyEndpoint`) is compared as `SELF_ENDPOINT`, its port being a free one.
 *
 * The emulator runs in this process, built as `main.js` builds it from the recording's flags (see
 * `emulatorArgs`): virtual clock from the same instant, same seed, same scan durations, default account,
 * region and limits, no log. A replay that passes on the unmodified reference proves the two equivalent.
 *
 * A failure names the first differing steps (scenario, request, both replies); replay stops after a few,
 * since later steps run on the state the earlier ones left. If a change of behaviour is intended, re-record
 * (see record.ts) against the new reference and review the diff of corpus.jsonl.
 */
import { Durations, Emulator, type EmulatorClock } from "@ecr-scan/emulator"
import * as HttpServer from "@effect/platform/HttpServer"
import { Effect, Either, type Layer, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeMismatches, emulatorArgs, parseCorpus, RECORDING, replay } from "./exchange.js"

const corpus = parseCorpus(Fs.readFileSync(new URL("./corpus.jsonl", import.meta.url), "utf8"))

let runtime: ManagedRuntime.ManagedRuntime<HttpServer.HttpServer | EmulatorClock.EmulatorClock, unknown> | undefined
let endpoint = ""

beforeAll(async () => {
  const layer = Emulator.layer({
    host: "127.0.0.1",
    port: 0,
    accountId: RECORDING.accountId,
    region: RECORDING.region,
    seed: RECORDING.seed,
    clock: { _tag: "Virtual", startMillis: Date.parse(RECORDING.startTime) },
    rules: { scanDuration: { min: RECORDING.scanDurationMillis.min, max: RECORDING.scanDurationMillis.max } }
  })
  runtime = ManagedRuntime.make(layer as Layer.Layer<HttpServer.HttpServer | EmulatorClock.EmulatorClock, unknown>)
  const address = await runtime.runPromise(Effect.map(HttpServer.HttpServer, (server) => server.address))
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  endpoint = `http://127.0.0.1:${address.port}`
})

afterAll(async () => {
  await runtime?.dispose()
})

describe("golden corpus", () => {
  it("was recorded with the settings this test starts the emulator with", () => {
    expect(corpus.header.recording).toEqual(RECORDING)
    expect(corpus.header.emulatorArgs).toEqual(emulatorArgs)
    // main.js reads --scan-duration with this parser; the in-process emulator is given its result.
    expect(Durations.parseDurationRange(RECORDING.scanDuration)).toEqual(
      Either.right({ ...RECORDING.scanDurationMillis })
    )
    expect(corpus.steps.length).toBeGreaterThan(3_000)
  })

  it("replays every step with byte-identical replies", async () => {
    const { mismatches, replayed } = await replay(endpoint, corpus.steps)
    if (mismatches.length > 0) expect.fail(describeMismatches(mismatches, replayed, corpus.steps.length))
    expect(replayed).toBe(corpus.steps.length)
  })
})
