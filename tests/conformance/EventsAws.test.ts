/**
 * The events conformance suite against the aws backend reading an SQS queue (moto's server) that the
 * emulator feeds: the ports are the aws backend pointed at the emulator (in process, virtual clock),
 * whose `sqs:` event target sends each event to the queue as an EventBridge rule's SQS target does, and
 * `RegistryEvents` is `SqsEvents.layer` long-polling that queue. Time moves with the emulator's clock
 * endpoint. In CI moto is required; elsewhere the suite is skipped, saying why, when it is missing.
 */
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs"
import { AwsBackend, SqsEvents } from "@ecr-scan/aws-backend"
import { EventTargets } from "@ecr-scan/emulator"
import { EventsConformance } from "@ecr-scan/testing"
import { Either } from "effect"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type RunningEmulator, startEmulator } from "../support/emulator.js"
import { startMotoServer } from "../support/motoServer.js"
import { describeWith, moto } from "../support/tools.js"

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "events-conformance" }

class TestEmulator extends Context.Tag("tests/conformance/EventsAws/TestEmulator")<TestEmulator, RunningEmulator>() {}

/** moto's server with one queue, the emulator sending its events there, and the two layers over them. */
const layers = Layer.unwrapScoped(Effect.gen(function*() {
  const server = yield* Effect.acquireRelease(
    Effect.promise(() => startMotoServer()),
    (s) => Effect.promise(() => s.stop())
  )
  const sqs = new SQSClient({
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 1
  })
  const { QueueUrl } = yield* Effect.promise(() => sqs.send(new CreateQueueCommand({ QueueName: "ecr-events" })))
  sqs.destroy()
  // The emulator's SQS client reads the default provider chain: the environment, for this file.
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId
      process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey
    }),
    () =>
      Effect.sync(() => {
        for (
          const [key, value] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const
        ) {
          if (value === undefined) delete process.env[key]
          else process.env[key] = value
        }
      })
  )
  const target = Either.getOrThrow(EventTargets.parseTarget(`sqs:${QueueUrl!}`, "us-east-1"))
  const emulator = yield* Effect.acquireRelease(
    Effect.promise(() =>
      startEmulator({
        seed: "events-conformance",
        clock: { _tag: "Virtual", startMillis: EventsConformance.START },
        eventDelivery: { targets: [{ target, pattern: undefined }] }
      })
    ),
    (running) => Effect.promise(() => running.stop())
  )
  const ports = AwsBackend.layer({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 1
  })
  const events = SqsEvents.layer({
    queueUrl: QueueUrl!,
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: CREDENTIALS,
    waitTimeSeconds: 1
  })
  return Layer.mergeAll(ports, events, Layer.succeed(TestEmulator, emulator))
}))

describeWith(moto(), "events conformance through SQS", () => {
  EventsConformance.suite("events conformance: the aws backend reading a queue the emulator feeds", layers, {
    virtualTime: (duration) =>
      Effect.flatMap(
        TestEmulator,
        (running) =>
          Effect.promise(() =>
            running.control("POST", "/clock/advance", { duration: `${Duration.toMillis(duration)} millis` })
          )
      ),
    eventTimeout: "20 seconds"
  })
})
