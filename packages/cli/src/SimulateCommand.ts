/**
 * The `simulate` command's definition: its argument and options, for the parser and the help. The
 * simulation itself (Simulate.ts, on the memory backend) is loaded when the command runs, so that no
 * other command loads it.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"

/** The `simulate` command. */
export const command = Command.make("simulate", {
  scenario: Args.file({ name: "scenario" }),
  seed: Options.text("seed").pipe(Options.optional, Options.withDescription("Overrides the scenario's seed.")),
  noEvents: Options.boolean("no-events", { negationNames: ["events"] }).pipe(
    Options.withDescription(
      "Leave the registry's EventBridge events out of the timeline (--events, the default, shows them)."
    )
  )
}, (args) =>
  Effect.flatMap(
    Effect.promise(() => import("./Simulate.js")),
    (Simulate) => Simulate.runFile(args.scenario, args.seed, { events: !args.noEvents })
  )).pipe(
    Command.withDescription(
      "Run a deterministic simulation of a scenario file on the in-memory registry: a timeline with its " +
        "EventBridge events, and a summary. Exit 1 when an expectEvent step does not hold."
    )
  )
