/**
 * What a backend brings to the conformance suite: the ports, the capabilities it may offer besides them,
 * the options that say so (and where it is known to differ from AWS), the options of the memory registry's
 * driver, and the defaults (account, start of time) the suite assumes.
 */
import type { Api, ImageRegistry, ImageScanner, ScanModel } from "@ecr-scan/core"
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { CaseId } from "./Cases.js"

/** The ports every layer under test provides. */
export type Ports = ImageScanner | ImageRegistry

/** What a backend may offer besides the ports; a case that needs one it lacks is skipped. */
export type Capability = "virtualTime" | "findings" | "outcome" | "faults"

/** The image a fixed outcome or fixed findings apply to. */
export interface ImageTarget {
  readonly repositoryName: string
  readonly imageDigest: string
}

/** How a scan ends. */
export type ScanOutcome = "COMPLETE" | "FAILED"

/** A fault to plan: the next `count` calls of `operation` fail with `error`. */
export interface FaultPlan {
  readonly operation: Api.OperationName
  readonly error: "ServerException"
  readonly count: number
}

/**
 * How a backend is known to differ from AWS in a case: a sentence citing what differs (the case runs as
 * `it.fails`), or `{ skip }` when the case cannot even run there.
 */
export type Difference = string | { readonly skip: string }

/**
 * How the backend under test differs from the default one, and what it offers besides the ports. The
 * functions run in the context of the layer under test (`R`: whatever it provides besides the ports,
 * such as the memory registry's driver, or a handle on a server it started).
 */
export interface Options<R = never> {
  /**
   * Virtual time. `"fiber"`: the backend reads the clock of the fiber that calls it (the memory registry
   * does), so moving the suite's clock moves it. A function: how to move the backend's own clock forward.
   * Absent: the backend runs on the wall clock, and cases that need time to pass are skipped.
   */
  readonly virtualTime?: "fiber" | ((duration: Duration.Duration) => Effect.Effect<void, unknown, R>)
  /** Fixes the findings the image's completed scans report. */
  readonly setFindings?: (
    target: ImageTarget,
    findings: ReadonlyArray<ScanModel.ImageScanFinding>
  ) => Effect.Effect<void, unknown, R>
  /** Fixes how the image's scans that start from now on end (`FAILED`: the scanner cannot read its OS). */
  readonly setOutcome?: (target: ImageTarget, outcome: ScanOutcome) => Effect.Effect<void, unknown, R>
  /** Plans a fault. */
  readonly planFault?: (plan: FaultPlan) => Effect.Effect<void, unknown, R>
  /**
   * How many requests of `operation` the backend's server has received (for a backend behind a wire: the
   * suite then checks that a request the client refuses is never sent).
   */
  readonly requestsReceived?: (operation: Api.OperationName) => Effect.Effect<number, unknown, R>
  /** Why a capability is absent, printed in the titles of the cases skipped for want of it. */
  readonly lacks?: { readonly [C in Capability]?: string }
  /** Where the backend is known to differ from AWS, by case. */
  readonly expectedDifferences?: { readonly [K in CaseId]?: Difference }
  /** The account id the backend answers for (default `123456789012`). */
  readonly accountId?: string
  /** The region the backend claims, as repository ARNs show it (default `us-east-1`). */
  readonly region?: string
  /** Prefixes the names of the repositories the cases create (default `conformance`). */
  readonly repositoryPrefix?: string
  /** How long one case may take in real time before it fails (default 20 seconds). */
  readonly caseTimeout?: Duration.DurationInput
}

/**
 * The options of a layer that provides the memory registry's driver beside the ports
 * (`MemoryRegistry.layer`, or a layer of yours around it that keeps the driver and calls the memory ports
 * from the caller's fiber): virtual time from the caller's clock, findings, outcomes and faults through
 * the driver.
 */
export const driverOptions: Options<MemoryRegistryDriver> = {
  virtualTime: "fiber",
  setFindings: (target, findings) =>
    Effect.flatMap(MemoryRegistryDriver, (driver) => driver.setFindings(target, findings)),
  setOutcome: (target, outcome) =>
    Effect.flatMap(MemoryRegistryDriver, (driver) => driver.setScanOutcome(target, outcome)),
  planFault: (plan) => Effect.flatMap(MemoryRegistryDriver, (driver) => driver.planFault(plan))
}

/** The account a backend answers for unless `Options.accountId` says otherwise. */
export const ACCOUNT = "123456789012"
/** When the suite's clock starts: a backend with a virtual clock of its own should start it there too. */
export const START = Date.parse("2026-01-01T00:00:00Z")

/**
 * The repository names of one run of a suite: `<prefix>-<run id>/<nn>-<slug>`, the run id unlike any earlier
 * run's (a server may keep the repositories of those), `nn` counting the names given.
 */
export const repositoryNames = (prefix: string): (slug: string) => string => {
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`
  let made = 0
  return (slug) => `${prefix}-${runId}/${String(++made).padStart(2, "0")}-${slug}`
}
