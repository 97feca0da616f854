/**
 * Raw HTTP against the emulator, for the protocol tests: requests built by hand with `node:http`
 * (exact headers, bodies with or without `content-length`), a keep-alive agent of one socket so a
 * test can tell whether a follow-up request travelled on the same connection, and bytes written
 * straight to a TCP socket for requests that are not HTTP at all.
 */
import * as Http from "node:http"
import * as Net from "node:net"

/** What ECR's `X-Amz-Target` starts with. */
export const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

/** ECR's `X-Amz-Target` for an operation. */
export const target = (operation: string) => `${TARGET_PREFIX}${operation}`

/** The content type of ECR's requests and replies. */
export const AMZ_JSON = "application/x-amz-json-1.1"

/** A request as the test wants it on the wire. */
export interface RawRequest {
  readonly method?: string
  readonly path?: string
  /** Exactly these headers (plus `host` and `connection`, which node adds). */
  readonly headers?: Readonly<Record<string, string>>
  /** A string or buffer is sent with its `content-length`; an array is sent chunked, without one. */
  readonly body?: string | Buffer | ReadonlyArray<string | Buffer>
}

/** A reply, with the socket it came on. */
export interface RawReply {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly text: string
  readonly json: any
  readonly socket: Net.Socket
}

/** A keep-alive agent with a single socket: consecutive requests share a connection while it survives. */
export const singleConnection = () => new Http.Agent({ keepAlive: true, maxSockets: 1 })

/**
 * The reply to `req` with its whole body, once it has ended; rejected on an error of the request or the reply.
 * Listens from the call on: call it before ending the request.
 */
export const readReply = (req: Http.ClientRequest): Promise<{ res: Http.IncomingMessage; body: Buffer }> =>
  new Promise((resolve, reject) => {
    req.on("error", reject)
    req.on("response", (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("error", reject)
      res.on("end", () => resolve({ res, body: Buffer.concat(chunks) }))
    })
  })

/** Sends one request and reads the whole reply. */
export const send = (endpoint: string, agent: Http.Agent, request: RawRequest): Promise<RawReply> =>
  new Promise((resolve, reject) => {
    const url = new URL(request.path ?? "/", endpoint)
    const headers: Record<string, string | number> = { ...request.headers }
    const body = request.body
    if (typeof body === "string" || Buffer.isBuffer(body)) headers["content-length"] = Buffer.byteLength(body)
    const req = Http.request({
      agent,
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: request.method ?? "POST",
      headers
    })
    let socket: Net.Socket | undefined
    req.on("socket", (s) => {
      socket = s
    })
    readReply(req).then(({ body, res }) => {
      const text = body.toString("utf8")
      let json: unknown = undefined
      try {
        json = JSON.parse(text)
      } catch {
        // not JSON: the test looks at `text`
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, socket: socket! })
    }, reject)
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk)
      req.end()
    } else {
      req.end(body)
    }
  })

/** An ECR call: `POST /` with the target and the JSON content type. */
export const ecr = (endpoint: string, agent: Http.Agent, operation: string, body: unknown = {}) =>
  send(endpoint, agent, {
    headers: { "content-type": AMZ_JSON, "x-amz-target": target(operation) },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

/**
 * Writes `bytes` to a fresh TCP connection (without closing our side) and returns everything the
 * server sends until it closes the connection.
 */
export const rawExchange = (port: number, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const chunks: Array<Buffer> = []
    socket.on("data", (chunk) => chunks.push(chunk))
    socket.on("error", reject)
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")))
    socket.on("connect", () => socket.write(bytes))
  })

/** The status line, headers and body of a raw HTTP/1.1 reply. */
export const parseRawReply = (raw: string) => {
  const end = raw.indexOf("\r\n\r\n")
  const head = end < 0 ? raw : raw.slice(0, end)
  const [statusLine, ...lines] = head.split("\r\n")
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    body: end < 0 ? "" : raw.slice(end + 4)
  }
}
