/**
 * @ecr-scan/emulator: a local Amazon ECR endpoint speaking awsJson1_1 over the core's ports.
 *
 * @module @ecr-scan/emulator
 * @since 0.1.0
 */

/** The accounts served: one registry per account and region. */
export * as Accounts from "./Accounts.js"
/** SigV4 on the data plane, the admin token on the control endpoints. */
export * as Auth from "./Auth.js"
/** The control endpoints. */
export * as Control from "./Control.js"
/** From operation and body to a wire reply. */
export * as Dispatch from "./Dispatch.js"
/** Durations as typed on a command line. */
export * as Durations from "./Durations.js"
/** The emulator on the in-memory registry. */
export * as Emulator from "./Emulator.js"
/** The emulator's clock. */
export * as EmulatorClock from "./EmulatorClock.js"
/** The emulator's command line. */
export * as EmulatorCommand from "./EmulatorCommand.js"
/** The events' controls of the Promise API: logged events, dead letters, targets. */
export * as EventControls from "./EventControls.js"
/** The emulator's EventBridge: event logs, delivery to targets with retries, dead letters. */
export * as EventDelivery from "./EventDelivery.js"
/** The control endpoints of events: the log, its server-sent stream, dead letters, targets. */
export * as EventEndpoints from "./EventEndpoints.js"
/** One account's logged events and dead letters. */
export * as EventLog from "./EventLog.js"
/** Events owed to targets, on disk. */
export * as EventOutbox from "./EventOutbox.js"
/** One delivery attempt to a webhook or an SQS queue. */
export * as EventSend from "./EventSend.js"
/** Targets, patterns and the retry policy. */
export * as EventTargets from "./EventTargets.js"
/** Header size, connection, rate and time limits. */
export * as Limits from "./Limits.js"
/** The emulator from plain JavaScript: start, control and stop it with Promises. */
export * as PromiseApi from "./PromiseApi.js"
/** Every region served: a request's region from its credential scope. */
export * as Regions from "./Regions.js"
/** The registry (account and region) a control of the Promise API acts on. */
export * as RegistryTarget from "./RegistryTarget.js"
/** What `serve`'s flags and `startEmulator`'s options say, and the one mapping to `Emulator.layer`'s options. */
export * as ServeSettings from "./ServeSettings.js"
/** The HTTP server. */
export * as Server from "./Server.js"
/** The awsJson1_1 wire protocol. */
export * as Wire from "./Wire.js"

/**
 * Starts an emulator in this process, on a free port and the virtual clock by default (see `PromiseApi`).
 *
 * @example
 * ```ts
 * import { startEmulator } from "@ecr-scan/emulator"
 *
 * const emulator = await startEmulator()
 * console.log(emulator.endpoint) // http://127.0.0.1:<port>
 * await emulator.stop()
 * ```
 */
export { EmulatorError, startEmulator } from "./PromiseApi.js"
/** The Promise API's types (see `PromiseApi`). */
export type {
  AccountOption,
  ClockControls,
  EmulatorCredentials,
  EmulatorErrorReason,
  ImageOptions,
  QuotaUsage,
  RunningEmulator,
  StartEmulatorOptions,
  StateSnapshot
} from "./PromiseApi.js"
