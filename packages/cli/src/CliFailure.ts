/**
 * How the CLI ends when it does not succeed: what goes to stderr and the exit code, with the AWS CLI
 * v2's codes (252 usage, 253 configuration, 254 service error, 255 anything else, including waiters).
 *
 * @since 0.1.0
 */
import type { Errors } from "@ecr-scan/core"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { timestamp } from "./Output.js"
import * as Stdio from "./Stdio.js"

/** The exit codes. */
export const ExitCode = { usage: 252, configuration: 253, service: 254, other: 255 } as const

/** The CLI stops: `stderr` is printed as is, then the process exits with `exitCode`. */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly exitCode: number
  readonly stderr: string
}> {}

/** A usage error: the AWS CLI's `aws: error: ...` line, as `ecr-scan: error: ...`. */
export const usage = (message: string) =>
  new CliFailure({ exitCode: ExitCode.usage, stderr: `\necr-scan: error: ${message}\n` })

/** A parameter that could not be read. */
export const parameter = (flag: string, problem: string) =>
  new CliFailure({ exitCode: ExitCode.usage, stderr: `\nError parsing parameter '--${flag}': ${problem}\n` })

/** Members the operation does not have: botocore's `Parameter validation failed:`, one line each. */
export const validation = (problems: ReadonlyArray<string>) =>
  new CliFailure({
    exitCode: ExitCode.usage,
    stderr: `\nParameter validation failed:\n${problems.join("\n")}\n`
  })

/** An endpoint that could not be reached: the AWS CLI's `Could not connect to the endpoint URL`, exit 255. */
export const unreachable = (endpoint: string) =>
  new CliFailure({ exitCode: ExitCode.other, stderr: `\nCould not connect to the endpoint URL: "${endpoint}"\n` })

/** What the AWS CLI does not say about a LimitExceededException: which limit, and until when. */
const limitDetail = (error: Errors.LimitExceededException): string => {
  const next = error.nextEligibleAt === undefined ? undefined : timestamp(error.nextEligibleAt)
  const which = error.limit === "PER_IMAGE"
    ? "one basic scan per image per 24 hours (scans on push count)"
    : error.limit === "ACCOUNT_QUOTA"
    ? "the registry's basic scans per 24 hours (scans on push count)"
    : undefined
  const lines = [
    ...(which === undefined ? [] : [`Limit: ${which}`]),
    ...(next === undefined ? [] : [`Next eligible at: ${next}`])
  ]
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}

/** What a port's failure prints, as the AWS CLI prints it, and then what the AWS CLI does not say. */
export const fromEcrError = (operation: string, error: Errors.EcrError, endpoint: string | undefined): CliFailure => {
  switch (error._tag) {
    case "TransportError":
      return error.reason === "Network" || error.reason === "Timeout"
        ? unreachable(endpoint ?? "the ECR endpoint")
        : new CliFailure({ exitCode: ExitCode.other, stderr: `\n${error.message}\n` })
    case "UnknownEcrError":
      return new CliFailure({
        exitCode: ExitCode.service,
        stderr: `\nAn error occurred (${error.code}) when calling the ${operation} operation: ${error.message}\n`
      })
    default:
      return new CliFailure({
        exitCode: ExitCode.service,
        stderr: `\nAn error occurred (${error._tag}) when calling the ${operation} operation: ${error.message}\n` +
          (error._tag === "LimitExceededException" ? limitDetail(error) : "")
      })
  }
}

/**
 * How a run that failed with `cause` ends: its report printed on stderr, and its exit code. @effect/cli
 * has already printed what was wrong with a command line (a usage error, 252; `--help`, 0). An interrupted
 * run exits 130; anything unforeseen, 255 with one line, never a stack trace.
 */
export const exitCodeOf = (cause: Cause.Cause<unknown>): Effect.Effect<number> => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    if (ValidationError.isValidationError(error)) {
      return Effect.succeed(ValidationError.isHelpRequested(error) ? 0 : ExitCode.usage)
    }
    if (typeof error === "object" && error !== null && "_tag" in error && error._tag === "CliFailure") {
      const f = error as unknown as { exitCode: number; stderr: string }
      return Effect.as(Stdio.err(f.stderr), f.exitCode)
    }
  }
  if (Cause.isInterruptedOnly(cause)) return Effect.succeed(130)
  return Effect.as(
    Stdio.err(`\necr-scan: internal error: ${Cause.pretty(cause).split("\n")[0]}\n`),
    ExitCode.other
  )
}
