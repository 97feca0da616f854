/**
 * An SQS target (`sqs:QUEUE_URL`) on moto's server (started as a child process on a free loopback port,
 * stopped by its pid): the emulator sends each event's JSON as a message body with `@aws-sdk/client-sqs`, as an
 * EventBridge rule with an SQS target does (spec §9), and a consumer reads it with `ReceiveMessage`. A queue
 * that does not exist is not retried: the event is a dead letter. In CI moto is required; elsewhere the suite is
 * skipped, saying why, when it is missing.
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr"
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs"
import { Events } from "@ecr-scan/core"
import { startEmulator } from "@ecr-scan/emulator"
import { Fixtures } from "@ecr-scan/testing"
import * as Either from "effect/Either"
import { afterAll, beforeAll, expect, it } from "vitest"
import { until } from "../../packages/emulator/test/EventReceiver.js"
import { type RunningMoto, startMotoServer } from "../support/motoServer.js"
import { describeWith, moto } from "../support/tools.js"

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "events" }

describeWith(moto(), "event delivery to an SQS queue on moto's server", () => {
  let server: RunningMoto
  let sqs: SQSClient
  // The emulator's SQS client reads the default provider chain: the environment, for this file.
  const saved = { ...process.env }
  beforeAll(async () => {
    server = await startMotoServer()
    sqs = new SQSClient({ endpoint: server.endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 })
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey
    process.env.AWS_EC2_METADATA_DISABLED = "true"
    process.env.AWS_CONFIG_FILE = "/dev/null"
    process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null"
  }, 60_000)
  afterAll(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    sqs?.destroy()
    await server?.stop()
  })

  /** Reads up to `n` messages from the queue, long polling, at most 10 receives. */
  const receive = async (queueUrl: string, n: number) => {
    const messages: Array<Message> = []
    for (let i = 0; i < 10 && messages.length < n; i++) {
      const reply = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 })
      )
      messages.push(...(reply.Messages ?? []))
    }
    return messages
  }

  it("sends each event's JSON as the message body", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "ecr-events" }))
    const missing = `${server.endpoint}/123456789012/no-such-queue`
    await using emulator = await startEmulator({
      startTime: "2026-01-01T00:00:00Z",
      eventTargets: [`sqs:${QueueUrl!}`, `sqs:${missing}`]
    })
    const ecr = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 })
    try {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: "sqs/app" }))
      await ecr.send(
        new PutImageCommand({ repositoryName: "sqs/app", imageManifest: Fixtures.image(1), imageTag: "v1" })
      )
    } finally {
      ecr.destroy()
    }

    const [message, ...more] = await receive(QueueUrl!, 1)
    expect(more).toEqual([])
    const { events } = await emulator.events()
    expect(events).toHaveLength(1)
    expect(message.Body).toBe(Events.toJson(events[0]))
    const decoded = Events.decodeJson(message.Body!)
    if (Either.isLeft(decoded)) throw new Error(decoded.left)
    expect(Events.toJson(decoded.right)).toBe(message.Body)

    await until("both targets are done", async () => {
      const targets = await emulator.eventTargets()
      return targets[0].delivered === 1 && targets[1].deadLetters === 1
    })
    const [dead] = await emulator.deadLetters()
    expect(dead).toMatchObject({ target: `sqs:${missing}`, attempts: 1, event: JSON.parse(message.Body!) })
    expect(dead.lastAnswer).toMatchObject({ status: 400 })
    expect(dead.reason).toMatch(/not retried/)
  })
})
