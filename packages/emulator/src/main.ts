#!/usr/bin/env node
/**
 * `npm start`: the emulator on the in-memory registry, at 127.0.0.1:4510 by default (bin/ecr-scan-emulator.js
 * loads it).
 *
 * @effect/cli renders the help and the usage errors with ANSI styles whatever the stream: they keep them only on
 * a terminal, and not under `NO_COLOR` (`FORCE_COLOR`, unless `0` or `false`, keeps them anywhere).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import * as EmulatorCommand from "./EmulatorCommand.js"

/** The package's version, from the package.json beside `dist/` (`changeset version` moves it there). */
const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  readonly version: string
}).version

const cli = Command.run(EmulatorCommand.command.pipe(Command.withDescription("ecr-scan emulator")), {
  name: "ecr-scan-emulator",
  version
})

/** Whether a stream takes colours: as `Stdio.colours` of @ecr-scan/cli has it. */
const colours = (stream: NodeJS.WriteStream): boolean => {
  const force = process.env.FORCE_COLOR
  if (force !== undefined) return force !== "0" && force !== "false"
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false
  return stream.isTTY === true
}

// SGR sequences: colours and styles, all that @effect/printer-ansi writes.
const SGR = /\u001b\[[0-9;]*m/g
const uncoloured = (args: ReadonlyArray<unknown>) => args.map((a) => typeof a === "string" ? a.replace(SGR, "") : a)

/** The console, without colour codes on a stream that takes none. */
const withColoursAsStreamsTake = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Console.consoleWith((console) => {
    const plainOut = !colours(process.stdout)
    const plainErr = !colours(process.stderr)
    return Effect.withConsole(self, {
      ...console,
      log: (...args) => console.log(...(plainOut ? uncoloured(args) : args)),
      error: (...args) => console.error(...(plainErr ? uncoloured(args) : args))
    })
  })

cli(process.argv).pipe(
  // What was wrong with the command line has been printed (by @effect/cli, or by `serve` as it refused).
  Effect.catchIf(ValidationError.isValidationError, (error) =>
    Effect.sync(() => {
      process.exitCode = ValidationError.isHelpRequested(error) ? 0 : 1
    })),
  withColoursAsStreamsTake,
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
