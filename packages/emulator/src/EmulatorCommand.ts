/**
 * The emulator's command line: `ecr-scan-emulator [--port N] [--host H] [--clock real|virtual] ...`,
 * also mounted as `ecr-scan serve` by the CLI.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { parseDurationRange } from "./Durations.js"
import * as Emulator from "./Emulator.js"

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

/** The emulator's options, shared with `ecr-scan serve`. */
export const options = {
  host: Options.text("host").pipe(
    Options.withDefault("127.0.0.1"),
    Options.withDescription("Address to bind. The emulator has no authentication: keep it on loopback.")
  ),
  port: Options.integer("port").pipe(
    Options.withDefault(DEFAULT_PORT),
    Options.withDescription("Port to listen on (0 picks a free one).")
  ),
  accountId: Options.text("account-id").pipe(
    Options.withDefault("123456789012"),
    Options.withDescription("The 12-digit account id of the registry.")
  ),
  region: Options.text("region").pipe(
    Options.withDefault("us-east-1"),
    Options.withDescription("The region it claims.")
  ),
  seed: Options.text("seed").pipe(
    Options.withDefault("0"),
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
      Options.withDefault("3s..8s"),
      Options.withDescription("How long scans take: 5s, or a range such as 3s..8s (fixed per image by the seed).")
    ),
    parseDurationRange
  ),
  maxBodyBytes: Options.integer("max-body-bytes").pipe(
    Options.withDefault(8 * 1024 * 1024),
    Options.withDescription("Largest request body accepted.")
  ),
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not log one line per request."))
}

/** The values of the options. */
export type ServeOptions = Command.Command.ParseConfig<typeof options>

/** Runs the emulator until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`). */
export const serve = (o: ServeOptions) =>
  Effect.gen(function*() {
    const startMillis = Option.match(o.startTime, { onNone: () => Date.now(), onSome: (t) => Date.parse(t) })
    if (!Number.isFinite(startMillis)) return yield* Effect.fail(HelpDocError(`--start-time: not an instant`))
    const layer = Emulator.layer({
      host: o.host,
      port: o.port,
      accountId: o.accountId,
      region: o.region,
      seed: o.seed,
      maxBodyBytes: o.maxBodyBytes,
      clock: o.clock === "virtual" ? { _tag: "Virtual", startMillis } : { _tag: "Real" },
      rules: { scanDuration: { min: o.scanDuration.min, max: o.scanDuration.max } },
      log: o.quiet ? undefined : (yield* stdoutLog)
    })
    const announce = Effect.flatMap(HttpServer.HttpServer, (server) => {
      const address = server.address._tag === "TcpAddress"
        ? `http://${server.address.hostname}:${server.address.port}`
        : server.address.path
      const loopback = /^(127\.|::1$|localhost$)/.test(o.host)
      return Console.log(
        `ecr-scan emulator listening on ${address} (account ${o.accountId}, region ${o.region}, ` +
          `clock ${o.clock === "virtual" ? `virtual from ${new Date(startMillis).toISOString()}` : "real"}). ` +
          (loopback
            ? "No authentication: open to every process on this machine, and to nothing else."
            : "WARNING: no authentication, and bound to a non-loopback address.")
      )
    })
    return yield* Layer.launch(Layer.effectDiscard(announce).pipe(Layer.provideMerge(layer)))
  }).pipe(Effect.scoped)

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
