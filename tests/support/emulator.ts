/**
 * Starts the emulator in the test process on a free loopback port, and talks to its control
 * endpoints. One emulator per test file; tests keep out of each other's way by using their own
 * repositories, and only ever move the virtual clock forward.
 */
import { ManifestBuilder } from "@ecr-scan/core"
import { Emulator, type EmulatorClock } from "@ecr-scan/emulator"
import * as HttpServer from "@effect/platform/HttpServer"
import { Effect, type Layer, ManagedRuntime } from "effect"
import { createHash } from "node:crypto"

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

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`

/** An OCI image manifest, distinct per `n`, with one layer (a scannable image). */
export const imageManifest = (n: number, layers = 1) =>
  ManifestBuilder.image({
    config: { digest: sha256(`config-${n}`), size: 1469 },
    layers: Array.from({ length: layers }, (_, i) => ({ digest: sha256(`layer-${n}-${i}`), size: 3_370_706 + i }))
  })

/** An OCI image index over the given image digests. */
export const imageIndex = (digests: ReadonlyArray<string>) =>
  ManifestBuilder.index({
    manifests: digests.map((digest) => ({ digest, size: 500, platform: { architecture: "amd64", os: "linux" } }))
  })

/** `sha256:` of the exact bytes: the digest ECR gives a manifest. */
export const digestOf = (manifest: string) => `sha256:${createHash("sha256").update(manifest, "utf8").digest("hex")}`
