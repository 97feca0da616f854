/**
 * The options of `startEmulator` (see `PromiseApi`), and how they are checked and read into `Emulator.layer`'s
 * options through `ServeSettings`, as the command line's flags are.
 *
 * @since 0.1.0
 */
import type { ScanRules } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import * as Auth from "./Auth.js"
import { parseDuration, parseDurationRange } from "./Durations.js"
import type * as Emulator from "./Emulator.js"
import * as EventTargets from "./EventTargets.js"
import type * as Limits from "./Limits.js"
import * as ServeSettings from "./ServeSettings.js"

/**
 * Options of `startEmulator`: those of `serve` (see the README's table of flags), in camel case, with the
 * defaults tests want: a free port, the virtual clock, no request log.
 *
 * @example
 * ```ts
 * import { startEmulator, type StartEmulatorOptions } from "@ecr-scan/emulator"
 *
 * const options: StartEmulatorOptions = {
 *   startTime: "2026-01-01T00:00:00Z",
 *   seed: 42,
 *   scanDuration: "5s",
 *   stateDir: "./registry-state",
 *   rules: { accountQuotaLimit: 3 }
 * }
 * const emulator = await startEmulator(options)
 * ```
 */
export interface StartEmulatorOptions {
  /** The port (default 0: a free one; read it back from `port` or `endpoint`). */
  readonly port?: number | undefined
  /** The address to bind (default `127.0.0.1`); beyond loopback only with `auth` or `allowOpen`. */
  readonly host?: string | undefined
  /**
   * `virtual` (the default): time moves only through `clock.advance` and `clock.set`. `real`: wall-clock
   * time (scans then take `scanDuration` of real time).
   */
  readonly clock?: "virtual" | "real" | undefined
  /**
   * Where the virtual clock starts: a `Date`, ISO 8601 text or epoch milliseconds (default: now). With a
   * `stateDir` that already holds a clock, the clock resumes where it stopped instead.
   */
  readonly startTime?: Date | string | number | undefined
  /** The seed of scan durations, synthetic findings and probabilistic faults (default `"0"`, as `serve`). */
  readonly seed?: string | number | undefined
  /**
   * How long a scan takes, fixed per image by the seed: `"5s"`, a range `"3s..8s"` (the default),
   * milliseconds, or `{ min, max }` of either.
   */
  readonly scanDuration?:
    | string
    | number
    | { readonly min: string | number; readonly max: string | number }
    | undefined
  /**
   * Keep the registries and the virtual clock on disk: a later emulator on the same directory resumes where
   * this one stopped (see the README's "Durable state"). An account's registry in `region` is kept in
   * `<stateDir>/<accountId>/`, in any other region in `<stateDir>/<accountId>/<region>/`: restart with the
   * same `region`.
   */
  readonly stateDir?: string | undefined
  /** The registry's account id (default `123456789012`; with `auth`, the credentials' accounts). */
  readonly accountId?: string | undefined
  /**
   * The default region (default `us-east-1`): that of `clientConfig` and of unsigned requests. Every region is
   * served, each its own registry, chosen by a request's SigV4 credential scope.
   */
  readonly region?: string | undefined
  /** The largest request body accepted (default 8 MiB). */
  readonly maxBodyBytes?: number | undefined
  /** Header size, connections, request rate and timeouts (see `Limits.DEFAULTS`). */
  readonly limits?: Limits.LimitOptions | undefined
  /**
   * Other house rules (the per-image window, the account quota, the findings mode, ...), as
   * `MemoryRegistry.layer` takes them; `scanDuration` is the option above.
   */
  readonly rules?: Omit<ScanRules.ScanRulesInput, "scanDuration"> | undefined
  /**
   * Check AWS Signature Version 4 on every data-plane request, with these keys; each account gets a registry
   * of its own, the first credential's the default one. The control endpoints then need `adminToken`
   * (at least 16 characters; default: a random one, read back from `adminToken`).
   */
  readonly auth?:
    | { readonly credentials: ReadonlyArray<Auth.Credential>; readonly adminToken?: string | undefined }
    | undefined
  /** Listen on a non-loopback `host` without `auth` (default false). */
  readonly allowOpen?: boolean | undefined
  /** Called with one line per request (`POST StartImageScan 200 0.4ms`); default: no log. */
  readonly log?: ((line: string) => void) | undefined
  /**
   * Where the registry's events are delivered, as `--event-target` takes them: `http(s)://...` (a POST per
   * event, as an EventBridge API destination), `sqs:QUEUE_URL` (an SQS `SendMessage`), or `{ target, pattern }`
   * with an EventBridge event pattern (parsed JSON or JSON text) that events must match.
   */
  readonly eventTargets?:
    | ReadonlyArray<string | { readonly target: string; readonly pattern?: unknown }>
    | undefined
  /**
   * The targets' retry policy: `maxAttempts` retries after the first attempt (0 to 185, default 185) within
   * `maxAge` of the event (60 s to 24 h, default 24 h; `"2h"` or milliseconds). Backoff waits run on the
   * emulator's clock: on the virtual clock, `clock.advance` makes the retries happen.
   */
  readonly eventRetry?:
    | { readonly maxAttempts?: number | undefined; readonly maxAge?: string | number | undefined }
    | undefined
  /**
   * How many of each account's most recent events `events()` and the control endpoints keep (default 10,000). 0 with
   * no `eventTargets`: the emulator follows no events at all.
   */
  readonly eventLogSize?: number | undefined
}

/** The options `startEmulator` takes: any other is refused. */
const OPTIONS: ReadonlyArray<keyof StartEmulatorOptions> = [
  "port",
  "host",
  "clock",
  "startTime",
  "seed",
  "scanDuration",
  "stateDir",
  "accountId",
  "region",
  "maxBodyBytes",
  "limits",
  "rules",
  "auth",
  "allowOpen",
  "log",
  "eventTargets",
  "eventRetry",
  "eventLogSize"
]

/** How this API names a setting in its messages: as its option. */
const optionName: ServeSettings.Naming = (setting) =>
  setting === "headersTimeout"
    ? "limits.headersTimeoutMs"
    : setting === "requestTimeout"
    ? "limits.requestTimeoutMs"
    : setting === "auth"
    ? "auth (SigV4 credentials)"
    : setting === "eventTarget"
    ? "eventTargets"
    : setting === "eventRetryMaxAttempts"
    ? "eventRetry.maxAttempts"
    : setting === "eventRetryMaxAge"
    ? "eventRetry.maxAge"
    : setting

/** The milliseconds of a duration as this API takes one (`"10 minutes"`, `"25h"`, or milliseconds), or why not. */
export const durationMillis = (value: unknown): Either.Either<number, string> =>
  typeof value === "number"
    ? Number.isFinite(value) && value >= 0 ? Either.right(value) : Either.left(`not a duration: ${value}`)
    : typeof value === "string"
    ? parseDuration(value)
    : Either.left(`not a duration: ${String(value)}`)

const scanDurationOf = (
  value: StartEmulatorOptions["scanDuration"]
): Either.Either<{ readonly min: number; readonly max: number }, string> => {
  if (value === undefined) return parseDurationRange(ServeSettings.DEFAULTS.scanDuration)
  if (typeof value === "string") return parseDurationRange(value)
  if (typeof value === "number") return Either.map(durationMillis(value), (ms) => ({ min: ms, max: ms }))
  if (typeof value !== "object" || value === null) return Either.left(`not a duration: ${String(value)}`)
  return Either.flatMap(
    Either.all({ min: durationMillis(value.min), max: durationMillis(value.max) }),
    (range) =>
      range.max >= range.min
        ? Either.right(range)
        : Either.left(`the longest scan is shorter than the shortest: ${JSON.stringify(value)}`)
  )
}

const authOf = (
  auth: StartEmulatorOptions["auth"]
): Either.Either<Omit<Auth.AuthOptions, "region"> | undefined, string> => {
  if (auth === undefined) return Either.right(undefined)
  const credentials = Schema.decodeUnknownEither(Auth.CredentialsFile)(auth.credentials, { onExcessProperty: "error" })
  if (Either.isLeft(credentials)) {
    return Either.left(
      `auth.credentials: expected [{ accessKeyId, secretAccessKey, accountId }, ...]: ${
        ParseResult.TreeFormatter.formatErrorSync(credentials.left)
      }`
    )
  }
  // Without a token the control endpoints still need one: a random one, which the handle reports.
  const adminToken = auth.adminToken ?? randomBytes(16).toString("hex")
  if (typeof adminToken !== "string" || adminToken.length < 16) {
    return Either.left("auth.adminToken: must be at least 16 characters long")
  }
  return Either.right({ credentials: credentials.right, adminToken })
}

const text = (name: string, value: unknown, fallback: string): Either.Either<string, string> =>
  value === undefined
    ? Either.right(fallback)
    : typeof value === "string"
    ? Either.right(value)
    : Either.left(`${name}: must be a string, not ${String(value)}`)

/** The events' settings of the options, or what is wrong with them. */
const eventsOf = (options: StartEmulatorOptions): Either.Either<ServeSettings.EventSettings | undefined, string> =>
  Either.gen(function*() {
    const { eventLogSize, eventRetry, eventTargets } = options
    if (eventTargets === undefined && eventRetry === undefined && eventLogSize === undefined) return undefined
    if (eventTargets !== undefined && !Array.isArray(eventTargets)) {
      return yield* Either.left("eventTargets: must be an array of targets")
    }
    const targets: Array<ServeSettings.EventSettings["targets"][number]> = []
    for (const [i, entry] of (eventTargets ?? []).entries()) {
      if (typeof entry === "string") {
        targets.push({ target: entry })
        continue
      }
      if (typeof entry !== "object" || entry === null || typeof entry.target !== "string") {
        return yield* Either.left(`eventTargets[${i}]: must be a URL or { target, pattern }`)
      }
      if (entry.pattern === undefined) {
        targets.push({ target: entry.target })
        continue
      }
      const pattern = EventTargets.patternOf(entry.pattern)
      if (Either.isLeft(pattern)) return yield* Either.left(`eventTargets[${i}].pattern: ${pattern.left}`)
      targets.push({ target: entry.target, pattern: pattern.right })
    }
    if (eventRetry !== undefined && (typeof eventRetry !== "object" || eventRetry === null)) {
      return yield* Either.left("eventRetry: must be { maxAttempts?, maxAge? }")
    }
    const maxAge = eventRetry?.maxAge === undefined ? undefined : durationMillis(eventRetry.maxAge)
    if (maxAge !== undefined && Either.isLeft(maxAge)) return yield* Either.left(`eventRetry.maxAge: ${maxAge.left}`)
    return {
      targets,
      retry: { maxAttempts: eventRetry?.maxAttempts, maxAgeMs: maxAge?.right },
      logSize: eventLogSize
    }
  })

/** `Emulator.layer`'s options for `options`, or why they cannot be used. */
export const emulatorOptions = (options: StartEmulatorOptions): Either.Either<Emulator.EmulatorOptions, string> =>
  Either.gen(function*() {
    if (typeof options !== "object" || options === null) return yield* Either.left("options must be an object")
    const unknown = Object.keys(options).find((key) => !(OPTIONS as ReadonlyArray<string>).includes(key))
    if (unknown !== undefined) return yield* Either.left(`unknown option '${unknown}' (options: ${OPTIONS.join(", ")})`)
    const clock = options.clock ?? "virtual"
    if (clock !== "virtual" && clock !== "real") {
      return yield* Either.left(`clock: must be "virtual" or "real", not ${String(clock)}`)
    }
    const seed = options.seed ?? ServeSettings.DEFAULTS.seed
    if (typeof seed !== "string" && typeof seed !== "number") {
      return yield* Either.left("seed: must be a string or a number")
    }
    if (options.log !== undefined && typeof options.log !== "function") {
      return yield* Either.left("log: must be a function")
    }
    const scanDuration = scanDurationOf(options.scanDuration)
    if (Either.isLeft(scanDuration)) return yield* Either.left(`scanDuration: ${scanDuration.left}`)
    const settings: ServeSettings.ServeSettings = {
      host: yield* text("host", options.host, ServeSettings.DEFAULTS.host),
      port: options.port ?? 0,
      accountId: yield* text("accountId", options.accountId, ServeSettings.DEFAULTS.accountId),
      region: yield* text("region", options.region, ServeSettings.DEFAULTS.region),
      seed,
      clock,
      startTime: options.startTime,
      scanDuration: scanDuration.right,
      maxBodyBytes: options.maxBodyBytes ?? ServeSettings.DEFAULTS.maxBodyBytes,
      stateDir: options.stateDir === undefined ? undefined : yield* text("stateDir", options.stateDir, ""),
      limits: options.limits ?? {},
      auth: yield* authOf(options.auth),
      allowOpen: options.allowOpen === true,
      log: options.log,
      events: yield* eventsOf(options)
    }
    const resolved = yield* ServeSettings.emulatorOptions(settings, optionName)
    return options.rules === undefined ? resolved : { ...resolved, rules: { ...options.rules, ...resolved.rules } }
  })
