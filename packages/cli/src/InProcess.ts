/**
 * The CLI run inside the calling process, as tests run it: a command line in; what it printed on stdout
 * and stderr and its exit code out. Nothing is written to the process's streams and nothing exits; the
 * environment variables the command reads (region, credentials, retries) are the ones given. The bin
 * (main.ts) is the same program (`Cli.main`) on the process's streams and environment.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"
import * as Stdio from "./Stdio.js"
import * as Table from "./Table.js"

/** How to run a command line in-process. */
export interface Options {
  /** The environment variables the command reads; by default, the process's. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * The terminal stdout is (by default none: a pipe, as where a test reads it); whether it takes colours,
   * if it does not say, as `env` has it (`NO_COLOR`, `FORCE_COLOR`).
   */
  readonly stdout?: Table.Terminal | undefined
  /** The terminal stderr is (by default none). */
  readonly stderr?: Table.Terminal | undefined
}

/** How an in-process run ended. */
export interface Result {
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number
}

/**
 * Runs `args` (the arguments after `ecr-scan`) to its end: what it printed and its exit code. Files are read
 * through the `FileSystem` in the context.
 */
export const run = (
  args: ReadonlyArray<string>,
  options: Options = {}
): Effect.Effect<Result, never, CliApp.CliApp.Environment> =>
  Effect.suspend(() => {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const env = options.env
    // Whether a stream takes colours, unless the options say: from `NO_COLOR` and `FORCE_COLOR` as the bin.
    const terminal = (given: Table.Terminal | undefined) =>
      Stdio.withColours(given ?? Table.notATerminal, env ?? process.env)
    const console = Stdio.make({
      stdout: { write: (text) => void stdout.push(text), terminal: terminal(options.stdout) },
      stderr: { write: (text) => void stderr.push(text), terminal: terminal(options.stderr) }
    })
    return Cli.main(["node", "ecr-scan", ...args]).pipe(
      Effect.withConsole(console),
      env === undefined ? (self) => self : Effect.withConfigProvider(fromEnv(env)),
      Effect.map((exitCode): Result => ({ stdout: stdout.join(""), stderr: stderr.join(""), exitCode }))
    )
  })

/** A config provider of environment variables, as `ConfigProvider.fromEnv` reads `process.env`. */
const fromEnv = (env: Readonly<Record<string, string | undefined>>): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(Object.entries(env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as const])))
  )

/** `run` on node's file system, as a Promise. */
export const runPromise = (args: ReadonlyArray<string>, options: Options = {}): Promise<Result> =>
  Effect.runPromise(run(args, options).pipe(Effect.provide(NodeContext.layer)))
