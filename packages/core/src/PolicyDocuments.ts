/**
 * The check ECR makes of a repository policy (`SetRepositoryPolicy`) or a registry policy (`PutRegistryPolicy`)
 * before it stores it: the text must be JSON, and a JSON policy document in the grammar of resource-based
 * policies. A document that passes is kept as given, byte for byte; one that fails is refused with AWS's one
 * text, `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'`
 * (or `'Invalid registry policy provided'`), which does not say what is wrong. `reasonOf` says it, for
 * diagnostics and tests.
 *
 * What is checked is the document's shape, never its meaning: no policy is evaluated, no principal, action,
 * ARN or condition key is looked up, and no request is ever allowed or denied by a stored policy (no IAM
 * evaluation). The length (0 to 10,240 characters) is the request schema's.
 *
 * @since 0.1.0
 */
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"

/** Which policy a document is: a repository's, or the registry's. */
export type PolicyKind = "repository" | "registry"

/** The longest policy text the service model allows (`RepositoryPolicyText`, `RegistryPolicyText`). */
export const MAX_POLICY_TEXT_LENGTH = 10_240

/** The constraint text ECR answers for a repository policy it refuses. */
export const INVALID_REPOSITORY_POLICY = "Invalid repository policy provided"

/** The constraint text ECR answers for a registry policy it refuses. */
export const INVALID_REGISTRY_POLICY = "Invalid registry policy provided"

/** The policy language versions a document may name. */
export const VERSIONS: ReadonlyArray<string> = ["2012-10-17", "2008-10-17"]

/** The members a policy document may have. */
export const DOCUMENT_MEMBERS: ReadonlyArray<string> = ["Version", "Id", "Statement"]

/** The members a statement may have (a repository policy's statements may not have `Resource`/`NotResource`). */
export const STATEMENT_MEMBERS: ReadonlyArray<string> = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition"
]

/** The kinds of principal a `Principal` object may name. */
export const PRINCIPAL_TYPES: ReadonlyArray<string> = ["AWS", "Service", "Federated", "CanonicalUser"]

/** AWS's whole message for a refused policy of `kind`. */
export const invalidPolicyMessage = (kind: PolicyKind): string =>
  Constraints.invalidParameterMessage(
    "PolicyText",
    kind === "repository" ? INVALID_REPOSITORY_POLICY : INVALID_REGISTRY_POLICY
  )

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
type JsonObject = { readonly [key: string]: Json }

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const has = (object: JsonObject, key: string) => Object.prototype.hasOwnProperty.call(object, key)

/** A string, or a non-empty list of strings (`Action`, `Resource`, a principal's ids). */
const stringOrStrings = (value: Json, what: string, each?: (s: string) => string | undefined): string | undefined => {
  const items = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined
  if (items === undefined) return `${what} must be a string or a list of strings`
  if (items.length === 0) return `${what} must not be an empty list`
  for (const item of items) {
    if (typeof item !== "string") return `${what} must hold only strings`
    const problem = each?.(item)
    if (problem !== undefined) return problem
  }
  return undefined
}

const actionRe = /^[A-Za-z0-9-]+:\S+$/

const action = (what: string) => (s: string) =>
  s === "*" || actionRe.test(s) ? undefined : `${what} '${s}' is neither '*' nor 'service:action'`

const principal = (value: Json, what: string): string | undefined => {
  if (value === "*") return undefined
  if (!isObject(value)) return `${what} must be '*' or an object`
  const keys = Object.keys(value)
  if (keys.length === 0) return `${what} must name at least one principal`
  for (const key of keys) {
    if (!PRINCIPAL_TYPES.includes(key)) return `${what} has an unknown principal type '${key}'`
    const problem = stringOrStrings(value[key]!, `${what}.${key}`)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** Exactly one of a pair of members (`Action`/`NotAction`, `Principal`/`NotPrincipal`). */
const oneOf = (statement: JsonObject, a: string, b: string, where: string): string | undefined =>
  has(statement, a) && has(statement, b)
    ? `${where} has both ${a} and ${b}`
    : !has(statement, a) && !has(statement, b)
    ? `${where} has neither ${a} nor ${b}`
    : undefined

const statementProblem = (kind: PolicyKind, statement: Json, where: string): string | undefined => {
  if (!isObject(statement)) return `${where} must be an object`
  for (const key of Object.keys(statement)) {
    if (!STATEMENT_MEMBERS.includes(key)) return `${where} has an unknown member '${key}'`
    if (kind === "repository" && (key === "Resource" || key === "NotResource")) {
      return `${where} has ${key}, which a repository policy may not have (the repository is the resource)`
    }
  }
  if (has(statement, "Sid") && typeof statement.Sid !== "string") return `${where}.Sid must be a string`
  if (statement.Effect !== "Allow" && statement.Effect !== "Deny") return `${where}.Effect must be Allow or Deny`
  const problem = oneOf(statement, "Principal", "NotPrincipal", where) ??
    oneOf(statement, "Action", "NotAction", where)
  if (problem !== undefined) return problem
  for (const key of ["Principal", "NotPrincipal"]) {
    if (has(statement, key)) {
      const p = principal(statement[key]!, `${where}.${key}`)
      if (p !== undefined) return p
    }
  }
  for (const key of ["Action", "NotAction"]) {
    if (has(statement, key)) {
      const p = stringOrStrings(statement[key]!, `${where}.${key}`, action(`${where}.${key}`))
      if (p !== undefined) return p
    }
  }
  for (const key of ["Resource", "NotResource"]) {
    if (has(statement, key)) {
      const p = stringOrStrings(statement[key]!, `${where}.${key}`)
      if (p !== undefined) return p
    }
  }
  if (has(statement, "Condition")) {
    const condition = statement.Condition!
    if (!isObject(condition)) return `${where}.Condition must be an object`
    for (const [operator, block] of Object.entries(condition)) {
      if (!isObject(block)) return `${where}.Condition.${operator} must be an object`
    }
  }
  return undefined
}

const parse = (text: string): { readonly value: Json } | undefined => {
  try {
    return { value: JSON.parse(text) as Json }
  } catch {
    return undefined
  }
}

/**
 * Why ECR would refuse `text` as a policy of `kind`, in our words (AWS's message never says), or `undefined`
 * when it would store it. The length bound is not checked here (the request schema checks it first).
 */
export const reasonOf = (kind: PolicyKind, text: string): string | undefined => {
  const parsed = parse(text)
  if (parsed === undefined) return "the text is not JSON"
  const document = parsed.value
  if (!isObject(document)) return "the document must be a JSON object"
  for (const key of Object.keys(document)) {
    if (!DOCUMENT_MEMBERS.includes(key)) return `the document has an unknown member '${key}'`
  }
  if (has(document, "Version") && !VERSIONS.includes(document.Version as string)) {
    return `Version must be one of ${VERSIONS.join(", ")}`
  }
  if (has(document, "Id") && typeof document.Id !== "string") return "Id must be a string"
  if (!has(document, "Statement")) return "the document has no Statement"
  const statements = document.Statement!
  if (Array.isArray(statements)) {
    if (statements.length === 0) return "Statement must not be an empty list"
    for (let i = 0; i < statements.length; i++) {
      const problem = statementProblem(kind, statements[i]!, `Statement.${i}`)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  return statementProblem(kind, statements, "Statement")
}

/** Whether ECR would store `text` as a policy of `kind`. */
export const isValid = (kind: PolicyKind, text: string): boolean => reasonOf(kind, text) === undefined

/**
 * ECR's check of a policy of `kind` before it stores it: `undefined` when it would store `text` as given, else
 * the `InvalidParameterException` it answers (`Invalid parameter at 'PolicyText' failed to satisfy constraint:
 * 'Invalid repository policy provided'`, or `'Invalid registry policy provided'`).
 */
export const check = (kind: PolicyKind, text: string): Errors.InvalidParameterException | undefined =>
  reasonOf(kind, text) === undefined ? undefined : Errors.invalidParameter(invalidPolicyMessage(kind))

/**
 * `RepositoryPolicyNotFoundException` with AWS's text: `Repository policy does not exist for the repository with
 * name '<name>' in the registry with id '<id>'`.
 */
export const repositoryPolicyNotFound = (where: Errors.Where): Errors.RepositoryPolicyNotFoundException =>
  Errors.unsafeMake(Errors.RepositoryPolicyNotFoundException, {
    message: `Repository policy does not exist for the repository with name '${where.repositoryName}' ` +
      `in the registry with id '${where.registryId}'`
  })

/** `RegistryPolicyNotFoundException` with AWS's text: `Registry policy does not exist in the registry with id '<id>'`. */
export const registryPolicyNotFound = (registryId: string): Errors.RegistryPolicyNotFoundException =>
  Errors.unsafeMake(Errors.RegistryPolicyNotFoundException, {
    message: `Registry policy does not exist in the registry with id '${registryId}'`
  })
