/**
 * What a case of the conformance suite sees: the harness the suite builds around the layer under test
 * (time, findings, outcomes, faults, fresh repository names), and the shape of a case.
 */
import type { Api, ImageRegistry, ImageScanner, ScanModel } from "@ecr-scan/core"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Capability, FaultPlan, ImageTarget, ScanOutcome } from "./Options.js"
import type * as SteppingClock from "./SteppingClock.js"

/** What a case can ask of the suite besides the ports. */
export interface HarnessService {
  /** Moves time forward: the backend's (if it has its own), then the suite's, which wakes the sleepers. */
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  readonly setFindings: (
    target: ImageTarget,
    findings: ReadonlyArray<ScanModel.ImageScanFinding>
  ) => Effect.Effect<void>
  readonly setOutcome: (target: ImageTarget, outcome: ScanOutcome) => Effect.Effect<void>
  readonly planFault: (plan: FaultPlan) => Effect.Effect<void>
  readonly requestsReceived: ((operation: Api.OperationName) => Effect.Effect<number>) | undefined
  /** A repository name no other case (and no earlier run against the same server) uses. */
  readonly repositoryName: (slug: string) => string
  readonly accountId: string
  readonly region: string
  readonly clock: SteppingClock.SteppingClock
}

/** The harness of the running suite. */
export class Harness extends Context.Tag("@ecr-scan/testing/Conformance/Harness")<Harness, HarnessService>() {}

/** What a case runs. */
export type CaseEffect = Effect.Effect<void, unknown, ImageScanner | ImageRegistry | Harness>

/** A case: its title (the test's name), the capabilities it needs, and what it runs. */
export interface Case {
  readonly title: string
  readonly needs?: ReadonlyArray<Capability>
  readonly run: CaseEffect
}

/** Fails a case that asked for a capability the backend lacks (the suite skips such a case). */
export const missingCapability = (capability: Capability) =>
  Effect.dieMessage(`the backend has no ${capability} capability (the case should have been skipped)`)
