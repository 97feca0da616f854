/**
 * The conformance suite against the aws backend pointed at the emulator, in process on a free loopback
 * port with a virtual clock: time moves with `POST /_ecr-scan/clock/advance`, findings, outcomes and
 * faults are set through the other control endpoints, and the emulator's request log shows what was
 * sent. One attempt per call, so a planned fault is not retried away.
 */
import { AwsBackend } from "@ecr-scan/aws-backend"
import { Conformance } from "@ecr-scan/testing"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type RunningEmulator, startEmulator } from "../support/emulator.js"

/** The emulator the layer started, for the suite's control calls. */
class TestEmulator extends Context.Tag("tests/conformance/TestEmulator")<TestEmulator, RunningEmulator>() {}

/** The emulator, on a virtual clock that starts where the suite's does; stopped after the last case. */
const emulator = Layer.scoped(
  TestEmulator,
  Effect.acquireRelease(
    Effect.promise(() =>
      startEmulator({ seed: "conformance", clock: { _tag: "Virtual", startMillis: Conformance.START } })
    ),
    (running) => Effect.promise(() => running.stop())
  )
)

/** The aws backend pointed at it, beside the emulator's handle. */
const backend = Layer.unwrapEffect(
  Effect.map(TestEmulator, (running) =>
    AwsBackend.layer({
      endpoint: running.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "conformance" },
      maxAttempts: 1
    }))
).pipe(Layer.provideMerge(emulator))

const control = (path: string, body: unknown) =>
  Effect.flatMap(TestEmulator, (running) => Effect.promise(() => running.control("POST", path, body)))

Conformance.suite("conformance: the aws backend against the emulator", backend, {
  virtualTime: (duration) =>
    Effect.asVoid(control("/clock/advance", { duration: `${Duration.toMillis(duration)} millis` })),
  setFindings: (target, findings) => Effect.asVoid(control("/findings", { ...target, findings })),
  setOutcome: (target, outcome) => Effect.asVoid(control("/outcome", { ...target, outcome })),
  planFault: (plan) => Effect.asVoid(control("/faults", plan)),
  requestsReceived: (operation) =>
    Effect.map(TestEmulator, (running) => running.log.filter((line) => line.split(" ")[1] === operation).length),
  expectedDifferences: {}
})
