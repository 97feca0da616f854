import { Durations, Wire } from "@ecr-scan/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"

describe("Durations", () => {
  it("reads scan durations in short, long and millisecond forms", () => {
    expect(Durations.parseDuration("500ms")).toEqual(Either.right(500))
    expect(Durations.parseDuration("5s")).toEqual(Either.right(5_000))
    expect(Durations.parseDuration("2m")).toEqual(Either.right(120_000))
    expect(Durations.parseDuration("5 seconds")).toEqual(Either.right(5_000))
    expect(Durations.parseDuration("750")).toEqual(Either.right(750))
    expect(Either.isLeft(Durations.parseDuration("soon"))).toBe(true)
  })

  it("reads sums of parts, with or without spaces", () => {
    expect(Durations.parseDuration("1h30m")).toEqual(Either.right(5_400_000))
    expect(Durations.parseDuration("23 hours 59 minutes")).toEqual(Either.right(86_340_000))
    expect(Either.isLeft(Durations.parseDuration("5 bananas"))).toBe(true)
  })

  it("reads a range of scan durations and refuses one that runs backwards", () => {
    expect(Durations.parseDurationRange("3s..8s")).toEqual(Either.right({ min: 3_000, max: 8_000 }))
    expect(Durations.parseDurationRange("5s")).toEqual(Either.right({ min: 5_000, max: 5_000 }))
    expect(Either.isLeft(Durations.parseDurationRange("8s..3s"))).toBe(true)
  })
})

describe("Wire", () => {
  it("reads the operation from ECR's target and nothing from any other", () => {
    expect(Wire.operationOf("AmazonEC2ContainerRegistry_V20150921.StartImageScan")).toBe("StartImageScan")
    expect(Wire.operationOf("AmazonEC2ContainerRegistry_V20150921.")).toBeUndefined()
    expect(Wire.operationOf("DynamoDB_20120810.GetItem")).toBeUndefined()
    expect(Wire.operationOf(undefined)).toBeUndefined()
  })

  it("answers ServerException with 500 and every other modelled error with 400", async () => {
    const { Errors } = await import("@ecr-scan/core")
    const server = Wire.failureReply(Errors.server("boom"))
    expect(server.status).toBe(500)
    expect(JSON.parse(server.body)).toEqual({ __type: "ServerException", message: "boom" })
    const limit = Wire.failureReply(Errors.perImageLimitExceeded(new Date(0)))
    expect(limit.status).toBe(400)
    expect(JSON.parse(limit.body)).toEqual({
      __type: "LimitExceededException",
      message: Errors.PER_IMAGE_LIMIT_MESSAGE,
      limit: "PER_IMAGE",
      nextEligibleAt: 0
    })
  })
})
