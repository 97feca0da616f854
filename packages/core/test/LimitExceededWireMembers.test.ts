import { Errors } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"

describe("LimitExceededWireMembers", () => {
  it("writes which limit and the next eligible instant in epoch seconds, milliseconds kept", () => {
    const error = Errors.perImageLimitExceeded(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 123)))
    expect(Errors.limitExceededWireMembers(error)).toStrictEqual({ limit: "PER_IMAGE", nextEligibleAt: 1767225600.123 })
  })

  it("writes nothing for a LimitExceededException that carries neither member", () => {
    expect(Errors.limitExceededWireMembers(new Errors.LimitExceededException({ message: "quota" }))).toStrictEqual({})
  })

  it("reads back what it writes", () => {
    const error = Errors.accountQuotaExceeded("123456789012", { limit: 5, windowHours: 24 }, new Date(1767225600123))
    const body = JSON.parse(JSON.stringify(Errors.limitExceededWireMembers(error)))
    expect(Errors.fromLimitExceededWireMembers(body)).toStrictEqual({
      limit: "ACCOUNT_QUOTA",
      nextEligibleAt: new Date(1767225600123)
    })
  })

  it("treats a member that does not decode as absent, each on its own", () => {
    expect(Errors.fromLimitExceededWireMembers({ limit: "SOMETHING_ELSE", nextEligibleAt: 12.5 })).toStrictEqual({
      nextEligibleAt: new Date(12_500)
    })
    expect(Errors.fromLimitExceededWireMembers({ limit: "PER_IMAGE", nextEligibleAt: "tomorrow" })).toStrictEqual({
      limit: "PER_IMAGE"
    })
    expect(Errors.fromLimitExceededWireMembers({})).toStrictEqual({})
  })
})
