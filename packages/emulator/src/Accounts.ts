/**
 * The accounts the emulator serves: one registry each, built by one function of the account id, so
 * that each account sees only its own repositories and has its own scan quota. A request's account is
 * the one its access key belongs to (with `--auth sigv4`), else the only one.
 *
 * @since 0.1.0
 */
import type { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** One account's services: the ports, and whatever else its layer provides (the memory driver, say). */
export type AccountContext = Context.Context<ImageScanner | ImageRegistry>

/** The accounts. */
export interface AccountsService {
  /** Account ids, in the order given; the first is the default of the control endpoints. */
  readonly ids: ReadonlyArray<string>
  readonly defaultId: string
  /** The account's services, or `undefined` for an account the emulator does not serve. */
  readonly get: (accountId: string) => AccountContext | undefined
}

/** The accounts the emulator serves. */
export class Accounts extends Context.Tag("@ecr-scan/emulator/Accounts")<Accounts, AccountsService>() {}

/** Builds one account's registry: the one place registries are made (durable state wraps it). */
export type MakeRegistry<E = never> = (accountId: string) => Layer.Layer<ImageScanner | ImageRegistry, E>

const service = (ids: ReadonlyArray<string>, contexts: ReadonlyMap<string, AccountContext>): AccountsService => ({
  ids,
  defaultId: ids[0],
  get: (accountId) => contexts.get(accountId)
})

/** One registry per account id (duplicates counted once), built in order and released with the layer. */
export const layer = <E>(
  accountIds: ReadonlyArray<string>,
  makeRegistry: MakeRegistry<E>
): Layer.Layer<Accounts, E> =>
  Layer.scoped(
    Accounts,
    Effect.gen(function*() {
      const ids = [...new Set(accountIds)]
      if (ids.length === 0) return yield* Effect.dieMessage("Accounts.layer: no account")
      const contexts = new Map<string, AccountContext>()
      for (const id of ids) contexts.set(id, yield* Layer.build(makeRegistry(id)))
      return service(ids, contexts)
    })
  )
