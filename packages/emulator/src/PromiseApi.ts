/**
 * The emulator from plain JavaScript: `startEmulator` starts one in this process, on a free loopback port
 * by default, and resolves to a handle with its endpoint and the controls tests need (move the virtual
 * clock, fix findings and scan outcomes, plan faults, reset, export and import the state), each returning a
 * Promise; `stop()`, or `await using`, shuts it down. For tests that do not use Effect, as moto's
 * `ThreadedMotoServer` and the Testcontainers modules serve theirs.
 *
 * It wraps the Effect API: one `ManagedRuntime` over `Emulator.layer`, built with the options `serve` takes
 * (read by `ServeSettings`, as the command line's are), and every control is a call of the services in its
 * context (each account's `MemoryRegistryDriver`, the `EmulatorClock`), not a request to the control
 * endpoints. Every failure is an `EmulatorError`.
 *
 * @example
 * ```ts
 * import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr"
 * import { startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator({ startTime: "2026-01-01T00:00:00Z", seed: 42 })
 * const ecr = new ECRClient(emulator.clientConfig)
 * await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }))
 * await emulator.clock.advance("25 hours")
 * await emulator.stop()
 * ```
 *
 * @since 0.1.0
 */
import type { ScanLifecycle, ScanModel } from "@ecr-scan/core"
import { type FaultPlanInput, type MemoryRegistryDriverService, Snapshot } from "@ecr-scan/memory-backend"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Accounts } from "./Accounts.js"
import * as Control from "./Control.js"
import * as Emulator from "./Emulator.js"
import { EmulatorClock, onRegistryClock } from "./EmulatorClock.js"
import { EmulatorError, type EmulatorErrorReason, errorOf, startErrorOf } from "./EmulatorError.js"
import * as EventControls from "./EventControls.js"
import type { EventDelivery } from "./EventDelivery.js"
import * as RegistryTarget from "./RegistryTarget.js"
import * as ServeSettings from "./ServeSettings.js"
import { durationMillis, emulatorOptions, type StartEmulatorOptions } from "./StartEmulatorOptions.js"
import * as Wire from "./Wire.js"

export { EmulatorError, type EmulatorErrorReason } from "./EmulatorError.js"
export type { StartEmulatorOptions } from "./StartEmulatorOptions.js"

// ---------------------------------------------------------------------------------------------------------------
// The running emulator

/**
 * The registry a control acts on: an account, with several (`auth` with keys of several accounts), and a
 * region (every region is served, each its own registry).
 *
 * @example
 * ```ts
 * import { startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator({
 *   auth: {
 *     credentials: [
 *       { accessKeyId: "AKIAEXAMPLEA", secretAccessKey: "secret-a", accountId: "111111111111" },
 *       { accessKeyId: "AKIAEXAMPLEB", secretAccessKey: "secret-b", accountId: "222222222222" }
 *     ]
 *   }
 * })
 * await emulator.reset({ account: "222222222222" }) // account 111111111111 keeps its registry
 * await emulator.quota({ region: "eu-west-1" }) // the first account's registry in eu-west-1
 * ```
 */
export interface AccountOption extends RegistryTarget.RegistryOptions {}

/**
 * Which image an override applies to, beside its digest.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * const imageDigest = `sha256:${"a".repeat(64)}`
 * await emulator.setScanOutcome(imageDigest, "FAILED", { repositoryName: "app" })
 * ```
 */
export interface ImageOptions extends AccountOption {
  /** Only in this repository (default: the digest in every repository). */
  readonly repositoryName?: string | undefined
}

/**
 * A JSON-ready copy of an account's whole registry, as `GET /_ecr-scan/state` returns it.
 *
 * @example
 * ```ts
 * import { startEmulator, type StateSnapshot } from "@ecr-scan/emulator"
 *
 * const [one, other] = await Promise.all([startEmulator(), startEmulator()])
 * const snapshot: StateSnapshot = await one.exportState()
 * await other.importState(snapshot)
 * ```
 */
export type StateSnapshot = typeof Snapshot.RegistrySnapshot.Encoded

/**
 * Account quota usage at the registry's current instant.
 *
 * @example
 * ```ts
 * import { type QuotaUsage, startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * const { used, limit }: QuotaUsage = await emulator.quota() // 0, 100000
 * ```
 */
export interface QuotaUsage {
  /** Scans counted in the current window. */
  readonly used: number
  /** Scans allowed per window. */
  readonly limit: number
  /** When the next slot frees, if the quota is full. */
  readonly nextSlotAt: Date | undefined
}

/**
 * The virtual clock's controls; `now()` works on the real clock too.
 *
 * @example
 * ```ts
 * import { type ClockControls, startEmulator } from "@ecr-scan/emulator"
 *
 * const { clock }: { clock: ClockControls } = await startEmulator()
 * await clock.set("2026-03-01T00:00:00Z")
 * await clock.advance("24 hours") // an image scanned at the start may be scanned again
 * ```
 */
export interface ClockControls {
  /** `virtual` or `real`, as started. */
  readonly mode: "virtual" | "real"
  /** The registry's current instant. */
  now(): Promise<Date>
  /**
   * Moves the virtual clock forward by `duration` (`"10 minutes"`, `"25h"`, `"1h30m"`, or milliseconds);
   * resolves to the new instant. Rejects on the real clock.
   */
  advance(duration: string | number): Promise<Date>
  /**
   * Sets the virtual clock to `time` (a `Date`, ISO 8601 text or epoch milliseconds); resolves to it.
   * Moving it backwards is allowed; the registry never sees its own time run backwards. Rejects on the
   * real clock.
   */
  set(time: Date | string | number): Promise<Date>
}

/**
 * The credentials a client signs with (any are accepted without `auth`).
 *
 * @example
 * ```ts
 * import { ECRClient } from "@aws-sdk/client-ecr"
 * import { type EmulatorCredentials, startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * const credentials: EmulatorCredentials = emulator.credentials // test/test
 * const ecr = new ECRClient({ endpoint: emulator.endpoint, region: emulator.region, credentials })
 * ```
 */
export interface EmulatorCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
}

/**
 * An emulator started by `startEmulator`.
 *
 * @example
 * ```ts
 * import { ECRClient } from "@aws-sdk/client-ecr"
 * import { type RunningEmulator, startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator: RunningEmulator = await startEmulator()
 * const ecr = new ECRClient(emulator.clientConfig)
 * await emulator.planFault({ operation: "StartImageScan", error: "ThrottlingException", count: 2 })
 * await emulator.reset()
 * await emulator.stop()
 * ```
 */
export interface RunningEmulator extends EventControls.EventControls {
  /** Where clients send requests: `http://127.0.0.1:<port>`. */
  readonly endpoint: string
  /** The port it listens on. */
  readonly port: number
  /** The address it is bound to. */
  readonly host: string
  /**
   * The default region: `clientConfig`'s, and the registry of unsigned requests. Every region is served, each
   * its own registry: a client configured with another region (its SigV4 scope) reaches that region's.
   */
  readonly region: string
  /** The default account: the one the controls act on unless told otherwise. */
  readonly accountId: string
  /** Every account it serves (one without `auth`). */
  readonly accounts: ReadonlyArray<string>
  /** `test`/`test` without `auth`; with it, the first credential (the default account's). */
  readonly credentials: EmulatorCredentials
  /** What an AWS SDK client needs: `new ECRClient(emulator.clientConfig)`. */
  readonly clientConfig: {
    readonly endpoint: string
    readonly region: string
    readonly credentials: EmulatorCredentials
  }
  /** With `auth`, the bearer token of the control endpoints; otherwise undefined. */
  readonly adminToken: string | undefined
  /** The clock. */
  readonly clock: ClockControls
  /** The findings the image's completed scans report (in place of the seeded synthetic ones). */
  setFindings(
    imageDigest: string,
    findings: ReadonlyArray<ScanModel.ImageScanFinding>,
    options?: ImageOptions
  ): Promise<void>
  /**
   * The findings the image's completed scans report, from a scanner's parsed JSON report: Trivy's
   * (SchemaVersion 2), Grype's, or an array of ECR findings. Rejects (`InvalidArgument`, naming what is
   * wrong) a report it cannot read, changing nothing.
   *
   * @example
   * ```ts
   * import { startEmulator } from "@ecr-scan/emulator"
   * import { readFileSync } from "node:fs"
   *
   * const emulator = await startEmulator()
   * const digest = "sha256:5b1bd0a4f8d1c6cbb9e2b87b64b3c0f1d9d6b24e9a3d2c9b8e76f1a0c3d4e5f6"
   * await emulator.setFindingsFromReport(digest, JSON.parse(readFileSync("trivy.json", "utf8")))
   * await emulator.stop()
   * ```
   */
  setFindingsFromReport(imageDigest: string, report: unknown, options?: ImageOptions): Promise<void>
  /** How the image's scans that start from now on end (`FAILED`, `UNSUPPORTED_IMAGE`, ...). */
  setScanOutcome(imageDigest: string, outcome: ScanLifecycle.ScanOutcome, options?: ImageOptions): Promise<void>
  /**
   * Makes the next calls of an operation (or of every operation, `"*"`) fail: `error` a modelled ECR error
   * (default `ServerException`) or any other code such as `ThrottlingException`; `count` calls (default 1),
   * or each with `probability`. Rejects a plan the registry cannot use.
   */
  planFault(plan: FaultPlanInput, options?: AccountOption): Promise<void>
  /** Cancels the planned faults: every registry's, only `account`'s, or only `account`'s in `region`. */
  clearFaults(options?: AccountOption): Promise<void>
  /**
   * Empties the registry: no repositories, images, scans, quota use, overrides or faults. Every registry's
   * (every account and region), only `account`'s, or only `account`'s in `region`. The clock stays where it is.
   */
  reset(options?: AccountOption): Promise<void>
  /** Account quota usage now. */
  quota(options?: AccountOption): Promise<QuotaUsage>
  /** A JSON-ready copy of the account's whole registry. */
  exportState(options?: AccountOption): Promise<StateSnapshot>
  /** Replaces the account's whole registry with a snapshot's (from `exportState`, here or elsewhere). */
  importState(snapshot: StateSnapshot, options?: AccountOption): Promise<void>
  /** Stops it: the port is closed and every connection with it. Calling it again is harmless. */
  stop(): Promise<void>
  /** `stop()`, for `await using emulator = await startEmulator()`. */
  [Symbol.asyncDispose](): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Running the controls

type Services = HttpServer.HttpServer | EmulatorClock | Accounts | EventDelivery

const fail = (reason: EmulatorErrorReason, message: string) => Effect.fail(new EmulatorError(reason, message))

const invalid = (message: string) => new EmulatorError("InvalidArgument", message)

/** The registry's refusal of an argument (a fault plan, a snapshot), as this API reports it. */
const refused = (method: string) => (error: { readonly message: string }) => invalid(`${method}: ${error.message}`)

const formatParseError = (error: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(error)

const withDriver = <A>(
  method: string,
  options: AccountOption | undefined,
  f: (driver: MemoryRegistryDriverService) => Effect.Effect<A, EmulatorError>
) => onRegistryClock(Effect.flatMap(RegistryTarget.driverOf(method, options), f))

const decode = <A, I>(method: string, schema: Schema.Schema<A, I>, input: unknown) =>
  Effect.mapError(
    Schema.decodeUnknown(schema)(input),
    (error) => invalid(`${method}: ${formatParseError(error)}`)
  )

const virtualClock = (method: string) =>
  Effect.flatMap(EmulatorClock, (clock) =>
    clock.virtual === undefined
      ? fail("RealClock", `${method}: the emulator runs on the real clock; start it with clock: "virtual"`)
      : Effect.succeed(clock.virtual))

const imageTarget = (imageDigest: string, options: ImageOptions | undefined) =>
  options?.repositoryName === undefined ? { imageDigest } : { imageDigest, repositoryName: options.repositoryName }

// ---------------------------------------------------------------------------------------------------------------
// Starting

/**
 * Starts an emulator in this process (on a free loopback port, on the virtual clock, by default) and
 * resolves once it listens. Rejects with an `EmulatorError`: `InvalidOptions` for options it cannot use,
 * `StartFailed` when it cannot listen (a port in use) or read its `stateDir`.
 *
 * @example
 * ```ts
 * import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr"
 * import { startEmulator } from "@ecr-scan/emulator"
 *
 * await using emulator = await startEmulator({ startTime: "2026-01-01T00:00:00Z" })
 * const ecr = new ECRClient(emulator.clientConfig)
 * await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }))
 * await emulator.clock.advance("25 hours")
 * ```
 */
export const startEmulator = async (options: StartEmulatorOptions = {}): Promise<RunningEmulator> => {
  const resolved = emulatorOptions(options)
  if (Either.isLeft(resolved)) throw new EmulatorError("InvalidOptions", `startEmulator: ${resolved.left}`)
  const runtime = ManagedRuntime.make(Emulator.layer(resolved.right))
  const started = await runtime.runPromiseExit(
    Effect.all({ server: HttpServer.HttpServer, clock: EmulatorClock, accounts: Accounts })
  )
  if (Exit.isFailure(started)) {
    await runtime.dispose().catch(() => undefined)
    throw startErrorOf(started.cause, resolved.right)
  }
  const { accounts, clock, server } = started.value
  if (server.address._tag !== "TcpAddress") {
    await runtime.dispose()
    throw new EmulatorError("Internal", "startEmulator: the server is not listening on a TCP port")
  }
  const host = resolved.right.host ?? ServeSettings.DEFAULTS.host
  const port = server.address.port
  const endpoint = Wire.endpointOf(host, port)
  const region = resolved.right.region ?? ServeSettings.DEFAULTS.region
  const auth = resolved.right.auth
  const first = auth?.credentials.find((c) => c.accountId === accounts.defaultId)
  const credentials: EmulatorCredentials = first === undefined
    ? { accessKeyId: "test", secretAccessKey: "test" }
    : { accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey }

  let stopping: Promise<void> | undefined
  const run = <A>(method: string, effect: Effect.Effect<A, EmulatorError, Services>): Promise<A> =>
    stopping !== undefined
      ? Promise.reject(new EmulatorError("Stopped", `${method}: the emulator has been stopped`))
      : runtime.runPromiseExit(effect).then((exit) =>
        Exit.isSuccess(exit) ? exit.value : Promise.reject(errorOf(method, exit.cause))
      )
  const stop = (): Promise<void> => {
    stopping ??= runtime.dispose().catch((cause: unknown) => {
      throw new EmulatorError("Internal", `stop: the emulator did not stop cleanly: ${String(cause)}`, { cause })
    })
    return stopping
  }
  const eachAccount = (
    method: string,
    options: AccountOption | undefined,
    f: (driver: MemoryRegistryDriverService) => Effect.Effect<void>
  ) =>
    Effect.flatMap(RegistryTarget.registriesOf(method, options), (registries) =>
      Effect.forEach(
        registries,
        ({ accountId, region }) => withDriver(method, { account: accountId, region }, f),
        { discard: true }
      ))

  return {
    endpoint,
    port,
    host,
    region,
    accountId: accounts.defaultId,
    accounts: accounts.ids,
    credentials,
    clientConfig: { endpoint, region, credentials },
    adminToken: auth?.adminToken,
    clock: {
      mode: clock.mode,
      now: () => run("clock.now", Effect.map(clock.now, (millis) => new Date(millis))),
      advance: (duration) =>
        run(
          "clock.advance",
          Effect.gen(function*() {
            const millis = durationMillis(duration)
            if (Either.isLeft(millis)) return yield* fail("InvalidArgument", `clock.advance: ${millis.left}`)
            const virtual = yield* virtualClock("clock.advance")
            yield* virtual.advance(millis.right)
            return new Date(virtual.unsafeCurrentTimeMillis())
          })
        ),
      set: (time) =>
        run(
          "clock.set",
          Effect.gen(function*() {
            const millis = ServeSettings.instantMillis(time)
            if (!Number.isFinite(millis)) {
              return yield* fail("InvalidArgument", `clock.set: not an instant: ${String(time)}`)
            }
            const virtual = yield* virtualClock("clock.set")
            yield* virtual.setTime(millis)
            return new Date(virtual.unsafeCurrentTimeMillis())
          })
        )
    },
    setFindings: (imageDigest, findings, options) =>
      run(
        "setFindings",
        Effect.flatMap(
          decode("setFindings", Control.Bodies.findings, { ...imageTarget(imageDigest, options), findings }),
          ({ findings: decoded, ...target }) =>
            withDriver("setFindings", options, (d) => d.setFindings(target, decoded))
        )
      ),
    setFindingsFromReport: (imageDigest, report, options) =>
      run(
        "setFindingsFromReport",
        Effect.flatMap(
          decode("setFindingsFromReport", Control.Bodies.target, imageTarget(imageDigest, options)),
          (target) =>
            withDriver("setFindingsFromReport", options, (d) =>
              Effect.mapError(d.setFindingsFromReport(target, report), refused("setFindingsFromReport")))
        )
      ),
    setScanOutcome: (imageDigest, outcome, options) =>
      run(
        "setScanOutcome",
        Effect.flatMap(
          decode("setScanOutcome", Control.Bodies.outcome, { ...imageTarget(imageDigest, options), outcome }),
          ({ outcome: decoded, ...target }) =>
            withDriver("setScanOutcome", options, (d) => d.setScanOutcome(target, decoded))
        )
      ),
    planFault: (plan, options) =>
      run(
        "planFault",
        Effect.flatMap(decode("planFault", Control.Bodies.fault, plan), (decoded) =>
          withDriver("planFault", options, (d) =>
            Effect.mapError(d.planFault(decoded), refused("planFault"))))
      ),
    clearFaults: (options) => run("clearFaults", eachAccount("clearFaults", options, (d) => d.clearFaults)),
    reset: (options) => run("reset", eachAccount("reset", options, (d) => d.reset)),
    quota: (options) => run("quota", withDriver("quota", options, (d) => d.quotaUsage)),
    exportState: (options) =>
      run(
        "exportState",
        withDriver("exportState", options, (d) =>
          Effect.flatMap(d.snapshot, (snapshot) =>
            Effect.mapError(
              Schema.encode(Snapshot.RegistrySnapshot)(snapshot),
              (error) => new EmulatorError("Internal", `exportState: ${formatParseError(error)}`)
            )))
      ),
    importState: (snapshot, options) =>
      run(
        "importState",
        Effect.flatMap(decode("importState", Snapshot.RegistrySnapshot, snapshot), (decoded) =>
          withDriver("importState", options, (d) =>
            Effect.mapError(d.restore(decoded), refused("importState"))))
      ),
    ...EventControls.make(run),
    stop,
    [Symbol.asyncDispose]: stop
  }
}
