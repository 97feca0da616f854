/**
 * The emulator's limits on the wire: each one refused as an AWS error (or, for connections, a socket
 * closed before a byte is read), and the server still serving everyone else. Slow clients are cut off
 * by the configured timeouts: the tests wait for the socket's close event, within a generous bound,
 * and never assert how long it took.
 */
import { Limits } from "@ecr-scan/emulator"
import type * as Http from "node:http"
import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningEmulator, startEmulator } from "../support/emulator.js"
import { AMZ_JSON, ecr, parseRawReply, type RawReply, send, singleConnection, target } from "../support/rawHttp.js"
import { startChild } from "./support.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** How long a test waits for an event that the configured limits make happen much sooner. */
const BOUND_MS = 15_000

const SHORT = { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 300 }

let headers: RunningEmulator
let connections: RunningEmulator
let rate: RunningEmulator
let slow: RunningEmulator
const agents: Array<Http.Agent> = []
const sockets: Array<Net.Socket> = []
const agent = () => {
  const a = singleConnection()
  agents.push(a)
  return a
}

beforeAll(async () => {
  ;[headers, connections, rate, slow] = await Promise.all([
    startEmulator({ limits: { maxHeaderBytes: 2048 } }),
    startEmulator({ limits: { maxConnections: 2 } }),
    startEmulator({ limits: { rateLimit: 0.001, rateBurst: 3 } }),
    startEmulator({ limits: SHORT })
  ])
})
afterAll(async () => {
  for (const a of agents) a.destroy()
  for (const s of sockets) s.destroy()
  await Promise.all([headers, connections, rate, slow].filter((e) => e !== undefined).map((e) => e.stop()))
})

const expectWireError = (reply: RawReply, status: number, type: string, message: string | RegExp) => {
  expect(reply.status).toBe(status)
  expect(reply.headers["content-type"]).toBe(AMZ_JSON)
  expect(reply.headers["x-amzn-requestid"]).toMatch(UUID)
  expect(reply.headers["x-amzn-errortype"]).toBe(type)
  expect(reply.json).toEqual({ __type: type, message: typeof message === "string" ? message : expect.any(String) })
  if (typeof message !== "string") expect(reply.json.message).toMatch(message)
}

/** A request that must succeed: the server is still serving. */
const expectServed = async (emulator: RunningEmulator) => {
  const reply = await ecr(emulator.endpoint, agent(), "DescribeRepositories", {})
  expect(reply.status).toBe(200)
  expect(reply.json).toHaveProperty("repositories")
}

/** `promise`, or a failure after `ms` (the timer cleared either way). */
const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))
  ]).finally(() => clearTimeout(timer))
}

/** A raw connection: what it received and a promise of its close. */
const open = (port: number) =>
  new Promise<{ socket: Net.Socket; received: () => string; closed: Promise<string> }>((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    sockets.push(socket)
    const chunks: Array<Buffer> = []
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    const received = () => Buffer.concat(chunks).toString("utf8")
    const closed = new Promise<string>((done) => socket.on("close", () => done(received())))
    socket.on("error", () => {
      // a reset is one way to be closed: `closed` says what was received before it
    })
    socket.once("connect", () => resolve({ socket, received, closed }))
    socket.once("error", reject)
  })

const describeRepositories = (connection: "keep-alive" | "close" = "keep-alive") =>
  `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${AMZ_JSON}\r\n` +
  `x-amz-target: ${target("DescribeRepositories")}\r\ncontent-length: 2\r\nconnection: ${connection}\r\n\r\n{}`

/** Writes a whole request on a raw connection and resolves with the reply once its body is complete. */
const exchange = (connection: { socket: Net.Socket; received: () => string }, request: string) =>
  new Promise<ReturnType<typeof parseRawReply>>((resolve, reject) => {
    const before = connection.received().length
    const onData = () => {
      const text = connection.received().slice(before)
      const reply = parseRawReply(text)
      const length = Number(reply.headers["content-length"] ?? NaN)
      if (Buffer.byteLength(reply.body) >= length) {
        connection.socket.off("data", onData)
        resolve(reply)
      }
    }
    connection.socket.on("data", onData)
    connection.socket.once("close", () => reject(new Error("closed before the reply")))
    connection.socket.write(request)
  })

describe("header size", () => {
  it("answers a request head over maxHeaderBytes with a JSON 431 RequestHeaderFieldsTooLargeException and closes", async () => {
    const connection = await open(headers.port)
    connection.socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ${"a".repeat(4096)}\r\n\r\n`)
    const raw = parseRawReply(await within(connection.closed, BOUND_MS, "closed"))
    expect(raw.status).toBe(431)
    expect(raw.headers["content-type"]).toBe(AMZ_JSON)
    expect(raw.headers["x-amzn-requestid"]).toMatch(UUID)
    expect(raw.headers["connection"]).toBe("close")
    expect(JSON.parse(raw.body)).toEqual({
      __type: "RequestHeaderFieldsTooLargeException",
      message: "The request headers are larger than 2048 bytes"
    })
    await expectServed(headers)
  })

  it("accepts a request head under maxHeaderBytes", async () => {
    const reply = await send(headers.endpoint, agent(), {
      headers: {
        "content-type": AMZ_JSON,
        "x-amz-target": target("DescribeRepositories"),
        "x-padding": "a".repeat(1024)
      },
      body: "{}"
    })
    expect(reply.status).toBe(200)
  })
})

describe("connection count", () => {
  it("closes connections beyond maxConnections as they are accepted, and keeps serving the ones within it", async () => {
    const first = await open(connections.port)
    const second = await open(connections.port)
    // Each answered once: the server has accepted both before the third arrives.
    expect((await exchange(first, describeRepositories())).status).toBe(200)
    expect((await exchange(second, describeRepositories())).status).toBe(200)
    const third = await open(connections.port)
    third.socket.write(describeRepositories())
    expect(await within(third.closed, BOUND_MS, "the connection over the limit closed")).toBe("")
    // The two within the limit are still served, on the same connections.
    expect((await exchange(first, describeRepositories())).status).toBe(200)
    expect((await exchange(second, describeRepositories())).status).toBe(200)
    // Once one closes, a new connection is accepted in its place.
    first.socket.end()
    await within(first.closed, BOUND_MS, "closed")
    let served = false
    // The server learns of the close asynchronously: a bounded number of tries, each a real exchange.
    for (let attempt = 0; attempt < 50 && !served; attempt++) {
      const next = await open(connections.port)
      next.socket.write(describeRepositories("close"))
      const text = await within(next.closed, BOUND_MS, "closed")
      served = text.startsWith("HTTP/1.1 200")
    }
    expect(served).toBe(true)
    second.socket.destroy()
  })
})

describe("request rate", () => {
  it("answers requests over the rate with 400 ThrottlingException 'Rate exceeded', on a connection that stays usable", async () => {
    const a = agent()
    const replies: Array<RawReply> = []
    for (let i = 0; i < 5; i++) replies.push(await ecr(rate.endpoint, a, "DescribeRepositories", {}))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 400, 400])
    for (const throttled of replies.slice(3)) expectWireError(throttled, 400, "ThrottlingException", "Rate exceeded")
    expect(replies[4].socket).toBe(replies[0].socket)
    // Whatever the body: the request is refused before it is read, and nothing is changed.
    const create = await ecr(rate.endpoint, a, "CreateRepository", { repositoryName: "limits/throttled" })
    expectWireError(create, 400, "ThrottlingException", "Rate exceeded")
    const state = await rate.control("GET", "/state")
    expect(state.repositories).toEqual([])
    // The control endpoints are not rate-limited.
    expect(await rate.control("GET", "/health")).toEqual({ status: "ok" })
  })

  it("refills a key's bucket at the rate, up to the burst, and keeps keys apart", () => {
    const bucket = Limits.tokenBucket(2, 3)
    const at = (ms: number, key = "a") => bucket.admit(key, ms)
    expect([at(0), at(0), at(0), at(0)]).toEqual([true, true, true, false])
    expect(at(0, "b")).toBe(true)
    expect(at(499)).toBe(false)
    expect([at(500), at(500)]).toEqual([true, false])
    // A long quiet spell refills to the burst, no further.
    expect([at(60_000), at(60_000), at(60_000), at(60_000)]).toEqual([true, true, true, false])
  })

  it("has no limiter unless a rate is set, and a burst of the rate by default", () => {
    expect(Limits.rateLimiter(Limits.resolve())).toBeUndefined()
    const limiter = Limits.rateLimiter(Limits.resolve({ rateLimit: 2.5 }))!
    expect([1, 2, 3, 4].map(() => limiter.admit("k", 0))).toEqual([true, true, true, false])
  })

  it("refuses a headers timeout longer than the request timeout, and non-positive limits", () => {
    expect(() => Limits.resolve({ headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 })).toThrow(/headers timeout/)
    expect(() => Limits.resolve({ maxConnections: 0 })).toThrow(/maxConnections/)
    expect(() => Limits.resolve({ rateLimit: -1 })).toThrow(/rateLimit/)
  })
})

describe("faults of HTTP itself", () => {
  it("answers a whole request pipelined before bytes that are not HTTP, then the JSON 400, then closes", async () => {
    const connection = await open(headers.port)
    connection.socket.write(
      `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${AMZ_JSON}\r\n` +
        `x-amz-target: ${
          target("CreateRepository")
        }\r\ncontent-length: 35\r\n\r\n{"repositoryName": "limits/piped"}\n` +
        "THIS IS NOT HTTP\r\n\r\n"
    )
    const text = await within(connection.closed, BOUND_MS, "closed")
    const first = parseRawReply(text)
    expect(first.status).toBe(200)
    const second = parseRawReply(text.slice(text.indexOf("HTTP/1.1", 1)))
    expect(second.status).toBe(400)
    expect(JSON.parse(second.body)).toEqual({ __type: "SerializationException", message: "Malformed HTTP request" })
    expect(JSON.stringify(await headers.control("GET", "/state"))).toContain("\"limits/piped\"")
  })

  it("answers an HTTP/1.1 request without a Host header in JSON", async () => {
    const connection = await open(headers.port)
    const reply = await exchange(
      connection,
      `POST / HTTP/1.1\r\ncontent-type: ${AMZ_JSON}\r\nx-amz-target: ${target("DescribeRepositories")}\r\n` +
        "content-length: 2\r\n\r\n{}"
    )
    expect(reply.status).toBe(400)
    expect(reply.headers["content-type"]).toBe(AMZ_JSON)
    expect(JSON.parse(reply.body)).toEqual({ __type: "SerializationException", message: "Missing Host header" })
    connection.socket.destroy()
  })
})

describe("slow clients", () => {
  const expectTimeoutReply = (text: string) => {
    const raw = parseRawReply(text)
    expect(raw.status).toBe(408)
    expect(raw.headers["content-type"]).toBe(AMZ_JSON)
    expect(raw.headers["x-amzn-requestid"]).toMatch(UUID)
    expect(JSON.parse(raw.body)).toEqual({ __type: "RequestTimeoutException", message: expect.any(String) })
  }

  it("closes a connection that sends nothing after the headers timeout, with a JSON 408", async () => {
    const idle = await open(slow.port)
    expectTimeoutReply(await within(idle.closed, BOUND_MS, "the silent connection closed"))
  })

  it("cuts off a client that drips its headers, and serves another client meanwhile", async () => {
    const dripping = await open(slow.port)
    dripping.socket.write("POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n")
    let drips = 0
    // A header line every 50 ms, bounded: the server must close the connection long before the last.
    const drip = setInterval(() => {
      if (drips++ < 200 && !dripping.socket.destroyed) dripping.socket.write(`x-drip-${drips}: a\r\n`)
    }, 50)
    try {
      await expectServed(slow)
      expectTimeoutReply(await within(dripping.closed, BOUND_MS, "the dripping connection closed"))
    } finally {
      clearInterval(drip)
    }
    await expectServed(slow)
  })

  it("cuts off a client that stops sending its body after the request timeout, having changed nothing", async () => {
    const stalled = await open(slow.port)
    stalled.socket.write(
      `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${AMZ_JSON}\r\n` +
        `x-amz-target: ${target("CreateRepository")}\r\ncontent-length: 100\r\n\r\n{"repositoryName": "limits/stalled"`
    )
    expectTimeoutReply(await within(stalled.closed, BOUND_MS, "the stalled connection closed"))
    expect((await slow.control("GET", "/state")).repositories).toEqual([])
    await expectServed(slow)
  })

  it("closes an idle keep-alive connection after the keep-alive timeout", async () => {
    const connection = await open(slow.port)
    expect((await exchange(connection, describeRepositories())).status).toBe(200)
    await within(connection.closed, BOUND_MS, "the idle keep-alive connection closed")
    await expectServed(slow)
  })
})

describe("serve flags", () => {
  it("refuses limits that cannot hold at start, with a message naming the flag", async () => {
    await expect(startChild(["--headers-timeout", "5s", "--request-timeout", "1s"])).rejects.toThrow(
      /--headers-timeout: must not exceed --request-timeout/
    )
    await expect(startChild(["--max-connections", "0"])).rejects.toThrow(/--max-connections: must be positive/)
    await expect(startChild(["--keep-alive-timeout", "soon"])).rejects.toThrow(/not a duration: 'soon'/)
  })

  it("enforces the limits given on the command line", async () => {
    const child = await startChild(["--clock", "virtual", "--quiet", "--rate-limit", "0.001", "--rate-burst", "1"])
    try {
      const endpoint = `http://127.0.0.1:${child.port}`
      const a = agent()
      expect((await ecr(endpoint, a, "DescribeRepositories", {})).status).toBe(200)
      expectWireError(await ecr(endpoint, a, "DescribeRepositories", {}), 400, "ThrottlingException", "Rate exceeded")
      const connection = await open(child.port)
      connection.socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ${"a".repeat(20_000)}\r\n\r\n`)
      expect(parseRawReply(await within(connection.closed, BOUND_MS, "closed")).status).toBe(431)
      expect(child.alive()).toBe(true)
    } finally {
      await child.stop()
    }
  })
})
