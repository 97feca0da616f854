/**
 * The SDK client, as a scoped service: created when the layer is built, destroyed (its sockets
 * closed) when the layer's scope closes.
 *
 * @since 0.1.0
 */
import { ECRClient, type ECRClientConfig } from "@aws-sdk/client-ecr"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ScanLimitRetryStrategy from "./ScanLimitRetryStrategy.js"

/** The ECRClient the backend sends through. */
export class EcrClientInstance extends Context.Tag("@ecr-scan/aws-backend/EcrClientInstance")<
  EcrClientInstance,
  ECRClient
>() {}

/**
 * The client for `config`. Unless the config brings its own `retryStrategy`, the SDK's standard
 * strategy (with `maxAttempts` and `retryMode` as given) is wrapped so ECR's LimitExceededException
 * is not retried as throttling.
 */
export const make = (config: ECRClientConfig = {}): ECRClient =>
  new ECRClient(
    config.retryStrategy === undefined
      ? { ...config, retryStrategy: ScanLimitRetryStrategy.fromConfig(config) }
      : config
  )

/** A scoped layer of a client built by `makeClient`. */
export const layerFrom = (makeClient: () => ECRClient): Layer.Layer<EcrClientInstance> =>
  Layer.scoped(
    EcrClientInstance,
    Effect.acquireRelease(Effect.sync(makeClient), (client) => Effect.sync(() => client.destroy()))
  )

/** A scoped layer of the client for `config`. */
export const layer = (config: ECRClientConfig = {}): Layer.Layer<EcrClientInstance> => layerFrom(() => make(config))
