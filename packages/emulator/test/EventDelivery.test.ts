/**
 * Delivery of the registry's events to webhooks, as EventBridge delivers to an API destination: real webhooks
 * (node:http servers on loopback, `EventReceiver`), the real `@aws-sdk/client-ecr` making the events happen,
 * the emulator's virtual clock moved by `clock.advance` to make retries and scan completions happen. No
 * wall-clock sleeps: every wait is for a request to arrive or a state to be reached, bounded.
 */
import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  ECRClient,
  PutImageCommand,
  StartImageScanCommand
} from "@aws-sdk/client-ecr"
import { Events } from "@ecr-scan/core"
import {
  Emulator,
  EventDelivery as EventDeliveryModule,
  type RunningEmulator,
  startEmulator,
  type StartEmulatorOptions
} from "@ecr-scan/emulator"
import * as HttpServer from "@effect/platform/HttpServer"
import { Effect, type Layer, ManagedRuntime } from "effect"
import * as Either from "effect/Either"
import { afterEach, describe, expect, it } from "vitest"
import { type Answer, type Receiver, startReceiver, until } from "./EventReceiver.js"
import { manifest } from "./fixtures.js"

const T0 = "2026-01-01T00:00:00.000Z"

const opened: Array<{ readonly stop: () => Promise<void> }> = []
const receivers: Array<Receiver> = []
const clients: Array<ECRClient> = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const emulator of opened.splice(0)) await emulator.stop()
  for (const receiver of receivers.splice(0)) await receiver.close()
})

/** Every body a webhook received in this file, to check each one decodes (last test). */
const delivered: Array<string> = []

const receiver = async (answer?: Answer) => {
  const r = await startReceiver(answer)
  receivers.push(r)
  return r
}

const emulatorWith = async (options: StartEmulatorOptions) => {
  const emulator = await startEmulator({ startTime: T0, seed: 11, scanDuration: "5s", ...options })
  opened.push(emulator)
  const client = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 })
  clients.push(client)
  return { emulator, client }
}

/** Creates a repository and pushes image `n` tagged v1 to it: one "ECR Image Action" PUSH. */
const push = async (client: ECRClient, repositoryName: string, n: number, create = true) => {
  if (create) await client.send(new CreateRepositoryCommand({ repositoryName }))
  const pushed = await client.send(
    new PutImageCommand({ repositoryName, imageManifest: manifest(n), imageTag: `v${n}` })
  )
  return pushed.image!.imageId!.imageDigest!
}

const collect = (requests: ReadonlyArray<{ readonly body: string }>) => {
  for (const r of requests) if (!delivered.includes(r.body)) delivered.push(r.body)
}

const statusSequence = (statuses: ReadonlyArray<number>): Answer => (n) => ({
  status: statuses[Math.min(n, statuses.length - 1)],
  body: `answer ${n}`
})

describe("event delivery to webhooks", () => {
  it("retries a 500 twice on the virtual clock, then stops once the webhook answers 200", async () => {
    const hook = await receiver(statusSequence([500, 500, 200]))
    const { client, emulator } = await emulatorWith({ eventTargets: [hook.url] })
    await push(client, "events/retry", 1)

    const [first] = await hook.received(1)
    // The retry waits on the registry's clock: scheduled after the attempt's instant, not done until it moves.
    await until("the retry is scheduled", async () => (await emulator.eventTargets())[0].nextAttemptAt !== null)
    const [scheduled] = await emulator.eventTargets()
    expect(scheduled).toMatchObject({ pending: 1, attempts: 1, delivered: 0 })
    expect(Date.parse(scheduled.nextAttemptAt!)).toBeGreaterThan((await emulator.clock.now()).getTime())
    expect(hook.requests).toHaveLength(1)

    await emulator.clock.advance("10 minutes")
    await hook.received(2)
    await emulator.clock.advance("10 minutes")
    const requests = await hook.received(3)
    await until("the event is delivered", async () => (await emulator.eventTargets())[0].delivered === 1)
    expect(await emulator.eventTargets()).toEqual([
      expect.objectContaining({ pending: 0, delivered: 1, deadLetters: 0, attempts: 0, nextAttemptAt: null })
    ])

    // The same request each time: POST, an API destination's headers, the event's JSON as AWS delivers it.
    const { events } = await emulator.events()
    expect(events).toHaveLength(1)
    const json = Events.toJson(events[0])
    for (const request of requests) {
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/hook")
      expect(request.headers["user-agent"]).toBe("Amazon/EventBridge/ApiDestinations")
      expect(request.headers["content-type"]).toBe("application/json; charset=utf-8")
      expect(request.headers["range"]).toBe("bytes=0-1048575")
      expect(request.headers["accept-encoding"]).toBe("gzip,deflate")
      expect(request.headers["connection"]).toBe("close")
      expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(json)))
      expect(request.body).toBe(json)
    }
    expect(JSON.parse(first.body)).toMatchObject({
      "detail-type": "ECR Image Action",
      detail: { "action-type": "PUSH" }
    })

    // No fourth attempt: moving the clock a day on and sending a second event, the next request is that event.
    await emulator.clock.advance("24 hours")
    await push(client, "events/retry", 2, false)
    const after = await hook.received(4)
    expect(after).toHaveLength(4)
    expect(JSON.parse(after[3].body).detail["image-tag"]).toBe("v2")
    collect(after)
  })

  it("does not retry a 400: the event is a dead letter at once, with the status and the body", async () => {
    const refusing = await receiver(() => ({ status: 400, body: "no such hook" }))
    const throttling = await receiver(statusSequence([429, 200]))
    const { client, emulator } = await emulatorWith({ eventTargets: [refusing.url, throttling.url] })
    await push(client, "events/dead", 3)

    await refusing.received(1)
    await throttling.received(1)
    await until("the dead letter is recorded", async () => (await emulator.deadLetters()).length === 1)
    const reply = await fetch(`${emulator.endpoint}/_ecr-scan/events/dead-letters`)
    expect(reply.status).toBe(200)
    const { deadLetters } = await reply.json() as { deadLetters: Array<any> }
    const { events } = await emulator.events()
    expect(deadLetters).toEqual([{
      target: refusing.url,
      event: JSON.parse(Events.toJson(events[0])),
      attempts: 1,
      firstAttemptAt: T0,
      lastAttemptAt: T0,
      lastAnswer: { status: 400, body: "no such hook" },
      reason: "the target answered 400, which is not retried"
    }])
    expect(await emulator.deadLetters()).toEqual(deadLetters)

    // 429 is retried (after the clock moves), and delivered.
    await emulator.clock.advance("10 minutes")
    await throttling.received(2)
    await until("the 429 target's event is delivered", async () => (await emulator.eventTargets())[1].delivered === 1)
    expect(refusing.requests).toHaveLength(1)
    expect((await emulator.eventTargets()).map((t) => [t.delivered, t.deadLetters])).toEqual([[0, 1], [1, 0]])
    collect(throttling.requests)
  })

  it("honours Retry-After: the next attempt is no sooner than the webhook asks", async () => {
    const hook = await receiver((n) => n === 0 ? { status: 503, headers: { "retry-after": "3600" } } : { status: 200 })
    const { client, emulator } = await emulatorWith({ eventTargets: [hook.url] })
    await push(client, "events/retry-after", 4)
    await hook.received(1)
    await until("the retry is scheduled", async () => (await emulator.eventTargets())[0].nextAttemptAt !== null)
    expect((await emulator.eventTargets())[0].nextAttemptAt).toBe("2026-01-01T01:00:00.000Z")
    await emulator.clock.advance("59 minutes")
    expect(hook.requests).toHaveLength(1)
    await emulator.clock.advance("1 minute")
    await hook.received(2)
  })

  it("gives up when the next attempt would pass the retry policy's maximum age", async () => {
    const hook = await receiver(() => ({ status: 503, headers: { "retry-after": "120" }, body: "later" }))
    const { client, emulator } = await emulatorWith({ eventTargets: [hook.url], eventRetry: { maxAge: "60s" } })
    await push(client, "events/old", 9)
    await hook.received(1)
    await until("the dead letter is recorded", async () => (await emulator.deadLetters()).length === 1)
    const [dead] = await emulator.deadLetters()
    expect(dead).toMatchObject({ attempts: 1, lastAnswer: { status: 503, body: "later" } })
    expect(dead.reason).toMatch(/^maximum age/)
    await emulator.clock.advance("1 hour")
    expect((await emulator.eventTargets())[0]).toMatchObject({ pending: 0, deadLetters: 1 })
  })

  it("gives up after the retry policy's attempts, with the last answer", async () => {
    const hook = await receiver(() => ({ status: 502, body: "x".repeat(3000) }))
    const { client, emulator } = await emulatorWith({ eventTargets: [hook.url], eventRetry: { maxAttempts: 2 } })
    await push(client, "events/exhausted", 5)
    for (const n of [1, 2, 3]) {
      await hook.received(n)
      if (n < 3) await emulator.clock.advance("10 minutes")
    }
    await until("the dead letter is recorded", async () => (await emulator.deadLetters()).length === 1)
    const [dead] = await emulator.deadLetters()
    expect(dead).toMatchObject({ attempts: 3, firstAttemptAt: T0, lastAnswer: { status: 502 } })
    expect((dead.lastAnswer as { body: string }).body).toBe("x".repeat(1024))
    expect(dead.reason).toMatch(/^maximum attempts/)
    expect(hook.requests).toHaveLength(3)
  })

  it("delivers to a target only the events its pattern matches", async () => {
    const all = await receiver()
    const scans = await receiver()
    const { client, emulator } = await emulatorWith({
      eventTargets: [all.url, { target: scans.url, pattern: { "detail-type": ["ECR Image Scan"] } }]
    })
    await push(client, "events/pattern", 6)
    await client.send(new StartImageScanCommand({ repositoryName: "events/pattern", imageId: { imageTag: "v6" } }))
    await emulator.clock.advance("1 minute")

    const [action, scan] = await all.received(2)
    const [onlyScan] = await scans.received(1)
    expect(JSON.parse(action.body)["detail-type"]).toBe("ECR Image Action")
    expect(JSON.parse(scan.body)).toMatchObject({
      "detail-type": "ECR Image Scan",
      detail: { "scan-status": "COMPLETE" }
    })
    // Each target gets its events in order: had the action reached the scan target, it would have come first.
    expect(scans.requests.map((r) => JSON.parse(r.body)["detail-type"])).toEqual(["ECR Image Scan"])
    expect(onlyScan.body).toBe(scan.body)
    collect(all.requests)
  })

  it("delivers the completions one clock move passes, in the order they completed", async () => {
    const hook = await receiver()
    const { client, emulator } = await emulatorWith({ eventTargets: [hook.url], scanDuration: "1s..50s" })
    await client.send(new CreateRepositoryCommand({ repositoryName: "events/order" }))
    for (const n of [11, 12, 13, 14, 15, 16]) {
      await push(client, "events/order", n, false)
      await client.send(new StartImageScanCommand({ repositoryName: "events/order", imageId: { imageTag: `v${n}` } }))
    }
    await emulator.clock.advance("2 minutes")
    const requests = await hook.received(12)
    const scans = requests.map((r) => JSON.parse(r.body)).filter((e) => e["detail-type"] === "ECR Image Scan")
    expect(scans).toHaveLength(6)
    const times = scans.map((e) => Date.parse(e.time))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(new Set(times).size).toBeGreaterThan(1)
    // As the log has them.
    const { events } = await emulator.events()
    expect(requests.map((r) => r.body)).toEqual(events.map((e) => Events.toJson(e)))
    collect(requests)
  })

  it("refuses targets and patterns it cannot use", async () => {
    await expect(startEmulator({ eventTargets: ["ftp://example.com/x"] })).rejects.toThrow(/eventTargets/)
    await expect(startEmulator({ eventTargets: [{ target: "http://127.0.0.1:1/", pattern: { source: "aws.ecr" } }] }))
      .rejects.toThrow(/eventTargets\[0\]\.pattern/)
    await expect(startEmulator({ eventRetry: { maxAttempts: 186 } })).rejects.toThrow(/eventRetry\.maxAttempts/)
    await expect(startEmulator({ eventRetry: { maxAge: "10s" } })).rejects.toThrow(/eventRetry\.maxAge/)
    await expect(startEmulator({ eventLogSize: -1 })).rejects.toThrow(/eventLogSize/)
  })

  it("delivers every kind of event as JSON that decodes and prints back identically", async () => {
    const hook = await receiver()
    const { client, emulator } = await emulatorWith({ eventTargets: [hook.url] })
    const digest = await push(client, "events/kinds", 7)
    await client.send(new StartImageScanCommand({ repositoryName: "events/kinds", imageId: { imageTag: "v7" } }))
    await emulator.clock.advance("1 minute")
    const failing = await push(client, "events/kinds", 8, false)
    await emulator.setScanOutcome(failing, "FAILED")
    await client.send(new StartImageScanCommand({ repositoryName: "events/kinds", imageId: { imageTag: "v8" } }))
    await emulator.clock.advance("1 minute")
    await client.send(
      new BatchDeleteImageCommand({ repositoryName: "events/kinds", imageIds: [{ imageDigest: digest }] })
    )
    const requests = await hook.received(5)
    collect(requests)
    expect(requests.map((r) => JSON.parse(r.body)["detail-type"])).toEqual([
      "ECR Image Action",
      "ECR Image Scan",
      "ECR Image Action",
      "ECR Image Scan",
      "ECR Image Action"
    ])
    expect(delivered.length).toBeGreaterThanOrEqual(10)
    for (const body of delivered) {
      const decoded = Events.decodeJson(body)
      if (Either.isLeft(decoded)) throw new Error(`${decoded.left}\n${body}`)
      expect(Events.toJson(decoded.right)).toBe(body)
    }
  })
})

/** The emulator of the log tests, with no target. */
const logged = async (): Promise<{ emulator: RunningEmulator; client: ECRClient }> => emulatorWith({ eventLogSize: 3 })

describe("the event log", () => {
  it("GET /_ecr-scan/events pages from a cursor and keeps the newest eventLogSize", async () => {
    const { client, emulator } = await logged()
    const get = async (query: string) => {
      const reply = await fetch(`${emulator.endpoint}/_ecr-scan/events${query}`)
      expect(reply.headers.get("content-type")).toMatch(/^application\/json/)
      return await reply.json() as { events: Array<any>; cursor: number }
    }
    expect(await get("")).toEqual({ events: [], cursor: 0 })
    await push(client, "log/a", 1)
    const first = await get("")
    expect(first.cursor).toBe(1)
    expect(first.events).toEqual((await emulator.events()).events)
    expect(await get(`?since=${first.cursor}`)).toEqual({ events: [], cursor: 1 })

    for (const n of [2, 3, 4]) await push(client, "log/a", n, false)
    const page = await get("?since=1&limit=2")
    expect(page.cursor).toBe(3)
    expect(page.events.map((e) => e.detail["image-tag"])).toEqual(["v2", "v3"])
    // Only the newest 3 are kept: event 1 is gone.
    expect((await get("")).events.map((e) => e.detail["image-tag"])).toEqual(["v2", "v3", "v4"])
    expect(await emulator.events({ since: 3 })).toMatchObject({
      cursor: 4,
      events: [{ detail: { "image-tag": "v4" } }]
    })

    expect((await fetch(`${emulator.endpoint}/_ecr-scan/events?since=-1`)).status).toBe(400)
    expect((await fetch(`${emulator.endpoint}/_ecr-scan/events?account=999999999999`)).status).toBe(404)
  })

  it("with eventLogSize 0 and no target, follows no events, and says so", async () => {
    const { client, emulator } = await emulatorWith({ eventLogSize: 0 })
    await push(client, "log/off", 9)
    const reply = await fetch(`${emulator.endpoint}/_ecr-scan/events`)
    expect(reply.status).toBe(501)
    expect(((await reply.json()) as { error: string }).error).toMatch(/does not follow the events.*--event-log-size 0/)
  })

  it("keeps each account's events apart (?account=, accounts of --auth sigv4)", async () => {
    const credentials = [
      { accessKeyId: "AKIDEVENTSA", secretAccessKey: "secret-a", accountId: "111111111111" },
      { accessKeyId: "AKIDEVENTSB", secretAccessKey: "secret-b", accountId: "222222222222" }
    ]
    const hook = await receiver()
    const { emulator } = await emulatorWith({ auth: { credentials }, eventTargets: [hook.url] })
    const asB = new ECRClient({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: credentials[1],
      maxAttempts: 1
    })
    clients.push(asB)
    await push(asB, "accounts/b", 1)
    const [delivered] = await hook.received(1)
    expect(JSON.parse(delivered.body).account).toBe("222222222222")
    const get = async (account: string) => {
      const reply = await fetch(`${emulator.endpoint}/_ecr-scan/events?account=${account}`, {
        headers: { authorization: `Bearer ${emulator.adminToken}` }
      })
      return (await reply.json() as { events: Array<{ account: string }> }).events.map((e) => e.account)
    }
    expect(await get("222222222222")).toEqual(["222222222222"])
    expect(await get("111111111111")).toEqual([])
    expect((await emulator.events()).events).toEqual([])
    expect((await emulator.events({ account: "222222222222" })).events).toHaveLength(1)
    expect((await fetch(`${emulator.endpoint}/_ecr-scan/events`)).status).toBe(401)
  })

  it("streams server-sent events: the replay after Last-Event-ID, then each event as it happens", async () => {
    const { client, emulator } = await logged()
    await push(client, "log/stream", 1)
    await push(client, "log/stream", 2, false)

    const controller = new AbortController()
    const reply = await fetch(`${emulator.endpoint}/_ecr-scan/events/stream`, {
      headers: { "last-event-id": "1" },
      signal: controller.signal
    })
    expect(reply.headers.get("content-type")).toBe("text/event-stream")
    const frames = sseFrames(reply.body!)
    try {
      const replayed = await frames.next()
      expect(replayed).toMatchObject({ id: "2", event: "ECR Image Action" })
      expect(JSON.parse(replayed.data).detail["image-tag"]).toBe("v2")

      await push(client, "log/stream", 3, false)
      const live = await frames.next()
      expect(live.id).toBe("3")
      expect(live.data).toBe(Events.toJson((await emulator.events({ since: 2 })).events[0]))
    } finally {
      controller.abort()
    }
  })

  it("lets go of a stream's reader when the client disconnects", async () => {
    const runtime = ManagedRuntime.make(
      Emulator.layer({ clock: { _tag: "Virtual", startMillis: Date.parse(T0) } }) as Layer.Layer<
        HttpServer.HttpServer | EventDeliveryModule.EventDelivery
      >
    )
    opened.push({ stop: () => runtime.dispose() })
    const { address, log } = await runtime.runPromise(Effect.all({
      address: Effect.map(HttpServer.HttpServer, (server) => server.address),
      log: Effect.map(EventDeliveryModule.EventDelivery, (delivery) => delivery.log("123456789012")!)
    }))
    if (address._tag !== "TcpAddress") throw new Error("not on TCP")
    const controller = new AbortController()
    const reply = await fetch(`http://127.0.0.1:${address.port}/_ecr-scan/events/stream`, { signal: controller.signal })
    await bounded(reply.body!.getReader().read(), "the stream's first comment")
    expect(log.readers()).toBe(1)
    controller.abort()
    await until("the reader is gone", () => log.readers() === 0)
  })

  it("ends the stream when the emulator stops", async () => {
    const { emulator } = await logged()
    const reply = await fetch(`${emulator.endpoint}/_ecr-scan/events/stream?since=0`)
    const reader = reply.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toMatch(/^: /)
    await emulator.stop()
    const ended = await bounded(
      (async () => {
        for (let i = 0; i < 100; i++) {
          const chunk = await reader.read().catch(() => ({ done: true }))
          if (chunk.done) return true
        }
        return false
      })(),
      "the stream to end"
    )
    expect(ended).toBe(true)
  })
})

/** Rejects if `promise` has not settled within 10 s of real time. */
const bounded = <A>(promise: Promise<A>, what: string, ms = 10_000): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<A>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

/** The events of a server-sent stream, one frame at a time (comments skipped), each read bounded in time. */
const sseFrames = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ""
  const next = async (): Promise<{ id?: string; event?: string; data: string }> => {
    for (let reads = 0; reads < 1000; reads++) {
      const end = buffer.indexOf("\n\n")
      if (end >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (frame.startsWith(":")) continue
        const fields = Object.fromEntries(
          frame.split("\n").map((line) => {
            const colon = line.indexOf(": ")
            return [line.slice(0, colon), line.slice(colon + 2)]
          })
        )
        return fields as { id?: string; event?: string; data: string }
      }
      const chunk = await bounded(reader.read(), "the next server-sent event")
      if (chunk.done) throw new Error("the stream ended")
      buffer += decoder.decode(chunk.value, { stream: true })
    }
    throw new Error("no complete frame")
  }
  return { next }
}
