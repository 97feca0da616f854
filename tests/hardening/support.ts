/**
 * For the hardening tests: the built emulator as a child process (so a crash is observable, and stopped
 * by its pid only), a raw HTTP/1.1 client that writes exactly the bytes it is given on a keep-alive
 * socket and reads replies by their `content-length`, and the check that a reply is a well-formed AWS
 * reply.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"

/** The built emulator (`npm run build` first). */
export const MAIN = fileURLToPath(new URL("../../packages/emulator/dist/main.js", import.meta.url))

/** The content type of ECR's requests and replies. */
export const AMZ_JSON = "application/x-amz-json-1.1"

/** An emulator child process. */
export interface ChildEmulator {
  readonly process: ChildProcess
  readonly port: number
  readonly alive: () => boolean
  readonly stderr: () => string
  readonly stop: () => Promise<void>
}

/** Starts `node packages/emulator/dist/main.js --port 0 ...args` and reads its port from the first line. */
export const startChild = (args: ReadonlyArray<string>): Promise<ChildEmulator> => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`)
  const child = spawn(process.execPath, [MAIN, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 65_536) stderr += chunk.toString("utf8")
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const alive = () => child.exitCode === null && child.signalCode === null
  const stop = async () => {
    if (!alive() || child.pid === undefined) return
    process.kill(child.pid, "SIGTERM")
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<"late">((resolve) => timer = setTimeout(resolve, 5_000, "late"))
    if (await Promise.race([exited, late]) === "late" && alive()) process.kill(child.pid, "SIGKILL")
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`the emulator did not start within 30 s: ${stderr}`))
    }, 30_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      if (stdout.length > 65_536) return
      stdout += chunk.toString("utf8")
      const match = /listening on http:\/\/[\d.]+:(\d+)/.exec(stdout)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ process: child, port: Number(match[1]), alive, stderr: () => stderr, stop })
      }
    })
    // `close`, not `exit`: by then its stderr has been read to the end.
    child.once("close", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited (${code ?? signal}) before listening: ${stderr}`))
    })
  })
}

/** A reply as read off the wire. */
export interface Reply {
  readonly status: number
  /** Header names in lower case; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  readonly text: string
}

const HEAD_END = Buffer.from("\r\n\r\n")

/**
 * Reads one reply from the start of `buffer`: `undefined` if it is not complete yet; interim (1xx)
 * replies are skipped. Every reply of this server carries a `content-length`; one without is an error.
 */
export const parseReply = (
  buffer: Buffer,
  headRequest = false
): { readonly reply: Reply; readonly rest: Buffer } | undefined => {
  for (;;) {
    const end = buffer.indexOf(HEAD_END)
    if (end < 0) return undefined
    const lines = buffer.toString("latin1", 0, end).split("\r\n")
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN)
    if (!Number.isFinite(status)) throw new Error(`not an HTTP reply: ${JSON.stringify(lines[0])}`)
    const headers: Record<string, string> = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":")
      if (colon <= 0) throw new Error(`a malformed header line: ${JSON.stringify(line)}`)
      const name = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
    }
    if (status >= 100 && status < 200) {
      buffer = buffer.subarray(end + 4)
      continue
    }
    if (headers["content-length"] === undefined) throw new Error(`a reply without content-length: ${lines[0]}`)
    // A reply to HEAD has no body, except the server's reply to bytes it could not parse as a request
    // (it cannot know it was HEAD), which closes the connection after its body.
    const length = !headRequest
      ? Number(headers["content-length"])
      : headers["connection"] === "close"
      ? Math.min(Number(headers["content-length"]), buffer.length - end - 4)
      : 0
    if (buffer.length < end + 4 + length) return undefined
    const body = buffer.subarray(end + 4, end + 4 + length)
    return { reply: { status, headers, body, text: body.toString("utf8") }, rest: buffer.subarray(end + 4 + length) }
  }
}

/**
 * Why `reply` is not a well-formed AWS reply (`undefined` when it is): 200 with a JSON object, or a
 * 4xx/5xx with ECR's content type, a request id and a JSON body with a string `__type` and `message`.
 * A reply to HEAD has no body to check.
 */
export const malformation = (reply: Reply, headRequest = false): string | undefined => {
  if (reply.headers["content-type"] !== AMZ_JSON) return `content-type ${reply.headers["content-type"]}`
  if (!/^[0-9a-f-]{36}$/.test(reply.headers["x-amzn-requestid"] ?? "")) return "no x-amzn-requestid"
  if (reply.status !== 200 && !(reply.status >= 400 && reply.status < 600)) return `status ${reply.status}`
  if (headRequest) return undefined
  let json: unknown
  try {
    json = JSON.parse(reply.text)
  } catch {
    return `a body that is not JSON: ${reply.text.slice(0, 200)}`
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "a body that is not a JSON object"
  if (reply.status === 200) return undefined
  const error = json as { __type?: unknown; message?: unknown }
  if (typeof error.__type !== "string" || error.__type === "") return `no __type: ${reply.text.slice(0, 200)}`
  if (typeof error.message !== "string") return `no message: ${reply.text.slice(0, 200)}`
  return undefined
}

/** A keep-alive connection that sends one request at a time and reads its reply. */
export interface Connection {
  /** Writes `bytes` and resolves with the reply; rejects if the server closes first or after `timeoutMs`. */
  readonly exchange: (bytes: Buffer | string, headRequest?: boolean, timeoutMs?: number) => Promise<Reply>
  readonly closed: () => boolean
  readonly destroy: () => void
}

/** Opens a connection to `port` on loopback. */
export const connect = (port: number): Promise<Connection> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port, noDelay: true })
    let buffer: Buffer = Buffer.alloc(0)
    let closed = false
    let waiting: { head: boolean; resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined
    const settle = () => {
      if (waiting === undefined) return
      let parsed: ReturnType<typeof parseReply>
      try {
        parsed = parseReply(buffer, waiting.head)
      } catch (error) {
        const w = waiting
        waiting = undefined
        return w.reject(error as Error)
      }
      if (parsed === undefined) return
      buffer = Buffer.from(parsed.rest)
      const w = waiting
      waiting = undefined
      w.resolve(parsed.reply)
    }
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      settle()
    })
    socket.on("error", () => {
      // the close that follows says it
    })
    socket.on("close", () => {
      closed = true
      const w = waiting
      waiting = undefined
      w?.reject(new Error(`the server closed the connection before a whole reply (${buffer.length} bytes)`))
    })
    socket.once("error", reject)
    socket.once("connect", () =>
      resolve({
        exchange: (bytes, head = false, timeoutMs = 30_000) =>
          new Promise<Reply>((done, fail) => {
            if (closed) return fail(new Error("the connection is closed"))
            const timer = setTimeout(() => {
              waiting = undefined
              fail(new Error(`no reply within ${timeoutMs} ms`))
            }, timeoutMs)
            waiting = {
              head,
              resolve: (r) => {
                clearTimeout(timer)
                done(r)
              },
              reject: (e) => {
                clearTimeout(timer)
                fail(e)
              }
            }
            socket.write(bytes)
            settle()
          }),
        closed: () => closed,
        destroy: () => socket.destroy()
      }))
  })

/**
 * Writes `bytes` on a fresh connection, closes our side, and resolves with every reply the server sent
 * before closing (and the bytes it could not read as a reply); rejects after `timeoutMs`.
 */
export const oneShot = (
  port: number,
  bytes: Buffer | string,
  timeoutMs = 15_000
): Promise<
  { readonly replies: ReadonlyArray<Reply>; readonly trailing: number; readonly head: boolean; readonly rest: string }
> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const chunks: Array<Buffer> = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server neither answered nor closed within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", () => {
      // a reset is a close
    })
    socket.on("close", () => {
      clearTimeout(timer)
      let rest = Buffer.concat(chunks)
      const replies: Array<Reply> = []
      const head = (typeof bytes === "string" ? bytes : bytes.toString("latin1", 0, 5)).startsWith("HEAD ")
      try {
        for (let parsed = parseReply(rest, head); parsed !== undefined; parsed = parseReply(rest, head)) {
          replies.push(parsed.reply)
          rest = Buffer.from(parsed.rest)
        }
      } catch (error) {
        return reject(error)
      }
      resolve({ replies, trailing: rest.length, head, rest: rest.toString("latin1", 0, 300) })
    })
    socket.once("connect", () => {
      socket.write(bytes)
      socket.end()
    })
  })

/** A seeded PRNG (mulberry32): the same seed, the same requests. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    bool: (p = 0.5) => next() < p,
    pick: <A>(items: ReadonlyArray<A>): A => items[int(items.length)]
  }
}

/** The seeded PRNG's type. */
export type Prng = ReturnType<typeof prng>
