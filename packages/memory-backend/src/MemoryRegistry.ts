/**
 * The in-memory registry: a Layer that provides `ImageScanner`, `ImageRegistry`, the test driver and the
 * change feed from one engine. Time comes only from Effect's `Clock` (so `TestClock` drives it), randomness
 * only from the seed, and every rule from the core.
 *
 * The parts: `Engine` (the state and the one primitive that changes it), the operation modules
 * (`ScanningOperations`, `RepositoryOperations`, `ImageOperations`, `ConfigurationOperations`: look up, call
 * the core, write down), `Driver` (the test handles), `Changes` (the feed's values); this module assembles them
 * into ports with the core's operation table.
 *
 * @since 0.1.0
 */
import {
  Api,
  Constraints,
  type Errors,
  ImageRegistry,
  ImageScanner,
  Ports,
  RegistryEvents,
  ScanRules,
  Tracing
} from "@ecr-scan/core"
import type { ImageRegistryService, ImageScannerService } from "@ecr-scan/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Utils from "effect/Utils"
import type * as Changes from "./Changes.js"
import * as ConfigurationOperations from "./ConfigurationOperations.js"
import * as Driver from "./Driver.js"
import { Engine, type Steps } from "./Engine.js"
import * as EventPublisher from "./EventPublisher.js"
import * as ImageOperations from "./ImageOperations.js"
import * as LifecycleOperations from "./LifecycleOperations.js"
import { type InvalidSnapshot, MemoryRegistryDriver, type MemoryRegistryDriverService } from "./MemoryRegistryDriver.js"
import * as PolicyOperations from "./PolicyOperations.js"
import * as RegistryOperations from "./RegistryOperations.js"
import * as RepositoryOperations from "./RepositoryOperations.js"
import * as ScanningOperations from "./ScanningOperations.js"
import type * as Snapshot from "./Snapshot.js"
import * as TaggingOperations from "./TaggingOperations.js"

/** Options of the in-memory registry. */
export interface MemoryRegistryOptions {
  /** The account id of the registry (default `123456789012`). */
  readonly accountId?: string
  /** The region it claims to be in (default `us-east-1`). */
  readonly region?: string
  /** The seed of every generated value: scan durations, findings, probabilistic faults (default `0`). */
  readonly seed?: string | number
  /** Overrides of the house rules. */
  readonly rules?: ScanRules.ScanRulesInput
  /** The EventBridge events' options: FAILED scans' events, a subscriber's buffer (see `EventPublisher`). */
  readonly events?: EventPublisher.EventOptions
}

/** The options could not be used. */
export class InvalidMemoryRegistryOptions extends Data.TaggedError("InvalidMemoryRegistryOptions")<{
  readonly message: string
}> {}

/** The change feed of one registry. */
export interface ChangeFeed {
  /**
   * Subscribes a synchronous listener: it hears every step that changed something, in order, before the
   * step's caller gets its answer; returns the function that unsubscribes it. "Unsafe": it runs outside
   * any fiber, and the listener must be quick and must not call the registry.
   */
  readonly unsafeSubscribe: (listener: Changes.Listener) => () => void
}

/** The change feed of the in-memory registry, in the context its `layer` provides. */
export class MemoryRegistryChanges
  extends Context.Tag("@ecr-scan/memory-backend/MemoryRegistryChanges")<MemoryRegistryChanges, ChangeFeed>()
{}

/** What the memory layer provides, as values. */
export interface MemoryRegistry {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
  readonly driver: MemoryRegistryDriverService
  /** The same operations as synchronous calls (see `MemoryRegistryDirect`). */
  readonly direct: DirectAccess
  readonly changes: ChangeFeed
  /** The registry's EventBridge events (see `EventPublisher`). */
  readonly events: EventPublisher.MemoryEventsService
  /**
   * Replaces the whole state with a snapshot's and the fault generator's state with `random`, without
   * reporting it on the feed: for durable storage rebuilding a registry from its files.
   */
  readonly recover: (
    snapshot: Snapshot.RegistrySnapshot,
    random: Utils.PCGRandomState | undefined
  ) => Effect.Effect<void, InvalidSnapshot>
}

/**
 * The registry's operations as plain synchronous calls, for a host that answers many requests and would
 * rather not start a fiber for each (the emulator's data plane). `unsafeCall(operation, request, now)` does
 * exactly what the port's effect does, at the instant `nowMillis` instead of the fiber's `Clock`: the same
 * validation, rules, faults and state, and an `Exit` for the outcome. "Unsafe" as Effect's `unsafe*`
 * functions are: it runs at once, outside any fiber.
 *
 * It belongs to the two ports beside it: a host should use it only when the `ImageScanner` and
 * `ImageRegistry` it would otherwise call are these very services, and not a layer wrapped around them.
 */
export interface DirectAccess {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
  /** Runs `operation` on the request at `nowMillis`, at once, and answers with its outcome. */
  readonly unsafeCall: (
    operation: Api.OperationName,
    request: unknown,
    nowMillis: number
  ) => Exit.Exit<unknown, Errors.EcrError>
}

/** The synchronous access of the in-memory registry, in the context its `layer` provides. */
export class MemoryRegistryDirect
  extends Context.Tag("@ecr-scan/memory-backend/MemoryRegistryDirect")<MemoryRegistryDirect, DirectAccess>()
{}

/** Every operation's step, from the operation modules: one per operation of the core's table. */
const steps: Steps = {
  ...ScanningOperations.steps,
  ...RepositoryOperations.steps,
  ...ImageOperations.steps,
  ...ConfigurationOperations.steps,
  ...LifecycleOperations.steps,
  ...PolicyOperations.steps,
  ...RegistryOperations.steps,
  ...TaggingOperations.steps
}

/** The account id a registry has unless told otherwise. */
export const DEFAULT_ACCOUNT_ID = "123456789012"

/** The region a registry claims unless told otherwise. */
export const DEFAULT_REGION = "us-east-1"

/**
 * Builds an in-memory registry. Most programs want `layer`; this is for code that needs the services
 * as values (the emulator, durable storage, benchmarks).
 */
export const make = (
  options: MemoryRegistryOptions = {}
): Effect.Effect<MemoryRegistry, InvalidMemoryRegistryOptions> =>
  Effect.gen(function*() {
    const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID
    const region = options.region ?? DEFAULT_REGION
    if (Constraints.registryId(accountId) !== undefined) {
      return yield* new InvalidMemoryRegistryOptions({ message: `accountId must be 12 digits, got '${accountId}'` })
    }
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
      return yield* new InvalidMemoryRegistryOptions({ message: `region must look like us-east-1, got '${region}'` })
    }
    const rules = yield* Either.mapLeft(
      ScanRules.make(options.rules),
      (message) => new InvalidMemoryRegistryOptions({ message: `invalid house rules: ${message}` })
    )
    const engine = new Engine(
      { accountId: accountId as never, region, seed: String(options.seed ?? 0), rules },
      LifecycleOperations.applyDue
    )
    const handlers = Object.fromEntries(
      Api.operationNames.map((name) => {
        const step = steps[name] as Steps[Api.OperationName]
        const spanName = `MemoryRegistry.${name}`
        // One read of the fiber's services for both the clock and the tracer: a span only under a tracer someone
        // installed (see `Tracing`).
        const handler = (request: unknown) =>
          Effect.withFiberRuntime<unknown, Errors.EcrError>((fiber) => {
            const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
            if (!Tracing.isTraced(fiber)) {
              return engine.apply(name, step as never, request as never, clock.unsafeCurrentTimeMillis())
            }
            return Effect.withSpan(
              Effect.suspend(() =>
                engine.apply(name, step as never, request as never, clock.unsafeCurrentTimeMillis())
              ),
              spanName,
              { kind: "server", attributes: { "rpc.system": "ecr-scan", "rpc.method": name }, captureStackTrace: false }
            )
          })
        return [name, handler]
      })
    ) as unknown as Ports.Handlers
    const services = Ports.fromHandlers(handlers)
    return {
      scanner: services.ImageScanner,
      registry: services.ImageRegistry,
      direct: {
        scanner: services.ImageScanner,
        registry: services.ImageRegistry,
        unsafeCall: (operation, request, nowMillis) =>
          engine.apply(operation, steps[operation] as never, request as never, nowMillis)
      },
      driver: Driver.make(engine),
      changes: { unsafeSubscribe: (listener) => engine.subscribe(listener) },
      events: EventPublisher.make(engine, options.events),
      recover: (snapshot, random) => Driver.replaceState(engine, snapshot, random, false)
    } satisfies MemoryRegistry
  })

/**
 * The in-memory registry as a Layer of the two ports and the driver, with its change feed, its events
 * (`RegistryEvents`) and `MemoryRegistryDirect`, for hosts that call it synchronously.
 *
 * @example
 * ```ts
 * import { ImageRegistry, ImageScanner, ManifestBuilder } from "@ecr-scan/core"
 * import { MemoryRegistry } from "@ecr-scan/memory-backend"
 * import { Effect, TestClock, TestContext } from "effect"
 *
 * const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`
 * const imageId = { imageTag: "v1" }
 *
 * const program = Effect.gen(function*() {
 *   yield* ImageRegistry.createRepository({ repositoryName: "app" })
 *   yield* ImageRegistry.putImage({
 *     repositoryName: "app",
 *     imageTag: "v1",
 *     imageManifest: ManifestBuilder.image({
 *       config: { digest: digest(1), size: 1469 },
 *       layers: [{ digest: digest(2), size: 3_370_706 }]
 *     })
 *   })
 *   yield* ImageScanner.startImageScan({ repositoryName: "app", imageId })
 *   yield* TestClock.adjust("1 minute") // a scan takes 5 to 15 seconds unless the rules say otherwise
 *   return yield* ImageScanner.describeImageScanFindings({ repositoryName: "app", imageId }) // COMPLETE
 * })
 *
 * // The registry reads time from the fiber's Clock: under TestClock the minute passes at once.
 * program.pipe(
 *   Effect.provide(MemoryRegistry.layer({ seed: 42 })),
 *   Effect.provide(TestContext.TestContext),
 *   Effect.runPromise
 * )
 * ```
 */
export const layer = (
  options: MemoryRegistryOptions = {}
): Layer.Layer<
  | ImageScanner
  | ImageRegistry
  | MemoryRegistryDriver
  | MemoryRegistryDirect
  | MemoryRegistryChanges
  | RegistryEvents.RegistryEvents
  | EventPublisher.MemoryEvents,
  InvalidMemoryRegistryOptions
> =>
  Layer.effectContext(
    Effect.map(make(options), (registry) =>
      Context.make(ImageScanner, registry.scanner).pipe(
        Context.add(ImageRegistry, registry.registry),
        Context.add(MemoryRegistryDriver, registry.driver),
        Context.add(MemoryRegistryDirect, registry.direct),
        Context.add(MemoryRegistryChanges, registry.changes),
        Context.add(RegistryEvents.RegistryEvents, registry.events),
        Context.add(EventPublisher.MemoryEvents, registry.events)
      ))
  )
