#!/usr/bin/env node
/**
 * The `ecr-scan` binary: `Cli.main` on the process's arguments, streams (Stdio.ts) and environment, its
 * result the process's exit code. Exit codes as the AWS CLI v2's: 0 success, 252 usage errors, 253
 * configuration errors, 254 service errors, 255 anything else. Never a stack trace.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"
import * as Stdio from "./Stdio.js"

// The SDK's warning about Node 20 is for library authors; a command-line user can do nothing with it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

const program = Cli.main(process.argv).pipe(
  Effect.tap((code) =>
    Effect.sync(() => {
      if (code !== 0) process.exitCode = code
    })
  ),
  Effect.withConsole(Stdio.processConsole()),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
