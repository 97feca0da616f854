/**
 * The conformance suite against the aws backend pointed at the emulator, in process on a free loopback
 * port with a virtual clock: time moves with `POST /_ecr-scan/clock/advance`, findings, outcomes and
 * faults are set through the other control endpoints, and the emulator's request log shows what was
 * sent. One attempt per call, so a planned fault is not retried away.
 */
import { AwsBackend } from "@ecr-scan/aws-backend"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { type RunningEmulator, startEmulator } from "../support/emulator.js"
import { conformance, START } from "./suite.js"

const control = (emulator: RunningEmulator, path: string, body: unknown) =>
  Effect.promise(() => emulator.control("POST", path, body))

/** The emulator, on a virtual clock that starts where the suite's does; stopped after the last case. */
const emulator = Effect.acquireRelease(
  Effect.promise(() => startEmulator({ seed: "conformance", clock: { _tag: "Virtual", startMillis: START } })),
  (running: RunningEmulator) => Effect.promise(() => running.stop())
)

conformance("conformance: the aws backend against the emulator", {
  acquire: emulator,
  layer: (emulator) =>
    AwsBackend.layer({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "conformance" },
      maxAttempts: 1
    }),
  virtualTime: (emulator, duration) =>
    Effect.asVoid(control(emulator, "/clock/advance", { duration: `${Duration.toMillis(duration)} millis` })),
  setFindings: (emulator, target, findings) => Effect.asVoid(control(emulator, "/findings", { ...target, findings })),
  setOutcome: (emulator, target, outcome) => Effect.asVoid(control(emulator, "/outcome", { ...target, outcome })),
  planFault: (emulator, plan) => Effect.asVoid(control(emulator, "/faults", plan)),
  requestsReceived: (emulator, operation) =>
    Effect.sync(() => emulator.log.filter((line) => line.split(" ")[1] === operation).length),
  expectedDifferences: {}
})
