/**
 * The `ecr-scan` command: the AWS CLI's ECR scanning commands, `gate`, `events tail`, `serve` (the emulator)
 * and `simulate`.
 *
 * A command line loads what it uses, not the whole CLI: each command is defined here by its options alone
 * (its work, its backend and the AWS SDK are imported when it runs), and `serve`, which is the emulator's
 * own command and brings the whole emulator with it, is loaded only for a command line that can reach it.
 * One whose first word names another command cannot (@effect/cli hands it to that command, and `serve`
 * stands in the tree by its name alone), unless it asks for what reads the whole tree (`--completions`,
 * `--wizard`); every other command line (`ecr-scan --help`, `ecr-scan serve`, a misspelt command) gets
 * the real `serve`.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as CliFailure from "./CliFailure.js"
import * as Commands from "./Commands.js"
import * as EventsCommand from "./EventsCommand.js"
import * as GateCommand from "./GateCommand.js"
import * as OperationCommand from "./OperationCommand.js"
import * as SimulateCommand from "./SimulateCommand.js"
import { VERSION } from "./Version.js"
import * as WaitCommand from "./WaitCommand.js"

const startImageScan = OperationCommand.make(Commands.startImageScan)
const describeImageScanFindings = OperationCommand.make(Commands.describeImageScanFindings)
const createRepository = OperationCommand.make(Commands.createRepository)
const putImage = OperationCommand.make(Commands.putImage)
const describeImages = OperationCommand.make(Commands.describeImages)

/** The root command, with `serve` as given: the emulator's command, or its stand-in. */
export const root = <R, E, A>(serve: Command.Command<"serve", R, E, A>) =>
  Command.make("ecr-scan").pipe(
    Command.withDescription(
      "Amazon ECR image scanning from the command line, as the AWS CLI does it, with the scanning rules visible."
    ),
    Command.withSubcommands([
      startImageScan,
      describeImageScanFindings,
      createRepository,
      putImage,
      describeImages,
      WaitCommand.command,
      GateCommand.command,
      EventsCommand.command,
      serve,
      SimulateCommand.command
    ])
  )

/** `serve` by its name alone, for the command lines that cannot reach it. */
const serveStandIn = Command.make("serve")

/** The first words of command lines that `serve` takes no part in: the other commands' names. */
const others: ReadonlySet<string> = new Set([
  Commands.startImageScan.command,
  Commands.describeImageScanFindings.command,
  Commands.createRepository.command,
  Commands.putImage.command,
  Commands.describeImages.command,
  "wait",
  "gate",
  "events",
  "simulate"
])

/** Built-in options that read the whole tree wherever they stand (a completion script names every option). */
const wholeTree = ["--completions", "--wizard"]

/** Whether `args` (the arguments after `ecr-scan`) can reach `serve`. */
export const reachesServe = (args: ReadonlyArray<string>): boolean =>
  !(args.length > 0 && others.has(args[0])) ||
  args.some((arg) => wholeTree.some((flag) => arg === flag || arg.startsWith(`${flag}=`)))

const runWith = <R, E, A>(serve: Command.Command<"serve", R, E, A>, argv: ReadonlyArray<string>) =>
  Command.run(root(serve), { name: "ecr-scan", version: VERSION })(argv)

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
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> => {
  const args = normaliseArgs(argv)
  const run: Effect.Effect<void, unknown, CliApp.CliApp.Environment> = reachesServe(args.slice(2))
    ? Effect.flatMap(
      Effect.promise(() => import("@ecr-scan/emulator")),
      ({ EmulatorCommand }) => runWith(EmulatorCommand.command, args)
    )
    : runWith(serveStandIn, args)
  return run.pipe(Effect.as(0), Effect.catchAllCause(CliFailure.exitCodeOf))
}
