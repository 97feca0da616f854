/**
 * The in-memory registry: a Layer that provides `ImageScanner`, `ImageRegistry` and the test driver
 * from one state. Time comes only from Effect's `Clock` (so `TestClock` drives it), randomness only from
 * the seed, and every rule from the core: this module looks things up and writes the outcome down.
 *
 * @since 0.1.0
 */
import {
  Api,
  Constraints,
  Errors,
  FindingsPage,
  type Identifiers,
  ImageModel,
  ImageRegistry,
  type ImageRegistryService,
  ImageResolution,
  ImageScanner,
  type ImageScannerService,
  Manifest,
  RegistryScanningRules,
  RepositoryModel,
  RequestValidators,
  ScanLifecycle,
  type ScanningConfiguration,
  ScanQuota,
  ScanRules,
  StartImageScanRule
} from "@ecr-scan/core"
import type { Failure, ScanModel } from "@ecr-scan/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Hash from "effect/Hash"
import * as Layer from "effect/Layer"
import * as Utils from "effect/Utils"
import { createHash } from "node:crypto"
import {
  type FaultPlanInput,
  InvalidFaultPlan,
  InvalidSnapshot,
  MemoryRegistryDriver,
  type MemoryRegistryDriverService
} from "./MemoryRegistryDriver.js"
import * as RegistryState from "./RegistryState.js"
import type { ImageState, RepositoryState } from "./RegistryState.js"
import * as Snapshot from "./Snapshot.js"
import * as SyntheticFindings from "./SyntheticFindings.js"

/** Options of the in-memory registry. */
export interface MemoryRegistryOptions {
  /** The account id of the registry (default `123456789012`). */
  readonly accountId?: string
  /** The region it claims to be in (default `us-east-1`). */
  readonly region?: string
  /** The seed of every generated value: scan durations, findings, probabilistic faults (default `0`). */
  readonly seed?: string | number
  /** Overrides of the house rules. */
  readonly rules?: ScanRules.ScanRulesInput
}

/** The options could not be used. */
export class InvalidMemoryRegistryOptions extends Data.TaggedError("InvalidMemoryRegistryOptions")<{
  readonly message: string
}> {}

/** The three services the memory layer provides. */
export interface MemoryRegistry {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
  readonly driver: MemoryRegistryDriverService
  /** The same operations as synchronous calls (see `MemoryRegistryDirect`). */
  readonly direct: DirectAccess
  /** What durable storage reads and restores besides snapshots (the emulator's `--state-dir`). */
  readonly storage: StorageAccess
}

/**
 * The registry's operations as plain synchronous calls, for a host that answers many requests and would
 * rather not start a fiber for each (the emulator's data plane). `unsafeCall(operation, request, now)` does
 * exactly what the port's effect does, at the instant `nowMillis` instead of the fiber's `Clock`: the same
 * validation, rules, faults and state, and an `Exit` for the outcome. "Unsafe" as Effect's `unsafe*`
 * functions are: it runs at once, outside any fiber.
 *
 * It belongs to the two ports beside it: a host should use it only when the `ImageScanner` and
 * `ImageRegistry` it would otherwise call are these very services, and not a layer wrapped around them.
 */
export interface DirectAccess {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
  readonly unsafeCall: (
    operation: Api.OperationName,
    request: unknown,
    nowMillis: number
  ) => Exit.Exit<unknown, Errors.EcrError>
}

/** The synchronous access of the in-memory registry, in the context its `layer` provides. */
export class MemoryRegistryDirect
  extends Context.Tag("@ecr-scan/memory-backend/MemoryRegistryDirect")<MemoryRegistryDirect, DirectAccess>()
{}

/** Durable storage's access to a registry. */
export interface StorageAccess {
  /**
   * The live state, the same object for the registry's whole life. Read it synchronously, between two
   * operations, and never write through it.
   */
  readonly unsafeState: RegistryState.RegistryState
  /** Where the generator of probabilistic faults is in its sequence. */
  readonly faultRandomState: () => Utils.PCGRandomState
  readonly setFaultRandomState: (state: Utils.PCGRandomState) => void
}

type Result<A, E> = Exit.Exit<A, E>
const ok = Exit.succeed
const fail = Exit.fail

/** One operation's work on the state at one instant: it reads, decides and writes in one synchronous call. */
interface Step<Name extends Api.OperationName> {
  readonly operation: Name
  readonly body: (s: RegistryState.RegistryState, now: number) => Result<Api.ResponseOf<Name>, Failure<Name>>
}

type StepOf<Name extends Api.OperationName> = (request: Api.RequestOf<Name>) => Step<Name>

const UNLIMITED = Number.MAX_SAFE_INTEGER

const sha256 = (text: string) =>
  `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}` as Identifiers.ImageDigest

const date = (millis: number) => new Date(millis)

/** Matches a tag against a mutability exclusion filter (`*` is any run of characters, whole tag). */
const tagMatches = (filter: string, tag: string) =>
  new RegExp(`^${filter.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(tag)

const tagIsImmutable = (repository: RepositoryState, tag: string) => {
  const excluded = repository.imageTagMutabilityExclusionFilters.some((f) => tagMatches(f.filter, tag))
  switch (repository.imageTagMutability) {
    case "MUTABLE":
      return false
    case "IMMUTABLE":
      return true
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded
    case "MUTABLE_WITH_EXCLUSION":
      return excluded
  }
}

const validators = RequestValidators.validators

/** The account id a registry has unless told otherwise. */
export const DEFAULT_ACCOUNT_ID = "123456789012"

/** The region a registry claims unless told otherwise. */
export const DEFAULT_REGION = "us-east-1"

/**
 * Builds an in-memory registry. Most programs want `layer`; this is for code that needs the services
 * as values (the emulator, benchmarks).
 */
export const make = (
  options: MemoryRegistryOptions = {}
): Effect.Effect<MemoryRegistry, InvalidMemoryRegistryOptions> =>
  Effect.gen(function*() {
    const accountId = (options.accountId ?? DEFAULT_ACCOUNT_ID) as Identifiers.RegistryId
    const region = options.region ?? DEFAULT_REGION
    const seed = String(options.seed ?? 0)
    if (Constraints.registryId(accountId) !== undefined) {
      return yield* new InvalidMemoryRegistryOptions({ message: `accountId must be 12 digits, got '${accountId}'` })
    }
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
      return yield* new InvalidMemoryRegistryOptions({ message: `region must look like us-east-1, got '${region}'` })
    }
    const rules = yield* Either.mapLeft(
      ScanRules.make(options.rules),
      (message) => new InvalidMemoryRegistryOptions({ message: `invalid house rules: ${message}` })
    )
    // Every transition mutates this one object in place (see RegistryState), so durable storage can read it.
    const live = RegistryState.empty()
    // Reseeded by `reset`, so that a reset registry draws the same faults as a fresh one.
    const newFaultRandom = () => new Utils.PCGRandom(Hash.string(`${seed}\u0000faults`))
    let faultRandom = newFaultRandom()
    const caller = { accountId, region }

    // -----------------------------------------------------------------------------------------------------------
    // The one way state is read or written: atomically, at the registry's current instant, after the
    // planned faults have had their say.

    const step = <Name extends Api.OperationName>(
      operation: Name,
      body: (s: RegistryState.RegistryState, now: number) => Result<Api.ResponseOf<Name>, Failure<Name>>
    ): Step<Name> => ({ operation, body })

    /** Runs one step at `clockNow` (never before an instant the registry has already seen). */
    const apply = <Name extends Api.OperationName>(
      { body, operation }: Step<Name>,
      clockNow: number
    ): Result<Api.ResponseOf<Name>, Failure<Name>> => {
      const now = clockNow > live.lastNow ? clockNow : live.lastNow
      live.lastNow = now
      if (live.faults.length > 0) {
        const fault = takeFault(live, operation)
        if (fault !== undefined) return fail(fault as Failure<Name>)
      }
      return body(live, now)
    }

    /** A step as an effect, at the instant of the fiber's `Clock`. */
    const run = <Name extends Api.OperationName>(
      make: StepOf<Name>
    ): (request: Api.RequestOf<Name>) => Effect.Effect<Api.ResponseOf<Name>, Failure<Name>> =>
    (request) => Effect.clockWith((clock) => apply(make(request), clock.unsafeCurrentTimeMillis()))

    /** The error of the first plan that fires for `operation`: the modelled one, or an unmodelled code. */
    const takeFault = (s: RegistryState.RegistryState, operation: Api.OperationName) => {
      for (const plan of s.faults) {
        if (plan.remaining <= 0 || (plan.operation !== "*" && plan.operation !== operation)) continue
        if (plan.probability < 1 && faultRandom.number() >= plan.probability) continue
        plan.remaining -= 1
        s.faults = s.faults.filter((p) => p.remaining > 0)
        return Errors.fromName(plan.error, plan.message) ??
          Errors.unsafeMake(Errors.UnknownEcrError, { code: plan.error, message: plan.message, httpStatus: 400 })
      }
      return undefined
    }

    // -----------------------------------------------------------------------------------------------------------
    // Lookups

    const where = (registryId: string | undefined, repositoryName: string): Errors.Where => ({
      registryId: registryId ?? accountId,
      repositoryName
    })

    const accessDenied = (operation: string) => (target: Errors.Where) =>
      target.registryId === accountId ? undefined : Errors.accessDenied(operation, caller, target)

    const lookup: ImageResolution.ImageLookup<RepositoryState, ImageState> = {
      imageByDigest: (repository, digest) => repository.images.get(digest),
      imageByTag: (repository, tag) => {
        const digest = repository.tagIndex.get(tag)
        return digest === undefined ? undefined : repository.images.get(digest)
      }
    }

    /** Validation, access and the repository: the first checks of every repository-scoped operation. */
    const openRepository = (
      s: RegistryState.RegistryState,
      operation: string,
      request: { readonly registryId?: string | undefined; readonly repositoryName: string }
    ): RepositoryState | Errors.RepositoryNotFoundException | Errors.UnknownEcrError => {
      const target = where(request.registryId, request.repositoryName)
      const denied = accessDenied(operation)(target)
      if (denied !== undefined) return denied
      return s.repositories.get(request.repositoryName) ?? Errors.repositoryNotFound(target)
    }

    const isError = (value: unknown): value is Errors.EcrError =>
      typeof value === "object" && value !== null && "_tag" in value && typeof value._tag === "string" &&
      value instanceof Error

    const overrideFor = (s: RegistryState.RegistryState, repositoryName: string, digest: string) =>
      s.overrides.get(RegistryState.overrideKey(digest, repositoryName)) ?? s.overrides.get(digest)

    const startRecord = (
      s: RegistryState.RegistryState,
      kind: ScanLifecycle.ScanKind,
      trigger: "MANUAL" | "PUSH",
      repository: RepositoryState,
      image: ImageState,
      now: number
    ): ScanLifecycle.ScanRecord => ({
      kind,
      trigger,
      startedAt: now,
      completesAt: now + ScanLifecycle.scanDuration(SyntheticFindings.durationHash(seed, image.digest), rules),
      outcome: overrideFor(s, repository.name, image.digest)?.outcome ?? (image.scannable ? "COMPLETE" : "FAILED")
    })

    /** Scan on push: repository flag and registry rules; counts against the window and the quota. */
    const scanOnPush = (
      s: RegistryState.RegistryState,
      repository: RepositoryState,
      image: ImageState,
      now: number
    ) => {
      const scanning = RegistryScanningRules.effectiveScanning(s.scanning, {
        name: repository.name,
        scanOnPush: repository.scanOnPush
      })
      const kind = RegistryScanningRules.onPush(scanning)
      // An index is not scanned itself (its images are, as they are pushed); nor is a non-image artifact.
      if (
        kind === "NONE" || image.references.length > 0 || Manifest.MANIFEST_MEDIA_TYPES.has(image.mediaType) === false
      ) {
        return
      }
      if (image.artifactMediaType !== undefined && !ImageModel.isImageConfigMediaType(image.artifactMediaType)) return
      if (kind !== "BASIC") {
        image.enhancedScan = startRecord(s, kind, "PUSH", repository, image, now)
        return
      }
      const decision = ScanQuota.check(s.quota, now, rules.accountQuotaLimit, rules.accountQuotaWindowMillis)
      s.quota = decision.quota
      if (!decision.admitted) {
        if (rules.quotaExceededOnPush === "LIMIT_EXCEEDED") {
          image.basicScan = {
            kind: "LIMIT_EXCEEDED",
            trigger: "PUSH",
            startedAt: now,
            completesAt: now,
            outcome: "COMPLETE"
          }
        }
        return
      }
      const record = startRecord(s, "BASIC", "PUSH", repository, image, now)
      image.basicScan = record
      image.lastStarted = record
      s.quota = ScanQuota.record(s.quota, now)
    }

    // -----------------------------------------------------------------------------------------------------------
    // Scanning

    const startImageScan: StepOf<"StartImageScan"> = (input) =>
      step("StartImageScan", (s, now) => {
        const view: StartImageScanRule.RegistryView<RepositoryState, ImageState> = {
          registryId: accountId,
          scanType: s.scanning.scanType,
          quota: s.quota,
          repository: (registryId, name) => registryId === accountId ? s.repositories.get(name) : undefined,
          accessDenied: accessDenied("StartImageScan"),
          imageByDigest: lookup.imageByDigest,
          imageByTag: lookup.imageByTag
        }
        const decision = StartImageScanRule.decide(input, view, now, rules)
        if (decision._tag === "Refused") {
          if (decision.charge !== undefined) {
            s.quota = decision.charge.quota
            decision.charge.image.lastStarted = {
              kind: "BASIC",
              trigger: "MANUAL",
              startedAt: now,
              completesAt: now,
              outcome: "COMPLETE"
            }
          }
          return fail(decision.error)
        }
        const record = startRecord(s, "BASIC", "MANUAL", decision.repository, decision.image, now)
        decision.image.basicScan = record
        decision.image.lastStarted = record
        s.quota = decision.quota
        return ok({
          registryId: decision.registryId,
          repositoryName: decision.request.repositoryName,
          imageId: decision.imageId,
          imageScanStatus: { status: "IN_PROGRESS" }
        } as Api.StartImageScanResponse)
      })

    const findingsOf = (
      s: RegistryState.RegistryState,
      repository: RepositoryState,
      image: ImageState,
      startedAt: number
    ) =>
      overrideFor(s, repository.name, image.digest)?.findings ??
        (rules.findings === "SEEDED" ? SyntheticFindings.generate(seed, image.digest, startedAt) : [])

    const enhancedFinding = (
      finding: ScanModel.ImageScanFinding,
      repository: RepositoryState,
      image: ImageState,
      observedAt: Date
    ) => {
      const attribute = (key: string) => finding.attributes?.find((a) => a.key === key)?.value
      const score = Number(attribute("CVSS3_SCORE") ?? "0")
      return {
        awsAccountId: accountId,
        description: finding.description,
        findingArn: `arn:aws:inspector2:${region}:${accountId}:finding/${
          (Hash.string(`${image.digest}/${finding.name}`) >>> 0).toString(16)
        }`,
        firstObservedAt: observedAt,
        lastObservedAt: observedAt,
        packageVulnerabilityDetails: {
          source: "SYNTHETIC",
          vulnerabilityId: finding.name,
          vulnerablePackages: [{ name: attribute("package_name"), version: attribute("package_version") }]
        },
        resources: [{
          id: `arn:aws:ecr:${region}:${accountId}:repository/${repository.name}/${image.digest}`,
          type: "AWS_ECR_CONTAINER_IMAGE",
          details: {
            awsEcrContainerImage: {
              imageHash: image.digest,
              registry: accountId,
              repositoryName: repository.name,
              pushedAt: date(image.pushedAt)
            }
          }
        }],
        score,
        severity: finding.severity,
        status: "ACTIVE",
        title: finding.name,
        type: "PACKAGE_VULNERABILITY",
        updatedAt: observedAt,
        fixAvailable: "YES",
        exploitAvailable: "NO"
      }
    }

    const describeImageScanFindings: StepOf<"DescribeImageScanFindings"> = (input) =>
      step("DescribeImageScanFindings", (s, now) => {
        const validated = validators.DescribeImageScanFindings(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "DescribeImageScanFindings", request)
        if (isError(repository)) return fail(repository)
        const target = where(request.registryId, request.repositoryName)
        const image = ImageResolution.resolve(lookup, repository, request.imageId)
        if (image === undefined || image === "mismatch") {
          return fail(ImageResolution.notFound(target, request.imageId, image === "mismatch", rules))
        }
        const base = {
          registryId: target.registryId,
          repositoryName: request.repositoryName,
          imageId: ImageResolution.echo(request.imageId, image.digest)
        }
        if (ScanLifecycle.isArchivedAt(image.storage, now)) {
          return ok({
            ...base,
            imageScanStatus: { status: "IMAGE_ARCHIVED", description: ScanLifecycle.descriptions.IMAGE_ARCHIVED }
          } as Api.DescribeImageScanFindingsResponse)
        }
        const record = s.scanning.scanType === "BASIC" ? image.basicScan : image.enhancedScan
        if (record === undefined) return fail(Errors.scanNotFound(target, request.imageId))
        const status = ScanLifecycle.statusAt(record, image.storage, now, rules)
        const imageScanStatus = status.description === undefined
          ? { status: status.status }
          : { status: status.status, description: status.description }
        if (!status.hasFindings) return ok({ ...base, imageScanStatus } as Api.DescribeImageScanFindingsResponse)
        const all = findingsOf(s, repository, image, record.startedAt)
        const scanKey = `${image.digest}/${record.kind}/${record.startedAt}`
        const page = FindingsPage.page(all, scanKey, request.nextToken, request.maxResults)
        if (Either.isLeft(page)) return fail(page.left)
        const completedAt = date(status.completedAt ?? record.completesAt)
        const imageScanFindings = {
          imageScanCompletedAt: completedAt,
          vulnerabilitySourceUpdatedAt: completedAt,
          findingSeverityCounts: FindingsPage.severityCounts(all),
          ...(record.kind === "BASIC"
            ? { findings: page.right.items }
            : { enhancedFindings: page.right.items.map((f) => enhancedFinding(f, repository, image, completedAt)) })
        }
        return ok({
          ...base,
          imageScanStatus,
          imageScanFindings,
          ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
        } as Api.DescribeImageScanFindingsResponse)
      })

    // -----------------------------------------------------------------------------------------------------------
    // Repositories

    const repositoryRecord = (repository: RepositoryState): RepositoryModel.Repository =>
      ({
        repositoryArn: RepositoryModel.repositoryArn(region, accountId, repository.name),
        registryId: accountId,
        repositoryName: repository.name,
        repositoryUri: RepositoryModel.repositoryUri(region, accountId, repository.name),
        createdAt: date(repository.createdAt),
        imageTagMutability: repository.imageTagMutability,
        ...(repository.imageTagMutabilityExclusionFilters.length > 0
          ? { imageTagMutabilityExclusionFilters: repository.imageTagMutabilityExclusionFilters }
          : {}),
        imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
        encryptionConfiguration: repository.encryptionConfiguration
      }) as RepositoryModel.Repository

    const createRepository: StepOf<"CreateRepository"> = (input) =>
      step("CreateRepository", (s, now) => {
        const validated = validators.CreateRepository(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const target = where(request.registryId, request.repositoryName)
        const denied = accessDenied("CreateRepository")(target)
        if (denied !== undefined) return fail(denied)
        if (s.repositories.has(request.repositoryName)) return fail(Errors.repositoryAlreadyExists(target))
        const tags = request.tags ?? []
        if (tags.length > 50) {
          return fail(
            Errors.unsafeMake(Errors.TooManyTagsException, { message: "A resource can have at most 50 tags." })
          )
        }
        const mutability = request.imageTagMutability ?? "MUTABLE"
        const filters = request.imageTagMutabilityExclusionFilters ?? []
        if ((mutability === "MUTABLE" || mutability === "IMMUTABLE") && filters.length > 0) {
          return fail(Errors.invalidParameter(Constraints.invalidParameterMessage(
            "imageTagMutabilityExclusionFilters",
            "can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION"
          )))
        }
        if (
          (mutability === "IMMUTABLE_WITH_EXCLUSION" || mutability === "MUTABLE_WITH_EXCLUSION") && filters.length === 0
        ) {
          return fail(Errors.invalidParameter(Constraints.invalidParameterMessage(
            "imageTagMutabilityExclusionFilters",
            `must be specified with ${mutability}`
          )))
        }
        const encryption = request.encryptionConfiguration ?? { encryptionType: "AES256" as const }
        const repository: RepositoryState = {
          name: request.repositoryName,
          createdAt: now,
          imageTagMutability: mutability,
          imageTagMutabilityExclusionFilters: filters,
          encryptionConfiguration: encryption.encryptionType === "KMS" && encryption.kmsKey === undefined
            ? { encryptionType: "KMS", kmsKey: `arn:aws:kms:${region}:${accountId}:alias/aws/ecr` }
            : encryption,
          tags,
          scanOnPush: request.imageScanningConfiguration?.scanOnPush ?? false,
          images: new Map(),
          tagIndex: new Map()
        }
        s.repositories.set(repository.name, repository)
        return ok({ repository: repositoryRecord(repository) })
      })

    const describeRepositories: StepOf<"DescribeRepositories"> = (input) =>
      step("DescribeRepositories", (s) => {
        const validated = validators.DescribeRepositories(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const registryId = request.registryId ?? accountId
        if (request.repositoryNames !== undefined) {
          if (request.maxResults !== undefined || request.nextToken !== undefined) {
            return fail(Errors.invalidParameter(Constraints.invalidParameterMessage(
              "maxResults",
              "cannot be used together with repositoryNames"
            )))
          }
          const found: Array<RepositoryModel.Repository> = []
          for (const name of request.repositoryNames) {
            const repository = openRepository(s, "DescribeRepositories", { registryId, repositoryName: name })
            if (isError(repository)) return fail(repository)
            found.push(repositoryRecord(repository))
          }
          return ok({ repositories: found })
        }
        if (registryId !== accountId) return fail(accessDenied("DescribeRepositories")(where(registryId, "*"))!)
        const all = Array.from(s.repositories.values(), repositoryRecord)
        const page = FindingsPage.page(all, "repositories", request.nextToken, request.maxResults)
        if (Either.isLeft(page)) return fail(page.left)
        return ok({
          repositories: page.right.items,
          ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
        })
      })

    const deleteRepository: StepOf<"DeleteRepository"> = (input) =>
      step("DeleteRepository", (s) => {
        const validated = validators.DeleteRepository(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "DeleteRepository", request)
        if (isError(repository)) return fail(repository)
        if (repository.images.size > 0 && request.force !== true) {
          return fail(Errors.repositoryNotEmpty(where(request.registryId, request.repositoryName)))
        }
        s.repositories.delete(repository.name)
        for (const key of s.overrides.keys()) {
          if (key.startsWith(`${repository.name}@`)) s.overrides.delete(key)
        }
        return ok({ repository: repositoryRecord(repository) })
      })

    const putImageScanningConfiguration: StepOf<"PutImageScanningConfiguration"> = (input) =>
      step("PutImageScanningConfiguration", (s) => {
        const validated = validators.PutImageScanningConfiguration(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "PutImageScanningConfiguration", request)
        if (isError(repository)) return fail(repository)
        repository.scanOnPush = request.imageScanningConfiguration.scanOnPush ?? false
        return ok({
          registryId: accountId,
          repositoryName: request.repositoryName,
          imageScanningConfiguration: { scanOnPush: repository.scanOnPush }
        } as Api.PutImageScanningConfigurationResponse)
      })

    // -----------------------------------------------------------------------------------------------------------
    // Images

    const putImage: StepOf<"PutImage"> = (input) =>
      step("PutImage", (s, now) => {
        const validated = validators.PutImage(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "PutImage", request)
        if (isError(repository)) return fail(repository)
        const target = where(request.registryId, request.repositoryName)
        const info = Manifest.parse(request.imageManifest, request.imageManifestMediaType)
        if (Either.isLeft(info)) return fail(info.left)
        const digest = sha256(request.imageManifest)
        if (request.imageDigest !== undefined && request.imageDigest !== digest) {
          return fail(Errors.imageDigestDoesNotMatch(request.imageDigest, digest))
        }
        const missing = info.right.references.filter((d) => !repository.images.has(d))
        if (missing.length > 0) return fail(Errors.referencedImagesNotFound(missing))
        const tag = request.imageTag
        const existing = repository.images.get(digest)
        const tagOwner = tag === undefined ? undefined : repository.tagIndex.get(tag)
        const archived = existing !== undefined && ScanLifecycle.isArchivedAt(existing.storage, now)
        if (existing !== undefined && (tag === undefined || tagOwner === digest) && !archived) {
          return fail(Errors.imageAlreadyExists(target, digest, tag))
        }
        if (tag !== undefined && tagOwner !== undefined && tagOwner !== digest && tagIsImmutable(repository, tag)) {
          return fail(Errors.imageTagAlreadyExists(target, tag))
        }
        // Every check passed: write.
        if (tag !== undefined && tagOwner !== undefined && tagOwner !== digest) {
          const previous = repository.images.get(tagOwner)!
          previous.tags = previous.tags.filter((t) => t !== tag)
        }
        let image = existing
        if (image === undefined) {
          const sizeInBytes = info.right.isIndex
            ? Math.max(0, ...info.right.references.map((d) => repository.images.get(d)!.sizeInBytes))
            : info.right.sizeInBytes
          image = {
            digest,
            manifest: request.imageManifest,
            mediaType: info.right.mediaType,
            artifactMediaType: info.right.artifactMediaType,
            sizeInBytes,
            scannable: info.right.layerCount > 0,
            subjectDigest: info.right.subjectDigest as Identifiers.ImageDigest | undefined,
            references: info.right.references,
            pushedAt: now,
            // Sized for the tag it gets now: `[]` then `push` would reserve room for 17.
            tags: tag === undefined ? [] : [tag],
            storage: ScanLifecycle.active,
            lastArchivedAt: undefined,
            lastActivatedAt: undefined,
            lastStarted: undefined,
            basicScan: undefined,
            enhancedScan: undefined
          }
          repository.images.set(digest, image)
        } else if (archived) {
          // Pushing an archived image again restores it at once.
          image.storage = ScanLifecycle.active
          image.lastActivatedAt = now
        }
        if (tag !== undefined && tagOwner !== digest) {
          if (existing !== undefined) image.tags.push(tag)
          repository.tagIndex.set(tag, digest)
        }
        if (existing === undefined) scanOnPush(s, repository, image, now)
        return ok({
          image: {
            registryId: target.registryId,
            repositoryName: request.repositoryName,
            imageId: tag === undefined ? { imageDigest: digest } : { imageDigest: digest, imageTag: tag },
            imageManifest: request.imageManifest,
            imageManifestMediaType: image.mediaType
          }
        } as Api.PutImageResponse)
      })

    type BatchFailure = ImageModel.ImageFailure
    const batchFailure = (imageId: ImageResolution.ImageIdInput, code: BatchFailure["failureCode"], reason: string) =>
      ({ imageId, failureCode: code, failureReason: reason }) as BatchFailure

    /** Resolves one entry of a batch request, answering problems as failures rather than errors. */
    const resolveEntry = (repository: RepositoryState, imageId: ImageResolution.ImageIdInput) => {
      if (imageId.imageDigest === undefined && imageId.imageTag === undefined) {
        return {
          failure: batchFailure(
            imageId,
            "MissingDigestAndTag",
            "Invalid request parameters: both tag and digest cannot be null"
          )
        }
      }
      const resolved = ImageResolution.resolve(lookup, repository, imageId)
      if (resolved === "mismatch") {
        return {
          failure: batchFailure(
            imageId,
            "ImageTagDoesNotMatchDigest",
            "Invalid request parameters: given tag does not map to the given digest"
          )
        }
      }
      return resolved === undefined
        ? { failure: batchFailure(imageId, "ImageNotFound", "Requested image not found") }
        : { image: resolved }
    }

    const batchGetImage: StepOf<"BatchGetImage"> = (input) =>
      step("BatchGetImage", (s) => {
        const validated = validators.BatchGetImage(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "BatchGetImage", request)
        if (isError(repository)) return fail(repository)
        const images: Array<ImageModel.Image> = []
        const failures: Array<BatchFailure> = []
        for (const imageId of request.imageIds) {
          const { failure, image: entry } = resolveEntry(repository, imageId)
          if (entry === undefined) {
            failures.push(failure!)
            continue
          }
          images.push({
            registryId: accountId,
            repositoryName: request.repositoryName,
            imageId: ImageResolution.echo(imageId, entry.digest),
            imageManifest: entry.manifest,
            imageManifestMediaType: entry.mediaType
          } as ImageModel.Image)
        }
        return ok({ images, failures })
      })

    const batchDeleteImage: StepOf<"BatchDeleteImage"> = (input) =>
      step("BatchDeleteImage", (s) => {
        const validated = validators.BatchDeleteImage(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "BatchDeleteImage", request)
        if (isError(repository)) return fail(repository)
        const deleted: Array<Identifiers.ImageIdentifier> = []
        const failures: Array<BatchFailure> = []
        for (const imageId of request.imageIds) {
          const { failure, image: entry } = resolveEntry(repository, imageId)
          if (entry === undefined) {
            failures.push(failure!)
            continue
          }
          const referencedBy = Array.from(repository.images.values()).find((i) => i.references.includes(entry.digest))
          if (referencedBy !== undefined && (imageId.imageTag === undefined || entry.tags.length <= 1)) {
            failures.push(batchFailure(
              imageId,
              "ImageReferencedByManifestList",
              `Requested image is referenced by manifest list: [${referencedBy.digest}]`
            ))
            continue
          }
          // By tag: untag, and delete the image with its last tag. By digest: delete with every tag.
          const removedTags = imageId.imageTag !== undefined && imageId.imageDigest === undefined
            ? [imageId.imageTag]
            : [...entry.tags]
          for (const tag of removedTags) repository.tagIndex.delete(tag)
          entry.tags = entry.tags.filter((t) => !removedTags.includes(t))
          if (entry.tags.length === 0) repository.images.delete(entry.digest)
          if (removedTags.length === 0) deleted.push({ imageDigest: entry.digest })
          for (const tag of removedTags) deleted.push({ imageDigest: entry.digest, imageTag: tag })
        }
        return ok({ imageIds: deleted, failures })
      })

    const imageDetail = (repository: RepositoryState, image: ImageState, now: number): ImageModel.ImageDetail =>
      ({
        registryId: accountId,
        repositoryName: repository.name,
        imageDigest: image.digest,
        ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
        imageSizeInBytes: image.sizeInBytes,
        imagePushedAt: date(image.pushedAt),
        imageManifestMediaType: image.mediaType,
        ...(image.artifactMediaType === undefined ? {} : { artifactMediaType: image.artifactMediaType }),
        ...(image.subjectDigest === undefined ? {} : { subjectManifestDigest: image.subjectDigest }),
        imageStatus: ScanLifecycle.imageStatusAt(image.storage, now),
        ...(image.lastArchivedAt === undefined ? {} : { lastArchivedAt: date(image.lastArchivedAt) }),
        ...(image.lastActivatedAt === undefined ? {} : { lastActivatedAt: date(image.lastActivatedAt) })
      }) as ImageModel.ImageDetail

    const describeImages: StepOf<"DescribeImages"> = (input) =>
      step("DescribeImages", (s, now) => {
        const validated = validators.DescribeImages(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "DescribeImages", request)
        if (isError(repository)) return fail(repository)
        const target = where(request.registryId, request.repositoryName)
        if (request.imageIds !== undefined) {
          if (request.maxResults !== undefined || request.nextToken !== undefined) {
            return fail(Errors.invalidParameter(Constraints.invalidParameterMessage(
              "maxResults",
              "cannot be used together with imageIds"
            )))
          }
          const details: Array<ImageModel.ImageDetail> = []
          for (const imageId of request.imageIds) {
            const image = ImageResolution.resolve(lookup, repository, imageId)
            if (image === undefined || image === "mismatch") {
              return fail(ImageResolution.notFound(target, imageId, image === "mismatch", rules))
            }
            details.push(imageDetail(repository, image, now))
          }
          return ok({ imageDetails: details })
        }
        const tagStatus = request.filter?.tagStatus ?? "ANY"
        const imageStatus = request.filter?.imageStatus ?? "ACTIVE"
        const selected: Array<ImageState> = []
        for (const image of repository.images.values()) {
          if (tagStatus === "TAGGED" && image.tags.length === 0) continue
          if (tagStatus === "UNTAGGED" && image.tags.length > 0) continue
          if (imageStatus !== "ANY" && ScanLifecycle.imageStatusAt(image.storage, now) !== imageStatus) continue
          selected.push(image)
        }
        const page = FindingsPage.page(selected, `images/${repository.name}`, request.nextToken, request.maxResults)
        if (Either.isLeft(page)) return fail(page.left)
        return ok({
          imageDetails: page.right.items.map((image) => imageDetail(repository, image, now)),
          ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
        })
      })

    const updateImageStorageClass: StepOf<"UpdateImageStorageClass"> = (input) =>
      step("UpdateImageStorageClass", (s, now) => {
        const validated = validators.UpdateImageStorageClass(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const request = validated.right
        const repository = openRepository(s, "UpdateImageStorageClass", request)
        if (isError(repository)) return fail(repository)
        const target = where(request.registryId, request.repositoryName)
        const image = ImageResolution.resolve(lookup, repository, request.imageId)
        if (image === undefined || image === "mismatch") {
          return fail(ImageResolution.notFound(target, request.imageId, image === "mismatch", rules))
        }
        const status = ScanLifecycle.imageStatusAt(image.storage, now)
        if (request.targetStorageClass === "ARCHIVE") {
          if (status !== "ACTIVE" || image.references.length > 0) {
            return fail(Errors.imageStorageClassUpdateNotSupported())
          }
          image.storage = { _tag: "Archived", archivedAt: now }
          image.lastArchivedAt = now
        } else {
          if (status !== "ARCHIVED") return fail(Errors.imageStorageClassUpdateNotSupported())
          const archivedAt = image.storage._tag === "Active" ? now : image.storage.archivedAt
          image.storage = {
            _tag: "Activating",
            archivedAt,
            requestedAt: now,
            activeAt: now + rules.restoreDurationMillis
          }
          image.lastActivatedAt = now + rules.restoreDurationMillis
          // Scan results from before the archive are not available after a restore.
          image.basicScan = undefined
          image.enhancedScan = undefined
        }
        return ok({
          registryId: target.registryId,
          repositoryName: request.repositoryName,
          imageId: ImageResolution.echo(request.imageId, image.digest),
          imageStatus: ScanLifecycle.imageStatusAt(image.storage, now)
        } as Api.UpdateImageStorageClassResponse)
      })

    // -----------------------------------------------------------------------------------------------------------
    // Registry scanning configuration

    const putRegistryScanningConfiguration: StepOf<"PutRegistryScanningConfiguration"> = (input) =>
      step("PutRegistryScanningConfiguration", (s) => {
        const validated = validators.PutRegistryScanningConfiguration(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const configuration = {
          scanType: validated.right.scanType ?? s.scanning.scanType,
          rules: validated.right.rules ?? []
        }
        const problem = RegistryScanningRules.configurationProblem(configuration)
        if (problem !== undefined) return fail(Errors.validation(problem))
        s.scanning = configuration
        return ok({ registryScanningConfiguration: configuration })
      })

    const getRegistryScanningConfiguration: StepOf<"GetRegistryScanningConfiguration"> = (input) =>
      step("GetRegistryScanningConfiguration", (s) => {
        const validated = validators.GetRegistryScanningConfiguration(input ?? {})
        if (Either.isLeft(validated)) return fail(validated.left)
        return ok({
          registryId: accountId,
          scanningConfiguration: { scanType: s.scanning.scanType, rules: s.scanning.rules }
        } as Api.GetRegistryScanningConfigurationResponse)
      })

    const batchGetRepositoryScanningConfiguration: StepOf<"BatchGetRepositoryScanningConfiguration"> = (
      input
    ) =>
      step("BatchGetRepositoryScanningConfiguration", (s) => {
        const validated = validators.BatchGetRepositoryScanningConfiguration(input)
        if (Either.isLeft(validated)) return fail(validated.left)
        const scanningConfigurations: Array<ScanningConfiguration.RepositoryScanningConfiguration> = []
        const failures: Array<ScanningConfiguration.RepositoryScanningConfigurationFailure> = []
        for (const name of validated.right.repositoryNames) {
          const repository = s.repositories.get(name)
          if (repository === undefined) {
            failures.push({
              repositoryName: name,
              failureCode: "REPOSITORY_NOT_FOUND",
              failureReason: "REPOSITORY_NOT_FOUND"
            })
            continue
          }
          const effective = RegistryScanningRules.effectiveScanning(s.scanning, {
            name,
            scanOnPush: repository.scanOnPush
          })
          scanningConfigurations.push({
            repositoryArn: RepositoryModel.repositoryArn(region, accountId, name),
            repositoryName: name,
            scanOnPush: effective.scanOnPush,
            scanFrequency: effective.scanFrequency,
            appliedScanFilters: effective.appliedScanFilters
          })
        }
        return ok({ scanningConfigurations, failures })
      })

    // -----------------------------------------------------------------------------------------------------------
    // The driver

    const mutate = <A>(f: (s: RegistryState.RegistryState) => A): Effect.Effect<A> => Effect.sync(() => f(live))

    const planFault = (plan: FaultPlanInput) => {
      const probability = plan.probability ?? 1
      const count = plan.count ?? (plan.probability === undefined ? 1 : UNLIMITED)
      if (!(probability >= 0 && probability <= 1)) {
        return Effect.fail(new InvalidFaultPlan({ message: `probability must be between 0 and 1, got ${probability}` }))
      }
      if (!Number.isInteger(count) || count < 1) {
        return Effect.fail(new InvalidFaultPlan({ message: `count must be a positive integer, got ${count}` }))
      }
      if (plan.operation !== "*" && !Api.isOperationName(plan.operation)) {
        return Effect.fail(new InvalidFaultPlan({ message: `unknown operation '${plan.operation}'` }))
      }
      const error = plan.error ?? "ServerException"
      if (Errors.isServiceErrorName(error) && error !== "ServerException") {
        const operations = plan.operation === "*" ? Object.values(Api.Operations) : [Api.Operations[plan.operation]]
        const foreign = operations.find((op) => !(op.errors as ReadonlyArray<string>).includes(error))
        if (foreign !== undefined) {
          return Effect.fail(
            new InvalidFaultPlan({
              message:
                `${error} is not an error of ${foreign.name}; an unmodelled code (such as ThrottlingException) ` +
                `arrives as UnknownEcrError`
            })
          )
        }
      }
      return mutate((s) => {
        s.faults = [...s.faults, {
          operation: plan.operation,
          error,
          message: plan.message ?? (error === "ServerException" ? "An internal error occurred." : `Injected ${error}`),
          remaining: count,
          probability
        }]
      })
    }

    const now = Effect.clockWith((clock) => Effect.sync(() => Math.max(clock.unsafeCurrentTimeMillis(), live.lastNow)))

    const replace = (s: RegistryState.RegistryState, next: RegistryState.RegistryState) => {
      s.repositories.clear()
      for (const [k, v] of next.repositories) s.repositories.set(k, v)
      s.scanning = next.scanning
      s.quota = next.quota
      s.lastNow = next.lastNow
      s.overrides.clear()
      for (const [k, v] of next.overrides) s.overrides.set(k, v)
      s.faults = next.faults
    }

    const driver: MemoryRegistryDriverService = {
      setScanOutcome: (target, outcome) =>
        mutate((s) => {
          const key = RegistryState.overrideKey(target.imageDigest, target.repositoryName)
          s.overrides.set(key, { ...s.overrides.get(key), outcome })
        }),
      setFindings: (target, findings) =>
        mutate((s) => {
          const key = RegistryState.overrideKey(target.imageDigest, target.repositoryName)
          s.overrides.set(key, { ...s.overrides.get(key), findings: [...findings] })
        }),
      clearOverrides: mutate((s) => s.overrides.clear()),
      planFault,
      clearFaults: mutate((s) => {
        s.faults = []
      }),
      now: Effect.map(now, date),
      quotaUsage: Effect.flatMap(now, (at) =>
        mutate((s) => {
          const decision = ScanQuota.check(s.quota, at, rules.accountQuotaLimit, rules.accountQuotaWindowMillis)
          s.quota = decision.quota
          return {
            used: decision.quota.size,
            limit: rules.accountQuotaLimit,
            nextSlotAt: decision.admitted ? undefined : date(decision.nextSlotAt)
          }
        })),
      snapshot: Effect.sync(() => Snapshot.fromState(live, accountId, region)),
      restore: (snapshot) =>
        Either.match(Snapshot.toState(snapshot), {
          onLeft: (message) => Effect.fail(new InvalidSnapshot({ message })),
          onRight: (next) => mutate((s) => replace(s, next))
        }),
      reset: mutate((s) => {
        replace(s, RegistryState.empty())
        faultRandom = newFaultRandom()
      })
    }

    const steps: { readonly [Name in Api.OperationName]: StepOf<Name> } = {
      StartImageScan: startImageScan,
      DescribeImageScanFindings: describeImageScanFindings,
      CreateRepository: createRepository,
      DescribeRepositories: describeRepositories,
      DeleteRepository: deleteRepository,
      PutImage: putImage,
      BatchGetImage: batchGetImage,
      BatchDeleteImage: batchDeleteImage,
      DescribeImages: describeImages,
      PutImageScanningConfiguration: putImageScanningConfiguration,
      PutRegistryScanningConfiguration: putRegistryScanningConfiguration,
      GetRegistryScanningConfiguration: getRegistryScanningConfiguration,
      BatchGetRepositoryScanningConfiguration: batchGetRepositoryScanningConfiguration,
      UpdateImageStorageClass: updateImageStorageClass
    }
    const scanner: ImageScannerService = {
      startImageScan: run(startImageScan),
      describeImageScanFindings: run(describeImageScanFindings)
    }
    const registry: ImageRegistryService = {
      createRepository: run(createRepository),
      describeRepositories: run(describeRepositories),
      deleteRepository: run(deleteRepository),
      putImage: run(putImage),
      batchGetImage: run(batchGetImage),
      batchDeleteImage: run(batchDeleteImage),
      describeImages: run(describeImages),
      putImageScanningConfiguration: run(putImageScanningConfiguration),
      putRegistryScanningConfiguration: run(putRegistryScanningConfiguration),
      getRegistryScanningConfiguration: run(getRegistryScanningConfiguration),
      batchGetRepositoryScanningConfiguration: run(batchGetRepositoryScanningConfiguration),
      updateImageStorageClass: run(updateImageStorageClass)
    }

    return {
      scanner,
      registry,
      direct: {
        scanner,
        registry,
        unsafeCall: (operation, request, nowMillis) =>
          apply((steps[operation] as StepOf<Api.OperationName>)(request as never), nowMillis)
      },
      driver,
      storage: {
        unsafeState: live,
        faultRandomState: () => faultRandom.getState(),
        setFaultRandomState: (next) => faultRandom.setState(next)
      }
    } satisfies MemoryRegistry
  })

/**
 * The in-memory registry as a Layer of the two ports and the driver (and `MemoryRegistryDirect`, for hosts
 * that call it synchronously).
 */
export const layer = (
  options: MemoryRegistryOptions = {}
): Layer.Layer<
  ImageScanner | ImageRegistry | MemoryRegistryDriver | MemoryRegistryDirect,
  InvalidMemoryRegistryOptions
> =>
  Layer.effectContext(
    Effect.map(make(options), (registry) =>
      Context.make(ImageScanner, registry.scanner).pipe(
        Context.add(ImageRegistry, registry.registry),
        Context.add(MemoryRegistryDriver, registry.driver),
        Context.add(MemoryRegistryDirect, registry.direct)
      ))
  )
