/**
 * The memory engine's repository operations: create (the core's `RepositoryRules` decide), describe, delete,
 * and the repository's scan-on-push flag.
 *
 * @since 0.1.0
 */
import { type Api, Errors, PagingRules, RepositoryModel, RepositoryRules, RequestValidators } from "@ecr-scan/core"
import { FindingsPage } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Engine, Step } from "./Engine.js"
import * as Lookups from "./Lookups.js"
import type { RepositoryState } from "./RegistryState.js"

const validators = RequestValidators.validators

/** A repository as the API shows it. */
const repositoryRecord = (engine: Engine, repository: RepositoryState): RepositoryModel.Repository => {
  const { accountId, region } = engine.config
  return {
    repositoryArn: RepositoryModel.repositoryArn(region, accountId, repository.name),
    registryId: accountId,
    repositoryName: repository.name,
    repositoryUri: RepositoryModel.repositoryUri(region, accountId, repository.name),
    createdAt: Lookups.date(repository.createdAt),
    imageTagMutability: repository.imageTagMutability,
    ...(repository.imageTagMutabilityExclusionFilters.length > 0
      ? { imageTagMutabilityExclusionFilters: repository.imageTagMutabilityExclusionFilters }
      : {}),
    imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
    encryptionConfiguration: repository.encryptionConfiguration
  } as RepositoryModel.Repository
}

const createRepository: Step<"CreateRepository"> = (engine, input, now) => {
  const validated = validators.CreateRepository(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const request = validated.right
  const s = engine.state
  const decided = RepositoryRules.createRepository(request, {
    accountId: engine.config.accountId,
    region: engine.config.region,
    accessDenied: (target) => Lookups.accessDenied(engine, "CreateRepository", target),
    exists: s.repositories.has(request.repositoryName)
  }, now)
  if (Either.isLeft(decided)) return Exit.fail(decided.left)
  const settings = decided.right
  const repository: RepositoryState = {
    ...settings,
    repositoryPolicy: undefined,
    lifecyclePolicy: undefined,
    images: new Map(),
    tagIndex: new Map()
  }
  s.repositories.set(repository.name, repository)
  engine.changes?.push({ _tag: "RepositoryCreated", repository: settings })
  return Exit.succeed({ repository: repositoryRecord(engine, repository) })
}

const describeRepositories: Step<"DescribeRepositories"> = (engine, input) => {
  const validated = validators.DescribeRepositories(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const request = validated.right
  const { accountId } = engine.config
  const registryId = request.registryId ?? accountId
  if (request.repositoryNames !== undefined) {
    const conflict = PagingRules.explicitListConflict("DescribeRepositories", request)
    if (conflict !== undefined) return Exit.fail(conflict)
    const found: Array<RepositoryModel.Repository> = []
    for (const name of request.repositoryNames) {
      const repository = Lookups.openRepository(engine, "DescribeRepositories", { registryId, repositoryName: name })
      if (Lookups.isError(repository)) return Exit.fail(repository)
      found.push(repositoryRecord(engine, repository))
    }
    return Exit.succeed({ repositories: found })
  }
  const denied = Lookups.accessDenied(engine, "DescribeRepositories", Lookups.where(engine, registryId, "*"))
  if (denied !== undefined) return Exit.fail(denied)
  const all = Array.from(engine.state.repositories.values(), (repository) => repositoryRecord(engine, repository))
  const page = FindingsPage.page(all, "repositories", request.nextToken, request.maxResults)
  if (Either.isLeft(page)) return Exit.fail(page.left)
  return Exit.succeed({
    repositories: page.right.items,
    ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
  })
}

const deleteRepository: Step<"DeleteRepository"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "DeleteRepository", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target } = opened
  if (repository.images.size > 0 && request.force !== true) {
    return Exit.fail(Errors.repositoryNotEmpty(target))
  }
  const s = engine.state
  s.repositories.delete(repository.name)
  for (const key of s.overrides.keys()) {
    if (key.startsWith(`${repository.name}@`)) s.overrides.delete(key)
  }
  engine.changes?.push({ _tag: "RepositoryDeleted", repositoryName: repository.name })
  return Exit.succeed({ repository: repositoryRecord(engine, repository) })
}

const putImageScanningConfiguration: Step<"PutImageScanningConfiguration"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "PutImageScanningConfiguration", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository } = opened
  repository.scanOnPush = request.imageScanningConfiguration.scanOnPush ?? false
  engine.changes?.push({
    _tag: "RepositoryReconfigured",
    repositoryName: repository.name,
    scanOnPush: repository.scanOnPush
  })
  return Exit.succeed({
    registryId: engine.config.accountId,
    repositoryName: request.repositoryName,
    imageScanningConfiguration: { scanOnPush: repository.scanOnPush }
  } as Api.PutImageScanningConfigurationResponse)
}

/** The repository operations' steps. */
export const steps = {
  CreateRepository: createRepository,
  DescribeRepositories: describeRepositories,
  DeleteRepository: deleteRepository,
  PutImageScanningConfiguration: putImageScanningConfiguration
}
