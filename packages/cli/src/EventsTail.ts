/**
 * `ecr-scan events tail`: the EventBridge events of an ecr-scan emulator as they happen, read from its
 * server-sent-events stream (`GET <endpoint>/_ecr-scan/events/stream`, `?account=`, `?since=`, and
 * `Last-Event-ID` on a reconnection), one line per event: the event's JSON as the emulator sent it
 * (`--output json`, for `jq`), or its time and what it is about (`--output text`, the default). An
 * EventBridge pattern (`--pattern FILE`) keeps the events it matches.
 *
 * It ends with exit 0 after `--max-events` events, when stdin (a pipe) closes, or on SIGINT. A dropped
 * connection is taken up again where it stopped (`Last-Event-ID`), at once and then after 0.25 s, 0.5 s, ...
 * up to 5 s between attempts, 10 attempts in a row at most (a connection that gave an event, or lasted 30 s,
 * starts the count afresh). A connection refused at the start is exit 255,
 * `Could not connect to the endpoint URL`, as the other commands say it; bad options, a pattern that cannot
 * be read, are exit 252 before any connection. Loaded only when `events tail` runs (EventsCommand.ts); it
 * uses node's `fetch`.
 *
 * @since 0.1.0
 */
import { EventPattern } from "@ecr-scan/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as CliFailure from "./CliFailure.js"
import * as EventText from "./EventText.js"
import * as Files from "./Files.js"
import * as ServerSentEvents from "./ServerSentEvents.js"
import * as Stdio from "./Stdio.js"

/** What `events tail` was given on the command line. */
export interface TailArgs {
  readonly endpointUrl: string
  readonly account: Option.Option<string>
  readonly since: Option.Option<string>
  readonly pattern: Option.Option<string>
  readonly output: "text" | "json"
  readonly maxEvents: Option.Option<number>
}

/** The emulator's stream of events, under its endpoint. */
export const STREAM_PATH = "/_ecr-scan/events/stream"

/** How many reconnections in a row may fail before the command gives up. */
export const MAX_RECONNECTS = 10

/** How long a connection that gave no event must have lasted to count as a good one (30 s). */
export const HEALTHY_MILLIS = 30_000

/** The wait before the `n`th reconnection in a row (1-based): none, then 0.25 s doubling up to 5 s. */
export const backoffMillis = (n: number): number => (n <= 1 ? 0 : Math.min(250 * 2 ** (n - 2), 5_000))

/** The URL of the stream: the endpoint's path with the stream's after it, and the query. */
export const streamUrl = (
  endpoint: URL,
  query: { readonly account?: string | undefined; readonly since?: string | undefined }
): string => {
  const url = new URL(endpoint.href)
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${STREAM_PATH}`
  url.search = ""
  url.hash = ""
  if (query.account !== undefined) url.searchParams.set("account", query.account)
  if (query.since !== undefined) url.searchParams.set("since", query.since)
  return url.href
}

/** The options, checked before anything connects: the endpoint, the account, the cursor, the pattern. */
const validate = (args: TailArgs) =>
  Effect.gen(function*() {
    let endpoint: URL | undefined
    try {
      endpoint = new URL(args.endpointUrl)
    } catch {
      endpoint = undefined
    }
    if (endpoint === undefined || (endpoint.protocol !== "http:" && endpoint.protocol !== "https:")) {
      return yield* CliFailure.usage(
        `--endpoint-url: not an http:// or https:// URL: ${JSON.stringify(args.endpointUrl)}`
      )
    }
    if (Option.isSome(args.account) && !/^\d{12}$/.test(args.account.value)) {
      return yield* CliFailure.usage(`--account: an account id is 12 digits, got ${JSON.stringify(args.account.value)}`)
    }
    if (Option.isSome(args.since) && !/^\d{1,19}$/.test(args.since.value)) {
      return yield* CliFailure.usage(
        `--since: a cursor is the id of an event (digits), got ${JSON.stringify(args.since.value)}`
      )
    }
    if (Option.isSome(args.maxEvents) && args.maxEvents.value < 1) {
      return yield* CliFailure.usage(`--max-events: must be at least 1, got ${args.maxEvents.value}`)
    }
    const pattern = Option.isNone(args.pattern) ? undefined : yield* readPattern(args.pattern.value)
    return { endpoint, pattern }
  })

/** Reads and parses an EventBridge pattern file; what is wrong with it is a usage error. */
const readPattern = (
  path: string
): Effect.Effect<EventPattern.EventPattern, CliFailure.CliFailure, FileSystem.FileSystem> =>
  Effect.flatMap(
    Effect.mapError(Files.readText(path), (problem) => CliFailure.usage(`--pattern: cannot read ${path}: ${problem}`)),
    (text) => {
      let parsed: Either.Either<EventPattern.EventPattern, string>
      try {
        parsed = EventPattern.parseJson(text)
      } catch (error) {
        parsed = Either.left(error instanceof Error ? error.message : String(error))
      }
      return Either.mapLeft(parsed, (problem) => CliFailure.usage(`--pattern ${path}: ${problem}`))
    }
  )

/** How one connection ended, when not with a failure of the command. */
type Ended =
  | { readonly _tag: "Done" }
  | { readonly _tag: "Dropped"; readonly received: boolean }
  | { readonly _tag: "Unreachable" }

/** What an error response says: the emulator's `{"error": message}`, or the start of the body. */
const said = (body: string): string => {
  let message: unknown
  try {
    message = (JSON.parse(body) as { readonly error?: unknown } | null)?.error
  } catch {
    message = undefined
  }
  const text = typeof message === "string" ? message : body.trim().slice(0, 500)
  return text === "" ? "" : `: ${text}`
}

/** Runs `events tail`. */
export const run = (args: TailArgs) =>
  Effect.gen(function*() {
    const { endpoint, pattern } = yield* validate(args)
    let lastId: string | undefined
    let printed = 0
    const account = Option.getOrUndefined(args.account)
    const since = Option.getOrUndefined(args.since)
    const max = Option.getOrUndefined(args.maxEvents)
    const connected = yield* Deferred.make<void>()

    /** Prints an event if the pattern keeps it; whether the command has printed all it should. */
    const handle = (message: ServerSentEvents.Message) =>
      Effect.gen(function*() {
        lastId = message.id ?? lastId
        let json: unknown
        try {
          json = JSON.parse(message.data)
        } catch {
          yield* Stdio.err(`ecr-scan: warning: skipped event ${message.id ?? "(no id)"}: its data is not JSON\n`)
          return false
        }
        if (pattern !== undefined) {
          let kept = false
          try {
            kept = EventPattern.matches(pattern, json)
          } catch {
            kept = false
          }
          if (!kept) return false
        }
        yield* Stdio.out(
          args.output === "json"
            ? `${message.data.includes("\n") ? JSON.stringify(json) : message.data}\n`
            : `${EventText.timeOf(json) ?? "-"}  ${EventText.describe(json)}\n`
        )
        printed++
        return max !== undefined && printed >= max
      })

    const connection: Effect.Effect<Ended, CliFailure.CliFailure> = Effect.scoped(Effect.gen(function*() {
      const controller = yield* Effect.acquireRelease(
        Effect.sync(() => new AbortController()),
        (c) => Effect.sync(() => c.abort())
      )
      const url = streamUrl(endpoint, { account, since: lastId === undefined ? since : undefined })
      const headers: Record<string, string> = { accept: "text/event-stream" }
      if (lastId !== undefined) headers["last-event-id"] = lastId
      const response = yield* Effect.either(
        Effect.tryPromise(() => fetch(url, { headers, signal: controller.signal, redirect: "error" }))
      )
      if (Either.isLeft(response)) return { _tag: "Unreachable" } as const
      const answer = response.right
      if (!answer.ok) {
        const body = yield* Effect.orElseSucceed(Effect.tryPromise(() => answer.text()), () => "")
        return yield* new CliFailure.CliFailure({
          exitCode: CliFailure.ExitCode.service,
          stderr: `\nThe endpoint answered ${answer.status} ${answer.statusText} to GET ${url}${said(body)}\n`
        })
      }
      const type = answer.headers.get("content-type") ?? ""
      if (!type.toLowerCase().startsWith("text/event-stream") || answer.body === null) {
        return yield* new CliFailure.CliFailure({
          exitCode: CliFailure.ExitCode.other,
          stderr: `\nThe endpoint has no event stream at ${url} (content-type: ${type || "none"}); ` +
            "is it an ecr-scan emulator?\n"
        })
      }
      yield* Deferred.succeed(connected, undefined)
      const reader = answer.body.getReader()
      const decoder = new TextDecoder()
      const sse = ServerSentEvents.make({ lastEventId: lastId })
      const connectedAt = yield* Clock.currentTimeMillis
      let received = false
      for (;;) {
        const chunk = yield* Effect.either(Effect.tryPromise(() => reader.read()))
        if (Either.isLeft(chunk) || chunk.right.done) {
          // A connection that gave events, or stayed up a while, was a good one: the next try starts afresh.
          const lasted = (yield* Clock.currentTimeMillis) - connectedAt >= HEALTHY_MILLIS
          return { _tag: "Dropped", received: received || lasted } as const
        }
        const fed = sse.feed(decoder.decode(chunk.right.value, { stream: true }))
        if (fed === undefined) {
          return yield* new CliFailure.CliFailure({
            exitCode: CliFailure.ExitCode.other,
            stderr: `\nThe event stream at ${url} sent a message longer than ${ServerSentEvents.MAX_LINE} characters\n`
          })
        }
        if (fed.length > 0) received = true
        for (const message of fed) {
          if (yield* handle(message)) return { _tag: "Done" } as const
        }
      }
    }))

    const tail = Effect.gen(function*() {
      let failures = 0
      for (let connections = 0;; connections++) {
        const ended = yield* connection
        if (ended._tag === "Done") return
        // A first connection refused: the endpoint is not there. Later, it may come back.
        if (ended._tag === "Unreachable" && connections === 0) return yield* CliFailure.unreachable(args.endpointUrl)
        failures = ended._tag === "Dropped" && ended.received ? 1 : failures + 1
        if (failures > MAX_RECONNECTS) return yield* CliFailure.unreachable(args.endpointUrl)
        const wait = backoffMillis(failures)
        if (wait > 0) yield* Effect.sleep(wait)
      }
    })

    // stdin's end (a pipe the parent closes) ends the command as SIGINT does, cleanly, exit 0: once connected,
    // so that an endpoint that is not there is still said to be so.
    yield* Effect.raceFirst(tail, Effect.zipRight(Deferred.await(connected), Stdio.stdinEnded))
  })
