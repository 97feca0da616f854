import { Errors } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Equal, Exit } from "effect"

const names = Object.keys(Errors.ServiceErrors) as Array<Errors.ServiceErrorName>
const where = { registryId: "900915535335", repositoryName: "otchealth-mcp-gateway" }

describe("Errors", () => {
  it("every service error's _tag is its AWS name, on the class and on instances", () => {
    for (const name of names) {
      const Class = Errors.ServiceErrors[name]
      expect(Class._tag).toBe(name)
      expect(new Class({ message: "m" })._tag).toBe(name)
      expect(Errors.unsafeMake(Class, { message: "m" })._tag).toBe(name)
    }
  })

  it("unsafeMake builds instances of the class and of Error, with the given fields", () => {
    for (const name of names) {
      const Class = Errors.ServiceErrors[name]
      const error = Errors.unsafeMake(Class, { message: `${name} happened` })
      expect(error).toBeInstanceOf(Class)
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toBe(`${name} happened`)
    }
  })

  it.effect("an error built by unsafeMake can be caught with Effect.catchTag", () =>
    Effect.gen(function*() {
      const program = Effect.fail(Errors.perImageLimitExceeded(new Date(0))).pipe(
        Effect.catchTag("LimitExceededException", (e) => Effect.succeed(`${e.limit}: ${e.message}`))
      )
      expect(yield* program).toBe("PER_IMAGE: The scan quota per image has been exceeded. Wait and try again.")
    }))

  it.effect("a service error yielded in a generator fails the effect with that error", () =>
    Effect.gen(function*() {
      const error = Errors.repositoryNotFound(where)
      const exit = yield* Effect.exit(Effect.gen(function*() {
        return yield* error
      }))
      expect(exit).toEqual(Exit.fail(error))
    }))

  it("an error a rule builds equals the same error a test constructs", () => {
    const at = new Date(Date.UTC(2026, 10, 25))
    const built = Errors.perImageLimitExceeded(at)
    const constructed = new Errors.LimitExceededException({
      message: Errors.PER_IMAGE_LIMIT_MESSAGE,
      limit: "PER_IMAGE",
      nextEligibleAt: at
    })
    expect(built).toEqual(constructed)
    expect(Equal.equals(built, constructed)).toBe(true)
    expect(Object.prototype.toString.call(built)).toBe("[object Error]")
    expect(built.stack).toBe(`LimitExceededException: ${Errors.PER_IMAGE_LIMIT_MESSAGE}`)
    expect(JSON.parse(JSON.stringify(built))).toEqual(JSON.parse(JSON.stringify(constructed)))
    expect(built).not.toEqual(Errors.perImageLimitExceeded(new Date(at.getTime() + 1)))
  })

  it("a constructed error validates its fields; unsafeMake does not need to", () => {
    expect(() => new Errors.LimitExceededException({ message: "m", limit: "BOTH" as any })).toThrow()
    expect(new Errors.LimitExceededException({ message: "m", limit: "ACCOUNT_QUOTA" }).limit).toBe("ACCOUNT_QUOTA")
  })

  it("httpStatus is 500 for ServerException and 400 for every other service error", () => {
    for (const name of names) expect(Errors.httpStatus(name)).toBe(name === "ServerException" ? 500 : 400)
  })

  it("fromName builds the modelled error of a wire name, and nothing for unknown names", () => {
    const error = Errors.fromName("ScanNotFoundException", "no scan")
    expect(error).toBeInstanceOf(Errors.ScanNotFoundException)
    expect(error?.message).toBe("no scan")
    expect(Errors.fromName("ThrottlingException", "Rate exceeded")).toBeUndefined()
    expect(Errors.fromName("constructor", "x")).toBeUndefined()
    expect(Errors.isServiceErrorName("toString")).toBe(false)
  })

  describe("messages in AWS's words", () => {
    it("RepositoryNotFoundException names the repository and the registry", () => {
      expect(Errors.repositoryNotFound(where).message).toBe(
        "The repository with name 'otchealth-mcp-gateway' does not exist in the registry with id '900915535335'"
      )
    })

    it("ImageNotFoundException puts the digest first, null for the part not given, no quotes around the braces", () => {
      expect(Errors.imageNotFound(where, { imageTag: "28f3d25" }).message).toBe(
        "The image with imageId {imageDigest:'null', imageTag:'28f3d25'} does not exist within the repository " +
          "with name 'otchealth-mcp-gateway' in the registry with id '900915535335'"
      )
    })

    it("ScanNotFoundException puts quotes around the braces", () => {
      const digest = "sha256:" + "0".repeat(64)
      expect(
        Errors.scanNotFound({ registryId: "123456789012", repositoryName: "repo" }, { imageDigest: digest })
          .message
      ).toBe(
        `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' ` +
          "in the repository with name 'repo' in the registry with id '123456789012'"
      )
    })

    it("per-image LimitExceededException carries the limit and when the image is next eligible", () => {
      const at = new Date(Date.UTC(2026, 0, 2))
      const error = Errors.perImageLimitExceeded(at)
      expect(error).toBeInstanceOf(Errors.LimitExceededException)
      expect(error.message).toBe("The scan quota per image has been exceeded. Wait and try again.")
      expect(error.limit).toBe("PER_IMAGE")
      expect(error.nextEligibleAt).toEqual(at)
    })

    it("account-quota LimitExceededException names the quota", () => {
      const error = Errors.accountQuotaExceeded("123456789012", { limit: 100_000, windowHours: 24 }, new Date(0))
      expect(error.limit).toBe("ACCOUNT_QUOTA")
      expect(error.message).toBe(
        "The basic scan quota of 100000 scans per 24 hours for the registry with id '123456789012' " +
          "has been exceeded. Wait and try again."
      )
    })

    it("UnsupportedImageTypeException names the media type", () => {
      expect(Errors.unsupportedImageType("application/vnd.oci.image.index.v1+json").message).toBe(
        "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned. " +
          "For more information, see the Amazon ECR documentation."
      )
    })

    it("access to another account's registry is an UnknownEcrError with code AccessDeniedException", () => {
      const error = Errors.accessDenied("StartImageScan", { accountId: "123456789012", region: "us-east-1" }, where)
      expect(error).toBeInstanceOf(Errors.UnknownEcrError)
      expect(error.code).toBe("AccessDeniedException")
      expect(error.message).toContain("arn:aws:ecr:us-east-1:900915535335:repository/otchealth-mcp-gateway")
    })
  })
})
