/**
 * The memory engine's policy operations: a repository's policy (set, get, delete) and the registry's (put, get,
 * delete). The core's `PolicyDocuments` decides whether a document would be stored; a stored document is kept
 * as given, byte for byte, and never evaluated: no request is allowed or denied by it.
 *
 * @since 0.1.0
 */
import { type Api, PolicyDocuments, RequestValidators } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Engine, Step } from "./Engine.js"
import * as Lookups from "./Lookups.js"
import type { RepositoryState } from "./RegistryState.js"

const validators = RequestValidators.validators

/** What the repository policy operations answer: the repository and its policy text. */
const repositoryReply = (engine: Engine, repository: RepositoryState, policyText: string) => ({
  registryId: engine.config.accountId,
  repositoryName: repository.name,
  policyText
})

const setRepositoryPolicy: Step<"SetRepositoryPolicy"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "SetRepositoryPolicy", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { repository, request } = opened
  // `force` changes nothing: only an IAM evaluation could tell that a policy locks its setter out.
  const refused = PolicyDocuments.check("repository", request.policyText)
  if (refused !== undefined) return Exit.fail(refused)
  repository.repositoryPolicy = request.policyText
  Lookups.repositoryUpdated(engine, repository)
  return Exit.succeed(repositoryReply(engine, repository, request.policyText) as Api.SetRepositoryPolicyResponse)
}

const getRepositoryPolicy: Step<"GetRepositoryPolicy"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "GetRepositoryPolicy", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { repository, target } = opened
  if (repository.repositoryPolicy === undefined) return Exit.fail(PolicyDocuments.repositoryPolicyNotFound(target))
  return Exit.succeed(
    repositoryReply(engine, repository, repository.repositoryPolicy) as Api.GetRepositoryPolicyResponse
  )
}

const deleteRepositoryPolicy: Step<"DeleteRepositoryPolicy"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "DeleteRepositoryPolicy", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { repository, target } = opened
  const policyText = repository.repositoryPolicy
  if (policyText === undefined) return Exit.fail(PolicyDocuments.repositoryPolicyNotFound(target))
  repository.repositoryPolicy = undefined
  Lookups.repositoryUpdated(engine, repository)
  return Exit.succeed(repositoryReply(engine, repository, policyText) as Api.DeleteRepositoryPolicyResponse)
}

const putRegistryPolicy: Step<"PutRegistryPolicy"> = (engine, input) => {
  const validated = validators.PutRegistryPolicy(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const policy = validated.right.policyText
  const refused = PolicyDocuments.check("registry", policy)
  if (refused !== undefined) return Exit.fail(refused)
  engine.state.registryPolicy = policy
  engine.changes?.push({ _tag: "RegistryPolicySet", policy })
  return Exit.succeed({ registryId: engine.config.accountId, policyText: policy } as Api.PutRegistryPolicyResponse)
}

const getRegistryPolicy: Step<"GetRegistryPolicy"> = (engine, input) => {
  const validated = validators.GetRegistryPolicy(input ?? {})
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const policy = engine.state.registryPolicy
  if (policy === undefined) return Exit.fail(PolicyDocuments.registryPolicyNotFound(engine.config.accountId))
  return Exit.succeed({ registryId: engine.config.accountId, policyText: policy } as Api.GetRegistryPolicyResponse)
}

const deleteRegistryPolicy: Step<"DeleteRegistryPolicy"> = (engine, input) => {
  const validated = validators.DeleteRegistryPolicy(input ?? {})
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const policy = engine.state.registryPolicy
  if (policy === undefined) return Exit.fail(PolicyDocuments.registryPolicyNotFound(engine.config.accountId))
  engine.state.registryPolicy = undefined
  engine.changes?.push({ _tag: "RegistryPolicySet", policy: undefined })
  return Exit.succeed({ registryId: engine.config.accountId, policyText: policy } as Api.DeleteRegistryPolicyResponse)
}

/** The policy operations' steps. */
export const steps = {
  SetRepositoryPolicy: setRepositoryPolicy,
  GetRepositoryPolicy: getRepositoryPolicy,
  DeleteRepositoryPolicy: deleteRepositoryPolicy,
  PutRegistryPolicy: putRegistryPolicy,
  GetRegistryPolicy: getRegistryPolicy,
  DeleteRegistryPolicy: deleteRegistryPolicy
}
