/**
 * The emulator on the in-memory registry: one layer that starts an ECR endpoint with the real rules.
 *
 * ```ts
 * Layer.launch(Emulator.layer({ port: 4510, clock: { _tag: "Virtual", startMillis: Date.now() } }))
 * ```
 *
 * @since 0.1.0
 */
import { DurableClock, DurableRegistry, MemoryRegistry, type StateFiles } from "@ecr-scan/memory-backend"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Accounts from "./Accounts.js"
import * as EmulatorClock from "./EmulatorClock.js"
import * as EventDelivery from "./EventDelivery.js"
import * as Regions from "./Regions.js"
import * as Server from "./Server.js"

/** Which clock the registry runs on. */
export type ClockMode =
  | { readonly _tag: "Real" }
  | { readonly _tag: "Virtual"; readonly startMillis: number }

/** Options of the emulator. */
export interface EmulatorOptions extends Server.ServerOptions, MemoryRegistry.MemoryRegistryOptions {
  readonly clock?: ClockMode
  /**
   * Keep the registries, the virtual clock and the events owed to targets (`<stateDir>/events/`) on disk (see
   * `DurableRegistry`, `EventOutbox`): an account's registry in the default region (`region`) in
   * `<stateDir>/<accountId>/`, as before regions, and in any other region in `<stateDir>/<accountId>/<region>/`.
   */
  readonly stateDir?: string | undefined
  /** The events' targets, their retry policy and each account's log size (see `EventDelivery`). */
  readonly eventDelivery?: EventDelivery.DeliveryOptions | undefined
}

/** The default account id of the registry (AWS's documentation example). */
export const DEFAULT_ACCOUNT_ID = MemoryRegistry.DEFAULT_ACCOUNT_ID

/**
 * The accounts served: with `auth`, every account of the credentials (in order, each once); without,
 * the single `accountId`.
 */
export const accountIds = (options: EmulatorOptions): ReadonlyArray<string> =>
  options.auth === undefined
    ? [options.accountId ?? DEFAULT_ACCOUNT_ID]
    : [...new Set(options.auth.credentials.map((c) => c.accountId))]

/** The default region: the options', else `us-east-1`. */
export const defaultRegion = (options: MemoryRegistry.MemoryRegistryOptions): string =>
  options.region ?? MemoryRegistry.DEFAULT_REGION

/** One (account, region) pair's fresh in-memory registry, with the options' seed and rules. */
export const memoryRegistry =
  (options: MemoryRegistry.MemoryRegistryOptions) => (accountId: string, region = defaultRegion(options)) =>
    MemoryRegistry.layer({ ...options, accountId, region })

/**
 * The directory of an (account, region) pair's registry in `stateDir`: `<stateDir>/<accountId>/` for the
 * default region (the directory of an emulator before regions), `<stateDir>/<accountId>/<region>/` for others.
 */
export const registryDirectory = (stateDir: string, accountId: string, region: string, defaultRegion: string) =>
  region === defaultRegion ? Path.join(stateDir, accountId) : Path.join(stateDir, accountId, region)

/** The regions other than the default with a registry directory under `<stateDir>/<accountId>/`. */
export const regionsOnDisk = (stateDir: string, accountId: string, defaultRegion: string): ReadonlyArray<string> => {
  try {
    return Fs.readdirSync(Path.join(stateDir, accountId), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== defaultRegion && Regions.isRegion(entry.name))
      .map((entry) => entry.name)
      .sort()
  } catch {
    return []
  }
}

/** One (account, region) pair's durable registry in `stateDir` (see `registryDirectory`). */
export const durableRegistry =
  (stateDir: string, options: MemoryRegistry.MemoryRegistryOptions) =>
  (accountId: string, region = defaultRegion(options)) =>
    DurableRegistry.layer({
      ...options,
      accountId,
      region,
      directory: registryDirectory(stateDir, accountId, region, defaultRegion(options))
    })

/**
 * The virtual clock kept in `stateDir` (see `DurableClock`): one for every account, beside their directories.
 * `startMillis` only applies to a new directory.
 */
export const durableClock = (
  startMillis: number,
  stateDir: string
): Layer.Layer<EmulatorClock.EmulatorClock, StateFiles.StateFileError> =>
  Layer.effect(
    EmulatorClock.EmulatorClock,
    Effect.map(DurableClock.make(startMillis, stateDir), (clock): EmulatorClock.EmulatorClockService => ({
      mode: "virtual",
      virtual: clock,
      run: (effect) => Effect.withClock(effect, clock),
      now: clock.currentTimeMillis
    }))
  )

/**
 * The emulator serving a fresh in-memory registry per account and region (the default region's built at
 * once, the others on first use). Beside the `HttpServer` (whose `address`
 * says where it listens), its output holds the `EmulatorClock`, the `Accounts` (each account's ports and
 * `MemoryRegistryDriver`) and the `EventDelivery` (each account's event log, the targets' state), for a host
 * that drives the emulator in-process (see `PromiseApi`).
 */
export const layer = (
  options: EmulatorOptions = {}
): Layer.Layer<
  HttpServer.HttpServer | EmulatorClock.EmulatorClock | Accounts.Accounts | EventDelivery.EventDelivery,
  ServeError | MemoryRegistry.InvalidMemoryRegistryOptions | StateFiles.StateFileError
> => {
  const clock = options.clock === undefined || options.clock._tag === "Real"
    ? EmulatorClock.real
    : options.stateDir === undefined
    ? EmulatorClock.virtual(options.clock.startMillis)
    : durableClock(options.clock.startMillis, options.stateDir)
  const stateDir = options.stateDir
  const region = defaultRegion(options)
  const makeRegistry = stateDir === undefined ? memoryRegistry(options) : durableRegistry(stateDir, options)
  const registries = Accounts.layer(accountIds(options), makeRegistry, {
    defaultRegion: region,
    existingRegions: stateDir === undefined ? undefined : (accountId) => regionsOnDisk(stateDir, accountId, region)
  })
  const delivery = EventDelivery.layer({ ...options.eventDelivery, stateDir: options.stateDir, seed: options.seed })
  return Server.layer(options).pipe(
    Layer.provideMerge(delivery),
    Layer.provideMerge(registries),
    Layer.provideMerge(clock)
  )
}
