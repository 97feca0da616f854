/**
 * Operations by name, on whatever provides the ports. The faces (the emulator, the CLI) call an operation
 * named on the wire or the command line through `call` or `handlers`; backends and layers that wrap the
 * ports build both ports from one handler per operation with `fromHandlers`, and take them apart again with
 * `handlersOf`. Everything here is derived from the operation table (`Api.Operations`), so none of it lists
 * the operations.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Api from "./Api.js"
import { ImageRegistry, type ImageRegistryService } from "./ImageRegistry.js"
import { ImageScanner, type ImageScannerService } from "./ImageScanner.js"

/** The services of both ports. */
export type Ports = ImageScanner | ImageRegistry

/** One handler per operation of the table, keyed by its wire name. */
export type Handlers = { readonly [K in Api.OperationName]: Api.Handler<K> }

/** Both ports' services. */
export interface Services {
  readonly ImageScanner: ImageScannerService
  readonly ImageRegistry: ImageRegistryService
}

type AnyHandler = (request: unknown) => Effect.Effect<unknown, unknown>
type AnyService = Record<string, AnyHandler>

/** Builds both ports from one handler per operation. */
export const fromHandlers = (handlers: Handlers): Services => {
  const services: Record<Api.PortName, AnyService> = { ImageScanner: {}, ImageRegistry: {} }
  for (const name of Api.operationNames) {
    const operation = Api.Operations[name]
    services[operation.port][operation.method] = handlers[name] as AnyHandler
  }
  return services as unknown as Services
}

/** The handler of every operation, read from both ports' services. */
export const handlersOf = (services: Services): Handlers => {
  const handlers: Record<string, AnyHandler> = {}
  for (const name of Api.operationNames) {
    const operation = Api.Operations[name]
    handlers[name] = (services[operation.port] as unknown as AnyService)[operation.method]
  }
  return handlers as unknown as Handlers
}

/** Both ports' services as a context. */
export const context = (services: Services): Context.Context<Ports> =>
  Context.make(ImageScanner, services.ImageScanner).pipe(Context.add(ImageRegistry, services.ImageRegistry))

/** Both ports as a layer, from one handler per operation. */
export const layer = <E, R>(handlers: Effect.Effect<Handlers, E, R>): Layer.Layer<Ports, E, R> =>
  Layer.effectContext(Effect.map(handlers, (h) => context(fromHandlers(h))))

/** Both ports' services, read from the context. */
export const services: Effect.Effect<Services, never, Ports> = Effect.map(
  Effect.all([ImageScanner, ImageRegistry]),
  ([scanner, registry]) => ({ ImageScanner: scanner, ImageRegistry: registry })
)

/** The handler of every operation, read once from the ports in the context. */
export const handlers: Effect.Effect<Handlers, never, Ports> = Effect.map(services, handlersOf)

/** Wraps every handler (a layer around the ports: journalling, logging, faults). */
export const mapHandlers = (
  handlers: Handlers,
  f: <K extends Api.OperationName>(name: K, handler: Api.Handler<K>) => Api.Handler<K>
): Handlers =>
  Object.fromEntries(
    Api.operationNames.map((name) => [name, f(name, handlers[name] as Api.Handler<typeof name>)])
  ) as unknown as Handlers

/**
 * Calls an operation by its wire name on whatever layer provides the ports.
 *
 * @example
 * ```ts
 * import { Ports } from "@ecr-scan/core"
 * import { MemoryRegistry } from "@ecr-scan/memory-backend"
 * import { Effect } from "effect"
 *
 * // The request and the response are typed by the operation's name, as the emulator's dispatch sees them.
 * const names = Ports.call("CreateRepository", { repositoryName: "app" }).pipe(
 *   Effect.andThen(Ports.call("DescribeRepositories", {})),
 *   Effect.map((response) => (response.repositories ?? []).map((repository) => repository.repositoryName))
 * )
 *
 * names.pipe(Effect.provide(MemoryRegistry.layer()), Effect.runPromise) // ["app"]
 * ```
 */
export const call = <K extends Api.OperationName>(
  name: K,
  request: Api.RequestOf<K>
): Effect.Effect<Api.ResponseOf<K>, Api.Failure<K>, Ports> => {
  const operation = Api.Operations[name]
  const tag = operation.port === "ImageScanner" ? ImageScanner : ImageRegistry
  return Effect.flatMap(
    tag as unknown as Context.Tag<Ports, AnyService>,
    (service) => (service[operation.method] as AnyHandler)(request)
  ) as Effect.Effect<
    Api.ResponseOf<K>,
    Api.Failure<K>,
    Ports
  >
}
