/**
 * `--generate-cli-skeleton`: the JSON skeleton the AWS CLI prints, derived from the core's schemas.
 * `input` (the default) has empty values to fill in and feed back through `--cli-input-json`;
 * `output` shows a sample response, each string member holding its own name, as the AWS CLI does.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/** Which skeleton. */
export type Kind = "input" | "output"

const TIMESTAMP = "1970-01-01T00:00:00"

const isTimestamp = (ast: AST.AST) =>
  Option.getOrUndefined(AST.getIdentifierAnnotation(ast)) === "Timestamp" || ast._tag === "Declaration"

const sample = (ast: AST.AST, kind: Kind, name: string): unknown => {
  if (isTimestamp(ast)) return TIMESTAMP
  switch (ast._tag) {
    case "Refinement":
      return sample(ast.from, kind, name)
    case "Transformation":
      return sample(ast.to, kind, name)
    case "Suspend":
      return sample(ast.f(), kind, name)
    case "StringKeyword":
    case "TemplateLiteral":
      return kind === "input" ? "" : name
    case "NumberKeyword":
      return 0
    case "BooleanKeyword":
      return true
    case "Literal":
      return kind === "input" ? ast.literal : name
    case "Union": {
      const members = ast.types.filter((t) => t._tag !== "UndefinedKeyword")
      if (members.length === 0) return null
      return sample(members[0], kind, name)
    }
    case "TupleType": {
      const element = ast.rest[0]?.type ?? ast.elements[0]?.type
      return element === undefined ? [] : [sample(element, kind, name)]
    }
    case "TypeLiteral": {
      const out: Record<string, unknown> = {}
      for (const property of ast.propertySignatures) {
        out[String(property.name)] = sample(property.type, kind, String(property.name))
      }
      for (const index of ast.indexSignatures) out.KeyName = sample(index.type, kind, "KeyName")
      return out
    }
    default:
      return kind === "input" ? "" : name
  }
}

/** The skeleton of a schema, as a value. */
export const of = (schema: Schema.Schema.Any, kind: Kind): unknown => sample(schema.ast, kind, "")

/** The skeleton as the AWS CLI prints it: JSON indented by four spaces, then a newline. */
export const render = (schema: Schema.Schema.Any, kind: Kind): string =>
  `${JSON.stringify(of(schema, kind), null, 4)}\n`
