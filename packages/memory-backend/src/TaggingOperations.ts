/**
 * The memory engine's tagging operations (`TagResource`, `UntagResource`, `ListTagsForResource`, on a
 * repository named by its ARN: the core's `ResourceTags` decide) and `PutImageTagMutability` (the exclusion
 * filters checked as `CreateRepository` checks them). A change is written to the repository and reported as
 * `RepositoryUpdated`; `PutImage` reads the new mutability from the repository.
 *
 * @since 0.1.0
 */
import { type Api, Errors, RepositoryRules, RequestValidators, ResourceTags } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Engine, Step } from "./Engine.js"
import * as Lookups from "./Lookups.js"
import type { RepositoryState } from "./RegistryState.js"

const validators = RequestValidators.validators

/** The repository a resource ARN names in this registry, or the error the ARN or its absence earns. */
const repositoryOfArn = (
  engine: Engine,
  arn: string
): RepositoryState | Errors.InvalidParameterException | Errors.RepositoryNotFoundException => {
  const resolved = ResourceTags.resolveRepositoryArn(arn, {
    accountId: engine.config.accountId,
    region: engine.config.region
  })
  if (Either.isLeft(resolved)) return resolved.left
  return engine.state.repositories.get(resolved.right.repositoryName) ?? Errors.repositoryNotFound(resolved.right)
}

/** The validated request of a tagging operation and the repository its ARN names, or the first error. */
const openResource = <Name extends "TagResource" | "UntagResource" | "ListTagsForResource">(
  engine: Engine,
  operation: Name,
  input: unknown
) => {
  const validated = validators[operation](input)
  if (Either.isLeft(validated)) return validated.left
  const request = validated.right as Api.RequestTypeOf<Name>
  const repository = repositoryOfArn(engine, request.resourceArn)
  if (Lookups.isError(repository)) return repository
  return { request, repository }
}

/** Writes a repository's new tags and reports them, unless they are the same tags in the same order. */
const setTags = (engine: Engine, repository: RepositoryState, tags: RepositoryState["tags"]) => {
  const same = tags.length === repository.tags.length &&
    tags.every((tag, i) => tag.Key === repository.tags[i]!.Key && tag.Value === repository.tags[i]!.Value)
  if (same) return
  repository.tags = tags
  Lookups.repositoryUpdated(engine, repository)
}

const tagResource: Step<"TagResource"> = (engine, input) => {
  const opened = openResource(engine, "TagResource", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const decided = ResourceTags.tagResource(opened.repository.tags, opened.request.tags)
  if (Either.isLeft(decided)) return Exit.fail(decided.left)
  setTags(engine, opened.repository, decided.right)
  return Exit.succeed({})
}

const untagResource: Step<"UntagResource"> = (engine, input) => {
  const opened = openResource(engine, "UntagResource", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const decided = ResourceTags.untagResource(opened.repository.tags, opened.request.tagKeys)
  if (Either.isLeft(decided)) return Exit.fail(decided.left)
  setTags(engine, opened.repository, decided.right)
  return Exit.succeed({})
}

const listTagsForResource: Step<"ListTagsForResource"> = (engine, input) => {
  const opened = openResource(engine, "ListTagsForResource", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  return Exit.succeed({ tags: opened.repository.tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })) })
}

const putImageTagMutability: Step<"PutImageTagMutability"> = (engine, input) => {
  const validated = validators.PutImageTagMutability(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const request = validated.right
  const filters = request.imageTagMutabilityExclusionFilters ?? []
  const problem = RepositoryRules.exclusionFiltersProblem(request.imageTagMutability, filters.length)
  if (problem !== undefined) return Exit.fail(problem)
  const repository = Lookups.openRepository(engine, "PutImageTagMutability", request)
  if (Lookups.isError(repository)) return Lookups.fail<"PutImageTagMutability">(repository)
  repository.imageTagMutability = request.imageTagMutability
  repository.imageTagMutabilityExclusionFilters = filters.map((f) => ({ filterType: f.filterType, filter: f.filter }))
  Lookups.repositoryUpdated(engine, repository)
  return Exit.succeed(
    {
      registryId: engine.config.accountId,
      repositoryName: repository.name,
      imageTagMutability: repository.imageTagMutability,
      ...(filters.length > 0
        ? { imageTagMutabilityExclusionFilters: repository.imageTagMutabilityExclusionFilters }
        : {})
    } as Api.PutImageTagMutabilityResponse
  )
}

/** The tagging and tag mutability operations' steps. */
export const steps = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  PutImageTagMutability: putImageTagMutability
}
