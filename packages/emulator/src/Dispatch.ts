/**
 * From an operation name and a decoded JSON body to a wire reply, through the core's ports. Never
 * fails and never dies: every outcome, including a defect in a backend, becomes an AWS-shaped reply.
 *
 * Requests are validated by the backend (the core's schemas, in the order of checks); a member of the
 * wrong JSON type is answered, as AWS's deserializer does, with `SerializationException`. Replies are
 * encoded by the core's response schemas (epoch-second timestamps, absent members omitted).
 *
 * Over the in-memory registry the dispatcher also answers synchronously, through the registry's
 * `MemoryRegistryDirect`: the same operation, the same reply, without a fiber per request. Any other backend, or a layer wrapped around
 * the memory registry's ports, is answered through its effects.
 *
 * @since 0.1.0
 */
import { Api, type Errors, Ports, Validation } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Wire from "./Wire.js"

/** Answers requests. */
export interface Dispatcher {
  /** Answers one request. */
  readonly dispatch: (operation: string, input: unknown) => Effect.Effect<Wire.WireReply>
  /**
   * Answers one request at once, outside any fiber, with the reply `dispatch` would give; present when
   * the backend can be called synchronously (the in-memory registry's own ports).
   */
  readonly unsafeDispatch: ((operation: string, input: unknown) => Wire.WireReply) | undefined
}

type Call = (input: unknown) => Effect.Effect<unknown, Errors.EcrError>

interface Entry {
  readonly call: Call
  readonly encode: (value: unknown) => Wire.WireReply
  readonly violation: (input: unknown) => Validation.Violation | undefined
}

const encoderOf = (schema: Schema.Schema.AnyNoContext, fast?: (value: unknown) => unknown) => {
  const encode = Schema.encodeEither(schema)
  return (value: unknown): Wire.WireReply => {
    const encoded = fast?.(value)
    if (encoded !== undefined) return { status: 200, body: JSON.stringify(encoded) }
    return Either.match(encode(value), {
      onLeft: () => Wire.faults.internal(),
      onRight: (encoded) => ({ status: 200, body: JSON.stringify(encoded) })
    })
  }
}

/**
 * `GetAuthorizationToken`'s `proxyEndpoint` names the registry the token is for: through the emulator, the
 * emulator itself (`http://<host>:<port>` where it listens, a wildcard address spelled as its loopback).
 */
const namingItself = (address: HttpServer.Address | undefined) => {
  if (address === undefined || address._tag !== "TcpAddress") return (value: unknown) => value
  const endpoint = Wire.endpointOf(address.hostname, address.port)
  return (value: unknown) => {
    const response = value as Api.GetAuthorizationTokenResponse
    if (response.authorizationData === undefined) return value
    return {
      ...response,
      authorizationData: response.authorizationData.map((d) => ({ ...d, proxyEndpoint: endpoint }))
    }
  }
}

/** The reply to a call that failed: its error, or 500 for a defect. */
const failureReply = (entry: Entry, input: unknown, cause: Cause.Cause<Errors.EcrError>): Wire.WireReply => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "None") return Wire.faults.internal()
  const error = failure.value
  if (error._tag === "InvalidParameterException") {
    // A member of the wrong JSON type never reaches AWS's validation: its deserializer refuses it.
    const violation = entry.violation(input)
    if (violation !== undefined && violation.kind === "type") {
      return Wire.faults.serialization(violation.member, violation.constraint)
    }
  }
  return Wire.failureReply(error)
}

/**
 * Builds the dispatcher over the ports in the environment. `unsafeNow` is the instant a synchronous call
 * runs at: the clock the ports' effects would read (the emulator's, real or virtual).
 */
export const make = (
  unsafeNow: () => number
): Effect.Effect<Dispatcher, never, Ports.Ports> =>
  Effect.gen(function*() {
    const services = yield* Ports.services
    const handlers = Ports.handlersOf(services)
    const server = Option.getOrUndefined(yield* Effect.serviceOption(HttpServer.HttpServer))
    const rewrite = namingItself(server?.address)
    // StartImageScan's response has no member whose wire form differs from its value (no timestamps), so the
    // table's fast decoder, which copies the schema's members out of a valid value, gives its wire form too
    // (property-tested against the schema's encoder).
    const table = new Map<Api.OperationName, Entry>(
      Api.operationNames.map((name) => {
        const operation: (typeof Api.Operations)[Api.OperationName] = Api.Operations[name]
        const encode = encoderOf(operation.response, operation.fastResponse)
        return [name, {
          call: handlers[name] as Call,
          encode: name === "GetAuthorizationToken" ? (value: unknown) => encode(rewrite(value)) : encode,
          violation: Validation.violations(operation.request as Schema.Schema<unknown, unknown>)
        }] as const
      })
    )

    const dispatch: Dispatcher["dispatch"] = (name, input) => {
      const entry = table.get(name as Api.OperationName)
      if (entry === undefined) return Effect.succeed(Wire.faults.notImplemented(name))
      return entry.call(input).pipe(
        Effect.matchCause({
          onSuccess: entry.encode,
          onFailure: (cause) => failureReply(entry, input, cause)
        })
      )
    }

    // Only the memory registry's own ports: a layer wrapped around them must see every call.
    const direct = Option.getOrUndefined(yield* Effect.serviceOption(MemoryRegistry.MemoryRegistryDirect))
    const unsafeDispatch: Dispatcher["unsafeDispatch"] =
      direct === undefined || direct.scanner !== services.ImageScanner || direct.registry !== services.ImageRegistry
        ? undefined
        : (name, input) => {
          const entry = table.get(name as Api.OperationName)
          if (entry === undefined) return Wire.faults.notImplemented(name)
          try {
            const exit = direct.unsafeCall(name as Api.OperationName, input, unsafeNow())
            return Exit.isSuccess(exit) ? entry.encode(exit.value) : failureReply(entry, input, exit.cause)
          } catch {
            // What the effect would have turned into a defect.
            return Wire.faults.internal()
          }
        }

    return { dispatch, unsafeDispatch }
  })
