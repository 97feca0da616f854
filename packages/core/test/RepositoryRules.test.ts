import { type Api, Constraints, Errors, type Identifiers, type RepositoryModel, RepositoryRules } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"

const ACCOUNT = "123456789012"
const OTHER_ACCOUNT = "210987654321"
const REGION = "eu-west-1"
const NOW = Date.UTC(2026, 2, 1, 12)

const caller = { accountId: ACCOUNT, region: REGION }
const accessDenied = (where: Errors.Where) =>
  where.registryId === ACCOUNT ? undefined : Errors.accessDenied("CreateRepository", caller, where)

const context = (exists = false): RepositoryRules.CreateRepositoryContext => ({
  accountId: ACCOUNT,
  region: REGION,
  accessDenied,
  exists
})

const request = (overrides: Partial<Api.CreateRepositoryRequest> = {}): Api.CreateRepositoryRequest => ({
  repositoryName: "app" as Identifiers.RepositoryName,
  ...overrides
})

const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }))
const filters = (...fs: ReadonlyArray<string>) => fs.map((filter) => ({ filterType: "WILDCARD" as const, filter }))

/** The wire-relevant parts of an error. */
const summary = (error: unknown) => {
  const e = error as { _tag: string; message: string; code?: string }
  return { _tag: e._tag, message: e.message, ...(e.code === undefined ? {} : { code: e.code }) }
}

const failureOf = (result: Either.Either<unknown, unknown>) => Either.isLeft(result) ? summary(result.left) : undefined

/** The memory backend's `createRepository` checks before they moved to the core, kept as the oracle. */
const original = (
  r: Api.CreateRepositoryRequest,
  exists: boolean
): Either.Either<Omit<RepositoryRules.RepositorySettings, never>, unknown> => {
  const target = { registryId: r.registryId ?? ACCOUNT, repositoryName: r.repositoryName }
  const denied = accessDenied(target)
  if (denied !== undefined) return Either.left(denied)
  if (exists) return Either.left(Errors.repositoryAlreadyExists(target))
  const tagList = r.tags ?? []
  if (tagList.length > 50) {
    return Either.left(
      Errors.unsafeMake(Errors.TooManyTagsException, { message: "A resource can have at most 50 tags." })
    )
  }
  const mutability = r.imageTagMutability ?? "MUTABLE"
  const fs = r.imageTagMutabilityExclusionFilters ?? []
  if ((mutability === "MUTABLE" || mutability === "IMMUTABLE") && fs.length > 0) {
    return Either.left(Errors.invalidParameter(Constraints.invalidParameterMessage(
      "imageTagMutabilityExclusionFilters",
      "can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION"
    )))
  }
  if ((mutability === "IMMUTABLE_WITH_EXCLUSION" || mutability === "MUTABLE_WITH_EXCLUSION") && fs.length === 0) {
    return Either.left(Errors.invalidParameter(Constraints.invalidParameterMessage(
      "imageTagMutabilityExclusionFilters",
      `must be specified with ${mutability}`
    )))
  }
  const encryption = r.encryptionConfiguration ?? { encryptionType: "AES256" as const }
  return Either.right({
    name: r.repositoryName,
    createdAt: NOW,
    imageTagMutability: mutability,
    imageTagMutabilityExclusionFilters: fs,
    encryptionConfiguration: encryption.encryptionType === "KMS" && encryption.kmsKey === undefined
      ? { encryptionType: "KMS", kmsKey: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/ecr` }
      : encryption,
    tags: tagList,
    scanOnPush: r.imageScanningConfiguration?.scanOnPush ?? false
  })
}

const MUTABILITIES: ReadonlyArray<RepositoryModel.ImageTagMutability> = [
  "MUTABLE",
  "IMMUTABLE",
  "IMMUTABLE_WITH_EXCLUSION",
  "MUTABLE_WITH_EXCLUSION"
]

const optional = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined })

const requests: fc.Arbitrary<Api.CreateRepositoryRequest> = fc.record({
  registryId: optional(fc.constantFrom(ACCOUNT, OTHER_ACCOUNT)),
  repositoryName: fc.constantFrom("app", "team/api"),
  tags: optional(fc.constantFrom(0, 1, 49, 50, 51, 80).map(tags)),
  imageTagMutability: optional(fc.constantFrom(...MUTABILITIES)),
  imageTagMutabilityExclusionFilters: optional(fc.constantFrom(filters("latest"), filters("dev-*", "v*"))),
  imageScanningConfiguration: optional(fc.record({ scanOnPush: optional(fc.boolean()) })),
  encryptionConfiguration: optional(fc.record({
    encryptionType: fc.constantFrom("AES256" as const, "KMS" as const, "KMS_DSSE" as const),
    kmsKey: optional(fc.constantFrom("arn:aws:kms:eu-west-1:123456789012:key/abc", "alias/mine"))
  }))
}, { requiredKeys: ["repositoryName"] }) as fc.Arbitrary<Api.CreateRepositoryRequest>

describe("RepositoryRules", () => {
  describe("createRepository", () => {
    it("a bare request gets MUTABLE tags, AES256 encryption, no filters, no tags and no scan on push", () => {
      expect(RepositoryRules.createRepository(request(), context(), NOW)).toEqual(Either.right({
        name: "app",
        createdAt: NOW,
        imageTagMutability: "MUTABLE",
        imageTagMutabilityExclusionFilters: [],
        encryptionConfiguration: { encryptionType: "AES256" },
        tags: [],
        scanOnPush: false
      }))
    })

    it("KMS without a key uses the AWS managed key of the registry's account and region", () => {
      const result = RepositoryRules.createRepository(
        request({ encryptionConfiguration: { encryptionType: "KMS" } }),
        context(),
        NOW
      )
      expect(Either.getOrThrow(result).encryptionConfiguration).toEqual({
        encryptionType: "KMS",
        kmsKey: "arn:aws:kms:eu-west-1:123456789012:alias/aws/ecr"
      })
    })

    it("KMS with a key, and KMS_DSSE, keep what was asked", () => {
      const kms = { encryptionType: "KMS" as const, kmsKey: "alias/mine" }
      expect(
        Either.getOrThrow(RepositoryRules.createRepository(request({ encryptionConfiguration: kms }), context(), NOW))
          .encryptionConfiguration
      ).toEqual(kms)
      expect(
        Either.getOrThrow(
          RepositoryRules.createRepository(
            request({ encryptionConfiguration: { encryptionType: "KMS_DSSE" } }),
            context(),
            NOW
          )
        ).encryptionConfiguration
      ).toEqual({ encryptionType: "KMS_DSSE" })
    })

    it("scanOnPush is stored as asked", () => {
      const result = RepositoryRules.createRepository(
        request({ imageScanningConfiguration: { scanOnPush: true } }),
        context(),
        NOW
      )
      expect(Either.getOrThrow(result).scanOnPush).toBe(true)
    })

    it("another account's registry is refused with AccessDeniedException before anything else", () => {
      const result = RepositoryRules.createRepository(
        request({ registryId: OTHER_ACCOUNT as Identifiers.RegistryId, tags: tags(51) }),
        context(true),
        NOW
      )
      expect(failureOf(result)).toEqual({
        _tag: "UnknownEcrError",
        code: "AccessDeniedException",
        message: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: ecr:CreateRepository on resource: ` +
          `arn:aws:ecr:${REGION}:${OTHER_ACCOUNT}:repository/app ` +
          `because no resource-based policy allows the ecr:CreateRepository action`
      })
    })

    it("an existing name is RepositoryAlreadyExistsException, checked before the tags", () => {
      expect(failureOf(RepositoryRules.createRepository(request({ tags: tags(51) }), context(true), NOW))).toEqual({
        _tag: "RepositoryAlreadyExistsException",
        message: "The repository with name 'app' already exists in the registry with id '123456789012'"
      })
    })

    it("50 tags are accepted, 51 are TooManyTagsException", () => {
      expect(Either.isRight(RepositoryRules.createRepository(request({ tags: tags(50) }), context(), NOW))).toBe(true)
      expect(failureOf(RepositoryRules.createRepository(request({ tags: tags(51) }), context(), NOW))).toEqual({
        _tag: "TooManyTagsException",
        message: "A resource can have at most 50 tags."
      })
    })

    it("too many tags are reported before misplaced exclusion filters", () => {
      const result = RepositoryRules.createRepository(
        request({ tags: tags(51), imageTagMutabilityExclusionFilters: filters("latest") }),
        context(),
        NOW
      )
      expect(failureOf(result)?._tag).toBe("TooManyTagsException")
    })

    it("exclusion filters with MUTABLE (the default) or IMMUTABLE are InvalidParameterException", () => {
      for (const imageTagMutability of [undefined, "MUTABLE" as const, "IMMUTABLE" as const]) {
        const result = RepositoryRules.createRepository(
          request({ imageTagMutability, imageTagMutabilityExclusionFilters: filters("latest") }),
          context(),
          NOW
        )
        expect(failureOf(result)).toEqual({
          _tag: "InvalidParameterException",
          message: "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: " +
            "'can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION'"
        })
      }
    })

    it("a *_WITH_EXCLUSION mutability without filters is InvalidParameterException naming it", () => {
      for (const imageTagMutability of ["IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"] as const) {
        const result = RepositoryRules.createRepository(request({ imageTagMutability }), context(), NOW)
        expect(failureOf(result)).toEqual({
          _tag: "InvalidParameterException",
          message: "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: " +
            `'must be specified with ${imageTagMutability}'`
        })
      }
    })

    it("a *_WITH_EXCLUSION mutability with filters stores them", () => {
      const result = RepositoryRules.createRepository(
        request({
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: filters("dev-*")
        }),
        context(),
        NOW
      )
      expect(Either.getOrThrow(result).imageTagMutabilityExclusionFilters).toEqual(filters("dev-*"))
    })

    it.prop("decides exactly as the memory backend did: same error, same message, same settings", [
      requests,
      fc.boolean()
    ], ([r, exists]) => {
      const actual = RepositoryRules.createRepository(r, context(exists), NOW)
      const expected = original(r, exists)
      if (Either.isLeft(expected)) {
        expect(failureOf(actual)).toEqual(summary(expected.left))
      } else {
        expect(Either.isRight(actual)).toBe(true)
        if (Either.isRight(actual)) {
          expect(actual.right).toEqual(expected.right)
          expect(JSON.stringify(actual.right)).toBe(JSON.stringify(expected.right))
        }
      }
    }, { fastCheck: { numRuns: 2000 } })

    it.prop("a created repository has filters exactly when its mutability is a *_WITH_EXCLUSION one", [
      requests,
      fc.boolean()
    ], ([r, exists]) => {
      const result = RepositoryRules.createRepository(r, context(exists), NOW)
      if (Either.isLeft(result)) return
      const withExclusion = result.right.imageTagMutability.endsWith("_WITH_EXCLUSION")
      expect(result.right.imageTagMutabilityExclusionFilters.length > 0).toBe(withExclusion)
      expect(result.right.tags.length).toBeLessThanOrEqual(RepositoryRules.MAX_TAGS)
    }, { fastCheck: { numRuns: 1000 } })
  })
})
