/**
 * The error of the Promise API (see `PromiseApi`): `EmulatorError` and its reasons, and how a failed start or
 * a failed control becomes one.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import type * as Emulator from "./Emulator.js"

/**
 * Why a call of the Promise API failed (`EmulatorError.reason`):
 *
 * - `InvalidOptions`: `startEmulator`'s options cannot be used (a start time that is not an instant, a
 *   scan duration that is not one, an unknown option, an account id that is not 12 digits, ...);
 * - `StartFailed`: the emulator could not start (the port is in use, the state directory cannot be read);
 * - `InvalidArgument`: a control was given something it cannot use (a duration, an instant, findings, an
 *   outcome, a fault plan, a snapshot);
 * - `RealClock`: the clock was moved on an emulator that runs on the real clock;
 * - `UnknownAccount`: `account` names an account the emulator does not serve;
 * - `Stopped`: the emulator has been stopped;
 * - `Internal`: a bug of the emulator (the message says what happened).
 *
 * @example
 * ```ts
 * import { EmulatorError, startEmulator } from "@ecr-scan/emulator"
 *
 * const first = await startEmulator()
 * const error = await startEmulator({ port: first.port }).catch((e: unknown) => e)
 * if (error instanceof EmulatorError) console.log(error.reason) // "StartFailed": the port is in use
 * await first.stop()
 * ```
 */
export type EmulatorErrorReason =
  | "InvalidOptions"
  | "StartFailed"
  | "InvalidArgument"
  | "RealClock"
  | "UnknownAccount"
  | "Stopped"
  | "Internal"

/**
 * The error every Promise of this API rejects with: a message that says what was wrong, and its `reason`.
 *
 * @example
 * ```ts
 * import { EmulatorError, startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * await emulator.planFault({ operation: "StartImageScann" }).catch((error: unknown) => {
 *   if (error instanceof EmulatorError && error.reason === "InvalidArgument") console.log(error.message)
 *   // planFault: unknown operation 'StartImageScann'
 * })
 * await emulator.stop()
 * ```
 */
export class EmulatorError extends Error {
  /** Why it failed. */
  readonly reason: EmulatorErrorReason

  constructor(reason: EmulatorErrorReason, message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = "EmulatorError"
    this.reason = reason
  }
}

const hasTag = (value: unknown, tag: string): value is { readonly _tag: string; readonly message: string } =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === tag

/** The error a failed control rejects with. */
export const errorOf = (method: string, cause: Cause.Cause<unknown>): EmulatorError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && failure.value instanceof EmulatorError) return failure.value
  if (Cause.isInterruptedOnly(cause)) return new EmulatorError("Stopped", `${method}: the emulator was stopped`)
  return new EmulatorError("Internal", `${method}: internal error in the emulator: ${Cause.pretty(cause)}`, {
    cause: Cause.squash(cause)
  })
}

/** The error a failed start rejects with. */
export const startErrorOf = (cause: Cause.Cause<unknown>, options: Emulator.EmulatorOptions): EmulatorError => {
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (hasTag(failure, "ServeError")) {
    const error = (failure as unknown as { readonly cause: unknown }).cause
    const code = (error as { code?: unknown } | undefined)?.code
    const detail = code === "EADDRINUSE"
      ? "the port is already in use (EADDRINUSE)"
      : error instanceof Error
      ? error.message
      : String(error)
    const address = `${options.host}:${options.port}`
    return new EmulatorError("StartFailed", `startEmulator: cannot listen on ${address}: ${detail}`, { cause: error })
  }
  if (hasTag(failure, "InvalidMemoryRegistryOptions")) {
    return new EmulatorError("InvalidOptions", `startEmulator: ${failure.message}`, { cause: failure })
  }
  if (hasTag(failure, "StateFileError")) {
    return new EmulatorError(
      "StartFailed",
      `startEmulator: cannot start on stateDir ${options.stateDir}: ${failure.message}`,
      { cause: failure }
    )
  }
  return new EmulatorError("StartFailed", `startEmulator: ${Cause.pretty(cause)}`, { cause: Cause.squash(cause) })
}
