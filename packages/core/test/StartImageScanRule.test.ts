import {
  Errors,
  ImageModel,
  type ScanLifecycle,
  type ScanningConfiguration,
  ScanQuota,
  ScanRules,
  StartImageScanRule
} from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.UTC(2026, 2, 1, 12)
const REGISTRY = "123456789012"

const digest = (c: string) => `sha256:${c.repeat(64)}`
const APP = digest("a")
const OTHER = digest("b")
const INDEX = digest("c")
const ARCHIVED = digest("d")
const SCANNED = digest("e")
const CHART = digest("f")

type Image = StartImageScanRule.ImageFacts

interface Repository {
  readonly name: string
  readonly images: Map<string, Image>
  readonly tags: Map<string, string>
}

const image = (d: string, overrides: Partial<Image> = {}): Image => ({
  digest: d,
  mediaType: ImageModel.MediaTypes.ociManifest,
  artifactMediaType: ImageModel.MediaTypes.ociConfig,
  storage: { _tag: "Active" },
  lastStarted: undefined,
  ...overrides
})

const lastScan: ScanLifecycle.ScanRecord = {
  kind: "BASIC",
  trigger: "PUSH",
  startedAt: NOW - HOUR,
  completesAt: NOW - HOUR + 10_000,
  outcome: "COMPLETE"
}

/** One registry with repository `app`: tags v1 → APP, v2 → OTHER, index → an OCI index, old → archived, ... */
const makeRegistry = (
  options: {
    readonly scanType?: ScanningConfiguration.ScanType
    readonly quota?: ScanQuota.ScanQuota
  } = {}
): StartImageScanRule.RegistryView<Repository, Image> => {
  const app: Repository = {
    name: "app",
    images: new Map([
      [APP, image(APP)],
      [OTHER, image(OTHER)],
      [INDEX, image(INDEX, { mediaType: ImageModel.MediaTypes.ociIndex, artifactMediaType: undefined })],
      [ARCHIVED, image(ARCHIVED, { storage: { _tag: "Archived", archivedAt: NOW - DAY } })],
      [SCANNED, image(SCANNED, { lastStarted: lastScan })],
      [CHART, image(CHART, { artifactMediaType: "application/vnd.cncf.helm.config.v1+json" })]
    ]),
    tags: new Map([["v1", APP], ["v2", OTHER], ["index", INDEX], ["old", ARCHIVED], ["scanned", SCANNED]])
  }
  const repositories = new Map([[`${REGISTRY}/app`, app]])
  return {
    registryId: REGISTRY,
    scanType: options.scanType ?? "BASIC",
    quota: options.quota ?? ScanQuota.empty,
    repository: (registryId, name) => repositories.get(`${registryId}/${name}`),
    imageByDigest: (repository, d) => repository.images.get(d),
    imageByTag: (repository, tag) => {
      const d = repository.tags.get(tag)
      return d === undefined ? undefined : repository.images.get(d)
    },
    accessDenied: () => undefined
  }
}

const rules = (input: ScanRules.ScanRulesInput = {}) => Either.getOrThrow(ScanRules.make(input))

const decide = (
  input: unknown,
  registry = makeRegistry(),
  r: ScanRules.ScanRules = ScanRules.defaults,
  now = NOW
) => StartImageScanRule.decide(input, registry, now, r)

/** The error of a refusal, as `{ _tag, message }` plus any limit fields. */
const refusal = (decision: StartImageScanRule.Decision<Repository, Image>) => {
  if (decision._tag !== "Refused") throw new Error(`expected a refusal, got ${decision._tag}`)
  return decision.error
}

const accepted = (decision: StartImageScanRule.Decision<Repository, Image>) => {
  if (decision._tag !== "Accepted") throw new Error(`expected acceptance, got ${decision.error._tag}`)
  return decision
}

/** A quota already holding `n` scans started at `at`. */
const fullQuota = (n: number, at: number) => ScanQuota.fromArray(Array.from({ length: n }, () => at))

describe("StartImageScanRule.decide", () => {
  describe("refusals", () => {
    it("an invalid member is an InvalidParameterException in AWS's format", () => {
      expect(refusal(decide({ repositoryName: "App", imageId: { imageTag: "v1" } }))).toMatchObject({
        _tag: "InvalidParameterException",
        message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: " +
          "'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''"
      })
    })

    it("a missing repository is a RepositoryNotFoundException with AWS's text", () => {
      expect(refusal(decide({ repositoryName: "missing", imageId: { imageTag: "v1" } }))).toMatchObject({
        _tag: "RepositoryNotFoundException",
        message: "The repository with name 'missing' does not exist in the registry with id '123456789012'"
      })
    })

    it("a repository in another registry id is looked up there", () => {
      expect(
        refusal(decide({ registryId: "210987654321", repositoryName: "app", imageId: { imageTag: "v1" } }))
      ).toMatchObject({
        _tag: "RepositoryNotFoundException",
        message: "The repository with name 'app' does not exist in the registry with id '210987654321'"
      })
    })

    it("a missing tag is an ImageNotFoundException with AWS's text", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: { imageTag: "x" } }))).toMatchObject({
        _tag: "ImageNotFoundException",
        message: "The image with imageId {imageDigest:'null', imageTag:'x'} does not exist within the repository " +
          "with name 'app' in the registry with id '123456789012'"
      })
    })

    it("a missing digest is an ImageNotFoundException naming the digest", () => {
      const missing = digest("9")
      expect(refusal(decide({ repositoryName: "app", imageId: { imageDigest: missing } })).message).toBe(
        `The image with imageId {imageDigest:'${missing}', imageTag:'null'} does not exist within the repository ` +
          "with name 'app' in the registry with id '123456789012'"
      )
    })

    it("a tag and a digest that name different images are an ImageNotFoundException naming both", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: { imageTag: "v1", imageDigest: OTHER } })))
        .toMatchObject({
          _tag: "ImageNotFoundException",
          message: `The image with imageId {imageDigest:'${OTHER}', imageTag:'v1'} does not exist within the ` +
            "repository with name 'app' in the registry with id '123456789012'"
        })
    })

    it("an OCI index is an UnsupportedImageTypeException with AWS's text", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: { imageTag: "index" } }))).toMatchObject({
        _tag: "UnsupportedImageTypeException",
        message: "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned. " +
          "For more information, see the Amazon ECR documentation."
      })
    })

    it("a non-image artifact is an UnsupportedImageTypeException naming its config media type", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: { imageDigest: CHART } })).message).toBe(
        "An artifact with media type 'application/vnd.cncf.helm.config.v1+json' cannot be scanned. " +
          "For more information, see the Amazon ECR documentation."
      )
    })

    it("an archived image is an ImageArchivedException", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: { imageTag: "old" } }))).toMatchObject({
        _tag: "ImageArchivedException",
        message: "The specified image is archived and cannot be scanned."
      })
    })

    it("a manual scan in an ENHANCED registry is a ValidationException", () => {
      expect(
        refusal(decide({ repositoryName: "app", imageId: { imageTag: "v1" } }, makeRegistry({ scanType: "ENHANCED" })))
      )
        .toMatchObject({ _tag: "ValidationException", message: StartImageScanRule.ENHANCED_MANUAL_SCAN_MESSAGE })
    })

    it("an image scanned within 24 hours is a per-image LimitExceededException with when it is next eligible", () => {
      const error = refusal(decide({ repositoryName: "app", imageId: { imageTag: "scanned" } }))
      expect(error).toMatchObject({
        _tag: "LimitExceededException",
        message: "The scan quota per image has been exceeded. Wait and try again.",
        limit: "PER_IMAGE",
        nextEligibleAt: new Date(lastScan.startedAt + DAY)
      })
      expect(
        accepted(
          decide(
            { repositoryName: "app", imageId: { imageTag: "scanned" } },
            makeRegistry(),
            undefined,
            lastScan.startedAt + DAY
          )
        ).image.digest
      ).toBe(SCANNED)
    })

    it("an exhausted account quota is a LimitExceededException naming the account quota", () => {
      const error = refusal(
        decide(
          { repositoryName: "app", imageId: { imageTag: "v1" } },
          makeRegistry({ quota: fullQuota(2, NOW - HOUR) }),
          rules({ accountQuotaLimit: 2 })
        )
      )
      expect(error).toMatchObject({
        _tag: "LimitExceededException",
        message: "The basic scan quota of 2 scans per 24 hours for the registry with id '123456789012' " +
          "has been exceeded. Wait and try again.",
        limit: "ACCOUNT_QUOTA",
        nextEligibleAt: new Date(NOW - HOUR + DAY)
      })
    })

    it("the account quota at its real scale refuses the 100,001st scan", () => {
      const error = refusal(
        decide(
          { repositoryName: "app", imageId: { imageTag: "v1" } },
          makeRegistry({ quota: fullQuota(100_000, NOW) })
        )
      )
      expect(error).toMatchObject({ limit: "ACCOUNT_QUOTA", nextEligibleAt: new Date(NOW + DAY) })
      expect(error.message).toContain("100000 scans per 24 hours")
    })
  })

  describe("the order of checks", () => {
    it("an invalid request to a missing repository gets InvalidParameterException", () => {
      expect(refusal(decide({ repositoryName: "missing", imageId: { imageTag: "" } }))._tag).toBe(
        "InvalidParameterException"
      )
    })

    it("a missing image in an ENHANCED registry gets ImageNotFoundException", () => {
      expect(
        refusal(decide({ repositoryName: "app", imageId: { imageTag: "x" } }, makeRegistry({ scanType: "ENHANCED" })))
          ._tag
      ).toBe("ImageNotFoundException")
    })

    it("an archived image in an ENHANCED registry gets ImageArchivedException", () => {
      expect(
        refusal(decide({ repositoryName: "app", imageId: { imageTag: "old" } }, makeRegistry({ scanType: "ENHANCED" })))
          ._tag
      ).toBe("ImageArchivedException")
    })

    it("an image inside its window when the account quota is also exhausted gets the per-image limit", () => {
      const error = refusal(
        decide(
          { repositoryName: "app", imageId: { imageTag: "scanned" } },
          makeRegistry({ quota: fullQuota(1, NOW) }),
          rules({ accountQuotaLimit: 1 })
        )
      )
      expect(error).toMatchObject({ _tag: "LimitExceededException", limit: "PER_IMAGE" })
    })

    it("a custom order that checks the scan type first answers an archived image in an ENHANCED registry with ValidationException", () => {
      const order = rules({
        checkOrder: ["validation", "repository", "image", "scanType", "imageState", "imageWindow", "accountQuota"]
      })
      expect(
        refusal(
          decide({ repositoryName: "app", imageId: { imageTag: "old" } }, makeRegistry({ scanType: "ENHANCED" }), order)
        )._tag
      ).toBe("ValidationException")
    })

    it("a custom order that checks the quota before the window answers with the account quota", () => {
      const order = rules({
        accountQuotaLimit: 1,
        checkOrder: ["validation", "repository", "image", "imageState", "scanType", "accountQuota", "imageWindow"]
      })
      const error = refusal(
        decide(
          { repositoryName: "app", imageId: { imageTag: "scanned" } },
          makeRegistry({ quota: fullQuota(1, NOW) }),
          order
        )
      )
      expect(error).toMatchObject({ _tag: "LimitExceededException", limit: "ACCOUNT_QUOTA" })
    })

    it("a custom order that checks the quota before the repository refuses a scan of a missing repository by quota", () => {
      const order = rules({
        accountQuotaLimit: 1,
        checkOrder: ["accountQuota", "validation", "repository", "image", "imageState", "scanType", "imageWindow"]
      })
      const error = refusal(
        decide(
          { repositoryName: "missing", imageId: { imageTag: "v1" } },
          makeRegistry({ quota: fullQuota(1, NOW) }),
          order
        )
      )
      expect(error).toMatchObject({ _tag: "LimitExceededException", limit: "ACCOUNT_QUOTA" })
    })
  })

  describe("charging refused requests", () => {
    it("by default a request refused by a state check uses neither the slot nor the quota", () => {
      const decision = decide({ repositoryName: "app", imageId: { imageTag: "old" } })
      expect(decision).toMatchObject({ _tag: "Refused", error: { _tag: "ImageArchivedException" } })
      expect(decision._tag === "Refused" && decision.charge).toBeUndefined()
    })

    it("with rejectedRequestUsesSlot a state refusal is charged to the image and counted by the quota", () => {
      const quota = fullQuota(3, NOW - HOUR)
      const decision = decide(
        { repositoryName: "app", imageId: { imageTag: "old" } },
        makeRegistry({ quota }),
        rules({ rejectedRequestUsesSlot: true })
      )
      if (decision._tag !== "Refused") throw new Error("expected a refusal")
      expect(decision.error._tag).toBe("ImageArchivedException")
      expect(decision.charge?.image.digest).toBe(ARCHIVED)
      expect(decision.charge?.repository.name).toBe("app")
      expect(ScanQuota.toArray(decision.charge!.quota)).toEqual([NOW - HOUR, NOW - HOUR, NOW - HOUR, NOW])
    })

    it("with rejectedRequestUsesSlot an ENHANCED refusal is charged too", () => {
      const decision = decide(
        { repositoryName: "app", imageId: { imageTag: "v1" } },
        makeRegistry({ scanType: "ENHANCED" }),
        rules({ rejectedRequestUsesSlot: true })
      )
      if (decision._tag !== "Refused") throw new Error("expected a refusal")
      expect(decision.error._tag).toBe("ValidationException")
      expect(decision.charge?.image.digest).toBe(APP)
    })

    it("with rejectedRequestUsesSlot a per-image limit or a missing image is still not charged", () => {
      const charging = rules({ rejectedRequestUsesSlot: true })
      for (const imageId of [{ imageTag: "scanned" }, { imageTag: "x" }]) {
        const decision = decide({ repositoryName: "app", imageId }, makeRegistry(), charging)
        expect(decision._tag === "Refused" && decision.charge).toBeUndefined()
      }
    })
  })

  describe("house-rule alternatives", () => {
    const notFound = rules({ invalidImageId: "ImageNotFoundException" })

    it("invalidImageId: ImageNotFoundException answers an empty imageId with ImageNotFoundException", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: {} }, makeRegistry(), notFound))).toMatchObject({
        _tag: "ImageNotFoundException",
        message: "The image with imageId {imageDigest:'null', imageTag:'null'} does not exist within the repository " +
          "with name 'app' in the registry with id '123456789012'"
      })
    })

    it("invalidImageId: ImageNotFoundException answers a malformed digest with ImageNotFoundException naming it", () => {
      expect(refusal(decide({ repositoryName: "app", imageId: { imageDigest: "garbage" } }, makeRegistry(), notFound)))
        .toMatchObject({
          _tag: "ImageNotFoundException",
          message: "The image with imageId {imageDigest:'garbage', imageTag:'null'} does not exist within the " +
            "repository with name 'app' in the registry with id '123456789012'"
        })
    })

    it("invalidImageId: ImageNotFoundException answers a malformed digest beside a valid tag naming both", () => {
      expect(
        refusal(
          decide(
            { repositoryName: "app", imageId: { imageTag: "v1", imageDigest: "garbage" } },
            makeRegistry(),
            notFound
          )
        ).message
      ).toBe(
        "The image with imageId {imageDigest:'garbage', imageTag:'v1'} does not exist within the repository " +
          "with name 'app' in the registry with id '123456789012'"
      )
    })

    it("invalidImageId: ImageNotFoundException still reports other invalid members as InvalidParameterException", () => {
      for (
        const input of [
          { repositoryName: "App", imageId: {} },
          { registryId: "abc", repositoryName: "app", imageId: {} },
          { repositoryName: "app", imageId: { imageTag: 5 } },
          { repositoryName: "app", imageId: { imageDigest: 5 } },
          { repositoryName: "app", imageId: [] },
          { repositoryName: "app", imageId: { imageTag: "", imageDigest: "garbage" } }
        ]
      ) {
        expect(refusal(decide(input, makeRegistry(), notFound))._tag).toBe("InvalidParameterException")
      }
    })

    it("invalidImageId: ImageNotFoundException keeps the order of checks: a missing repository is reported first", () => {
      expect(refusal(decide({ repositoryName: "missing", imageId: {} }, makeRegistry(), notFound))._tag).toBe(
        "RepositoryNotFoundException"
      )
    })

    it("tagDigestMismatch: InvalidParameterException answers a tag and digest of different images that way", () => {
      expect(
        refusal(
          decide(
            { repositoryName: "app", imageId: { imageTag: "v1", imageDigest: OTHER } },
            makeRegistry(),
            rules({ tagDigestMismatch: "InvalidParameterException" })
          )
        )
      ).toMatchObject({
        _tag: "InvalidParameterException",
        message:
          "Invalid parameter at 'imageId' failed to satisfy constraint: 'given tag does not map to the given digest'"
      })
    })

    it("tagDigestMismatch: InvalidParameterException still answers a digest that does not exist with ImageNotFoundException", () => {
      expect(
        refusal(
          decide(
            { repositoryName: "app", imageId: { imageTag: "v1", imageDigest: digest("9") } },
            makeRegistry(),
            rules({ tagDigestMismatch: "InvalidParameterException" })
          )
        )._tag
      ).toBe("ImageNotFoundException")
    })

    it("enhancedManualScan: ALLOW accepts a manual scan in an ENHANCED registry", () => {
      expect(
        decide(
          { repositoryName: "app", imageId: { imageTag: "v1" } },
          makeRegistry({ scanType: "ENHANCED" }),
          rules({ enhancedManualScan: "ALLOW" })
        )._tag
      ).toBe("Accepted")
    })

    it("imageIndexScan: SCAN accepts a scan of an image index", () => {
      expect(
        decide(
          { repositoryName: "app", imageId: { imageTag: "index" } },
          makeRegistry(),
          rules({ imageIndexScan: "SCAN" })
        )
          ._tag
      ).toBe("Accepted")
    })
  })

  describe("acceptance", () => {
    it("a request by digest only is answered with the digest only", () => {
      expect(accepted(decide({ repositoryName: "app", imageId: { imageDigest: APP } })).imageId).toStrictEqual({
        imageDigest: APP
      })
    })

    it("a request by tag is answered with the tag and the digest", () => {
      expect(accepted(decide({ repositoryName: "app", imageId: { imageTag: "v1" } })).imageId).toStrictEqual({
        imageDigest: APP,
        imageTag: "v1"
      })
    })

    it("a request by a consistent tag and digest is answered with both", () => {
      expect(accepted(decide({ repositoryName: "app", imageId: { imageTag: "v2", imageDigest: OTHER } })).imageId)
        .toEqual({ imageDigest: OTHER, imageTag: "v2" })
    })

    it("an accepted scan comes back with the registry, repository, image and a quota that counts it", () => {
      const decision = accepted(
        decide(
          { registryId: REGISTRY, repositoryName: "app", imageId: { imageTag: "v1" } },
          makeRegistry({ quota: fullQuota(2, NOW - DAY) })
        )
      )
      expect(decision.registryId).toBe(REGISTRY)
      expect(decision.repository.name).toBe("app")
      expect(decision.image.digest).toBe(APP)
      // The scans of a day ago have left the window; only this one is counted.
      expect(ScanQuota.toArray(decision.quota)).toEqual([NOW])
    })

    it("the default registry id is the registry's own", () => {
      expect(accepted(decide({ repositoryName: "app", imageId: { imageTag: "v1" } })).registryId).toBe(REGISTRY)
    })

    it("a caller denied the registry gets the access-denied error before the repository is looked up", () => {
      const denied = Errors.accessDenied("StartImageScan", { accountId: REGISTRY, region: "us-east-1" }, {
        registryId: "210987654321",
        repositoryName: "app"
      })
      const registry = {
        ...makeRegistry(),
        accessDenied: (where: Errors.Where) => where.registryId === REGISTRY ? undefined : denied
      }
      expect(
        refusal(decide({ registryId: "210987654321", repositoryName: "app", imageId: { imageTag: "v1" } }, registry))
      )
        .toBe(denied)
    })
  })
})
