/**
 * The conformance suite: every behaviour of the two ports, `ImageScanner` and `ImageRegistry`, written
 * once as a function of a layer that provides them, and run against each backend: the memory registry,
 * the aws backend over the emulator, the aws backend over moto's server, or a backend of your own (or a
 * layer of yours wrapped around one of ours). A case asserts what AWS does, from the project's
 * spec/ecr-scan-behaviour.md, never what one backend happens to do.
 *
 * `suite(name, layer, options)` registers the cases as vitest tests (`describe`/`it` from
 * `@effect/vitest`). The options say what the backend offers besides the ports (virtual time, findings
 * or an outcome fixed per image, planned faults) and where it is known to differ from AWS:
 * - a case that needs something the backend lacks is skipped, its title saying why;
 * - a case listed in `expectedDifferences` runs as `it.fails`: the suite stays green while it records
 *   the difference, and turns red the day the backend starts behaving like AWS (or is skipped, saying
 *   why, if it cannot even run there);
 * - every other case must pass.
 *
 * The cases share one instance of the layer, built before the first and released after the last, and
 * run in order: each uses its own repositories (a server may keep its state between runs), time only
 * moves forward, and a case that changes the registry's scanning configuration puts it back. Images are
 * pushed through the ports (`PutImage`), so the suite needs nothing else to set them up. Every case runs
 * on a virtual clock of the suite, which the waiter sleeps on; a backend with virtual time of its own is
 * moved with it.
 *
 * @since 0.1.0
 */
import { describe, layer as layerTests } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { cases, groups } from "./internal/Cases.js"
import { type Case, Harness, type HarnessService, missingCapability } from "./internal/Harness.js"
import { ACCOUNT, type Capability, type Options, type Ports, repositoryNames, START } from "./internal/Options.js"
import * as SteppingClock from "./internal/SteppingClock.js"

export { caseIds } from "./internal/Cases.js"
export type { CaseId } from "./internal/Cases.js"
export { ACCOUNT, driverOptions, START } from "./internal/Options.js"
export type { Capability, Difference, FaultPlan, ImageTarget, Options, Ports, ScanOutcome } from "./internal/Options.js"

// ---------------------------------------------------------------------------------------------------------------
// The suite

/** How long one case may take (real time) unless `Options.caseTimeout` says otherwise; a case that hangs fails. */
const CASE_TIMEOUT = Duration.seconds(20)

const DEFAULT_LACKS: { readonly [C in Capability]: string } = {
  virtualTime: "the backend runs on the wall clock",
  findings: "the backend cannot be told an image's findings",
  outcome: "the backend cannot be told how a scan ends",
  faults: "the backend cannot plan faults"
}

/**
 * Registers the suite for one backend: a `describe` named `name`, `layer` built before its first case and
 * released after its last, one test per case. `layer` provides the two ports, and whatever else the
 * functions of `options` need (the memory registry's driver, a handle on a server).
 *
 * @example
 * ```ts
 * import { MemoryRegistry } from "@ecr-scan/memory-backend"
 * import { Conformance } from "@ecr-scan/testing"
 *
 * // In a test file: the memory registry, with its driver for findings, outcomes and faults.
 * Conformance.suite("the memory registry", MemoryRegistry.layer({ seed: 1 }), Conformance.driverOptions)
 * ```
 *
 * @example
 * ```ts
 * import { Ports } from "@ecr-scan/core"
 * import { MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
 * import { Conformance } from "@ecr-scan/testing"
 * import { Effect, Layer } from "effect"
 *
 * // A layer of yours around the memory ports (here: one that logs every call), the driver kept beside it.
 * const logged = Ports.layer(
 *   Effect.map(Ports.handlers, (handlers) =>
 *     Ports.mapHandlers(handlers, (name, handler) => (request) => Effect.tap(handler(request), () => Effect.logDebug(name))))
 * )
 * const layer = Layer.merge(logged, Layer.effect(MemoryRegistryDriver, MemoryRegistryDriver)).pipe(
 *   Layer.provide(MemoryRegistry.layer({ seed: 1 }))
 * )
 *
 * Conformance.suite("the memory registry, logged", layer, Conformance.driverOptions)
 * ```
 */
export const suite = <R = never, E = never>(
  name: string,
  layer: Layer.Layer<Ports | R, E>,
  options: Options<NoInfer<R>> = {}
): void => {
  const clock = SteppingClock.make(START)
  const repositoryName = repositoryNames(options.repositoryPrefix ?? "conformance")
  const caseTimeout = Duration.toMillis(options.caseTimeout ?? CASE_TIMEOUT)

  const has = (capability: Capability) => {
    switch (capability) {
      case "virtualTime":
        return options.virtualTime !== undefined
      case "findings":
        return options.setFindings !== undefined
      case "outcome":
        return options.setOutcome !== undefined
      case "faults":
        return options.planFault !== undefined
    }
  }

  const harness = (context: Context.Context<Ports | R>): HarnessService => {
    const { planFault, requestsReceived, setFindings, setOutcome, virtualTime } = options
    // The context holds R (TypeScript cannot reduce `Exclude<R, Ports | R>` for a generic R).
    const run = <A>(effect: Effect.Effect<A, unknown, R>): Effect.Effect<A> =>
      Effect.orDie(Effect.provide(effect, context) as Effect.Effect<A, unknown>)
    return {
      advance: (duration) => {
        const decoded = Duration.decode(duration)
        const backendTime = typeof virtualTime === "function" ? run(virtualTime(decoded)) : Effect.void
        return Effect.zipRight(backendTime, clock.advance(decoded))
      },
      setFindings: (target, findings) =>
        setFindings === undefined ? missingCapability("findings") : run(setFindings(target, findings)),
      setOutcome: (target, outcome) =>
        setOutcome === undefined ? missingCapability("outcome") : run(setOutcome(target, outcome)),
      planFault: (plan) => planFault === undefined ? missingCapability("faults") : run(planFault(plan)),
      requestsReceived: requestsReceived === undefined
        ? undefined
        : (operation) => run(requestsReceived(operation)),
      repositoryName,
      accountId: options.accountId ?? ACCOUNT,
      region: options.region ?? "us-east-1",
      clock
    }
  }

  const suiteLayer = Layer.effect(Harness, Effect.map(Effect.context<Ports | R>(), harness)).pipe(
    Layer.provideMerge(layer)
  )

  layerTests(suiteLayer, { excludeTestServices: true, timeout: "60 seconds" })(name, (it) => {
    for (const [group, ids] of groups) {
      describe(group, () => {
        for (const id of ids) {
          const { needs = [], run, title }: Case = cases[id]
          const test = () => Effect.withClock(run, clock)
          const difference = options.expectedDifferences?.[id]
          const lacking = needs.filter((capability) => !has(capability))
          if (typeof difference === "object") {
            it.effect.skip(`${title} [skipped: ${difference.skip}]`, test)
          } else if (lacking.length > 0) {
            const why = lacking.map((capability) => options.lacks?.[capability] ?? DEFAULT_LACKS[capability])
            it.effect.skip(`${title} [skipped: ${why.join("; ")}]`, test)
          } else if (difference !== undefined) {
            it.effect.fails(`${title} [expected difference: ${difference}]`, test, caseTimeout)
          } else {
            it.effect(title, test, caseTimeout)
          }
        }
      })
    }
  })
}
