/**
 * Starts the emulator in the test process on a free loopback port, and talks to its control
 * endpoints. One emulator per test file; tests keep out of each other's way by using their own
 * repositories, and only ever move the virtual clock forward. The manifest fixtures are
 * `@ecr-scan/testing`'s, under the names these tests use.
 */
import { Emulator, type EmulatorClock } from "@ecr-scan/emulator"
import { Fixtures } from "@ecr-scan/testing"
import * as HttpServer from "@effect/platform/HttpServer"
import { Effect, type Layer, ManagedRuntime } from "effect"

/** A running emulator. */
export interface RunningEmulator {
  readonly endpoint: string
  readonly port: number
  /** Lines the emulator logged, one per request (e.g. `POST StartImageScan 200 0.4ms`). */
  readonly log: Array<string>
  /** Calls a control endpoint and returns its JSON. */
  readonly control: (method: string, path: string, body?: unknown) => Promise<any>
  readonly advance: (duration: string) => Promise<void>
  readonly stop: () => Promise<void>
}

/** Starts an emulator (virtual clock by default, starting 2026-01-01). */
export const startEmulator = async (options: Emulator.EmulatorOptions = {}): Promise<RunningEmulator> => {
  const log: Array<string> = []
  const layer = Emulator.layer({
    clock: { _tag: "Virtual", startMillis: Date.parse("2026-01-01T00:00:00Z") },
    seed: "interop",
    rules: { scanDuration: { min: 1_000, max: 3_000 } },
    log: (line) => log.push(line),
    ...options
  })
  const runtime = ManagedRuntime.make(
    layer as Layer.Layer<HttpServer.HttpServer | EmulatorClock.EmulatorClock, unknown>
  )
  const address = await runtime.runPromise(Effect.map(HttpServer.HttpServer, (s) => s.address))
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const endpoint = `http://127.0.0.1:${address.port}`
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${endpoint}/_ecr-scan${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        // With authentication on, the control endpoints need the admin token.
        ...(options.auth === undefined ? {} : { authorization: `Bearer ${options.auth.adminToken}` })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const json = await response.json()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
    return json
  }
  return {
    endpoint,
    port: address.port,
    log,
    control,
    advance: async (duration) => {
      await control("POST", "/clock/advance", { duration })
    },
    stop: () => runtime.dispose()
  }
}

/** An OCI image manifest, distinct per `n`, with `layers` layers (a scannable image). */
export const imageManifest = (n: number, layers = 1) => Fixtures.image(n, { layers })

/** An OCI image index over the given image digests. */
export const imageIndex = (digests: ReadonlyArray<string>) => Fixtures.index(digests)

/** `sha256:` of the exact bytes: the digest ECR gives a manifest. */
export const digestOf = (manifest: string) => Fixtures.digestOf(manifest)
