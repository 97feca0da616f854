/**
 * @ecr-scan/cli: the `ecr-scan` command.
 *
 * @module @ecr-scan/cli
 * @since 0.1.0
 */

/** The root command. */
export * as Cli from "./Cli.js"
/** Exit codes and error reports. */
export * as CliFailure from "./CliFailure.js"
/** The operation commands. */
export * as Commands from "./Commands.js"
/** The CLI run in-process: what it printed and its exit code. */
export * as InProcess from "./InProcess.js"
/** Output formats. */
export * as Output from "./Output.js"
/** Shorthand and JSON syntax. */
export * as Shorthand from "./Shorthand.js"
/** The simulation. */
export * as Simulate from "./Simulate.js"
/** CLI skeletons. */
export * as Skeleton from "./Skeleton.js"
/** stdout and stderr through `Console`. */
export * as Stdio from "./Stdio.js"
