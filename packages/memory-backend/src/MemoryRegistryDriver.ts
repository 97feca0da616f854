/**
 * The test handles of the in-memory registry: fix how an image's scans end and what they find, plan
 * faults, read the registry's clock and quota, take and restore snapshots, reset. Provided by the
 * memory layer beside the two ports.
 *
 * @since 0.1.0
 */
import type { FaultPlan, ScanLifecycle, ScanModel } from "@ecr-scan/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { RegistrySnapshot } from "./Snapshot.js"

/** Which image an override applies to: a digest, in one repository or in all. */
export interface ImageTarget {
  readonly imageDigest: string
  readonly repositoryName?: string | undefined
}

/** A fault to inject: the core's shape, which the emulator's control endpoint and `simulate` decode too. */
export type FaultPlanInput = FaultPlan.FaultPlanInput

/** A fault plan the driver cannot use (see `FaultPlan.resolve` for why a plan is refused). */
export class InvalidFaultPlan extends Data.TaggedError("InvalidFaultPlan")<{ readonly message: string }> {}

/** A snapshot that cannot be restored (a manifest that no longer parses, ...). */
export class InvalidSnapshot extends Data.TaggedError("InvalidSnapshot")<{ readonly message: string }> {}

/**
 * A scanner report the driver cannot read: not a Trivy JSON report (SchemaVersion 2), not a Grype JSON
 * report and not an array of ECR findings. The message says which format was recognized and what in it
 * is wrong.
 */
export class InvalidScannerReport extends Data.TaggedError("InvalidScannerReport")<{ readonly message: string }> {}

/** What the quota looks like at the registry's current instant. */
export interface QuotaUsage {
  readonly used: number
  readonly limit: number
  /** When the next slot frees, if the quota is full. */
  readonly nextSlotAt: Date | undefined
}

/** The driver. */
export interface MemoryRegistryDriverService {
  /** How the image's scans that start from now on end (`FAILED`: the scanner cannot read its OS). */
  readonly setScanOutcome: (target: ImageTarget, outcome: ScanLifecycle.ScanOutcome) => Effect.Effect<void>
  /** The findings the image's completed scans report (read when findings are described). */
  readonly setFindings: (
    target: ImageTarget,
    findings: ReadonlyArray<ScanModel.ImageScanFinding>
  ) => Effect.Effect<void>
  /**
   * The findings the image's completed scans report, from a scanner's parsed JSON report: Trivy's
   * (SchemaVersion 2) or Grype's, or an array of ECR findings (see `ScannerReports.decodeReport`).
   * Basic findings carry `package_name`, `package_version`, the CVSS score and the fixed-in version;
   * enhanced scans report them as enhanced findings. A report that does not decode changes nothing.
   */
  readonly setFindingsFromReport: (
    target: ImageTarget,
    report: unknown
  ) => Effect.Effect<void, InvalidScannerReport>
  /** Forgets every outcome and findings override. */
  readonly clearOverrides: Effect.Effect<void>
  /** Plans a fault. */
  readonly planFault: (plan: FaultPlanInput) => Effect.Effect<void, InvalidFaultPlan>
  /** Cancels every planned fault. */
  readonly clearFaults: Effect.Effect<void>
  /** The registry's current instant (the clock, never running backwards). */
  readonly now: Effect.Effect<Date>
  /** Account quota usage now. */
  readonly quotaUsage: Effect.Effect<QuotaUsage>
  /** A JSON-ready copy of the whole state. */
  readonly snapshot: Effect.Effect<RegistrySnapshot>
  /** Replaces the whole state with a snapshot's. */
  readonly restore: (snapshot: RegistrySnapshot) => Effect.Effect<void, InvalidSnapshot>
  /** Empties the registry: no repositories, no scans, quota unused, no overrides or faults. */
  readonly reset: Effect.Effect<void>
}

/** The driver's tag. */
export class MemoryRegistryDriver extends Context.Tag("@ecr-scan/memory-backend/MemoryRegistryDriver")<
  MemoryRegistryDriver,
  MemoryRegistryDriverService
>() {}
