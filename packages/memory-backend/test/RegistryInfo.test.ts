/**
 * DescribeRegistry and GetAuthorizationToken on the memory backend: the registry's id with an empty
 * replication configuration (no replication is modelled), and a base64 `AWS:<password>` token that expires
 * 12 hours after it was issued on the registry's clock, with a password that is a function of the seed and the
 * instant only, and the registry's endpoint.
 */
import { AuthorizationTokens, ImageRegistry } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ACCOUNT, at, HOUR, refusedWithoutChange, registry, T0 } from "./fixtures.js"

const ENDPOINT = `https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`

const decoded = (token: string | undefined) => Buffer.from(token ?? "", "base64").toString("utf8")

const tokenAt = (offset: number, seed?: string) =>
  Effect.gen(function*() {
    yield* at(offset)
    return yield* ImageRegistry.getAuthorizationToken({})
  }).pipe(Effect.provide(registry(seed === undefined ? {} : { seed })))

describe("DescribeRegistry", () => {
  it.effect("answers the registry's id and no replication rules", () =>
    Effect.gen(function*() {
      expect(yield* ImageRegistry.describeRegistry({})).toStrictEqual({
        registryId: ACCOUNT,
        replicationConfiguration: { rules: [] }
      })
    }).pipe(Effect.provide(registry())))
})

describe("GetAuthorizationToken", () => {
  it.effect("a base64 AWS:<password> token, valid 12 hours on the registry's clock, for the registry's endpoint", () =>
    Effect.gen(function*() {
      const { authorizationData } = yield* tokenAt(HOUR)
      expect(authorizationData).toHaveLength(1)
      const [data] = authorizationData!
      expect(data.proxyEndpoint).toBe(ENDPOINT)
      expect(data.expiresAt).toStrictEqual(new Date(T0 + HOUR + 12 * HOUR))
      expect(data.authorizationToken).toMatch(/^\S+$/)
      const text = decoded(data.authorizationToken)
      expect(text.startsWith("AWS:")).toBe(true)
      expect(text.length).toBeGreaterThan("AWS:".length + 16)
      expect(AuthorizationTokens.decodeToken(data.authorizationToken!)).toStrictEqual({
        userName: "AWS",
        password: text.slice(4)
      })
    }))

  it.effect("the password is a function of the seed and the instant: same inputs, same token", () =>
    Effect.gen(function*() {
      const first = yield* tokenAt(HOUR)
      const again = yield* tokenAt(HOUR)
      const later = yield* tokenAt(2 * HOUR)
      const otherSeed = yield* tokenAt(HOUR, "another seed")
      const token = (r: typeof first) => r.authorizationData![0].authorizationToken
      expect(token(again)).toBe(token(first))
      expect(token(later)).not.toBe(token(first))
      expect(token(otherSeed)).not.toBe(token(first))
    }))

  it.effect("the deprecated registryIds is accepted: one authorization per registry id", () =>
    Effect.gen(function*() {
      yield* at(0)
      const { authorizationData } = yield* ImageRegistry.getAuthorizationToken({
        registryIds: [ACCOUNT, "210987654321"]
      })
      expect(authorizationData!.map((d) => d.proxyEndpoint)).toStrictEqual([
        ENDPOINT,
        "https://210987654321.dkr.ecr.us-east-1.amazonaws.com"
      ])
      expect(authorizationData!.every((d) => d.expiresAt!.getTime() === T0 + 12 * HOUR)).toBe(true)
    }).pipe(Effect.provide(registry())))

  it.effect("registryIds out of the model's constraints is InvalidParameterException in AWS's words", () =>
    Effect.gen(function*() {
      expect(yield* refusedWithoutChange(ImageRegistry.getAuthorizationToken({ registryIds: [] }))).toStrictEqual({
        _tag: "InvalidParameterException",
        message: "Invalid parameter at 'registryIds' failed to satisfy constraint: " +
          "'must have length greater than or equal to 1'"
      })
      expect(yield* refusedWithoutChange(ImageRegistry.getAuthorizationToken({ registryIds: ["12"] })))
        .toMatchObject({ _tag: "InvalidParameterException" })
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.getAuthorizationToken({ registryIds: Array.from({ length: 11 }, () => ACCOUNT) })
        )
      ).toMatchObject({ _tag: "InvalidParameterException" })
    }).pipe(Effect.provide(registry())))
})
