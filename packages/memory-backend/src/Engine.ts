/**
 * The memory engine: the registry's state in one place, and the one way it is read or written. `apply` runs
 * a step (an operation's pure work on the state: look up, call the core, write the outcome down)
 * atomically, at the registry's `now`, after the planned faults have had their say, and reports what the
 * step changed to the change feed's subscribers. Driver actions run through `act`, the same way without
 * faults.
 *
 * Steps are synchronous, so a step is atomic under any number of concurrent fibers, and a refused request
 * returns before anything is written. The engine holds no rule: the operation modules call the core.
 *
 * @since 0.1.0
 */
import { type Api, Errors, type Identifiers, type ScanRules } from "@ecr-scan/core"
import * as Exit from "effect/Exit"
import * as Hash from "effect/Hash"
import * as Utils from "effect/Utils"
import type { Change, ChangeBatch, Listener } from "./Changes.js"
import * as RegistryState from "./RegistryState.js"

/** What a registry is, fixed at its creation. */
export interface EngineConfig {
  readonly accountId: Identifiers.RegistryId
  readonly region: string
  /** The seed of every generated value: scan durations, findings, probabilistic faults. */
  readonly seed: string
  readonly rules: ScanRules.ScanRules
}

/** One operation's work on the state at one instant: it reads, decides and writes in one synchronous call. */
export type Step<Name extends Api.OperationName> = (
  engine: Engine,
  request: Api.RequestOf<Name>,
  now: number
) => Exit.Exit<Api.ResponseOf<Name>, Api.Failure<Name>>

/** One step per operation of the core's table: a backend that lacks one does not compile. */
export type Steps = { readonly [Name in Api.OperationName]: Step<Name> }

/** The state of one registry and the one way it changes. */
export class Engine {
  /** The live state: only steps and driver actions read or write it, and only inside `apply` or `act`. */
  readonly state: RegistryState.RegistryState = RegistryState.empty()
  /**
   * The changes of the running step, or `undefined` when nobody subscribes: a step builds a change only when
   * this is set (`engine.changes?.push(...)`), so the feed costs nothing without subscribers.
   */
  changes: Array<Change> | undefined = undefined
  /**
   * Values an operation module builds once per engine and keeps between calls (a rule's view of the state), under
   * the operation's name: a property read, where a `WeakMap` keyed by the engine was a hash lookup per call.
   */
  readonly memo: { [operation: string]: unknown } = {}
  /**
   * How many steps and actions the registry has run: counted whether or not anyone subscribes (one
   * increment), so a change batch's `step` names the same step for every subscriber.
   */
  stepCount = 0
  private readonly listeners: Array<Listener> = []
  private faultRandom: Utils.PCGRandom

  /**
   * `dueWork`: the registry's own work that falls due as its clock moves (the lifecycle policies), run before
   * a step whose instant is later than any the registry has seen.
   */
  constructor(
    readonly config: EngineConfig,
    private readonly dueWork: (engine: Engine, clockNow: number) => void = () => undefined
  ) {
    this.faultRandom = this.newFaultRandom()
  }

  /** Runs one step at `clockNow` (never before an instant the registry has already seen). */
  apply<Name extends Api.OperationName>(
    operation: Name,
    step: Step<Name>,
    request: Api.RequestOf<Name>,
    clockNow: number
  ): Exit.Exit<Api.ResponseOf<Name>, Api.Failure<Name>> {
    const s = this.state
    // The registry's own work that fell due since its last call (lifecycle policies), in a batch of its own.
    if (clockNow > s.lastNow) this.dueWork(this, clockNow)
    const now = clockNow > s.lastNow ? clockNow : s.lastNow
    s.lastNow = now
    this.stepCount++
    if (this.listeners.length === 0) return this.faultOrStep(operation, step, request, now)
    this.changes = []
    try {
      return this.faultOrStep(operation, step, request, now)
    } finally {
      this.publish(operation, now)
    }
  }

  /**
   * Runs a driver action at `clockNow` (no faults), reporting its changes as `cause` unless `report` is false
   * (a recovery that rebuilds what the subscribers already hold). A driver action does not move the registry's
   * instant.
   */
  act<A>(
    cause: string,
    clockNow: number,
    action: (s: RegistryState.RegistryState, now: number) => A,
    report = true
  ): A {
    const s = this.state
    const now = clockNow > s.lastNow ? clockNow : s.lastNow
    this.stepCount++
    if (this.listeners.length === 0 || !report) return action(s, now)
    this.changes = []
    try {
      return action(s, now)
    } finally {
      this.publish(cause, now)
    }
  }

  /** Subscribes a synchronous listener to the change feed; returns the function that unsubscribes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.push(listener)
    return () => {
      const index = this.listeners.indexOf(listener)
      if (index >= 0) this.listeners.splice(index, 1)
    }
  }

  /** Where the generator of probabilistic faults is in its sequence. */
  faultRandomState(): Utils.PCGRandomState {
    return this.faultRandom.getState()
  }

  /** Puts the generator of probabilistic faults back where a saved state says. */
  setFaultRandomState(state: Utils.PCGRandomState): void {
    this.faultRandom.setState(state)
  }

  /** Reseeds the generator of probabilistic faults, as a new registry's (a reset registry draws the same faults). */
  resetFaultRandom(): void {
    this.faultRandom = this.newFaultRandom()
  }

  private newFaultRandom() {
    return new Utils.PCGRandom(Hash.string(`${this.config.seed}\u0000faults`))
  }

  private faultOrStep<Name extends Api.OperationName>(
    operation: Name,
    step: Step<Name>,
    request: Api.RequestOf<Name>,
    now: number
  ): Exit.Exit<Api.ResponseOf<Name>, Api.Failure<Name>> {
    if (this.state.faults.length > 0) {
      const fault = this.takeFault(operation)
      if (fault !== undefined) return Exit.fail(fault as Api.Failure<Name>)
    }
    return step(this, request, now)
  }

  private publish(cause: string, now: number) {
    const changes = this.changes
    this.changes = undefined
    if (changes === undefined || changes.length === 0) return
    const batch: ChangeBatch = { cause, now, step: this.stepCount, changes }
    for (const listener of this.listeners.slice()) listener(batch)
  }

  /** The error of the first plan that fires for `operation`: the modelled one, or an unmodelled code. */
  private takeFault(operation: Api.OperationName): Errors.EcrError | undefined {
    const s = this.state
    for (const plan of s.faults) {
      if (plan.remaining <= 0 || (plan.operation !== "*" && plan.operation !== operation)) continue
      if (plan.probability < 1) {
        const drawn = this.faultRandom.number()
        this.changes?.push({ _tag: "FaultRandomAdvanced", state: this.faultRandom.getState() })
        if (drawn >= plan.probability) continue
      }
      plan.remaining -= 1
      s.faults = s.faults.filter((p) => p.remaining > 0)
      this.changes?.push({ _tag: "FaultsChanged", faults: s.faults.map((f) => ({ ...f })) })
      return Errors.fromName(plan.error, plan.message) ??
        Errors.unsafeMake(Errors.UnknownEcrError, { code: plan.error, message: plan.message, httpStatus: 400 })
    }
    return undefined
  }
}
