/**
 * The pure parts of event delivery: targets as typed, the pairing of `--event-pattern` with `--event-target`,
 * the retry policy's bounds and backoff, `Retry-After`, the outcome of a status, the event log's ring, and the
 * outbox's file across a reopen (a real file in a temporary directory).
 */
import { Events } from "@ecr-scan/core"
import { Effect } from "effect"
import * as Either from "effect/Either"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import * as EventLog from "../src/EventLog.js"
import * as EventOutbox from "../src/EventOutbox.js"
import * as EventSend from "../src/EventSend.js"
import * as EventTargets from "../src/EventTargets.js"

const right = <A>(either: Either.Either<A, string>): A => {
  if (Either.isLeft(either)) throw new Error(either.left)
  return either.right
}

describe("targets", () => {
  it("reads webhooks and SQS queues, with the queue's region from its host", () => {
    expect(right(EventTargets.parseTarget("http://127.0.0.1:9000/hook", "us-east-1"))).toMatchObject({
      _tag: "Webhook",
      target: "http://127.0.0.1:9000/hook"
    })
    expect(right(EventTargets.parseTarget("sqs:https://sqs.eu-west-1.amazonaws.com/123456789012/q", "us-east-1")))
      .toEqual({
        _tag: "Sqs",
        target: "sqs:https://sqs.eu-west-1.amazonaws.com/123456789012/q",
        queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
        endpoint: "https://sqs.eu-west-1.amazonaws.com",
        region: "eu-west-1"
      })
    expect(right(EventTargets.parseTarget("sqs:http://127.0.0.1:5000/123456789012/q", "ap-south-1"))).toMatchObject({
      endpoint: "http://127.0.0.1:5000",
      region: "ap-south-1"
    })
    for (const bad of ["", "ftp://x/y", "not a url", "sqs:nope", "sqs:http://127.0.0.1:5000/q", "http://u:p@h/"]) {
      expect(Either.isLeft(EventTargets.parseTarget(bad, "us-east-1")), bad).toBe(true)
    }
  })

  it("pairs each --event-pattern with the --event-target after it, from the command line's order", () => {
    const given = { targets: ["A", "B", "C"], patterns: ["p1", "p2"] }
    const argv = ["node", "bin", "--event-target", "A", "--event-pattern", "p1", "--event-target", "B", "--port", "0"]
      .concat(["--event-pattern=p2", "--event-target", "C"])
    expect(right(EventTargets.pairPatterns(argv, given))).toEqual([
      { target: "A" },
      { target: "B", patternFile: "p1" },
      { target: "C", patternFile: "p2" }
    ])
    // Not this process's command line (a run in-process): the n-th pattern with the n-th target, or refused.
    expect(Either.isLeft(EventTargets.pairPatterns([], given))).toBe(true)
    expect(right(EventTargets.pairPatterns([], { targets: ["A", "B"], patterns: ["p1", "p2"] }))).toEqual([
      { target: "A", patternFile: "p1" },
      { target: "B", patternFile: "p2" }
    ])
    expect(right(EventTargets.pairPatterns([], { targets: ["A"], patterns: [] }))).toEqual([{ target: "A" }])
    const trailing = ["--event-target", "A", "--event-pattern", "p1"]
    expect(EventTargets.pairPatterns(trailing, { targets: ["A"], patterns: ["p1"] })).toEqual(
      Either.left("--event-pattern p1 has no --event-target after it")
    )
  })

  it("bounds the retry policy as EventBridge's API does, and backs off from 1 s to at most 5 minutes", () => {
    const name = (s: string) => s
    expect(right(EventTargets.retryPolicy({}, name))).toEqual({ maxAttempts: 185, maxAgeMs: 86_400_000 })
    expect(right(EventTargets.retryPolicy({ maxAttempts: 0, maxAgeMs: 60_000 }, name))).toEqual({
      maxAttempts: 0,
      maxAgeMs: 60_000
    })
    for (const bad of [{ maxAttempts: 186 }, { maxAttempts: -1 }, { maxAttempts: 1.5 }, { maxAgeMs: 59_999 }]) {
      expect(Either.isLeft(EventTargets.retryPolicy(bad, name))).toBe(true)
    }
    expect(EventTargets.backoffMillis(1, 0.999)).toBe(1_000)
    expect(EventTargets.backoffMillis(2, 0)).toBe(1_000)
    expect(EventTargets.backoffMillis(2, 1)).toBe(2_000)
    expect(EventTargets.backoffMillis(185, 1)).toBe(300_000)
  })

  it("retries 429 and 5xx, honours Retry-After, and gives up on every other status", () => {
    expect(EventSend.outcomeOf(204, "", undefined, 0)._tag).toBe("Delivered")
    for (const status of [301, 400, 403, 404, 413]) {
      expect(EventSend.outcomeOf(status, "", undefined, 0)._tag).toBe("GiveUp")
    }
    expect(EventSend.outcomeOf(429, "slow", "30", 0)).toEqual({
      _tag: "Retry",
      answer: { status: 429, body: "slow" },
      retryAfterMs: 30_000
    })
    expect(EventSend.outcomeOf(503, "", "-1", 0)._tag).toBe("GiveUp")
    expect(EventSend.retryAfter("Thu, 01 Jan 2026 00:01:00 GMT", Date.parse("2026-01-01T00:00:00Z"))).toBe(60_000)
    expect(EventSend.retryAfter("soon", 0)).toBeUndefined()
    expect(EventSend.sqsOutcomeOf({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } })._tag).toBe(
      "Retry"
    )
    expect(EventSend.sqsOutcomeOf({ name: "QueueDoesNotExist", $metadata: { httpStatusCode: 400 } })._tag).toBe(
      "GiveUp"
    )
    expect(EventSend.sqsOutcomeOf(new Error("connect ECONNREFUSED"))._tag).toBe("Retry")
  })
})

const event = (n: number) =>
  Events.imagePushed({ accountId: "123456789012", region: "us-east-1", time: 0, id: `id-${n}` }, {
    repositoryName: "app",
    imageDigest: `sha256:${String(n).padStart(64, "0")}`,
    imageTag: `v${n}`
  })

describe("the event log", () => {
  it("keeps the newest entries, numbered on from where a restart left off, and replays without a gap", () => {
    const log = EventLog.make(3, 10)
    for (const n of [1, 2, 3, 4]) log.append(event(n), Events.toJson(event(n)))
    expect(log.since(0, 100).map((e) => e.seq)).toEqual([12, 13, 14])
    expect(log.since(12, 1).map((e) => e.seq)).toEqual([13])
    const live: Array<number> = []
    const { replay, unsubscribe } = log.subscribe(13, (entry) => (live.push(entry.seq), true))
    expect(replay.map((e) => e.seq)).toEqual([14])
    log.append(event(5), Events.toJson(event(5)))
    unsubscribe()
    log.append(event(6), Events.toJson(event(6)))
    expect(live).toEqual([15])
    expect(log.lastSeq()).toBe(16)
    expect(log.firstSeq()).toBe(14)
  })
})

describe("the outbox", () => {
  const dirs: Array<string> = []
  afterAll(() => dirs.forEach((dir) => Fs.rmSync(dir, { recursive: true, force: true })))

  it("owes after a reopen what no target has marked done, and refuses a file that is not an outbox", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ecr-scan-outbox-"))
    dirs.push(dir)
    const lines: Array<string> = []
    const first = await Effect.runPromise(EventOutbox.open(dir, (line) => lines.push(line)))
    const owed = (seq: number) => ({
      account: "123456789012",
      seq,
      at: 1000 * seq,
      targets: ["A", "B"],
      json: `{"n":${seq}}`
    })
    await Effect.runPromise(first.add([owed(1), owed(2)]))
    first.done("123456789012", 1, "A")
    first.done("123456789012", 1, "B")
    first.done("123456789012", 2, "A")
    await Effect.runPromise(first.close)

    const second = await Effect.runPromise(EventOutbox.open(dir, (line) => lines.push(line)))
    expect(second.recovered).toEqual([{ ...owed(2), targets: ["B"] }])
    expect(second.lastSeq.get("123456789012")).toBe(2)
    second.done("123456789012", 2, "B")
    await Effect.runPromise(second.close)
    const third = await Effect.runPromise(EventOutbox.open(dir, (line) => lines.push(line)))
    expect(third.recovered).toEqual([])
    expect(third.lastSeq.get("123456789012")).toBe(2)
    await Effect.runPromise(third.close)
    expect(lines).toEqual([])

    Fs.writeFileSync(Path.join(dir, "events", "outbox"), "ECRSJNL1 not an outbox")
    const refused = await Effect.runPromise(Effect.flip(EventOutbox.open(dir, () => undefined)))
    expect(refused.message).toMatch(/not an ecr-scan event outbox/)
  })
})
