/**
 * The events pipeline of spec/ecr-events.md section 9 on moto's server (moto 5.2.1, a child process on a free
 * loopback port, stopped by its pid): an EventBridge rule on the default bus with the pattern
 * `{"source":["aws.ecr"],"detail-type":["ECR Image Scan"]}`, an SQS queue as its target, `PutEvents` of the
 * events the in-memory registry emitted (a push and a completed scan per image, on `TestClock`), and the aws
 * backend's `SqsEvents` layer reading the queue. EventBridge is driven by boto3 in a Python subprocess, so the
 * project takes no EventBridge SDK as a dependency.
 *
 * moto differs from AWS here, and the tests only assert what holds on both (the first one records it):
 * - with no `Input`/`InputPath`/`InputTransformer`, AWS delivers "the entire event" (eb-targets), `account`
 *   included; moto's default template (moto/events/utils.py, `DEFAULT_EVENT_INPUT_TEMPLATE`) leaves `account`
 *   out, so its body is not an event `Events.decodeJson` accepts. The pipeline test gives the target an
 *   `InputTransformer` that writes AWS's whole envelope out, member by member.
 * - moto writes the envelope's keys in another order (`id`, `time`, `version`, ...): JSON consumers, ours
 *   included, must not depend on the order (spec section 1).
 * As on AWS, `PutEvents` gives each event a new `id` (the one in its answer), and the envelope's `account` and
 * `region` are the caller's.
 */
import * as Sdk from "@aws-sdk/client-sqs"
import { SqsEvents } from "@ecr-scan/aws-backend"
import { Events, ImageRegistry, ImageScanner, RegistryEvents } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import { Fixtures } from "@ecr-scan/testing"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { afterAll, beforeAll, expect, it } from "vitest"
import { unshimmed } from "../support/executables.js"
import { type RunningMoto, startMotoServer } from "../support/motoServer.js"
import { run } from "../support/subprocess.js"
import { type Availability, awsEnv, boto3, describeWith, moto, PYTHON } from "../support/tools.js"

const REGION = "us-east-1"
const ACCOUNT = "123456789012"
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
const SCAN_PATTERN = { source: ["aws.ecr"], "detail-type": ["ECR Image Scan"] }
const T0 = Date.parse("2026-03-01T09:00:00.000Z")

/**
 * EventBridge through boto3: reads `{endpoint, region, rule?: {name, pattern, target}, entries?}` on stdin, puts
 * the rule and its one target, then the entries, and prints what each call answered.
 */
const EVENTBRIDGE = `
import json, sys
import boto3
from botocore.config import Config
p = json.load(sys.stdin)
events = boto3.client("events", region_name=p["region"], endpoint_url=p["endpoint"],
                      config=Config(retries={"total_max_attempts": 1}))
out = {}
rule = p.get("rule")
if rule:
    out["ruleArn"] = events.put_rule(Name=rule["name"], EventPattern=json.dumps(rule["pattern"]))["RuleArn"]
    out["targets"] = events.put_targets(Rule=rule["name"], Targets=[rule["target"]])["FailedEntryCount"]
if p.get("entries"):
    answer = events.put_events(Entries=p["entries"])
    out["failed"] = answer["FailedEntryCount"]
    out["eventIds"] = [entry.get("EventId") for entry in answer["Entries"]]
json.dump(out, sys.stdout)
`

/**
 * An `InputTransformer` that delivers AWS's default input, the whole event (`time` unquoted: moto keeps it as
 * epoch seconds until it writes the message).
 */
const WHOLE_EVENT = {
  InputPathsMap: Object.fromEntries(
    ["id", "detail-type", "source", "account", "time", "region", "resources", "detail"].map((key) => [key, `$.${key}`])
  ),
  InputTemplate:
    "{\"version\": \"0\", \"id\": \"<id>\", \"detail-type\": \"<detail-type>\", \"source\": \"<source>\", " +
    "\"account\": \"<account>\", \"time\": <time>, \"region\": \"<region>\", \"resources\": <resources>, " +
    "\"detail\": <detail>}"
}

/** A `PutEvents` entry of an event, as AWS would have put it on the bus. */
const entryOf = (event: Events.RegistryEvent) => ({
  Source: event.source,
  DetailType: event["detail-type"],
  Detail: JSON.stringify(event.detail),
  Resources: event.resources,
  Time: event.time
})

/**
 * The events of the in-memory registry (on `TestClock`) when each repository gets one image tagged `v1` and a
 * basic scan of it that completes: a push, then, once the clock passes its completion, the scan's event.
 */
const registryEvents = (repositories: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(T0)
    const collected = yield* RegistryEvents.events.pipe(
      Stream.take(repositories.length * 2),
      Stream.runCollect,
      Effect.fork
    )
    // Lets the subscriber reach its first wait (subscribed) before anything happens.
    yield* TestClock.adjust(0)
    for (const repositoryName of repositories) {
      yield* ImageRegistry.createRepository({ repositoryName })
      yield* ImageRegistry.putImage({ repositoryName, imageManifest: Fixtures.image(repositoryName), imageTag: "v1" })
      yield* ImageScanner.startImageScan({ repositoryName, imageId: { imageTag: "v1" } })
    }
    yield* TestClock.adjust("1 hour")
    return Chunk.toReadonlyArray(yield* Fiber.join(collected))
  }).pipe(Effect.provide(MemoryRegistry.layer({ seed: "events-sqs" })), Effect.provide(TestContext.TestContext))

/** moto, and boto3 to drive its EventBridge: the first of them missing. */
const peers = (): Availability => moto().available ? boto3() : moto()

describeWith(peers(), "EventBridge to SQS to the SqsEvents layer, on moto's server", () => {
  let server: RunningMoto
  let sqs: Sdk.SQSClient
  beforeAll(async () => {
    server = await startMotoServer()
    sqs = new Sdk.SQSClient({ region: REGION, endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1 })
  }, 60_000)
  afterAll(async () => {
    sqs?.destroy()
    await server?.stop()
  })

  const eventBridge = async (input: Record<string, unknown>) => {
    const finished = await run(unshimmed(PYTHON), ["-c", EVENTBRIDGE], {
      env: awsEnv(),
      input: JSON.stringify({ endpoint: server.endpoint, region: REGION, ...input }),
      timeoutMs: 30_000
    })
    if (finished.code !== 0) {
      throw new Error(`boto3 exited ${finished.code} (${finished.signal}): ${finished.stderr}\n${server.output()}`)
    }
    return JSON.parse(finished.stdout) as {
      ruleArn?: string
      targets?: number
      failed?: number
      eventIds?: Array<string>
    }
  }

  /**
   * A queue a rule feeds, with the resource policy AWS needs for it (spec section 9: `events.amazonaws.com` may
   * `sqs:SendMessage`, on the condition that the rule is the source; moto does not check it).
   */
  const ruleToQueue = async (name: string, pattern: unknown, input?: typeof WHOLE_EVENT) => {
    const { QueueUrl } = await sqs.send(new Sdk.CreateQueueCommand({ QueueName: name }))
    const { Attributes } = await sqs.send(
      new Sdk.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] })
    )
    const queueArn = Attributes!.QueueArn!
    const target = { Id: "queue", Arn: queueArn, ...(input === undefined ? {} : { InputTransformer: input }) }
    const { ruleArn, targets } = await eventBridge({ rule: { name, pattern, target } })
    expect(targets).toBe(0)
    await sqs.send(
      new Sdk.SetQueueAttributesCommand({
        QueueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queueArn,
              Condition: { ArnEquals: { "aws:SourceArn": ruleArn } }
            }]
          })
        }
      })
    )
    return QueueUrl!
  }

  const putEvents = async (events: ReadonlyArray<Events.RegistryEvent>) => {
    const answer = await eventBridge({ entries: events.map(entryOf) })
    expect(answer.failed).toBe(0)
    return answer.eventIds!
  }

  const inQueue = async (queueUrl: string) => {
    const { Attributes } = await sqs.send(
      new Sdk.GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
      })
    )
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  }

  const layer = (queueUrl: string) =>
    SqsEvents.layer({
      queueUrl,
      region: REGION,
      endpoint: server.endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      waitTimeSeconds: 5
    })

  it(
    "moto's default target input leaves out `account`, which AWS's whole event carries: recorded, not a defect",
    async () => {
      const repositoryName = "events-sqs/default-input"
      const queueUrl = await ruleToQueue("events-sqs-default-input", {
        ...SCAN_PATTERN,
        detail: { "repository-name": [repositoryName] }
      })
      const scans = (await Effect.runPromise(registryEvents([repositoryName])))
        .filter((event) => event["detail-type"] === "ECR Image Scan")
      expect(scans).toHaveLength(1)
      const [eventId] = await putEvents(scans)
      const expected = { ...scans[0]!, id: eventId! }

      const { Messages } = await sqs.send(
        new Sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5, VisibilityTimeout: 0 })
      )
      expect(Messages).toHaveLength(1)
      const body = JSON.parse(Messages![0]!.Body!)
      // What moto and AWS agree on: the rest of the whole event.
      const { account: _account, ...rest } = Either.getOrThrowWith(
        Events.decode({ ...body, account: ACCOUNT }),
        (problem) => new Error(problem)
      )
      const { account: _expectedAccount, ...expectedRest } = expected
      expect(rest).toStrictEqual(expectedRest)

      const exit = await Effect.runPromiseExit(
        RegistryEvents.events.pipe(Stream.runHead, Effect.provide(layer(queueUrl)))
      )
      if ("account" in body) {
        // AWS's behaviour: the body is the whole event.
        expect(exit).toStrictEqual(Exit.succeed(Option.some(expected)))
      } else {
        // moto's: a typed UndecodableEvent naming the missing member, and the message stays in the queue.
        expect(Exit.isFailure(exit) && !Cause.isDie(exit.cause)).toBe(true)
        const error = Option.getOrThrow(Cause.failureOption((exit as Exit.Failure<unknown, unknown>).cause))
        expect(error).toMatchObject({ _tag: "UndecodableEvent", messageId: Messages![0]!.MessageId })
        expect((error as RegistryEvents.UndecodableEvent).message).toContain("account")
        expect(await inQueue(queueUrl)).toBe(1)
      }
    },
    60_000
  )

  it("the layer yields exactly the registry's scan events the rule matched, as the registry emitted them", async () => {
    const repositories = ["events-sqs/api", "events-sqs/web"]
    const queueUrl = await ruleToQueue("events-sqs-scans", SCAN_PATTERN, WHOLE_EVENT)
    const emitted = await Effect.runPromise(registryEvents(repositories))
    expect(emitted.map((event) => event["detail-type"]).sort()).toStrictEqual([
      "ECR Image Action",
      "ECR Image Action",
      "ECR Image Scan",
      "ECR Image Scan"
    ])
    // Every event goes on the bus; the rule passes only the scans on.
    const eventIds = await putEvents(emitted)
    const expected = emitted.flatMap((event, i) =>
      event["detail-type"] === "ECR Image Scan" ? [{ ...event, id: eventIds[i]! }] : []
    )
    const received = await Effect.runPromise(
      RegistryEvents.events.pipe(
        Stream.take(expected.length),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.provide(layer(queueUrl))
      )
    )
    expect(received).toStrictEqual(expected)
    // In the order the scans completed (their durations differ per image), one per repository.
    expect(received.map((event) => "repository-name" in event.detail ? event.detail["repository-name"] : "").sort())
      .toStrictEqual(repositories)
    // Nothing else arrived, and what was handled is gone.
    expect(await inQueue(queueUrl)).toBe(0)
  }, 60_000)
})
