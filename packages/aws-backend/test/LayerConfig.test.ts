/**
 * `layerConfig`: region, endpoint, credentials and attempts from `effect/Config` (here a
 * `ConfigProvider.fromMap`), secrets kept `Redacted`; without credentials the SDK's own chain is left
 * to find them. The client it builds is inspected by intercepting `send` (nothing is sent anywhere).
 */
import * as Sdk from "@aws-sdk/client-ecr"
import { AwsBackend, ScanLimitRetryStrategy } from "@ecr-scan/aws-backend"
import { ImageScanner } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { vi } from "vitest"

const ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
const TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"

const complete = new Map([
  ["AWS_REGION", "eu-west-1"],
  ["AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:4566"],
  ["AWS_ACCESS_KEY_ID", ACCESS_KEY],
  ["AWS_SECRET_ACCESS_KEY", SECRET],
  ["AWS_SESSION_TOKEN", TOKEN],
  ["AWS_MAX_ATTEMPTS", "5"]
])

const fromMap = (map: Map<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(map))

/**
 * Runs one StartImageScan through `layerConfig()` with `send` intercepted, and hands back the client
 * that would have sent it.
 */
const clientOf = (map: Map<string, string>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const clients: Array<Sdk.ECRClient> = []
      const spy = vi.spyOn(Sdk.ECRClient.prototype, "send").mockImplementation(function(this: Sdk.ECRClient) {
        clients.push(this)
        return Promise.resolve({ imageScanStatus: { status: "IN_PROGRESS" }, $metadata: { httpStatusCode: 200 } })
      } as never)
      return { clients, spy }
    }),
    ({ clients }) =>
      Effect.gen(function*() {
        const scanner = yield* ImageScanner
        const response = yield* scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
        expect(response).toStrictEqual({ imageScanStatus: { status: "IN_PROGRESS" } })
        expect(clients).toHaveLength(1)
        return clients[0]
      }).pipe(Effect.provide(AwsBackend.layerConfig()), fromMap(map)),
    ({ spy }) => Effect.sync(() => spy.mockRestore())
  )

describe("AwsBackend.defaultConfig", () => {
  it.effect("reads region, endpoint, credentials and attempts; the secrets stay Redacted", () =>
    Effect.gen(function*() {
      const config = yield* AwsBackend.defaultConfig
      expect(config.region).toStrictEqual(Option.some("eu-west-1"))
      expect(config.endpoint).toStrictEqual(Option.some("http://127.0.0.1:4566"))
      expect(config.maxAttempts).toStrictEqual(Option.some(5))
      for (
        const [secret, value] of [
          [config.accessKeyId, ACCESS_KEY],
          [config.secretAccessKey, SECRET],
          [config.sessionToken, TOKEN]
        ] as const
      ) {
        expect(Option.isSome(secret) && Redacted.isRedacted(secret.value)).toBe(true)
        expect(Option.map(secret, Redacted.value)).toStrictEqual(Option.some(value))
      }
      // Nothing that prints the config shows a secret.
      for (const text of [String(config), JSON.stringify(config), inspect(config, { depth: 10 })]) {
        for (const secret of [ACCESS_KEY, SECRET, TOKEN]) expect(text).not.toContain(secret)
      }
      expect(String(config.secretAccessKey)).toContain("<redacted>")
      expect(JSON.stringify(config)).toContain("<redacted>")
    }).pipe(fromMap(complete)))

  it.effect("falls back to AWS_ENDPOINT_URL; everything absent is None", () =>
    Effect.gen(function*() {
      const fallback = yield* AwsBackend.defaultConfig.pipe(
        fromMap(new Map([["AWS_ENDPOINT_URL", "http://localhost:5000"]]))
      )
      expect(fallback).toStrictEqual({
        region: Option.none(),
        endpoint: Option.some("http://localhost:5000"),
        accessKeyId: Option.none(),
        secretAccessKey: Option.none(),
        sessionToken: Option.none(),
        maxAttempts: Option.none()
      })
    }))

  it.effect("an AWS_MAX_ATTEMPTS that is not an integer is a ConfigError, and so is layerConfig", () =>
    Effect.gen(function*() {
      const map = new Map([["AWS_MAX_ATTEMPTS", "three"]])
      const error = yield* Effect.flip(AwsBackend.defaultConfig).pipe(fromMap(map))
      expect(error._op).toBe("InvalidData")
      const layerError = yield* Effect.flip(Effect.scoped(Layer.build(AwsBackend.layerConfig()))).pipe(fromMap(map))
      expect(layerError._op).toBe("InvalidData")
    }))
})

describe("AwsBackend.clientConfig", () => {
  it.effect("turns the config into the SDK's, credentials included", () =>
    Effect.gen(function*() {
      const config = yield* AwsBackend.defaultConfig
      expect(AwsBackend.clientConfig(config)).toStrictEqual({
        region: "eu-west-1",
        endpoint: "http://127.0.0.1:4566",
        maxAttempts: 5,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, sessionToken: TOKEN }
      })
    }).pipe(fromMap(complete)))

  it.effect("without both keys leaves credentials out (the SDK's default chain finds them)", () =>
    Effect.gen(function*() {
      const regionOnly = yield* AwsBackend.defaultConfig.pipe(fromMap(new Map([["AWS_REGION", "eu-west-1"]])))
      expect(AwsBackend.clientConfig(regionOnly)).toStrictEqual({ region: "eu-west-1" })
      const keyOnly = yield* AwsBackend.defaultConfig.pipe(
        fromMap(new Map([["AWS_REGION", "eu-west-1"], ["AWS_ACCESS_KEY_ID", ACCESS_KEY]]))
      )
      expect("credentials" in AwsBackend.clientConfig(keyOnly)).toBe(false)
    }))
})

describe("AwsBackend.layerConfig", () => {
  it.effect("builds the backend's client from the config", () =>
    Effect.gen(function*() {
      const client = yield* clientOf(complete)
      expect(yield* Effect.promise(() => client.config.region())).toBe("eu-west-1")
      expect(yield* Effect.promise(() => client.config.endpoint!())).toMatchObject({
        protocol: "http:",
        hostname: "127.0.0.1",
        port: 4566
      })
      expect(yield* Effect.promise(() => client.config.credentials())).toMatchObject({
        accessKeyId: ACCESS_KEY,
        secretAccessKey: SECRET,
        sessionToken: TOKEN
      })
      expect(yield* Effect.promise(() => client.config.maxAttempts())).toBe(5)
      // The backend's own client: the scan limit is not retried.
      const strategy = yield* Effect.promise(() => client.config.retryStrategy())
      expect(strategy).toBeInstanceOf(ScanLimitRetryStrategy.ScanLimitRetryStrategy)
    }))

  it.effect("without credentials in the config, the client is built without them", () =>
    Effect.gen(function*() {
      const client = yield* clientOf(new Map([["AWS_REGION", "ap-southeast-2"]]))
      expect(yield* Effect.promise(() => client.config.region())).toBe("ap-southeast-2")
      // The SDK's default chain (environment, shared files, SSO, IMDS ...) is the provider; it is not
      // called here, so nothing is looked up.
      expect(typeof client.config.credentials).toBe("function")
      expect(client.config.isCustomEndpoint).toBe(false)
    }))
})
