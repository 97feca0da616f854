/**
 * The memory engine's driver: the test handles of `MemoryRegistryDriver` (overrides, faults, the clock and
 * quota, snapshots, reset), each a driver action run by the engine, so what it changes is reported on the
 * change feed like any operation's changes.
 *
 * @since 0.1.0
 */
import { FaultPlan, ScannerReports, ScanQuota } from "@ecr-scan/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Utils from "effect/Utils"
import type { Engine } from "./Engine.js"
import {
  InvalidFaultPlan,
  InvalidScannerReport,
  InvalidSnapshot,
  type MemoryRegistryDriverService
} from "./MemoryRegistryDriver.js"
import * as RegistryState from "./RegistryState.js"
import * as Snapshot from "./Snapshot.js"

const date = (millis: number) => new Date(millis)

/** A driver action at the fiber clock's instant. */
const act = <A>(
  engine: Engine,
  cause: string,
  action: (s: RegistryState.RegistryState, now: number) => A,
  report = true
) => Effect.clockWith((clock) => Effect.sync(() => engine.act(cause, clock.unsafeCurrentTimeMillis(), action, report)))

const replace = (s: RegistryState.RegistryState, next: RegistryState.RegistryState) => {
  s.repositories.clear()
  for (const [k, v] of next.repositories) s.repositories.set(k, v)
  s.scanning = next.scanning
  s.quota = next.quota
  s.lastNow = next.lastNow
  s.overrides.clear()
  for (const [k, v] of next.overrides) s.overrides.set(k, v)
  s.faults = next.faults
  s.registryPolicy = next.registryPolicy
}

const faultsChanged = (engine: Engine) =>
  engine.changes?.push({ _tag: "FaultsChanged", faults: engine.state.faults.map((f) => ({ ...f })) })

/**
 * Replaces the whole state with a snapshot's and the fault generator's state with `random` (a new registry's
 * when `undefined`); `report` says whether subscribers hear of it (a recovery that rebuilds what they already
 * hold does not).
 */
export const replaceState = (
  engine: Engine,
  snapshot: Snapshot.RegistrySnapshot,
  random: Utils.PCGRandomState | undefined,
  report: boolean
): Effect.Effect<void, InvalidSnapshot> =>
  Either.match(Snapshot.toState(snapshot), {
    onLeft: (message) => Effect.fail(new InvalidSnapshot({ message })),
    onRight: (next) =>
      act(engine, "driver.restore", (s) => {
        replace(s, next)
        if (random === undefined) engine.resetFaultRandom()
        else engine.setFaultRandomState(random)
        engine.changes?.push({ _tag: "RegistryReplaced", snapshot, random: engine.faultRandomState() })
      }, report)
  })

const snapshotOf = (engine: Engine) => Snapshot.fromState(engine.state, engine.config.accountId, engine.config.region)

/** The driver of one engine. */
export const make = (engine: Engine): MemoryRegistryDriverService => {
  const setOverride = (
    cause: string,
    target: { readonly imageDigest: string; readonly repositoryName?: string | undefined },
    patch: RegistryState.ImageOverride
  ) =>
    act(engine, cause, (s) => {
      const key = RegistryState.overrideKey(target.imageDigest, target.repositoryName)
      const override = { ...s.overrides.get(key), ...patch }
      s.overrides.set(key, override)
      engine.changes?.push({ _tag: "OverrideSet", key, override })
    })
  const now = Effect.clockWith((clock) =>
    Effect.sync(() => Math.max(clock.unsafeCurrentTimeMillis(), engine.state.lastNow))
  )
  const { rules } = engine.config
  return {
    setScanOutcome: (target, outcome) => setOverride("driver.setScanOutcome", target, { outcome }),
    setFindings: (target, findings) => setOverride("driver.setFindings", target, { findings: [...findings] }),
    setFindingsFromReport: (target, report) =>
      Either.match(ScannerReports.decodeReport(report), {
        onLeft: (message) => Effect.fail(new InvalidScannerReport({ message })),
        onRight: (findings) => setOverride("driver.setFindingsFromReport", target, { findings: [...findings] })
      }),
    clearOverrides: act(engine, "driver.clearOverrides", (s) => {
      s.overrides.clear()
      engine.changes?.push({ _tag: "OverridesCleared" })
    }),
    planFault: (input) =>
      Either.match(FaultPlan.resolve(input), {
        onLeft: (message) => Effect.fail(new InvalidFaultPlan({ message })),
        onRight: (plan) =>
          act(engine, "driver.planFault", (s) => {
            s.faults = [...s.faults, { ...plan }]
            faultsChanged(engine)
          })
      }),
    clearFaults: act(engine, "driver.clearFaults", (s) => {
      s.faults = []
      faultsChanged(engine)
    }),
    now: Effect.map(now, date),
    quotaUsage: Effect.flatMap(now, (at) =>
      act(engine, "driver.quotaUsage", (s) => {
        // Pruning the window is no change: the quota still counts the same scans at `at`.
        const decision = ScanQuota.check(s.quota, at, rules.accountQuotaLimit, rules.accountQuotaWindowMillis)
        s.quota = decision.quota
        return {
          used: decision.quota.size,
          limit: rules.accountQuotaLimit,
          nextSlotAt: decision.admitted ? undefined : date(decision.nextSlotAt)
        }
      })),
    snapshot: Effect.sync(() => snapshotOf(engine)),
    restore: (snapshot) => replaceState(engine, snapshot, engine.faultRandomState(), true),
    reset: act(engine, "driver.reset", (s) => {
      replace(s, RegistryState.empty())
      engine.resetFaultRandom()
      engine.changes?.push({
        _tag: "RegistryReplaced",
        snapshot: snapshotOf(engine),
        random: engine.faultRandomState()
      })
    })
  }
}
