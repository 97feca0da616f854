/**
 * What `serve`'s flags and `startEmulator`'s options say, as plain values, and the one mapping from them
 * to `Emulator.layer`'s options: the command line and the Promise API check the same things, start the
 * same emulator, and name what is wrong in their own words (`--start-time`, `startTime`).
 *
 * @since 0.1.0
 */
import type { EventPattern } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as Either from "effect/Either"
import type * as Auth from "./Auth.js"
import type * as Emulator from "./Emulator.js"
import * as EventLog from "./EventLog.js"
import * as EventTargets from "./EventTargets.js"
import * as Limits from "./Limits.js"
import * as Server from "./Server.js"

/**
 * The settings of an emulator started by `serve` or `startEmulator`, every default filled in, durations
 * already in milliseconds.
 *
 * @example
 * ```ts
 * import { ServeSettings } from "@ecr-scan/emulator"
 *
 * const settings: ServeSettings.ServeSettings = {
 *   ...ServeSettings.DEFAULTS,
 *   port: 0,
 *   clock: "virtual",
 *   startTime: "2026-01-01T00:00:00Z",
 *   scanDuration: { min: 3_000, max: 8_000 },
 *   stateDir: undefined,
 *   limits: {},
 *   auth: undefined,
 *   allowOpen: false,
 *   log: undefined
 * }
 * ```
 */
export interface ServeSettings {
  /** The address to bind. */
  readonly host: string
  /** The port (0: a free one). */
  readonly port: number
  /** The registry's account id (without `auth`). */
  readonly accountId: string
  /** The region it claims. */
  readonly region: string
  /** The seed of scan durations, findings and probabilistic faults. */
  readonly seed: string | number
  /** `virtual`: time moves only when told. */
  readonly clock: "real" | "virtual"
  /** Where the virtual clock starts: ISO 8601 text, epoch milliseconds or a `Date` (undefined: now). */
  readonly startTime: string | number | Date | undefined
  /** How long a scan takes, in milliseconds (fixed per image by the seed). */
  readonly scanDuration: { readonly min: number; readonly max: number }
  /** The largest request body accepted. */
  readonly maxBodyBytes: number
  /** Keep the registries and the virtual clock in this directory. */
  readonly stateDir: string | undefined
  /** Header size, connections, request rate, timeouts. */
  readonly limits: Limits.LimitOptions
  /** SigV4 on the data plane and the admin token on the control endpoints (the region is `region`). */
  readonly auth: Omit<Auth.AuthOptions, "region"> | undefined
  /** Listen beyond loopback without `auth`. */
  readonly allowOpen: boolean
  /** Where the one line per request goes (undefined: nowhere). */
  readonly log: ((line: string) => void) | undefined
  /** Where events go and how hard the emulator tries (undefined: no targets, EventBridge's retry policy). */
  readonly events?: EventSettings | undefined
}

/**
 * The events' settings: targets as given (`http(s)://...` or `sqs:QUEUE_URL`), each with its pattern, the retry
 * policy and each account's log size.
 *
 * @example
 * ```ts
 * import { EventPattern } from "@ecr-scan/core"
 * import type { ServeSettings } from "@ecr-scan/emulator"
 *
 * const events: ServeSettings.EventSettings = {
 *   targets: [{ target: "http://127.0.0.1:9000/hook", pattern: EventPattern.unsafeMake({ source: ["aws.ecr"] }) }],
 *   retry: { maxAttempts: 3, maxAgeMs: 60_000 },
 *   logSize: 1_000
 * }
 * ```
 */
export interface EventSettings {
  readonly targets: ReadonlyArray<{ readonly target: string; readonly pattern?: EventPattern.EventPattern | undefined }>
  readonly retry?: { readonly maxAttempts?: number | undefined; readonly maxAgeMs?: number | undefined } | undefined
  readonly logSize?: number | undefined
}

/**
 * The settings a problem can be about, as `serve`'s flags are named in camel case.
 *
 * @example
 * ```ts
 * import type { ServeSettings } from "@ecr-scan/emulator"
 *
 * const setting: ServeSettings.Setting = "startTime" // `--start-time` on the command line
 * ```
 */
export type Setting =
  | "host"
  | "port"
  | "startTime"
  | "maxBodyBytes"
  | "headersTimeout"
  | "requestTimeout"
  | "limits"
  | "auth"
  | "allowOpen"
  | "eventTarget"
  | "eventRetryMaxAttempts"
  | "eventRetryMaxAge"
  | "eventLogSize"

/**
 * How a face names a setting in its messages: `--start-time` on the command line, `startTime` in JavaScript.
 *
 * @example
 * ```ts
 * import type { ServeSettings } from "@ecr-scan/emulator"
 *
 * const asFlag: ServeSettings.Naming = (setting) => `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
 * ```
 */
export type Naming = (setting: Setting) => string

/**
 * The defaults `serve` and `startEmulator` share (the port and the clock differ: see each).
 *
 * @example
 * ```ts
 * import { Durations, ServeSettings } from "@ecr-scan/emulator"
 *
 * Durations.parseDurationRange(ServeSettings.DEFAULTS.scanDuration) // Either.right({ min: 3000, max: 8000 })
 * ```
 */
export const DEFAULTS = {
  host: "127.0.0.1",
  accountId: MemoryRegistry.DEFAULT_ACCOUNT_ID,
  region: MemoryRegistry.DEFAULT_REGION,
  seed: "0",
  /** `aws ecr wait` polls every 5 s: most scans end before its second poll, some after. */
  scanDuration: "3s..8s",
  maxBodyBytes: Server.DEFAULT_MAX_BODY_BYTES
} as const

const LOOPBACK = /^(127\.|::1$|localhost$|::ffff:127\.)/

/**
 * Whether `host` is a loopback address (or `localhost`).
 *
 * @example
 * ```ts
 * import { ServeSettings } from "@ecr-scan/emulator"
 *
 * ServeSettings.isLoopback("127.0.0.1") // true
 * ServeSettings.isLoopback("0.0.0.0") // false
 * ```
 */
export const isLoopback = (host: string): boolean => LOOPBACK.test(host)

/**
 * Epoch milliseconds of an instant (a `Date`, ISO 8601 text or epoch milliseconds), or NaN.
 *
 * @example
 * ```ts
 * import { ServeSettings } from "@ecr-scan/emulator"
 *
 * ServeSettings.instantMillis("2026-01-01T00:00:00Z") // 1767225600000
 * ```
 */
export const instantMillis = (time: string | number | Date): number =>
  time instanceof Date ? time.getTime() : typeof time === "number" ? time : Date.parse(time)

/**
 * `Emulator.layer`'s options for `settings`, or why they cannot be used (in `name`'s words): a start time
 * that is not an instant, a headers timeout beyond the request timeout, a port or body limit out of range,
 * limits node would refuse, or a non-loopback address without authentication and without `allowOpen`.
 * `now` is where a virtual clock starts when `startTime` is undefined.
 *
 * @example
 * ```ts
 * import { ServeSettings } from "@ecr-scan/emulator"
 *
 * const options = ServeSettings.emulatorOptions(
 *   {
 *     ...ServeSettings.DEFAULTS,
 *     port: 0,
 *     clock: "virtual",
 *     startTime: "yesterday",
 *     scanDuration: { min: 3_000, max: 8_000 },
 *     stateDir: undefined,
 *     limits: {},
 *     auth: undefined,
 *     allowOpen: false,
 *     log: undefined
 *   },
 *   (setting) => setting
 * )
 * // Either.left("startTime: not an instant")
 * ```
 */
export const emulatorOptions = (
  settings: ServeSettings,
  name: Naming,
  now: () => number = Date.now
): Either.Either<Emulator.EmulatorOptions, string> => {
  const startMillis = settings.startTime === undefined ? now() : instantMillis(settings.startTime)
  if (!Number.isFinite(startMillis)) return Either.left(`${name("startTime")}: not an instant`)
  const headersTimeout = settings.limits.headersTimeoutMs ?? Limits.DEFAULTS.headersTimeoutMs
  const requestTimeout = settings.limits.requestTimeoutMs ?? Limits.DEFAULTS.requestTimeoutMs
  if (headersTimeout > requestTimeout) {
    return Either.left(`${name("headersTimeout")}: must not exceed ${name("requestTimeout")}`)
  }
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65_535) {
    return Either.left(`${name("port")}: must be an integer from 0 to 65535, not ${settings.port}`)
  }
  if (!Number.isInteger(settings.maxBodyBytes) || settings.maxBodyBytes < 1) {
    return Either.left(`${name("maxBodyBytes")}: must be a positive integer, not ${settings.maxBodyBytes}`)
  }
  try {
    Limits.resolve(settings.limits)
  } catch (error) {
    return Either.left(`${name("limits")}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (settings.auth === undefined && !isLoopback(settings.host) && !settings.allowOpen) {
    return Either.left(
      `${name("host")} ${settings.host}: refusing to listen beyond loopback without authentication; ` +
        `use ${name("auth")}, or ${name("allowOpen")} to let in anyone who can reach the port`
    )
  }
  const eventDelivery = eventDeliveryOf(settings, name)
  if (Either.isLeft(eventDelivery)) return Either.left(eventDelivery.left)
  const options: Emulator.EmulatorOptions = {
    host: settings.host,
    port: settings.port,
    accountId: settings.accountId,
    region: settings.region,
    seed: settings.seed,
    maxBodyBytes: settings.maxBodyBytes,
    limits: settings.limits,
    clock: settings.clock === "virtual" ? { _tag: "Virtual", startMillis } : { _tag: "Real" },
    rules: { scanDuration: { min: settings.scanDuration.min, max: settings.scanDuration.max } },
    log: settings.log,
    auth: settings.auth === undefined ? undefined : { ...settings.auth, region: settings.region },
    stateDir: settings.stateDir,
    eventDelivery: eventDelivery.right
  }
  return Either.right(options)
}

/** The events' delivery options of the settings, or what is wrong with them. */
const eventDeliveryOf = (
  settings: ServeSettings,
  name: Naming
): Either.Either<Emulator.EmulatorOptions["eventDelivery"], string> =>
  Either.gen(function*() {
    const events = settings.events
    if (events === undefined) return undefined
    const retry = yield* EventTargets.retryPolicy(
      events.retry ?? {},
      (setting) => name(setting === "maxAttempts" ? "eventRetryMaxAttempts" : "eventRetryMaxAge")
    )
    const logSize = events.logSize ?? EventLog.DEFAULT_SIZE
    if (!Number.isInteger(logSize) || logSize < 0) {
      return yield* Either.left(`${name("eventLogSize")}: must be a non-negative integer, not ${logSize}`)
    }
    const targets: Array<EventTargets.TargetRule> = []
    for (const { pattern, target } of events.targets) {
      const parsed = EventTargets.parseTarget(target, settings.region)
      if (Either.isLeft(parsed)) return yield* Either.left(`${name("eventTarget")}: ${parsed.left}`)
      targets.push({ target: parsed.right, pattern })
    }
    const seen = new Set<string>()
    for (const { target } of targets) {
      if (seen.has(target.target)) {
        return yield* Either.left(`${name("eventTarget")}: '${target.target}' is given twice`)
      }
      seen.add(target.target)
    }
    return { targets, retry, logSize }
  })
