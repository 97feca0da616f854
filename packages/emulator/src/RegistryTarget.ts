/**
 * The registry a control of the Promise API acts on (see `PromiseApi`, `EventControls`): an account (default:
 * the first) in a region (default: the emulator's `region`), built if it is the first use of the region.
 *
 * @since 0.1.0
 */
import { MemoryRegistryDriver, type MemoryRegistryDriverService } from "@ecr-scan/memory-backend"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Accounts from "./Accounts.js"
import { EmulatorError } from "./EmulatorError.js"

/**
 * Which registry a control acts on: the registry of `account` (default: the first) in `region` (default: the
 * emulator's `region`).
 *
 * @example
 * ```ts
 * import type { RegistryTarget } from "@ecr-scan/emulator"
 *
 * const target: RegistryTarget.RegistryOptions = { region: "eu-west-1" }
 * ```
 */
export interface RegistryOptions {
  /** The account acted on (default: the emulator's first account). */
  readonly account?: string | undefined
  /** The region acted on (default: the emulator's `region`). */
  readonly region?: string | undefined
}

/** The registry `options` name, or an `EmulatorError` naming the account or region it cannot have. */
export const registryOf = (
  method: string,
  options: RegistryOptions | undefined
): Effect.Effect<Accounts.Registry, EmulatorError, Accounts.Accounts> =>
  Effect.flatMap(Accounts.Accounts, (accounts) =>
    Effect.mapError(
      accounts.registry(options?.account ?? accounts.defaultId, options?.region ?? accounts.defaultRegion),
      (error) =>
        new EmulatorError(
          error.reason === "UnknownAccount"
            ? "UnknownAccount"
            : error.reason === "Failed"
            ? "Internal"
            : "InvalidArgument",
          `${method}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`
        )
    ))

/** The test driver of the registry `options` name. */
export const driverOf = (
  method: string,
  options: RegistryOptions | undefined
): Effect.Effect<MemoryRegistryDriverService, EmulatorError, Accounts.Accounts> =>
  Effect.flatMap(
    registryOf(method, options),
    (registry) =>
      Option.match(Context.getOption(registry.context as Context.Context<never>, MemoryRegistryDriver), {
        onNone: () =>
          Effect.fail(new EmulatorError("Internal", `${method}: account '${registry.accountId}' has no test driver`)),
        onSome: (driver) => Effect.succeed(driver)
      })
  )

/**
 * The registries a control of every registry acts on: with neither `account` nor `region`, every registry
 * built; with `account` alone, every registry of that account; with `region`, the one registry named.
 */
export const registriesOf = (
  method: string,
  options: RegistryOptions | undefined
): Effect.Effect<ReadonlyArray<Accounts.Registry>, EmulatorError, Accounts.Accounts> =>
  options?.account === undefined && options?.region === undefined
    ? Effect.map(Accounts.Accounts, (accounts) => accounts.registries())
    : options.region === undefined
    ? Effect.flatMap(Accounts.Accounts, (accounts) =>
      accounts.ids.includes(options.account!)
        ? Effect.succeed(accounts.registries().filter((r) => r.accountId === options.account))
        : Effect.map(registryOf(method, options), (registry) => [registry]))
    : Effect.map(registryOf(method, options), (registry) => [registry])
