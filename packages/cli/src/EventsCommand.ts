/**
 * The `events` command's definition: `events tail`, its options, for the parser and the help. The tail
 * itself (EventsTail.ts) is loaded when it runs, so that no other command loads it.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"

/** The `events tail` command's options. */
export const tailOptions = {
  endpointUrl: Options.text("endpoint-url").pipe(
    Options.withDescription("The ecr-scan emulator whose events to follow, e.g. http://127.0.0.1:5000.")
  ),
  account: Options.text("account").pipe(
    Options.optional,
    Options.withDescription(
      "The account whose events to follow (12 digits; the emulator's default account if not given)."
    )
  ),
  since: Options.text("since").pipe(
    Options.optional,
    Options.withDescription("Replay the events after this cursor (an event's id) first.")
  ),
  pattern: Options.text("pattern").pipe(
    Options.optional,
    Options.withDescription("A JSON file with an EventBridge event pattern: only the events it matches are printed.")
  ),
  output: Options.choice("output", ["text", "json"]).pipe(
    Options.withDefault("text" as const),
    Options.withDescription(
      "text: a line per event (time, detail-type, image, status). json: each event's JSON on a line."
    )
  ),
  maxEvents: Options.integer("max-events").pipe(
    Options.optional,
    Options.withDescription("Stop after printing this many events (exit 0).")
  )
}

/** `events tail`: follows the emulator's events until --max-events, SIGINT or the end of stdin (exit 0). */
export const tail = Command.make("tail", tailOptions, (args) =>
  Effect.flatMap(
    Effect.promise(() => import("./EventsTail.js")),
    (EventsTail) => EventsTail.run(args)
  )).pipe(
    Command.withDescription(
      "Print an ecr-scan emulator's EventBridge events as they happen (its server-sent-events stream); " +
        "reconnects where it left off."
    )
  )

/** The `events` command. */
export const command = Command.make("events").pipe(
  Command.withDescription("EventBridge events of an ecr-scan emulator."),
  Command.withSubcommands([tail])
)
