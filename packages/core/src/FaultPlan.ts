/**
 * Planned faults: the next calls of an operation (or of every operation) fail with an error a test
 * chose. One shape as tests write a plan (the in-memory driver, the emulator's control endpoint and
 * `simulate` accept it), one as a registry holds it (snapshots store it), and the pure rule from the
 * first to the second.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Api from "./Api.js"
import * as Errors from "./Errors.js"

// No annotations on these schemas: the control endpoint and `simulate` report a body that does not decode
// with the schema's own text, and an identifier or description would change it.

/**
 * A fault plan as a test writes it:
 *
 * - `operation`: the operation whose calls fail, or `*` for every operation (any string decodes; `resolve`
 *   names an unknown one);
 * - `error`: a modelled ECR error name (default `ServerException`), or any other code (such as
 *   `ThrottlingException`), which arrives as `UnknownEcrError`;
 * - `message`: the error's message (default: one naming the error);
 * - `count`: how many calls fail (default 1, or unlimited when a probability is given);
 * - `probability`: the probability (0..1) that a matching call fails, drawn from the registry's seeded
 *   generator.
 */
export const FaultPlanInput = Schema.Struct({
  operation: Schema.String,
  error: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  count: Schema.optional(Schema.Number),
  probability: Schema.optional(Schema.Number)
})
/** @since 0.1.0 */
export type FaultPlanInput = typeof FaultPlanInput.Type

/**
 * A planned fault as a registry holds it and a snapshot stores it: the next `remaining` calls of
 * `operation` (or of any, with `*`) fail with `error` and `message`, each with `probability` (1: always).
 */
export const FaultPlan = Schema.Struct({
  operation: Schema.String,
  error: Schema.String,
  message: Schema.String,
  remaining: Schema.Number,
  probability: Schema.Number
})
/** @since 0.1.0 */
export type FaultPlan = typeof FaultPlan.Type

/** The `remaining` of a plan limited only by its probability (a number, so that snapshots store it as JSON). */
export const UNLIMITED = Number.MAX_SAFE_INTEGER

/** The error a plan fails with when it names none. */
export const DEFAULT_ERROR = "ServerException"

/**
 * The plan a registry holds for `input`, or why it cannot be used: a probability outside 0..1, a count
 * that is not a positive integer, an unknown operation, or a modelled error that the operation (one of
 * the operations, for `*`) cannot return.
 */
export const resolve = (input: FaultPlanInput): Either.Either<FaultPlan, string> => {
  const probability = input.probability ?? 1
  const count = input.count ?? (input.probability === undefined ? 1 : UNLIMITED)
  if (!(probability >= 0 && probability <= 1)) {
    return Either.left(`probability must be between 0 and 1, got ${probability}`)
  }
  if (!Number.isInteger(count) || count < 1) return Either.left(`count must be a positive integer, got ${count}`)
  const operation = input.operation
  if (operation !== "*" && !Api.isOperationName(operation)) return Either.left(`unknown operation '${operation}'`)
  const error = input.error ?? DEFAULT_ERROR
  if (Errors.isServiceErrorName(error) && error !== DEFAULT_ERROR) {
    const operations = operation === "*" ? Object.values(Api.Operations) : [Api.Operations[operation]]
    const foreign = operations.find((op) => !(op.errors as ReadonlyArray<string>).includes(error))
    if (foreign !== undefined) {
      return Either.left(
        `${error} is not an error of ${foreign.name}; an unmodelled code (such as ThrottlingException) ` +
          `arrives as UnknownEcrError`
      )
    }
  }
  return Either.right({
    operation,
    error,
    message: input.message ?? (error === DEFAULT_ERROR ? "An internal error occurred." : `Injected ${error}`),
    remaining: count,
    probability
  })
}
