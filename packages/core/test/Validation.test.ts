import { Api, Constraints, FastCodecs, ScanModel, Validation } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"

const validateStart = Validation.validator(Api.StartImageScanRequest, FastCodecs.isStartImageScanRequest)
const validateDescribe = Validation.validator(
  Api.DescribeImageScanFindingsRequest,
  FastCodecs.isDescribeImageScanFindingsRequest
)

/** The pattern of spec section 2.1, written as the model writes it. */
const REPOSITORY_NAME_PATTERN = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"
/** The same pattern as ECR quotes it in its messages, `/` unescaped (spec section 4). */
const REPOSITORY_NAME_TEXT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"

const message = (member: string, constraint: string) =>
  `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`

const NAME_REGEX_TEXT = `must satisfy regular expression '${REPOSITORY_NAME_TEXT}'`
const REGISTRY_ID_TEXT = "must satisfy regular expression [0-9]{12}"
const DIGEST_TEXT = "image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"

// ---------------------------------------------------------------------------------------------------------------
// Generators of valid members

const word = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9]{1,${max}}$`))
const separator = fc.constantFrom(".", "_", "__", "-", "--", "----")
const component = (max: number) =>
  fc.tuple(word(max), fc.array(fc.tuple(separator, word(max)), { maxLength: 4 }))
    .map(([first, rest]) => first + rest.map(([s, w]) => s + w).join(""))

/** Names of the current pattern, 2..256 characters: short structured ones, long ones, and the pattern's own. */
const repositoryName: fc.Arbitrary<string> = fc.oneof(
  fc.array(component(8), { minLength: 1, maxLength: 4 }).map((cs) => cs.join("/")),
  fc.array(component(60), { minLength: 1, maxLength: 6 }).map((cs) => cs.join("/")),
  fc.stringMatching(new RegExp(`^${REPOSITORY_NAME_PATTERN}$`)),
  fc.stringMatching(/^[a-z0-9]{256}$/)
).filter((name) => name.length >= 2 && name.length <= 256)

const registryId = fc.stringMatching(/^[0-9]{12}$/)
const imageDigest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`)
const imageTag = fc.string({ minLength: 1, maxLength: 300 })

const imageId: fc.Arbitrary<{ imageDigest?: string; imageTag?: string }> = fc.oneof(
  imageDigest.map((d) => ({ imageDigest: d })),
  imageTag.map((t) => ({ imageTag: t })),
  fc.tuple(imageDigest, imageTag).map(([d, t]) => ({ imageDigest: d, imageTag: t }))
)

interface StartRequest {
  registryId?: string
  repositoryName: string
  imageId: { imageDigest?: string; imageTag?: string }
}

const startRequest: fc.Arbitrary<StartRequest> = fc.record(
  { registryId, repositoryName, imageId },
  { requiredKeys: ["repositoryName", "imageId"] }
)

const describeRequest = fc.record(
  {
    registryId,
    repositoryName,
    imageId,
    nextToken: fc.string({ minLength: 1, maxLength: 4096 }),
    maxResults: fc.integer({ min: 1, max: 1000 })
  },
  { requiredKeys: ["repositoryName", "imageId"] }
)

// ---------------------------------------------------------------------------------------------------------------
// Mutations: one member of a valid request made invalid, with the member and constraint ECR names

interface Mutation {
  readonly input: unknown
  readonly member: string
  readonly constraint: string
}

const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1)

const mutation = (base: fc.Arbitrary<StartRequest>): fc.Arbitrary<Mutation> =>
  fc.oneof(
    // an upper-case or illegal character somewhere in the name
    fc.tuple(base, fc.nat(), fc.constantFrom("A", "Z", "!", " ", "#", "é", "*")).map(([r, i, c]) => ({
      input: { ...r, repositoryName: replaceAt(r.repositoryName, i % r.repositoryName.length, c) },
      member: "repositoryName",
      constraint: NAME_REGEX_TEXT
    })),
    fc.tuple(base, fc.stringMatching(/^[a-z0-9]$/)).map(([r, name]) => ({
      input: { ...r, repositoryName: name },
      member: "repositoryName",
      constraint: "must have length greater than or equal to 2"
    })),
    fc.tuple(base, fc.stringMatching(/^[a-z0-9]{257,320}$/)).map(([r, name]) => ({
      input: { ...r, repositoryName: name },
      member: "repositoryName",
      constraint: "must have length less than or equal to 256"
    })),
    fc.tuple(
      base,
      fc.oneof(
        fc.stringMatching(/^[0-9]{11}$/),
        fc.stringMatching(/^[0-9]{13}$/),
        fc.stringMatching(/^[0-9]{0,6}[a-zA-Z .:_-][0-9]{0,6}$/),
        fc.constant("")
      )
    ).map(([r, id]) => ({ input: { ...r, registryId: id }, member: "registryId", constraint: REGISTRY_ID_TEXT })),
    base.map((r) => ({
      input: { ...r, imageId: { ...r.imageId, imageTag: "" } },
      member: "imageId.imageTag",
      constraint: "must have length greater than or equal to 1"
    })),
    fc.tuple(base, fc.string({ minLength: 301, maxLength: 400 })).map(([r, tag]) => ({
      input: { ...r, imageId: { ...r.imageId, imageTag: tag } },
      member: "imageId.imageTag",
      constraint: "must have length less than or equal to 300"
    })),
    fc.tuple(
      base,
      fc.oneof(
        fc.constantFrom("garbage", "sha256:", ":abc", "sha256:abc:def", "sha256 :abc", ""),
        imageDigest.map((d) => `${d}g`),
        imageDigest.map((d) => d.replace(":", "")),
        imageDigest.map((d) => `${d} `)
      )
    ).map(([r, digest]) => ({
      input: { ...r, imageId: { ...r.imageId, imageDigest: digest } },
      member: "imageId.imageDigest",
      constraint: DIGEST_TEXT
    })),
    base.map((r) => ({
      input: { ...r, imageId: {} },
      member: "imageId",
      constraint: "both tag and digest cannot be null"
    })),
    base.map(({ repositoryName: _, ...r }) => ({ input: r, member: "repositoryName", constraint: "must not be null" })),
    base.map(({ imageId: _, ...r }) => ({ input: r, member: "imageId", constraint: "must not be null" })),
    fc.tuple(base, fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant(["app"]))).map((
      [r, value]
    ) => ({ input: { ...r, repositoryName: value }, member: "repositoryName", constraint: "must be a string" })),
    fc.tuple(base, fc.oneof(fc.integer(), fc.boolean())).map(([r, value]) => ({
      input: { ...r, registryId: value },
      member: "registryId",
      constraint: "must be a string"
    })),
    fc.tuple(base, fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([]))).map(([r, value]) => ({
      input: { ...r, imageId: value },
      member: "imageId",
      constraint: "must be an object"
    })),
    fc.tuple(base, fc.oneof(fc.integer(), fc.boolean(), fc.constant({}))).map(([r, value]) => ({
      input: { ...r, imageId: { ...r.imageId, imageTag: value } },
      member: "imageId.imageTag",
      constraint: "must be a string"
    }))
  )

const rejection = (result: Either.Either<unknown, { readonly _tag: string; readonly message: string }>) => {
  expect(Either.isLeft(result)).toBe(true)
  const error = (result as Either.Left<{ readonly _tag: string; readonly message: string }, unknown>).left
  return { _tag: error._tag, message: error.message }
}

describe("Validation", () => {
  describe("valid requests", () => {
    it.prop("every well-formed StartImageScan request is accepted as it is", [startRequest], ([request]) => {
      expect(validateStart(request)).toEqual(Either.right(request))
    }, { fastCheck: { numRuns: 300 } })

    it.prop("every well-formed DescribeImageScanFindings request is accepted", [describeRequest], ([request]) => {
      expect(validateDescribe(request)).toEqual(Either.right(request))
    }, { fastCheck: { numRuns: 200 } })

    it.prop("a well-formed DescribeImageScanFindings request is also a valid StartImageScan target", [
      describeRequest
    ], ([{ registryId, repositoryName, imageId }]) => {
      const request = registryId === undefined ? { repositoryName, imageId } : { registryId, repositoryName, imageId }
      expect(Either.isRight(validateStart(request))).toBe(true)
    })

    it("the current pattern admits runs of '-' and double underscores", () => {
      for (const name of ["a--b", "a__b", "a---b", "a.b/c_d", "team/app--v2__x", "ab", "a".repeat(256)]) {
        expect(Either.isRight(validateStart({ repositoryName: name, imageId: { imageTag: "latest" } }))).toBe(true)
      }
    })
  })

  describe("the hand-written fast guards", () => {
    const isStart = Schema.is(Api.StartImageScanRequest)
    const isDescribe = Schema.is(Api.DescribeImageScanFindingsRequest)
    const anything = fc.oneof(
      startRequest,
      describeRequest,
      mutation(startRequest).map((m) => m.input),
      fc.anything(),
      fc.record({ repositoryName: fc.anything(), imageId: fc.anything(), registryId: fc.anything() }, {
        requiredKeys: []
      })
    )

    it.prop("accept nothing the schema rejects", [anything], ([input]) => {
      if (FastCodecs.isStartImageScanRequest(input)) expect(isStart(input)).toBe(true)
      if (FastCodecs.isDescribeImageScanFindingsRequest(input)) expect(isDescribe(input)).toBe(true)
    }, { fastCheck: { numRuns: 2000 } })

    it.prop("accept every well-formed request, so the fast path is the one taken", [startRequest], ([request]) => {
      expect(FastCodecs.isStartImageScanRequest(request)).toBe(true)
      expect(FastCodecs.isDescribeImageScanFindingsRequest({ ...request, maxResults: 10 })).toBe(true)
    })
  })

  describe("the hand-written StartImageScan response decoder", () => {
    const decode = Schema.decodeUnknownEither(Api.StartImageScanResponse)
    const status = fc.record({
      status: fc.constantFrom(...ScanModel.SCAN_STATUSES),
      description: fc.string({ maxLength: 40 })
    }, { requiredKeys: [] })
    const response = fc.record({
      registryId,
      repositoryName,
      imageId,
      imageScanStatus: status
    }, { requiredKeys: [] })
    // What an SDK resolves with: the members, its `$metadata`, and perhaps members a newer model added.
    const sdkOutput = fc.tuple(response, fc.option(fc.string(), { nil: undefined })).map(([r, extra]) => ({
      ...r,
      $metadata: { httpStatusCode: 200, requestId: "0b7c1b3e" },
      ...(extra === undefined ? {} : { newMember: extra })
    }))
    const anything = fc.oneof(
      sdkOutput,
      fc.anything(),
      fc.record({
        registryId: fc.oneof(registryId, fc.anything()),
        repositoryName: fc.oneof(repositoryName, fc.anything()),
        imageId: fc.oneof(imageId, fc.anything(), fc.record({ imageDigest: fc.anything(), imageTag: fc.anything() })),
        imageScanStatus: fc.oneof(
          status,
          fc.anything(),
          fc.record({ status: fc.anything(), description: fc.anything() })
        )
      }, { requiredKeys: [] })
    )

    it.prop("decodes every well-formed output to what the schema decodes it to", [sdkOutput], ([output]) => {
      const fast = FastCodecs.fastStartImageScanResponse(output)
      expect(fast).toBeDefined()
      expect(Either.right(fast)).toStrictEqual(decode(output))
    }, { fastCheck: { numRuns: 500 } })

    it.prop("gives the wire form too: the schema's encoder agrees on every valid value", [sdkOutput], ([output]) => {
      const value = FastCodecs.fastStartImageScanResponse(output)!
      expect(Either.right(FastCodecs.fastStartImageScanResponse(value))).toStrictEqual(
        Schema.encodeEither(Api.StartImageScanResponse)(value)
      )
    }, { fastCheck: { numRuns: 300 } })

    it.prop("accepts nothing the schema rejects, and agrees with it on what it accepts", [anything], ([input]) => {
      const fast = FastCodecs.fastStartImageScanResponse(input)
      if (fast !== undefined) expect(Either.right(fast)).toEqual(decode(input))
    }, { fastCheck: { numRuns: 2000 } })
  })

  describe("invalid requests", () => {
    it.prop(
      "a request with one invalid member is rejected with InvalidParameterException naming that member",
      [mutation(startRequest)],
      ([{ constraint, input, member }]) => {
        expect(rejection(validateStart(input))).toEqual({
          _tag: "InvalidParameterException",
          message: message(member, constraint)
        })
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "DescribeImageScanFindings rejects the same mutations, and out-of-range paging members",
      [
        fc.oneof(
          mutation(startRequest),
          fc.tuple(startRequest, fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 1001 }))).map((
            [r, maxResults]
          ) => ({
            input: { ...r, maxResults },
            member: "maxResults",
            constraint: maxResults < 1
              ? "must have value greater than or equal to 1"
              : "must have value less than or equal to 1000"
          })),
          startRequest.map((r) => ({
            input: { ...r, nextToken: "" },
            member: "nextToken",
            constraint: "must have length greater than or equal to 1"
          }))
        )
      ],
      ([{ constraint, input, member }]) => {
        expect(rejection(validateDescribe(input)).message).toBe(message(member, constraint))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it("a one-character repository name gets AWS's length message", () => {
      expect(rejection(validateStart({ repositoryName: "a", imageId: { imageTag: "latest" } })).message).toBe(
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'"
      )
    })

    it("Bad_Name! gets AWS's regular-expression message with '/' unescaped", () => {
      expect(rejection(validateStart({ repositoryName: "Bad_Name!", imageId: { imageTag: "latest" } })).message).toBe(
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: " +
          "'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''"
      )
    })

    it("a registryId that is not twelve digits gets AWS's message", () => {
      expect(
        rejection(validateStart({ registryId: "abc", repositoryName: "app", imageId: { imageTag: "latest" } })).message
      ).toBe(
        "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"
      )
    })

    it("patterns must match the whole string, not a part of it", () => {
      for (
        const name of ["Bad_Name!", "app!", "!app", "App", "app-", "-app", "app/", "/app", "a//b", "a___b", "a._b"]
      ) {
        expect(rejection(validateStart({ repositoryName: name, imageId: { imageTag: "x" } })).message).toBe(
          message("repositoryName", NAME_REGEX_TEXT)
        )
      }
      for (const id of ["1234567890123", " 123456789012", "123456789012\n", "x123456789012"]) {
        expect(rejection(validateStart({ registryId: id, repositoryName: "app", imageId: { imageTag: "x" } })).message)
          .toBe(message("registryId", REGISTRY_ID_TEXT))
      }
      for (const digest of [`sha256:${"a".repeat(64)}z`, ` sha256:${"a".repeat(64)}`, `sha256:${"a".repeat(64)}\n`]) {
        expect(rejection(validateStart({ repositoryName: "app", imageId: { imageDigest: digest } })).message).toBe(
          message("imageId.imageDigest", DIGEST_TEXT)
        )
      }
    })

    it("a request that is not an object is reported against the whole request", () => {
      for (const input of [null, "request", 42, []]) {
        expect(rejection(validateStart(input)).message).toBe(message("request", "must be an object"))
      }
    })

    it("a non-integer maxResults is rejected", () => {
      expect(
        rejection(validateDescribe({ repositoryName: "app", imageId: { imageTag: "x" }, maxResults: 1.5 })).message
      ).toBe(message("maxResults", "must be an integer"))
    })
  })

  describe("constraint texts", () => {
    it("the pattern constants are the ones of the service model", () => {
      expect(Constraints.REPOSITORY_NAME_PATTERN).toBe(REPOSITORY_NAME_PATTERN)
      expect(Constraints.REPOSITORY_NAME_PATTERN_TEXT).toBe(REPOSITORY_NAME_TEXT)
      expect(Constraints.REGISTRY_ID_PATTERN).toBe("[0-9]{12}")
    })

    it("violations reports the member and constraint without wording them", () => {
      const check = Validation.violations(Api.StartImageScanRequest)
      expect(check({ repositoryName: "app", imageId: { imageTag: "x" } })).toBeUndefined()
      expect(check({ repositoryName: "app", imageId: { imageTag: 7 } })).toEqual({
        member: "imageId.imageTag",
        constraint: "must be a string",
        kind: "type"
      })
    })
  })
})
