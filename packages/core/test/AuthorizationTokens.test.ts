import { AuthorizationTokens } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

describe("AuthorizationTokens", () => {
  it("the token is base64 of AWS:<password>, expiring 12 hours after it is issued", () => {
    fc.assert(fc.property(
      fc.string({ minLength: 1 }).filter((s) => !/\s/.test(s)),
      fc.integer({ min: 0, max: 4_000_000_000_000 }),
      (password, now) => {
        const data = AuthorizationTokens.authorizationData(password, now, "https://e")
        expect(Buffer.from(data.authorizationToken, "base64").toString("utf8")).toBe(`AWS:${password}`)
        expect(data.authorizationToken).toMatch(/^\S+$/)
        expect(data.expiresAt.getTime() - now).toBe(12 * 60 * 60 * 1000)
        expect(data.proxyEndpoint).toBe("https://e")
        expect(AuthorizationTokens.decodeToken(data.authorizationToken)).toStrictEqual({ userName: "AWS", password })
      }
    ))
  })

  it("the endpoint of a registry is https://<account>.dkr.ecr.<region>.amazonaws.com", () => {
    expect(AuthorizationTokens.proxyEndpoint("123456789012", "eu-west-1")).toBe(
      "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    )
  })

  it("a token that is not base64 of <user>:<password> decodes to undefined", () => {
    expect(AuthorizationTokens.decodeToken("not base64!")).toBeUndefined()
    expect(AuthorizationTokens.decodeToken(Buffer.from("no colon").toString("base64"))).toBeUndefined()
  })
})
