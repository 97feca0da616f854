/**
 * The registries the emulator serves: one per account and region, each built by one function of the pair,
 * so that each sees only its own repositories and has its own scan quota. A request's account is the one its
 * access key belongs to (with `--auth sigv4`), else the only one; its region is its credential scope's, else
 * the default region (see `Regions`).
 *
 * The default region's registry of every account is built with the layer (and, with `existingRegions`, those
 * of the regions found on disk); any other is built on first use, in the layer's scope, and every follower
 * (`follow`: the event delivery) is told of it before anything can use it.
 *
 * @since 0.1.0
 */
import type { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Regions from "./Regions.js"

/** One registry's services: the ports, and whatever else its layer provides (the memory driver, say). */
export type AccountContext = Context.Context<ImageScanner | ImageRegistry>

/** One (account, region) pair's registry. */
export interface Registry {
  readonly accountId: string
  readonly region: string
  /** Its name among the emulator's registries (see `Regions.keyOf`). */
  readonly key: string
  readonly context: AccountContext
}

/** Why a registry cannot be had: an account or region the emulator does not serve, or a build that failed. */
export class RegistryUnavailable extends Data.TaggedError("RegistryUnavailable")<{
  readonly reason: "UnknownAccount" | "InvalidRegion" | "TooManyRegions" | "Failed"
  readonly message: string
}> {}

/** Told of each registry built after it registered (see `AccountsService.follow`). */
export type Follower = (registry: Registry) => Effect.Effect<void>

/** The accounts and their registries. */
export interface AccountsService {
  /** Account ids, in the order given; the first is the default of the control endpoints. */
  readonly ids: ReadonlyArray<string>
  readonly defaultId: string
  /** The region of unsigned requests and of controls that name none. */
  readonly defaultRegion: string
  /** The account's registry in the default region, or `undefined` for an account the emulator does not serve. */
  readonly get: (accountId: string) => AccountContext | undefined
  /** The pair's registry if it has been built, without building it. */
  readonly existing: (accountId: string, region: string) => Registry | undefined
  /** The pair's registry, built on first use. */
  readonly registry: (accountId: string, region: string) => Effect.Effect<Registry, RegistryUnavailable>
  /** Every registry built so far, in the order built. */
  readonly registries: () => ReadonlyArray<Registry>
  /**
   * Registers `follower` for every registry built from now on (it runs before the registry can be used) and
   * answers the registries already built, in one step: none is missed, none is told twice.
   */
  readonly follow: (follower: Follower) => Effect.Effect<ReadonlyArray<Registry>>
}

/** The accounts the emulator serves. */
export class Accounts extends Context.Tag("@ecr-scan/emulator/Accounts")<Accounts, AccountsService>() {}

/** Builds one (account, region) pair's registry: the one place registries are made (durable state wraps it). */
export type MakeRegistry<E = never> = (
  accountId: string,
  region: string
) => Layer.Layer<ImageScanner | ImageRegistry, E>

/** Options of `layer`. */
export interface AccountsOptions {
  /** The region of unsigned requests (default `us-east-1`). */
  readonly defaultRegion?: string | undefined
  /** Regions whose registries are built with the layer beside the default one (those with state on disk). */
  readonly existingRegions?: ((accountId: string) => ReadonlyArray<string>) | undefined
}

const describe = (error: unknown) =>
  typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)

/**
 * One registry per account id (duplicates counted once) in the default region, built in order, and one
 * per further region on first use; all released with the layer.
 */
export const layer = <E>(
  accountIds: ReadonlyArray<string>,
  makeRegistry: MakeRegistry<E>,
  options: AccountsOptions = {}
): Layer.Layer<Accounts, E> =>
  Layer.scoped(
    Accounts,
    Effect.gen(function*() {
      const ids = [...new Set(accountIds)]
      if (ids.length === 0) return yield* Effect.dieMessage("Accounts.layer: no account")
      const defaultRegion = options.defaultRegion ?? MemoryRegistry.DEFAULT_REGION
      const scope = yield* Effect.scope
      const built = new Map<string, Registry>()
      const followers: Array<Follower> = []
      const lock = yield* Effect.makeSemaphore(1)
      const keyOf = (accountId: string, region: string) => Regions.keyOf(accountId, region, defaultRegion)

      /** Builds the pair's registry in a scope of its own (closed if the build fails), then tells the followers. */
      const build = (accountId: string, region: string) =>
        Effect.gen(function*() {
          const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
          const exit = yield* Effect.exit(Layer.buildWithScope(makeRegistry(accountId, region), child))
          if (Exit.isFailure(exit)) {
            yield* Scope.close(child, exit)
            return yield* Effect.failCause(exit.cause)
          }
          const registry: Registry = { accountId, region, key: keyOf(accountId, region), context: exit.value }
          for (const follower of followers) yield* follower(registry)
          built.set(registry.key, registry)
          return registry
        })

      for (const id of ids) yield* build(id, defaultRegion)
      for (const id of ids) {
        for (const region of options.existingRegions?.(id) ?? []) {
          if (region !== defaultRegion && Regions.isRegion(region)) yield* build(id, region)
        }
      }

      const existing = (accountId: string, region: string) => built.get(keyOf(accountId, region))
      const registry: AccountsService["registry"] = (accountId, region) => {
        const found = existing(accountId, region)
        if (found !== undefined) return Effect.succeed(found)
        if (!ids.includes(accountId)) {
          return Effect.fail(
            new RegistryUnavailable({
              reason: "UnknownAccount",
              message: `No account '${accountId}' in this emulator (accounts: ${ids.join(", ")})`
            })
          )
        }
        if (!Regions.isRegion(region)) {
          return Effect.fail(
            new RegistryUnavailable({ reason: "InvalidRegion", message: `Not a region: '${region}'` })
          )
        }
        return lock.withPermits(1)(Effect.suspend(() => {
          const raced = existing(accountId, region)
          if (raced !== undefined) return Effect.succeed(raced)
          const regions = [...built.values()].filter((r) => r.accountId === accountId).length
          if (regions >= Regions.MAX_REGIONS_PER_ACCOUNT) {
            return Effect.fail(
              new RegistryUnavailable({
                reason: "TooManyRegions",
                message:
                  `Account '${accountId}' already has registries in ${regions} regions, the most the emulator keeps`
              })
            )
          }
          return build(accountId, region).pipe(
            Effect.catchAllCause((cause) =>
              Effect.fail(
                new RegistryUnavailable({
                  reason: "Failed",
                  message: `The registry of account '${accountId}' in ${region} cannot be opened: ${
                    Cause.failureOption(cause).pipe((o) => o._tag === "Some" ? describe(o.value) : Cause.pretty(cause))
                  }`
                })
              )
            )
          )
        }))
      }

      return {
        ids,
        defaultId: ids[0],
        defaultRegion,
        get: (accountId) => built.get(accountId)?.context,
        existing,
        registry,
        registries: () => [...built.values()],
        follow: (follower) =>
          lock.withPermits(1)(Effect.sync(() => {
            followers.push(follower)
            return [...built.values()]
          }))
      } satisfies AccountsService
    })
  )

/** The header naming the account a control request is about (or `?account=`). */
export const ACCOUNT_HEADER = "x-ecr-scan-account"

/**
 * The (account, region) pair a control request names: `?account=` (else the `x-ecr-scan-account` header,
 * else the first account) and `?region=` (else the `x-ecr-scan-region` header, else the default region).
 */
export const requested = (
  accounts: AccountsService,
  url: string,
  headers: Readonly<Record<string, string | undefined>>
): { readonly accountId: string; readonly region: string } => {
  const question = url.indexOf("?")
  const params = new URLSearchParams(question < 0 ? "" : url.slice(question + 1))
  const header = (name: string) => {
    const value = headers[name]
    return value === undefined || value === "" ? undefined : value
  }
  return {
    accountId: params.get("account") ?? header(ACCOUNT_HEADER) ?? accounts.defaultId,
    region: params.get("region") ?? header(Regions.REGION_HEADER) ?? accounts.defaultRegion
  }
}

/** The HTTP status of a control request about a registry that cannot be had. */
export const statusOf = (error: RegistryUnavailable): number =>
  error.reason === "UnknownAccount" ? 404 : error.reason === "Failed" ? 500 : 400
