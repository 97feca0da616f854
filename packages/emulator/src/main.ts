#!/usr/bin/env node
/**
 * `npm start`: the emulator on the in-memory registry, at 127.0.0.1:4510 by default.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as EmulatorCommand from "./EmulatorCommand.js"

const cli = Command.run(EmulatorCommand.command.pipe(Command.withDescription("ecr-scan emulator")), {
  name: "ecr-scan-emulator",
  version: "0.1.0"
})

cli(process.argv).pipe(
  // What was wrong with the command line has been printed (by @effect/cli, or by `serve` as it refused).
  Effect.catchIf(ValidationError.isValidationError, (error) =>
    Effect.sync(() => {
      process.exitCode = ValidationError.isHelpRequested(error) ? 0 : 1
    })),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
