/**
 * Request validation with AWS's message format. The request Schemas are the single source of truth;
 * this module turns a failed decode into `InvalidParameterException: Invalid parameter at '<member>'
 * failed to satisfy constraint: '<text>'`, reporting the first violation the way ECR does.
 *
 * Valid requests take the fast path (`Schema.is`, no copy); only invalid ones pay for a full decode
 * to locate the failing member.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import * as Constraints from "./Constraints.js"
import * as Errors from "./Errors.js"

/** What is wrong with a request, before it is worded: the member path and the constraint it failed. */
export interface Violation {
  readonly member: string
  readonly constraint: string
  /** `type` when the member has the wrong JSON type (AWS's deserializer answers these), else `constraint`. */
  readonly kind: "type" | "constraint"
}

const typeName = (ast: AST.AST): string => {
  switch (ast._tag) {
    case "StringKeyword":
    case "TemplateLiteral":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "a boolean"
    case "TypeLiteral":
      return "an object"
    case "TupleType":
      return "a list"
    case "Declaration":
      return "a timestamp"
    case "Refinement":
      return typeName(ast.from)
    case "Transformation":
      return typeName(ast.from)
    case "Suspend":
      return typeName(ast.f())
    default:
      return "a valid value"
  }
}

const literalsOf = (ast: AST.AST): ReadonlyArray<AST.LiteralValue> | undefined => {
  if (ast._tag === "Literal") return [ast.literal]
  if (ast._tag === "Union") {
    const out: Array<AST.LiteralValue> = []
    for (const member of ast.types) {
      if (member._tag !== "Literal") return undefined
      out.push(member.literal)
    }
    return out
  }
  return undefined
}

const typeViolation = (path: ReadonlyArray<PropertyKey>, ast: AST.AST, message: string | undefined): Violation => {
  const member = formatPath(path)
  if (message !== undefined) return { member, constraint: message, kind: "constraint" }
  const literals = literalsOf(ast)
  if (literals !== undefined) {
    return { member, constraint: `must satisfy enum value set: [${literals.join(", ")}]`, kind: "constraint" }
  }
  return { member, constraint: Constraints.typeText(typeName(ast)), kind: "type" }
}

/** `imageId.imageTag`, `imageIds.0.imageDigest`; the whole request is named `request`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0 ? "request" : path.map(String).join(".")

/** Finds the first violation in a parse issue. */
export const violationOf = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey> = []): Violation => {
  switch (issue._tag) {
    case "Pointer":
      return violationOf(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])])
    case "Missing":
      return { member: formatPath(path), constraint: Constraints.REQUIRED_TEXT, kind: "constraint" }
    case "Unexpected":
      return { member: formatPath(path), constraint: "is not a member of the request", kind: "constraint" }
    case "Type":
      return typeViolation(path, issue.ast, issue.message)
    case "Forbidden":
      return { member: formatPath(path), constraint: "could not be checked", kind: "constraint" }
    case "Refinement":
    case "Transformation":
      return violationOf(issue.issue, path)
    case "Composite": {
      const literals = literalsOf(issue.ast)
      if (literals !== undefined) {
        return {
          member: formatPath(path),
          constraint: `must satisfy enum value set: [${literals.join(", ")}]`,
          kind: "constraint"
        }
      }
      const first = Array.isArray(issue.issues) ? issue.issues[0] : issue.issues
      return first === undefined ? typeViolation(path, issue.ast, undefined) : violationOf(first, path)
    }
  }
}

/** A validator: the request, typed, or the `InvalidParameterException` ECR would answer. */
export type Validator<A> = (input: unknown) => Either.Either<A, Errors.InvalidParameterException>

/**
 * Builds the validator of a request schema. The schema must not transform (request schemas only
 * refine), so the validated value is the input itself.
 *
 * `guard` is an optional hand-written fast path for requests on the hot path: whatever it accepts
 * the schema must accept too (the tests check this); whatever it rejects goes to the schema, which
 * has the last word and words the error.
 */
export const validator = <A, I>(
  schema: Schema.Schema<A, I, never>,
  guard?: (input: unknown) => boolean
): Validator<A> => {
  const is = ParseResult.is(schema)
  const decode = ParseResult.decodeUnknownEither(schema, { errors: "first" })
  return (input) => {
    if (guard !== undefined && guard(input)) return Either.right(input as A)
    if (is(input)) return Either.right(input)
    const result = decode(input)
    if (Either.isRight(result)) return Either.right(result.right)
    const violation = violationOf(result.left)
    return Either.left(
      Errors.invalidParameter(Constraints.invalidParameterMessage(violation.member, violation.constraint))
    )
  }
}

/** The first violation of `input` against `schema`, if any (for callers that word it themselves). */
export const violations = <A, I>(schema: Schema.Schema<A, I, never>) => {
  const decode = ParseResult.decodeUnknownEither(schema, { errors: "first" })
  return (input: unknown): Violation | undefined => {
    const result = decode(input)
    return Either.isLeft(result) ? violationOf(result.left) : undefined
  }
}
