/**
 * The emulator's command line: `ecr-scan-emulator [--port N] [--host H] [--clock real|virtual] ...`,
 * also mounted as `ecr-scan serve` by the CLI.
 *
 * @since 0.1.0
 */
import type { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Auth from "./Auth.js"
import { parseDuration, parseDurationRange } from "./Durations.js"
import * as Emulator from "./Emulator.js"
import { EmulatorClock } from "./EmulatorClock.js"
import * as EventLog from "./EventLog.js"
import * as EventTargets from "./EventTargets.js"
import * as Limits from "./Limits.js"
import * as ServeSettings from "./ServeSettings.js"

/** The port `npm start` listens on. */
export const DEFAULT_PORT = 4510

const validated = <A>(options: Options.Options<string>, parse: (text: string) => Either.Either<A, string>) =>
  Options.mapEffect(options, (text) =>
    Either.match(parse(text), {
      onLeft: (message) => Effect.fail(HelpDocError(message)),
      onRight: Effect.succeed
    }))

// @effect/cli reports an option's failure as a ValidationError carrying a help document.
const HelpDocError = (message: string) => ValidationError.invalidValue(HelpDoc.p(message))

/**
 * Refuses to start, saying why on stderr: @effect/cli prints the errors of parsing, not those of a
 * handler (and `ecr-scan`'s main prints no ValidationError itself).
 */
const refuse = (message: string) =>
  Effect.zipRight(Console.error(`ecr-scan emulator: ${message}`), Effect.fail(HelpDocError(message)))

const positiveDuration = (text: string) =>
  Either.filterOrLeft(parseDuration(text), (ms) => ms > 0, () => `not a positive duration: '${text}'`)

const positiveInteger = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(
    Options.withDefault(fallback),
    Options.withDescription(description),
    Options.mapEffect((n) => n > 0 ? Effect.succeed(n) : Effect.fail(HelpDocError(`--${name}: must be positive`)))
  )

/** The limits' options (see `Limits`). */
const limitOptions = {
  maxHeaderBytes: positiveInteger(
    "max-header-bytes",
    Limits.DEFAULTS.maxHeaderBytes,
    "Largest request head (request line and headers); larger ones get a 431 RequestHeaderFieldsTooLargeException."
  ),
  maxConnections: positiveInteger(
    "max-connections",
    Limits.DEFAULTS.maxConnections,
    "Most connections open at once; further ones are closed as they are accepted, before a byte is read."
  ),
  rateLimit: Options.float("rate-limit").pipe(
    Options.withDefault(Limits.DEFAULTS.rateLimit),
    Options.withDescription(
      "Requests per second admitted per account (0: unlimited); excess ones get ThrottlingException."
    ),
    Options.mapEffect((n) =>
      n >= 0 ? Effect.succeed(n) : Effect.fail(HelpDocError("--rate-limit: must not be negative"))
    )
  ),
  rateBurst: Options.integer("rate-burst").pipe(
    Options.withDefault(Limits.DEFAULTS.rateBurst),
    Options.withDescription("Requests admitted at once after a quiet spell (0: the rate, at least 1)."),
    Options.mapEffect((n) =>
      n >= 0 ? Effect.succeed(n) : Effect.fail(HelpDocError("--rate-burst: must not be negative"))
    )
  ),
  headersTimeout: validated(
    Options.text("headers-timeout").pipe(
      Options.withDefault(`${Limits.DEFAULTS.headersTimeoutMs}ms`),
      Options.withDescription("Time a request has to send its headers (408 RequestTimeoutException, then closed).")
    ),
    positiveDuration
  ),
  requestTimeout: validated(
    Options.text("request-timeout").pipe(
      Options.withDefault(`${Limits.DEFAULTS.requestTimeoutMs}ms`),
      Options.withDescription(
        "Time a request has to send its body (408, then closed); twice it, the longest silence of a busy connection."
      )
    ),
    positiveDuration
  ),
  keepAliveTimeout: validated(
    Options.text("keep-alive-timeout").pipe(
      Options.withDefault(`${Limits.DEFAULTS.keepAliveTimeoutMs}ms`),
      Options.withDescription("How long an idle keep-alive connection stays open.")
    ),
    positiveDuration
  )
}

/** Authentication's options (see `Auth`). */
const authOptions = {
  auth: Options.choice("auth", ["none", "sigv4"]).pipe(
    Options.withDefault("none" as const),
    Options.withDescription(
      "none: every request is let in (loopback only, unless --allow-open). sigv4: data-plane requests must be " +
        "signed (AWS Signature Version 4) with a key of --credentials; control endpoints need the admin token."
    )
  ),
  credentials: Options.file("credentials", { exists: "either" }).pipe(
    Options.optional,
    Options.withDescription(
      `With --auth sigv4: a JSON file [{"accessKeyId", "secretAccessKey", "accountId"}, ...]; ` +
        "each account gets a registry of its own."
    )
  ),
  adminTokenFile: Options.file("admin-token-file", { exists: "either" }).pipe(
    Options.optional,
    Options.withDescription(
      "With --auth sigv4: a file whose first line is the token of the control endpoints " +
        "(Authorization: Bearer <token>; default: the ECR_SCAN_ADMIN_TOKEN environment variable)."
    )
  ),
  allowOpen: Options.boolean("allow-open").pipe(
    Options.withDescription("Accept a non-loopback --host without authentication.")
  )
}

/** The events' options (see `EventDelivery`). */
const eventOptions = {
  eventTarget: Options.text("event-target").pipe(
    Options.withDescription(
      "Deliver the registry's events here, as an EventBridge rule target (repeatable): an http:// or https:// " +
        "URL gets a POST of each event's JSON with an API destination's headers (5 s timeout; 429, 5xx and " +
        "network errors retried); sqs:QUEUE_URL gets it as the body of an SQS SendMessage (credentials from " +
        "the default provider chain)."
    ),
    Options.repeated
  ),
  eventPattern: Options.text("event-pattern").pipe(
    Options.withDescription(
      "An EventBridge event pattern file (JSON) for the --event-target that follows it: only matching events " +
        "are delivered there. Give each one right before its target (--event-pattern scans.json --event-target " +
        "URL); the order is read from the command line, and where it cannot be (a run in-process), the n-th " +
        "pattern goes with the n-th target."
    ),
    Options.repeated
  ),
  eventRetryMaxAttempts: Options.integer("event-retry-max-attempts").pipe(
    Options.withDefault(EventTargets.DEFAULT_RETRY.maxAttempts),
    Options.withDescription(
      "Retries of a failed delivery after the first attempt, 0 to 185 (EventBridge's MaximumRetryAttempts); " +
        "then the event is a dead letter (GET /_ecr-scan/events/dead-letters)."
    )
  ),
  eventRetryMaxAge: validated(
    Options.text("event-retry-max-age").pipe(
      Options.withDefault("24h"),
      Options.withDescription(
        "How long after it happened an event is still retried, 60s to 24h (EventBridge's MaximumEventAgeInSeconds); " +
          "backoff waits run on the emulator's clock."
      )
    ),
    parseDuration
  ),
  eventLogSize: Options.integer("event-log-size").pipe(
    Options.withDefault(EventLog.DEFAULT_SIZE),
    Options.withDescription(
      "How many of each account's most recent events GET /_ecr-scan/events and its stream keep. 0 with no " +
        "--event-target: the emulator does not follow the registry's events at all (no cost per request)."
    ),
    Options.mapEffect((n) =>
      Number.isInteger(n) && n >= 0
        ? Effect.succeed(n)
        : Effect.fail(HelpDocError("--event-log-size: must be 0 or more"))
    )
  )
}

/**
 * The events' settings of the options: each pattern file read and checked, or why `serve` cannot start.
 * `argv` is the command line whose order pairs patterns with targets (see `EventTargets.pairPatterns`).
 */
const resolveEvents = (o: ServeOptions, argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const paired = EventTargets.pairPatterns(argv, { targets: o.eventTarget, patterns: o.eventPattern })
    if (Either.isLeft(paired)) return yield* refuse(paired.left)
    const targets: Array<ServeSettings.EventSettings["targets"][number]> = []
    for (const { patternFile, target } of paired.right) {
      if (patternFile === undefined) {
        targets.push({ target })
        continue
      }
      let text: string
      try {
        text = Fs.readFileSync(patternFile, "utf8")
      } catch (error) {
        return yield* refuse(`--event-pattern ${patternFile}: cannot read it: ${(error as Error).message}`)
      }
      const pattern = EventTargets.patternOf(text)
      if (Either.isLeft(pattern)) return yield* refuse(`--event-pattern ${patternFile}: ${pattern.left}`)
      targets.push({ target, pattern: pattern.right })
    }
    const events: ServeSettings.EventSettings = {
      targets,
      retry: { maxAttempts: o.eventRetryMaxAttempts, maxAgeMs: o.eventRetryMaxAge },
      logSize: o.eventLogSize
    }
    return events
  })

/**
 * The authentication `serve` runs with (its files read), or why it cannot start. A non-loopback `--host`
 * without it is refused with the other settings (`ServeSettings`).
 */
const resolveAuth = (o: ServeOptions) =>
  Effect.gen(function*() {
    if (o.auth === "none") {
      if (Option.isSome(o.credentials) || Option.isSome(o.adminTokenFile)) {
        return yield* refuse("--credentials and --admin-token-file need --auth sigv4")
      }
      return undefined
    }
    if (Option.isNone(o.credentials)) return yield* refuse("--auth sigv4 needs --credentials FILE")
    return yield* Effect.all({
      credentials: Auth.loadCredentials(o.credentials.value),
      adminToken: Auth.loadAdminToken(Option.getOrUndefined(o.adminTokenFile), process.env.ECR_SCAN_ADMIN_TOKEN)
    }).pipe(Effect.catchAll((e) => refuse(e.message)))
  })

/** A setting as its flag: `startTime` is `--start-time`; authentication, `--auth sigv4`. */
const flag: ServeSettings.Naming = (setting) =>
  setting === "auth" ? "--auth sigv4" : `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/** The emulator's options, shared with `ecr-scan serve`. */
export const options = {
  host: Options.text("host").pipe(
    Options.withDefault(ServeSettings.DEFAULTS.host),
    Options.withDescription(
      "Address to bind. Without --auth, anyone who can connect is let in: beyond loopback it needs --allow-open."
    )
  ),
  port: Options.integer("port").pipe(
    Options.withDefault(DEFAULT_PORT),
    Options.withDescription("Port to listen on (0 picks a free one).")
  ),
  accountId: Options.text("account-id").pipe(
    Options.withDefault(ServeSettings.DEFAULTS.accountId),
    Options.withDescription("The 12-digit account id of the registry (with --auth sigv4: the credentials' accounts).")
  ),
  region: Options.text("region").pipe(
    Options.withDefault(ServeSettings.DEFAULTS.region),
    Options.withDescription(
      "The default region: that of unsigned requests. Every region is served, each its own registry, chosen by " +
        "a signed request's credential scope."
    )
  ),
  seed: Options.text("seed").pipe(
    Options.withDefault(ServeSettings.DEFAULTS.seed),
    Options.withDescription("Seed of scan durations, findings and probabilistic faults.")
  ),
  clock: Options.choice("clock", ["real", "virtual"]).pipe(
    Options.withDefault("real" as const),
    Options.withDescription("real: wall-clock time. virtual: time moves only through POST /_ecr-scan/clock/*.")
  ),
  startTime: Options.text("start-time").pipe(
    Options.optional,
    Options.withDescription("Where the virtual clock starts (ISO 8601; default: now).")
  ),
  scanDuration: validated(
    Options.text("scan-duration").pipe(
      Options.withDefault(ServeSettings.DEFAULTS.scanDuration),
      Options.withDescription("How long scans take: 5s, or a range such as 3s..8s (fixed per image by the seed).")
    ),
    parseDurationRange
  ),
  maxBodyBytes: Options.integer("max-body-bytes").pipe(
    Options.withDefault(ServeSettings.DEFAULTS.maxBodyBytes),
    Options.withDescription("Largest request body accepted.")
  ),
  stateDir: Options.text("state-dir").pipe(
    Options.optional,
    Options.withDescription(
      "Keep the registries and the virtual clock in this directory: every write is on disk before it is answered, " +
        "and a restart resumes where it stopped. An account's registry in --region is in DIR/<account>/, in " +
        "another region in DIR/<account>/<region>/: restart with the same --region."
    )
  ),
  ...limitOptions,
  ...authOptions,
  ...eventOptions,
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not log one line per request."))
}

/** The values of the options. */
export type ServeOptions = Command.Command.ParseConfig<typeof options>

/** Runs the emulator until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`). */
export const serve = (
  o: ServeOptions
): Effect.Effect<never, ValidationError.ValidationError | ServeError | MemoryRegistry.InvalidMemoryRegistryOptions> =>
  Effect.gen(function*() {
    const auth = yield* resolveAuth(o)
    const events = yield* resolveEvents(o, process.argv)
    const settings: ServeSettings.ServeSettings = {
      host: o.host,
      port: o.port,
      accountId: o.accountId,
      region: o.region,
      seed: o.seed,
      clock: o.clock,
      startTime: Option.getOrUndefined(o.startTime),
      scanDuration: o.scanDuration,
      maxBodyBytes: o.maxBodyBytes,
      stateDir: Option.getOrUndefined(o.stateDir),
      limits: {
        maxHeaderBytes: o.maxHeaderBytes,
        maxConnections: o.maxConnections,
        rateLimit: o.rateLimit,
        rateBurst: o.rateBurst,
        headersTimeoutMs: o.headersTimeout,
        requestTimeoutMs: o.requestTimeout,
        keepAliveTimeoutMs: o.keepAliveTimeout
      },
      auth,
      allowOpen: o.allowOpen,
      log: o.quiet ? undefined : (yield* stdoutLog),
      events
    }
    const checked = ServeSettings.emulatorOptions(settings, flag)
    if (Either.isLeft(checked)) return yield* refuse(checked.left)
    const layer = Emulator.layer(checked.right)
    const announce = Effect.flatMap(Effect.zip(HttpServer.HttpServer, EmulatorClock), ([server, clock]) => {
      const address = server.address._tag === "TcpAddress"
        ? `http://${server.address.hostname}:${server.address.port}`
        : server.address.path
      const loopback = ServeSettings.isLoopback(o.host)
      const accounts = Emulator.accountIds(checked.right)
      // With --state-dir the virtual clock resumes where it stopped, not at --start-time.
      const virtualNow = clock.virtual?.unsafeCurrentTimeMillis() ?? Date.now()
      const stateDir = Option.match(o.stateDir, { onNone: () => "", onSome: (dir) => ` State kept in ${dir}.` })
      return Console.log(
        `ecr-scan emulator listening on ${address} (account${accounts.length > 1 ? "s" : ""} ${accounts.join(", ")}, ` +
          `region ${o.region}, ` +
          `clock ${o.clock === "virtual" ? `virtual from ${new Date(virtualNow).toISOString()}` : "real"}). ` +
          (auth !== undefined
            ? `Authentication on: SigV4 with ${auth.credentials.length} access key${
              auth.credentials.length > 1 ? "s" : ""
            }, control endpoints behind the admin token.` +
              (loopback ? "" : " Plain HTTP: use it only on a trusted network.")
            : loopback
            ? "No authentication: open to every process on this machine, and to nothing else."
            : "WARNING: no authentication, and bound to a non-loopback address (--allow-open): open to anyone who can reach it.") +
          stateDir +
          (events.targets.length === 0
            ? ""
            : ` Events delivered to ${events.targets.length} target${events.targets.length > 1 ? "s" : ""}.`)
      )
    })
    return yield* Layer.launch(Layer.effectDiscard(announce).pipe(Layer.provideMerge(layer)))
  }).pipe(
    Effect.scoped,
    // State the emulator cannot read or write is the user's to fix: one clear line and a non-zero exit, no trace.
    Effect.catchTag("StateFileError", (error) =>
      Effect.zipRight(
        Console.error(`ecr-scan emulator: cannot start on --state-dir: ${error.message}`),
        // Exit at once: pipes and files take stderr synchronously, and a half-built server must not linger.
        Effect.sync(() => process.exit(2))
      ))
  )

/**
 * The request log on stdout: lines are gathered and written once per turn of the event loop, since a
 * write per request (a system call each) costs more than answering it; the last lines are written when
 * the server stops.
 */
const stdoutLog = Effect.acquireRelease(
  Effect.sync(() => {
    let pending: Array<string> = []
    let scheduled = false
    const flush = () => {
      scheduled = false
      if (pending.length === 0) return
      const text = `${pending.join("\n")}\n`
      pending = []
      process.stdout.write(text)
    }
    const log = (line: string) => {
      pending.push(line)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    }
    return { log, flush }
  }),
  ({ flush }) => Effect.sync(flush)
).pipe(Effect.map(({ log }) => log))

/** The `serve` command. */
export const command = Command.make("serve", options, serve).pipe(
  Command.withDescription("Run a local Amazon ECR endpoint (awsJson1_1) on the in-memory registry.")
)
