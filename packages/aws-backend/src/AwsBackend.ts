/**
 * The core's ports over `@aws-sdk/client-ecr`: real ECR (or anything that speaks its protocol) behind
 * the same `ImageScanner` and `ImageRegistry` the in-memory registry provides. Swapping backends is
 * one layer:
 *
 * ```ts
 * program.pipe(Effect.provide(AwsBackend.layer({ region: "eu-west-1" })))
 * ```
 *
 * Each call validates the request with the core's schemas before it is sent (the JS SDK validates
 * nothing), sends it with the fiber's abort signal (interrupting the fiber cancels the request),
 * decodes the response with the core's schemas, maps every failure through `ErrorMapping`, and runs in
 * a span `ECR.<Operation>` with the AWS semantic-convention attributes whenever a tracer is installed
 * (Effect's built-in one keeps no spans, so a call under it makes none).
 *
 * @since 0.1.0
 */
import * as Sdk from "@aws-sdk/client-ecr"
import {
  Api,
  type Errors,
  type Failure,
  type ImageRegistry,
  type ImageRegistryService,
  type ImageScanner,
  type ImageScannerService,
  Ports,
  RequestValidators,
  Tracing
} from "@ecr-scan/core"
import { Errors as ErrorModule } from "@ecr-scan/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import * as CallSignal from "./CallSignal.js"
import * as EcrClientInstance from "./EcrClientInstance.js"
import * as ErrorMapping from "./ErrorMapping.js"
import * as SdkConfig from "./SdkConfig.js"

type Command = new(input: any) => any

/** The SDK's command class of an operation: the SDK names it after the operation (checked by the compiler). */
type CommandName<K extends Api.OperationName> = `${K}Command`
const commandOf = <K extends Api.OperationName>(name: K): Command =>
  (Sdk as unknown as { readonly [N in CommandName<Api.OperationName>]: Command })[`${name}Command` as CommandName<K>]

type Port<Name extends Api.OperationName> = (
  request: Api.RequestOf<Name>
) => Effect.Effect<Api.ResponseOf<Name>, Failure<Name>>

/** The span attribute `error.type`: the error's tag, or the code of an error no operation models. */
const errorType = (error: Errors.EcrError): string => error._tag === "UnknownEcrError" ? error.code : error._tag

/** Records a failure on the span, if there is one (its type, and the request id of its reply), and returns it. */
const failed = <E extends Errors.EcrError>(span: Tracer.Span | undefined, error: E, requestId?: string): E => {
  if (span === undefined) return error
  span.attribute("error.type", errorType(error))
  if (requestId !== undefined) span.attribute("aws.request_id", requestId)
  return error
}

/** What `client.send` resolves with, as far as the backend reads it. */
type Output = { readonly $metadata?: { readonly requestId?: string } }

/**
 * One operation through the client, in a client span `ECR.<Operation>` when a tracer is installed.
 *
 * This is the hot path of every call, so it runs as few fiber steps as it can: it reads the fiber's tracer,
 * validates, and sends in one `Effect.async` (no canceler, so Effect wraps it in no finalizer of its own) that
 * runs interruptible inside an uninterruptible region whose only handler, on failure, aborts the call's signal
 * (`CallSignal`, handed to `client.send`) if the request is still in flight. The response is decoded and the
 * span annotated in the promise's callback, before the fiber resumes. With a tracer, `Effect.useSpan` opens and
 * ends the span around all of it (no fiber-local context per call, and no stack trace captured per call as
 * `Effect.fn` does).
 */
const operation = <Name extends Api.OperationName>(client: Sdk.ECRClient, name: Name): Port<Name> => {
  const validate = RequestValidators.validators[name] as (input: unknown) => Either.Either<unknown, Errors.EcrError>
  const decode = Schema.decodeUnknownEither(
    Api.Operations[name].response as unknown as Schema.Schema<Api.ResponseOf<Name>, unknown>
  )
  // The table's hand-written decoder of the hottest responses (property-tested against the schemas, which decide
  // the rest).
  const fastDecode = Api.Operations[name].fastResponse as
    | ((output: unknown) => Api.ResponseOf<Name> | undefined)
    | undefined
  const Command = commandOf(name)
  const newSignal = CallSignal.factoryFor(client)
  const spanName = `ECR.${name}`
  const spanOptions: Tracer.SpanOptions = {
    kind: "client",
    attributes: { "rpc.system": "aws-api", "rpc.service": "ECR", "rpc.method": name },
    captureStackTrace: false
  }
  type Result = Effect.Effect<Api.ResponseOf<Name>, Errors.EcrError>

  const succeeded = (span: Tracer.Span | undefined, output: Output): Result => {
    if (span !== undefined) {
      const requestId = output.$metadata?.requestId
      if (requestId !== undefined) span.attribute("aws.request_id", requestId)
    }
    const fast = fastDecode?.(output)
    if (fast !== undefined) return Effect.succeed(fast)
    const decoded = decode(output)
    if (Either.isRight(decoded)) return Effect.succeed(decoded.right)
    return Effect.fail(failed(
      span,
      ErrorModule.unsafeMake(ErrorModule.TransportError, {
        reason: "InvalidResponse",
        message: `The ${name} response does not match the service model: ${decoded.left.message}`,
        cause: decoded.left
      })
    ))
  }
  const thrown = (span: Tracer.Span | undefined, error: unknown): Result =>
    Effect.fail(failed(span, ErrorMapping.fromSdkError(name, error), ErrorMapping.requestIdOf(error)))

  /** Validates and sends one request; the fiber waits for the reply, and interrupting it aborts the request. */
  const call = (input: Api.RequestOf<Name>, span: Tracer.Span | undefined): Result => {
    const request = validate(input)
    if (Either.isLeft(request)) return Effect.fail(failed(span, request.left))
    const signal = newSignal()
    let settled = false
    const send = Effect.async<Api.ResponseOf<Name>, Errors.EcrError>((resume) => {
      let sent: Promise<Output>
      try {
        sent = client.send(new Command(request.right), { abortSignal: signal.signal as AbortSignal })
      } catch (error) {
        settled = true
        resume(thrown(span, error))
        return
      }
      // Once the fiber is interrupted nobody waits for the answer, and the span has ended: leave both be.
      sent.then(
        (output) => {
          settled = true
          if (!signal.signal.aborted) resume(succeeded(span, output))
        },
        (error) => {
          settled = true
          if (!signal.signal.aborted) resume(thrown(span, error))
        }
      )
    })
    return Effect.uninterruptibleMask((restore) =>
      Effect.catchAllCause(restore(send), (cause) => {
        // Interrupted (or failed some other way) with the request still in flight: cancel it.
        if (!settled) signal.abort()
        return Effect.failCause(cause)
      })
    )
  }

  const port = (input: Api.RequestOf<Name>): Result =>
    Effect.withFiberRuntime<Api.ResponseOf<Name>, Errors.EcrError>((fiber) =>
      // Under Effect's built-in tracer a span goes nowhere, and ours never becomes a parent (the request runs
      // no user code): making one cost more in `bench:aws` than all the rest of the backend's work on a call.
      Tracing.isTraced(fiber)
        ? Effect.useSpan(spanName, spanOptions, (span) => call(input, span))
        : call(input, undefined)
    )
  return port as unknown as Port<Name>
}

/** The two ports over a client. */
export interface AwsBackend {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
}

/** The ports over the client in the environment. */
export const make: Effect.Effect<AwsBackend, never, EcrClientInstance.EcrClientInstance> = Effect.map(
  EcrClientInstance.EcrClientInstance,
  (client) => {
    const handlers = Object.fromEntries(Api.operationNames.map((name) => [name, operation(client, name)]))
    const services = Ports.fromHandlers(handlers as unknown as Ports.Handlers)
    return { scanner: services.ImageScanner, registry: services.ImageRegistry }
  }
)

const portsLayer: Layer.Layer<ImageScanner | ImageRegistry, never, EcrClientInstance.EcrClientInstance> = Layer
  .effectContext(
    Effect.map(
      make,
      (backend) => Ports.context({ ImageScanner: backend.scanner, ImageRegistry: backend.registry })
    )
  )

/** The ports over a client you build (its lifetime is the layer's: it is destroyed with it). */
export const baseLayer = (makeClient: () => Sdk.ECRClient): Layer.Layer<ImageScanner | ImageRegistry> =>
  portsLayer.pipe(Layer.provide(EcrClientInstance.layerFrom(makeClient)))

/**
 * The ports over a client for `config` (the SDK's config; credentials from its default chain unless given).
 *
 * @example
 * ```ts
 * import { AwsBackend } from "@ecr-scan/aws-backend"
 * import { ImageScanner } from "@ecr-scan/core"
 * import { Effect } from "effect"
 *
 * // Real ECR: region and credentials as the SDK finds them (or give them here).
 * const ecr = AwsBackend.layer({ region: "eu-west-1" })
 *
 * // Anything that speaks ECR's protocol, such as the emulator (`npm start`).
 * const emulator = AwsBackend.layer({
 *   region: "us-east-1",
 *   endpoint: "http://127.0.0.1:4510",
 *   credentials: { accessKeyId: "test", secretAccessKey: "test" }
 * })
 *
 * const scan = ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
 * scan.pipe(Effect.provide(process.env.CI ? emulator : ecr), Effect.runPromise)
 * ```
 */
export const layer = (config: Sdk.ECRClientConfig = {}): Layer.Layer<ImageScanner | ImageRegistry> =>
  portsLayer.pipe(Layer.provide(EcrClientInstance.layer(config)))

/** What `layerConfig` reads. */
export interface AwsBackendConfig {
  readonly region: Option.Option<string>
  readonly endpoint: Option.Option<string>
  readonly accessKeyId: Option.Option<Redacted.Redacted>
  readonly secretAccessKey: Option.Option<Redacted.Redacted>
  readonly sessionToken: Option.Option<Redacted.Redacted>
  readonly maxAttempts: Option.Option<number>
}

/**
 * The default configuration, from the usual environment variables: `AWS_REGION`, `AWS_ENDPOINT_URL_ECR`
 * (or `AWS_ENDPOINT_URL`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (secrets as
 * `Redacted`), `AWS_MAX_ATTEMPTS`. Anything absent is left to the SDK's own resolution.
 */
export const defaultConfig: Config.Config<AwsBackendConfig> = Config.all({
  ...SdkConfig.common,
  endpoint: SdkConfig.endpoint("AWS_ENDPOINT_URL_ECR")
})

/** The SDK client config for a resolved `AwsBackendConfig`. */
export const clientConfig = (config: AwsBackendConfig): Sdk.ECRClientConfig => {
  const out: { -readonly [K in keyof Sdk.ECRClientConfig]: Sdk.ECRClientConfig[K] } = {}
  if (Option.isSome(config.region)) out.region = config.region.value
  if (Option.isSome(config.endpoint)) out.endpoint = config.endpoint.value
  if (Option.isSome(config.maxAttempts)) out.maxAttempts = config.maxAttempts.value
  const credentials = SdkConfig.credentials(config)
  if (credentials !== undefined) out.credentials = credentials
  return out
}

/** The ports over a client configured through `effect/Config` (`defaultConfig` unless given). */
export const layerConfig = (
  config: Config.Config<AwsBackendConfig> = defaultConfig
): Layer.Layer<ImageScanner | ImageRegistry, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, (resolved) => layer(clientConfig(resolved))))
