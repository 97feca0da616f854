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

/** Whether two tag lists hold the same tags in the same order (a change that changes nothing is not reported). */
const sameTags = (a: RepositoryState["tags"], b: RepositoryState["tags"]) =>
  a.length === b.length && a.every((tag, i) => tag.Key === b[i]!.Key && tag.Value === b[i]!.Value)

const tagResource: Step<"TagResource"> = (engine, input) => {
  const validated = validators.TagResource(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const repository = repositoryOfArn(engine, validated.right.resourceArn)
  if (Lookups.isError(repository)) return Exit.fail(repository)
  const decided = ResourceTags.tagResource(repository.tags, validated.right.tags)
  if (Either.isLeft(decided)) return Exit.fail(decided.left)
  if (!sameTags(decided.right, repository.tags)) {
    repository.tags = decided.right
    Lookups.repositoryUpdated(engine, repository)
  }
  return Exit.succeed({})
}

const untagResource: Step<"UntagResource"> = (engine, input) => {
  const validated = validators.UntagResource(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const repository = repositoryOfArn(engine, validated.right.resourceArn)
  if (Lookups.isError(repository)) return Exit.fail(repository)
  const decided = ResourceTags.untagResource(repository.tags, validated.right.tagKeys)
  if (Either.isLeft(decided)) return Exit.fail(decided.left)
  if (decided.right.length !== repository.tags.length) {
    repository.tags = decided.right
    Lookups.repositoryUpdated(engine, repository)
  }
  return Exit.succeed({})
}

const listTagsForResource: Step<"ListTagsForResource"> = (engine, input) => {
  const validated = validators.ListTagsForResource(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const repository = repositoryOfArn(engine, validated.right.resourceArn)
  if (Lookups.isError(repository)) return Exit.fail(repository)
  return Exit.succeed({ tags: repository.tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })) })
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
