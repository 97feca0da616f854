/**
 * The SDK classifies every `LimitExceededException` as throttling and retries it with backoff. For
 * ECR that is wasted time: the per-image limit lasts 24 hours and the account quota as long, so a retry
 * seconds later fails the same way. This strategy delegates to the SDK's own and refuses to retry
 * that one error; everything else (throttling proper, 5xx, timeouts) is retried as the SDK decides.
 *
 * To change retries, pass `maxAttempts` and `retryMode` in the client config as usual; pass a
 * `retryStrategy` of your own to replace this one entirely.
 *
 * @since 0.1.0
 */
import type { ECRClientConfig } from "@aws-sdk/client-ecr"
import { AdaptiveRetryStrategy, DEFAULT_MAX_ATTEMPTS, StandardRetryStrategy } from "@smithy/core/retry"
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from "@smithy/types"

/** Errors never retried, whatever the SDK's classification. */
export const NOT_RETRIED: ReadonlySet<string> = new Set(["LimitExceededException"])

/** A retry strategy that never retries the errors of `NOT_RETRIED`. */
export class ScanLimitRetryStrategy implements RetryStrategyV2 {
  constructor(readonly inner: RetryStrategyV2) {}
  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope)
  }
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const name = errorInfo.error?.name
    if (name !== undefined && NOT_RETRIED.has(name)) {
      // Rejecting the refresh makes the SDK give up and throw the original error.
      return Promise.reject(errorInfo.error)
    }
    return this.inner.refreshRetryTokenForRetry(token, errorInfo)
  }
  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token)
  }
}

const maxAttemptsOf = (config: ECRClientConfig) => {
  const value = config.maxAttempts
  if (typeof value === "number") return () => Promise.resolve(value)
  if (typeof value === "function") return value
  const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS)
  return () => Promise.resolve(Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS)
}

/** The SDK's strategy for the config's `retryMode` and `maxAttempts`, wrapped. */
export const fromConfig = (config: ECRClientConfig): ScanLimitRetryStrategy => {
  const mode = typeof config.retryMode === "string" ? config.retryMode : process.env.AWS_RETRY_MODE
  const maxAttempts = maxAttemptsOf(config)
  return new ScanLimitRetryStrategy(
    mode === "adaptive" ? new AdaptiveRetryStrategy(maxAttempts) : new StandardRetryStrategy(maxAttempts)
  )
}
