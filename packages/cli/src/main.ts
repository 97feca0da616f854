#!/usr/bin/env node
/**
 * The `ecr-scan` binary. Exit codes as the AWS CLI v2's: 0 success, 252 usage errors, 253
 * configuration errors, 254 service errors, 255 anything else. Never a stack trace.
 *
 * @since 0.1.0
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"
import { ExitCode } from "./CliFailure.js"

// The SDK's warning about Node 20 is for library authors; a command-line user can do nothing with it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

const program = Cli.run(Cli.normaliseArgs(process.argv)).pipe(
  Effect.catchAllCause((cause) =>
    Effect.sync(() => {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        const error = failure.value
        if (ValidationError.isValidationError(error)) {
          // @effect/cli has already printed what was wrong.
          process.exitCode = ValidationError.isHelpRequested(error) ? 0 : ExitCode.usage
          return
        }
        if (typeof error === "object" && error !== null && "_tag" in error && error._tag === "CliFailure") {
          const f = error as unknown as { exitCode: number; stderr: string }
          process.stderr.write(f.stderr)
          process.exitCode = f.exitCode
          return
        }
      }
      if (Cause.isInterruptedOnly(cause)) {
        process.exitCode = 130
        return
      }
      process.stderr.write(`\necr-scan: internal error: ${Cause.pretty(cause).split("\n")[0]}\n`)
      process.exitCode = ExitCode.other
    })
  ),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
