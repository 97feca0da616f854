/**
 * The emulator's HTTP server. `@effect/platform-node` owns the server's life (listen, address,
 * close with the layer's scope) and serves the control endpoints through an `HttpRouter`; the data
 * plane, `POST /` with an `X-Amz-Target`, is answered by a lean `node:http` listener that runs the
 * Effect dispatcher per request, or, over the in-memory registry, calls it synchronously (no fiber at
 * all: `Dispatch.unsafeDispatch`). Measured on this project's 2-core machine, `HttpServer.serve` costs
 * about 250 µs of CPU per request (a fiber, scope, tracer and cached body reader per request) against
 * about 70 µs for this listener (bench/emulator).
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import * as Accounts from "./Accounts.js"
import * as Auth from "./Auth.js"
import * as Control from "./Control.js"
import * as Dispatch from "./Dispatch.js"
import { EmulatorClock } from "./EmulatorClock.js"
import * as Limits from "./Limits.js"
import * as Regions from "./Regions.js"
import * as Wire from "./Wire.js"

/** Options of the server. */
export interface ServerOptions {
  /** The address to bind (default `127.0.0.1`: without `auth`, anyone who can connect is let in). */
  readonly host?: string
  /** The port (default 0: any free port; read it back from `HttpServer.HttpServer`). */
  readonly port?: number
  /** The largest request body accepted (default 8 MiB; a manifest may be 4 MiB). */
  readonly maxBodyBytes?: number
  /** Where the one line per request goes (default: nowhere). */
  readonly log?: ((line: string) => void) | undefined
  /** Header size, connections, request rate, timeouts (see `Limits.DEFAULTS`). */
  readonly limits?: Limits.LimitOptions
  /** SigV4 on the data plane and the admin token on the control endpoints (default: none, open). */
  readonly auth?: Auth.AuthOptions | undefined
}

/**
 * The dispatcher of an (account, region) pair's registry: at once when it is built, else once it has been
 * built (a callback), or the reply refusing it.
 */
type Route = (
  accountId: string,
  region: string,
  answer: (dispatcher: Dispatch.Dispatcher) => void,
  refuse: (reply: Wire.WireReply) => void
) => void

const HEALTH = `${Control.PREFIX}/health`

/** The default body limit. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

const send = (res: Http.ServerResponse, reply: Wire.WireReply, requestId: string) => {
  if (res.writableEnded || res.destroyed) return
  const headers: Http.OutgoingHttpHeaders = {
    "content-type": Wire.CONTENT_TYPE,
    "content-length": Buffer.byteLength(reply.body),
    "x-amzn-requestid": requestId
  }
  if (reply.errorType !== undefined) headers["x-amzn-errortype"] = reply.errorType
  res.writeHead(reply.status, headers)
  res.end(reply.body)
}

const contentTypeOk = (header: string | undefined) => {
  if (header === undefined) return false
  const semicolon = header.indexOf(";")
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase()
  return type === Wire.CONTENT_TYPE
}

/** The data-plane listener. */
const makeListener = (
  runtime: Runtime.Runtime<never>,
  route: Route,
  defaultAccount: string,
  defaultRegion: string,
  control: (req: Http.IncomingMessage, res: Http.ServerResponse) => void,
  options: Required<Omit<ServerOptions, "log" | "limits" | "auth">> & Pick<ServerOptions, "log"> & {
    readonly limits: Limits.ResolvedLimits
  },
  auth: Auth.Authenticator | undefined
) => {
  const runFork = Runtime.runFork(runtime)
  const log = options.log
  const rate = Limits.rateLimiter(options.limits)
  return (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    const url = req.url ?? ""
    if (url.startsWith(Control.PREFIX)) {
      if (log !== undefined) {
        const started = performance.now()
        res.once("finish", () => log(line(req.method, url, res.statusCode, started)))
      }
      if (auth !== undefined && url !== HEALTH && !url.startsWith(`${HEALTH}?`)) {
        const denied = auth.admin(req)
        if (denied !== undefined) return refuseControl(req, res, denied)
      }
      return control(req, res)
    }
    const started = log === undefined ? 0 : performance.now()
    const requestId = randomUUID()
    let operation: string | undefined
    const reply = (r: Wire.WireReply) => {
      send(res, r, requestId)
      if (log !== undefined) log(line(req.method, operation ?? url, r.status, started, r.errorType))
    }
    // Every fault is answered after the body is drained, so a keep-alive connection stays usable.
    const answerAfterDrain = (r: Wire.WireReply) => {
      req.resume()
      if (req.readableEnded) reply(r)
      else req.once("end", () => reply(r))
    }
    // Node's own answer to HTTP/1.1 without a Host is a bare 400: answered here in JSON instead.
    if (req.headers.host === undefined && req.httpVersion === "1.1") return answerAfterDrain(Limits.missingHost)
    if (url !== "/" && !url.startsWith("/?")) return answerAfterDrain(Wire.faults.wrongPath(url))
    if (req.method !== "POST") return answerAfterDrain(Wire.faults.wrongMethod(req.method))
    // Signed requests: the headers are checked before the body is read, the signature once it has arrived.
    const signed = auth === undefined ? undefined : auth.inspect(req)
    if (signed !== undefined && signed._tag === "Refused") return answerAfterDrain(signed.reply)
    // Per account: the access key's, before its signature is checked, so a refusal reads no body.
    if (rate !== undefined && !rate.admit(signed?.accountId ?? Limits.DEFAULT_KEY, started || performance.now())) {
      return answerAfterDrain(Limits.throttled)
    }
    const declared = Number(req.headers["content-length"] ?? 0)
    if (declared > options.maxBodyBytes) return answerAfterDrain(Wire.faults.tooLarge(options.maxBodyBytes))
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= options.maxBodyBytes) chunks.push(chunk)
    })
    req.on("error", () => res.destroy())
    const answer = (dispatcher: Dispatch.Dispatcher) => {
      if (!contentTypeOk(req.headers["content-type"])) {
        return reply(Wire.faults.contentType(req.headers["content-type"]))
      }
      const target = req.headers["x-amz-target"]
      operation = Wire.operationOf(typeof target === "string" ? target : undefined)
      if (operation === undefined) {
        return reply(Wire.faults.unknownOperation(typeof target === "string" ? target : undefined))
      }
      let input: unknown
      try {
        const text = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8")
        // The SDKs send `{}` for an empty input; an empty body means the same. A null member is an
        // absent one, as AWS's JSON deserializers read it.
        // (The reviver costs a call per member: only a body with a null in it pays for it.)
        input = text.trim() === "" ? {} : text.includes("null") ? JSON.parse(text, dropNulls) : JSON.parse(text)
      } catch {
        return reply(Wire.faults.malformedJson())
      }
      if (typeof input !== "object" || input === null || Array.isArray(input)) return reply(Wire.faults.notAnObject())
      if (dispatcher.unsafeDispatch !== undefined) return reply(dispatcher.unsafeDispatch(operation, input))
      const fiber = runFork(dispatcher.dispatch(operation, input))
      const done = (exit: Exit.Exit<Wire.WireReply>) =>
        reply(Exit.isSuccess(exit) ? exit.value : Wire.faults.internal())
      const exit = fiber.unsafePoll()
      if (exit !== null) return done(exit)
      fiber.addObserver(done)
    }
    req.on("end", () => {
      if (size > options.maxBodyBytes) return reply(Wire.faults.tooLarge(options.maxBodyBytes))
      if (signed === undefined) {
        // Unauthenticated: the region a signature's scope names, if any, else the default one.
        const region = Regions.regionOfAuthorization(req.headers.authorization) ?? defaultRegion
        if (!Regions.isRegion(region)) return reply(Auth.faults.invalidRegion(region))
        return route(defaultAccount, region, answer, reply)
      }
      void signed.verify(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).then((denied) => {
        if (denied !== undefined) return reply(denied)
        return route(signed.accountId, signed.region, answer, reply)
      })
    })
  }
}

/** A control request without the admin token: answered in JSON once its body is drained. */
const refuseControl = (
  req: Http.IncomingMessage,
  res: Http.ServerResponse,
  denied: { readonly status: number; readonly body: string }
) => {
  const headers: Http.OutgoingHttpHeaders = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(denied.body)
  }
  if (denied.status === 401) headers["www-authenticate"] = `Bearer realm="ecr-scan"`
  const end = () => {
    if (res.writableEnded || res.destroyed) return
    res.writeHead(denied.status, headers)
    res.end(denied.body)
  }
  req.resume()
  if (req.readableEnded) end()
  else req.once("end", end)
}

/** The reply to a registry that cannot be had. */
const unavailableReply = (error: Accounts.RegistryUnavailable, region: string): Wire.WireReply =>
  error.reason === "UnknownAccount"
    ? Auth.faults.unknownKey()
    : error.reason === "Failed"
    ? Wire.faults.internal()
    : error.reason === "InvalidRegion"
    ? Auth.faults.invalidRegion(region)
    : Auth.faults.invalid(`${error.message}. `)

const dropNulls = (_key: string, value: unknown) => value === null ? undefined : value

const line = (method: string | undefined, what: string, status: number, started: number, errorType?: string) =>
  `${method ?? "?"} ${what} ${status}${errorType === undefined ? "" : ` ${errorType}`} ${
    (performance.now() - started).toFixed(1)
  }ms`

/**
 * The emulator on an HTTP server, serving the accounts' registries (`Accounts.layer`). Its output is the
 * platform's `HttpServer` (whose `address` says where it listens).
 */
export const layer = (
  options: ServerOptions = {}
): Layer.Layer<HttpServer.HttpServer, ServeError, Accounts.Accounts | EmulatorClock> => {
  const resolved = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log: options.log,
    limits: Limits.resolve(options.limits)
  }
  return Layer.unwrapEffect(Effect.sync(() => {
    const server = Http.createServer(Limits.serverOptions(resolved.limits))
    Limits.apply(server, resolved.limits, resolved.log)
    // Malformed HTTP, headers too large, a request too slow never reach a handler: answer them in JSON too, and close.
    server.on("clientError", (error, socket) => Limits.answerClientError(error, socket, resolved.limits))
    const attach = Layer.scopedDiscard(Effect.gen(function*() {
      const clock = yield* EmulatorClock
      // The runtime the data plane forks its requests from, captured on the registry's clock: one
      // `Effect.withClock` per request would copy the fiber's services every time.
      const runtime = yield* clock.run(Effect.runtime<never>())
      // The same clock for the calls answered without a fiber.
      const registryClock = yield* clock.run(Effect.clock)
      const unsafeNow = () => registryClock.unsafeCurrentTimeMillis()
      // One dispatcher per registry (account and region), made when the registry is first asked for; without
      // authentication every request goes to the default account.
      const accounts = yield* Accounts.Accounts
      const dispatchers = new Map<string, Dispatch.Dispatcher>()
      // What the dispatchers may read beside the registry's ports (the server's address, say), whichever fiber
      // builds them: a registry's first request builds its dispatcher.
      const outer = yield* Effect.context<never>()
      const dispatcherOf = (registry: Accounts.Registry) =>
        Effect.suspend(() => {
          const known = dispatchers.get(registry.key)
          if (known !== undefined) return Effect.succeed(known)
          return Effect.tap(
            Effect.provide(Dispatch.make(unsafeNow), Context.merge(outer, registry.context)),
            (made) => Effect.sync(() => dispatchers.set(registry.key, dispatchers.get(registry.key) ?? made))
          )
        })
      for (const registry of accounts.registries()) yield* dispatcherOf(registry)
      const runFork = Runtime.runFork(runtime)
      const route: Route = (accountId, region, answer, refuse) => {
        const known = accounts.existing(accountId, region)
        const dispatcher = known === undefined ? undefined : dispatchers.get(known.key)
        if (dispatcher !== undefined) return answer(dispatcher)
        runFork(Effect.flatMap(accounts.registry(accountId, region), dispatcherOf)).addObserver((exit) => {
          if (Exit.isSuccess(exit)) return answer(exit.value)
          const failure = Cause.failureOption(exit.cause)
          refuse(failure._tag === "Some" ? unavailableReply(failure.value, region) : Wire.faults.internal())
        })
      }
      const auth = options.auth === undefined ? undefined : Auth.makeAuthenticator(options.auth)
      const control = yield* NodeHttpServer.makeHandler(Control.app)
      const listener = makeListener(
        runtime,
        route,
        accounts.defaultId,
        accounts.defaultRegion,
        control,
        resolved,
        auth
      )
      server.on("request", listener)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          server.off("request", listener)
          server.closeAllConnections()
        })
      )
    }))
    return attach.pipe(
      Layer.provideMerge(NodeHttpServer.layerServer(() => server, { host: resolved.host, port: resolved.port }))
    )
  }))
}
