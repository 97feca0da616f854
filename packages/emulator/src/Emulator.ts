/**
 * The emulator on the in-memory registry: one layer that starts an ECR endpoint with the real rules.
 *
 * ```ts
 * Layer.launch(Emulator.layer({ port: 4510, clock: { _tag: "Virtual", startMillis: Date.now() } }))
 * ```
 *
 * @since 0.1.0
 */
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Layer from "effect/Layer"
import * as EmulatorClock from "./EmulatorClock.js"
import * as Server from "./Server.js"

/** Which clock the registry runs on. */
export type ClockMode =
  | { readonly _tag: "Real" }
  | { readonly _tag: "Virtual"; readonly startMillis: number }

/** Options of the emulator. */
export interface EmulatorOptions extends Server.ServerOptions, MemoryRegistry.MemoryRegistryOptions {
  readonly clock?: ClockMode
}

/** The emulator serving a fresh in-memory registry. */
export const layer = (
  options: EmulatorOptions = {}
): Layer.Layer<
  HttpServer.HttpServer | EmulatorClock.EmulatorClock,
  ServeError | MemoryRegistry.InvalidMemoryRegistryOptions
> => {
  const clock = options.clock === undefined || options.clock._tag === "Real"
    ? EmulatorClock.real
    : EmulatorClock.virtual(options.clock.startMillis)
  return Server.layer(options).pipe(
    Layer.provide(MemoryRegistry.layer(options)),
    Layer.provideMerge(clock)
  )
}
