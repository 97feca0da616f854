import { FaultPlan } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"

describe("FaultPlan", () => {
  it("resolves a bare plan to one ServerException with the house message", () => {
    expect(FaultPlan.resolve({ operation: "StartImageScan" })).toStrictEqual(Either.right({
      operation: "StartImageScan",
      error: "ServerException",
      message: "An internal error occurred.",
      remaining: 1,
      probability: 1
    }))
  })

  it("makes a plan with a probability and no count unlimited", () => {
    const plan = Either.getOrThrow(
      FaultPlan.resolve({ operation: "*", probability: 0.25, error: "ThrottlingException" })
    )
    expect(plan).toStrictEqual({
      operation: "*",
      error: "ThrottlingException",
      message: "Injected ThrottlingException",
      remaining: FaultPlan.UNLIMITED,
      probability: 0.25
    })
  })

  it("refuses a probability outside 0..1, a count that is not a positive integer and an unknown operation", () => {
    expect(FaultPlan.resolve({ operation: "*", probability: 1.5 })).toStrictEqual(
      Either.left("probability must be between 0 and 1, got 1.5")
    )
    expect(FaultPlan.resolve({ operation: "*", count: 0 })).toStrictEqual(
      Either.left("count must be a positive integer, got 0")
    )
    expect(FaultPlan.resolve({ operation: "*", count: 1.5 })).toStrictEqual(
      Either.left("count must be a positive integer, got 1.5")
    )
    expect(FaultPlan.resolve({ operation: "PushImage" })).toStrictEqual(Either.left("unknown operation 'PushImage'"))
  })

  it("refuses a modelled error that the operation cannot return, and accepts one it can", () => {
    expect(FaultPlan.resolve({ operation: "CreateRepository", error: "LimitExceededException" })).toStrictEqual(
      Either.right({
        operation: "CreateRepository",
        error: "LimitExceededException",
        message: "Injected LimitExceededException",
        remaining: 1,
        probability: 1
      })
    )
    expect(FaultPlan.resolve({ operation: "DescribeImages", error: "LimitExceededException" })).toStrictEqual(
      Either.left(
        "LimitExceededException is not an error of DescribeImages; an unmodelled code (such as ThrottlingException) " +
          "arrives as UnknownEcrError"
      )
    )
  })

  it("decodes a plan with any operation name, leaving the check to resolve", () => {
    expect(Schema.decodeUnknownSync(FaultPlan.FaultPlanInput)({ operation: "Nope", count: 2 })).toStrictEqual({
      operation: "Nope",
      count: 2
    })
  })
})
