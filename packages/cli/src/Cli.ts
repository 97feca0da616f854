/**
 * The `ecr-scan` command: the AWS CLI's ECR scanning commands, `serve` (the emulator) and `simulate`.
 *
 * @since 0.1.0
 */
import { EmulatorCommand } from "@ecr-scan/emulator"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as CliFailure from "./CliFailure.js"
import * as Commands from "./Commands.js"
import * as OperationCommand from "./OperationCommand.js"
import * as Simulate from "./Simulate.js"
import * as WaitCommand from "./WaitCommand.js"

/** The root command. */
export const root = Command.make("ecr-scan").pipe(
  Command.withDescription(
    "Amazon ECR image scanning from the command line, as the AWS CLI does it, with the scanning rules visible."
  ),
  Command.withSubcommands([
    OperationCommand.make(Commands.startImageScan),
    OperationCommand.make(Commands.describeImageScanFindings),
    OperationCommand.make(Commands.createRepository),
    OperationCommand.make(Commands.putImage),
    OperationCommand.make(Commands.describeImages),
    WaitCommand.command,
    EmulatorCommand.command,
    Simulate.command
  ])
)

/** The runner of the root command. */
export const run = Command.run(root, { name: "ecr-scan", version: "0.1.0" })

/**
 * The AWS CLI lets `--generate-cli-skeleton` stand alone (meaning `input`); the parser wants a value,
 * so one is supplied.
 */
export const normaliseArgs = (argv: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i])
    if (argv[i] === "--generate-cli-skeleton" && (i + 1 >= argv.length || argv[i + 1].startsWith("--"))) {
      out.push("input")
    }
  }
  return out
}

/**
 * Runs a command line (`argv` as a process has it: node, the script, then the arguments) to its end and
 * returns the exit code. Everything is printed through the `Console` (failures too), and nothing exits:
 * the bin sets the process's exit code from it, an in-process run returns it.
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  run(normaliseArgs(argv)).pipe(Effect.as(0), Effect.catchAllCause(CliFailure.exitCodeOf))
