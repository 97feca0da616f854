/**
 * The emulator's HTTP server. `@effect/platform-node` owns the server's life (listen, address,
 * close with the layer's scope) and serves the control endpoints through an `HttpRouter`; the data
 * plane, `POST /` with an `X-Amz-Target`, is answered by a lean `node:http` listener that runs the
 * Effect dispatcher per request. Measured on this project's 2-core machine, `HttpServer.serve` costs
 * about 250 µs of CPU per request (a fiber, scope, tracer and cached body reader per request) against
 * about 50 µs for this listener: the difference between 15% and 75% of a bare `node:http` server
 * (bench/emulator).
 *
 * @since 0.1.0
 */
import { type ImageRegistry, type ImageScanner } from "@ecr-scan/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import * as Control from "./Control.js"
import * as Dispatch from "./Dispatch.js"
import { EmulatorClock } from "./EmulatorClock.js"
import * as Wire from "./Wire.js"

/** Options of the server. */
export interface ServerOptions {
  /** The address to bind (default `127.0.0.1`: the emulator has no authentication). */
  readonly host?: string
  /** The port (default 0: any free port; read it back from `HttpServer.HttpServer`). */
  readonly port?: number
  /** The largest request body accepted (default 8 MiB; a manifest may be 4 MiB). */
  readonly maxBodyBytes?: number
  /** Where the one line per request goes (default: nowhere). */
  readonly log?: ((line: string) => void) | undefined
}

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
  dispatch: Dispatch.Dispatcher,
  control: (req: Http.IncomingMessage, res: Http.ServerResponse) => void,
  options: Required<Omit<ServerOptions, "log">> & Pick<ServerOptions, "log">
) => {
  const runFork = Runtime.runFork(runtime)
  const log = options.log
  return (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    const url = req.url ?? ""
    if (url.startsWith(Control.PREFIX)) {
      if (log !== undefined) {
        const started = performance.now()
        res.once("finish", () => log(line(req.method, url, res.statusCode, started)))
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
    if (url !== "/" && !url.startsWith("/?")) return answerAfterDrain(Wire.faults.wrongPath(url))
    if (req.method !== "POST") return answerAfterDrain(Wire.faults.wrongMethod(req.method))
    const declared = Number(req.headers["content-length"] ?? 0)
    if (declared > options.maxBodyBytes) return answerAfterDrain(Wire.faults.tooLarge(options.maxBodyBytes))
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= options.maxBodyBytes) chunks.push(chunk)
    })
    req.on("error", () => res.destroy())
    req.on("end", () => {
      if (size > options.maxBodyBytes) return reply(Wire.faults.tooLarge(options.maxBodyBytes))
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
      const fiber = runFork(dispatch(operation, input))
      const done = (exit: Exit.Exit<Wire.WireReply>) =>
        reply(Exit.isSuccess(exit) ? exit.value : Wire.faults.internal())
      const exit = fiber.unsafePoll()
      if (exit !== null) return done(exit)
      fiber.addObserver(done)
    })
  }
}

const dropNulls = (_key: string, value: unknown) => value === null ? undefined : value

const line = (method: string | undefined, what: string, status: number, started: number, errorType?: string) =>
  `${method ?? "?"} ${what} ${status}${errorType === undefined ? "" : ` ${errorType}`} ${
    (performance.now() - started).toFixed(1)
  }ms`

/**
 * The emulator on an HTTP server, serving whatever backend provides the ports. Its output is the
 * platform's `HttpServer` (whose `address` says where it listens).
 */
export const layer = (
  options: ServerOptions = {}
): Layer.Layer<HttpServer.HttpServer, ServeError, ImageScanner | ImageRegistry | EmulatorClock> => {
  const resolved = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log: options.log
  }
  return Layer.unwrapEffect(Effect.sync(() => {
    const server = Http.createServer({ keepAliveTimeout: 5_000 })
    // Malformed HTTP never reaches a handler: answer it in JSON too, and close.
    server.on("clientError", (_error, socket) => {
      if (!socket.writable) return socket.destroy()
      const body = JSON.stringify({ __type: "SerializationException", message: "Malformed HTTP request" })
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: ${Wire.CONTENT_TYPE}\r\ncontent-length: ${body.length}\r\n` +
          `connection: close\r\n\r\n${body}`
      )
    })
    const attach = Layer.scopedDiscard(Effect.gen(function*() {
      const clock = yield* EmulatorClock
      // The runtime the data plane forks its requests from, captured on the registry's clock: one
      // `Effect.withClock` per request would copy the fiber's services every time.
      const runtime = yield* clock.run(Effect.runtime<never>())
      const dispatch = yield* Dispatch.make
      const control = yield* NodeHttpServer.makeHandler(Control.app)
      const listener = makeListener(runtime, dispatch, control, resolved)
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
