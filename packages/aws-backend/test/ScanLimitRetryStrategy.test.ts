/**
 * The retry strategy on its own: it refuses to retry LimitExceededException (with the original error,
 * which the SDK then throws) without asking the strategy it wraps, delegates everything else, and
 * `fromConfig` wraps the SDK's strategy for the config's mode and attempts.
 */
import { ECRServiceException, LimitExceededException } from "@aws-sdk/client-ecr"
import { ScanLimitRetryStrategy } from "@ecr-scan/aws-backend"
import { describe, expect, it } from "@effect/vitest"
import { AdaptiveRetryStrategy, StandardRetryStrategy } from "@smithy/core/retry"
import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken, SdkError } from "@smithy/types"
import { afterEach, vi } from "vitest"

const token = (retryCount: number): RetryToken => ({
  getRetryCount: () => retryCount,
  getRetryDelay: () => 0
})

/** A strategy that records what it is asked and always grants a retry. */
class RecordingStrategy implements RetryStrategyV2 {
  readonly calls: Array<string> = []
  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    this.calls.push(`acquire ${scope}`)
    return Promise.resolve(token(0))
  }
  refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    this.calls.push(`refresh ${info.error?.name} ${info.errorType}`)
    return Promise.resolve(token(previous.getRetryCount() + 1))
  }
  recordSuccess(): void {
    this.calls.push("success")
  }
}

/** What the retry middleware hands the strategy for `error`. */
const info = (error: unknown, errorType: RetryErrorType): RetryErrorInfo => ({ error: error as SdkError, errorType })

const limitExceeded = new LimitExceededException({
  message: "The scan quota per image has been exceeded. Wait and try again.",
  $metadata: { httpStatusCode: 400 }
})
// ECR models no throttling error: the SDK builds its base exception with the code as the name.
const throttling = new ECRServiceException({
  name: "ThrottlingException",
  message: "Rate exceeded",
  $fault: "client",
  $metadata: { httpStatusCode: 400 }
})

describe("ScanLimitRetryStrategy", () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it("never retries LimitExceededException: the refresh rejects with the original error, the inner strategy is not asked", async () => {
    const inner = new RecordingStrategy()
    const strategy = new ScanLimitRetryStrategy.ScanLimitRetryStrategy(inner)
    expect(ScanLimitRetryStrategy.NOT_RETRIED.has("LimitExceededException")).toBe(true)
    const first = await strategy.acquireInitialRetryToken("us-east-1")
    await expect(strategy.refreshRetryTokenForRetry(first, info(limitExceeded, "THROTTLING")))
      .rejects.toBe(limitExceeded)
    expect(inner.calls).toStrictEqual(["acquire us-east-1"])
  })

  it("hands every other error to the strategy it wraps", async () => {
    const inner = new RecordingStrategy()
    const strategy = new ScanLimitRetryStrategy.ScanLimitRetryStrategy(inner)
    const first = await strategy.acquireInitialRetryToken("")
    const second = await strategy.refreshRetryTokenForRetry(first, info(throttling, "THROTTLING"))
    expect(second.getRetryCount()).toBe(1)
    const serverError = Object.assign(new Error("internal"), { name: "ServerException" })
    await strategy.refreshRetryTokenForRetry(second, info(serverError, "TRANSIENT"))
    await strategy.refreshRetryTokenForRetry(second, { errorType: "CLIENT_ERROR" })
    strategy.recordSuccess(second)
    expect(inner.calls).toStrictEqual([
      "acquire ",
      "refresh ThrottlingException THROTTLING",
      "refresh ServerException TRANSIENT",
      "refresh undefined CLIENT_ERROR",
      "success"
    ])
  })

  it("the real standard strategy, wrapped, still retries throttling and refuses the scan limit", async () => {
    const strategy = new ScanLimitRetryStrategy.ScanLimitRetryStrategy(
      new StandardRetryStrategy({ maxAttempts: 3, baseDelay: 0 })
    )
    const first = await strategy.acquireInitialRetryToken("")
    // A transient error with base delay 0 retries at once.
    const serverError = Object.assign(new Error("internal"), {
      name: "ServerException",
      $metadata: { httpStatusCode: 500 }
    })
    const second = await strategy.refreshRetryTokenForRetry(first, info(serverError, "TRANSIENT"))
    expect(second.getRetryCount()).toBe(1)
    await expect(strategy.refreshRetryTokenForRetry(second, info(limitExceeded, "THROTTLING")))
      .rejects.toBe(limitExceeded)
  })

  describe("fromConfig", () => {
    it("wraps the standard strategy with the config's maxAttempts", async () => {
      const strategy = ScanLimitRetryStrategy.fromConfig({ maxAttempts: 5 })
      expect(strategy.inner).toBeInstanceOf(StandardRetryStrategy)
      expect(strategy.inner).not.toBeInstanceOf(AdaptiveRetryStrategy)
      expect(await (strategy.inner as StandardRetryStrategy).maxAttempts()).toBe(5)
    })

    it("wraps the adaptive strategy for retryMode adaptive, and takes maxAttempts as a provider", async () => {
      const strategy = ScanLimitRetryStrategy.fromConfig({
        retryMode: "adaptive",
        maxAttempts: () => Promise.resolve(7)
      })
      expect(strategy.inner).toBeInstanceOf(AdaptiveRetryStrategy)
      expect(await (strategy.inner as AdaptiveRetryStrategy).maxAttemptsProvider()).toBe(7)
    })

    it("reads AWS_MAX_ATTEMPTS and AWS_RETRY_MODE when the config does not say", async () => {
      vi.stubEnv("AWS_MAX_ATTEMPTS", "4")
      vi.stubEnv("AWS_RETRY_MODE", "adaptive")
      const strategy = ScanLimitRetryStrategy.fromConfig({})
      expect(strategy.inner).toBeInstanceOf(AdaptiveRetryStrategy)
      expect(await (strategy.inner as AdaptiveRetryStrategy).maxAttemptsProvider()).toBe(4)
      vi.stubEnv("AWS_RETRY_MODE", "standard")
      const standard = ScanLimitRetryStrategy.fromConfig({})
      expect(await (standard.inner as StandardRetryStrategy).maxAttempts()).toBe(4)
    })

    it("falls back to the SDK's default of 3 attempts", async () => {
      vi.stubEnv("AWS_MAX_ATTEMPTS", "not a number")
      const strategy = ScanLimitRetryStrategy.fromConfig({})
      expect(await (strategy.inner as StandardRetryStrategy).maxAttempts()).toBe(3)
    })
  })
})
