/**
 * A webhook for the event delivery tests: a real `node:http` server on a free loopback port that records
 * every request (method, path, headers, body) and answers as the test says. Waits are bounded and
 * event-driven: `received(n)` resolves as the n-th request arrives, and rejects, saying what did arrive, if it
 * has not within `ms` of real time.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** A request the webhook received. */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** How the webhook answers its n-th request (from 0). */
export type Answer = (n: number, request: Received) => {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** A running webhook. */
export interface Receiver {
  readonly url: string
  readonly requests: Array<Received>
  /** Resolves with the requests once there are at least `n`. */
  readonly received: (n: number, ms?: number) => Promise<ReadonlyArray<Received>>
  /** Changes how later requests are answered. */
  readonly answerWith: (answer: Answer) => void
  readonly close: () => Promise<void>
}

/** Answers 200 to everything. */
export const ok: Answer = () => ({ status: 200, body: "ok" })

/** Starts a webhook on a free loopback port. */
export const startReceiver = async (initial: Answer = ok, path = "/hook"): Promise<Receiver> => {
  let answer = initial
  const requests: Array<Received> = []
  const waiters: Array<{ readonly n: number; readonly resolve: () => void }> = []
  const server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const received: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8")
      }
      const reply = answer(requests.length, received)
      requests.push(received)
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers })
      res.end(reply.body ?? "")
      for (const waiter of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    answerWith: (next) => {
      answer = next
    },
    received: (n, ms = 10_000) =>
      requests.length >= n ? Promise.resolve(requests.slice()) : new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `expected ${n} requests within ${ms} ms, got ${requests.length}: ${
                requests.map((r) => r.body.slice(0, 120)).join(" | ")
              }`
            )
          )
        }, ms)
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer)
            resolve(requests.slice())
          }
        })
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/**
 * Waits (bounded, polling every 20 ms) until `check` holds; rejects with `what` if it has not within `ms`.
 * For state the emulator changes just after a webhook's answer reaches it.
 */
export const until = async (what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms
  for (let i = 0; i < Math.ceil(ms / 20) + 1; i++) {
    if (await check()) return
    if (Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`not within ${ms} ms: ${what}`)
}
