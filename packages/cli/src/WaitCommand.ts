/**
 * `ecr-scan wait image-scan-complete`: the AWS CLI's waiter (every 5 seconds, 60 attempts; fails at
 * once on an error or on FAILED), with a live progress line on a terminal and one plain line per poll
 * otherwise, and an immediate, explained failure on statuses that never complete.
 *
 * @since 0.1.0
 */
import { Waiter } from "@ecr-scan/core"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Backend from "./Backend.js"
import * as CliFailure from "./CliFailure.js"
import * as Commands from "./Commands.js"
import * as OperationCommand from "./OperationCommand.js"
import * as Stdio from "./Stdio.js"

const spec = Commands.describeImageScanFindings

const failed = (reason: string) =>
  new CliFailure.CliFailure({
    exitCode: CliFailure.ExitCode.other,
    stderr: `\nWaiter ImageScanComplete failed: ${reason}\n`
  })

/** The `wait image-scan-complete` command. */
export const imageScanComplete = Command.make("image-scan-complete", {
  flags: Options.all({
    registryId: Options.text("registry-id").pipe(Options.optional),
    repositoryName: Options.text("repository-name").pipe(Options.optional),
    imageId: Options.text("image-id").pipe(Options.optional)
  }),
  cliInputJson: Options.text("cli-input-json").pipe(Options.optional),
  delay: Options.text("delay").pipe(
    Options.withDefault("5s"),
    Options.withDescription("Time between polls (the AWS CLI's is 5 seconds).")
  ),
  maxAttempts: Options.integer("max-attempts").pipe(Options.withDefault(60)),
  ...OperationCommand.globalOptions
}, (args) =>
  Effect.gen(function*() {
    // The emulator's reading of durations (`5s`, `500ms`, `1m30s`), loaded only for a wait.
    const { Durations } = yield* Effect.promise(() => import("@ecr-scan/emulator"))
    const delay = yield* Either.mapLeft(
      Durations.parseDuration(args.delay),
      (problem) => CliFailure.parameter("delay", problem)
    )
    const request = yield* OperationCommand.buildRequest(spec, args.cliInputJson, args.flags)
    const layer = yield* Backend.layer(args)
    const tty = (yield* Stdio.stderrTerminal).tty
    const subject = `${String(request.repositoryName)} ${JSON.stringify(request.imageId)}`
    const onPoll: NonNullable<Waiter.WaitOptions["onPoll"]> = (outcome, attempt) =>
      Stdio.err(
        `${tty ? "\r\u001b[2K" : ""}waiting for the scan of ${subject}: ${
          Either.match(outcome, {
            onLeft: (error) => error._tag,
            onRight: (response) => response.imageScanStatus?.status ?? "no status"
          })
        } (poll ${attempt} of ${args.maxAttempts})${tty ? "" : "\n"}`
      )
    const result = yield* Waiter.waitForImageScanComplete(request as never, {
      delay: Duration.millis(delay),
      maxAttempts: args.maxAttempts,
      retryScanNotFound: false,
      onPoll
    }).pipe(Effect.either, Effect.provide(layer))
    if (tty) yield* Stdio.err("\n")
    if (Either.isRight(result)) return
    const error = result.left
    switch (error._tag) {
      case "ImageScanFailed":
        return yield* failed(
          `Waiter encountered a terminal failure state: For expression "imageScanStatus.status" we matched ` +
            `expected path: "FAILED"\nThe scan failed: ${error.description ?? "no description"}`
        )
      case "ImageScanWillNotComplete":
        return yield* failed(
          `the scan is ${error.status}, which never becomes COMPLETE` +
            `${
              error.description === undefined ? "" : ` (${error.description})`
            }; the AWS CLI would poll until it gave up`
        )
      case "ImageScanWaitTimeout":
        return yield* failed(`Max attempts exceeded (last status: ${error.lastStatus ?? "none"})`)
      default: {
        const report = CliFailure.fromEcrError(
          "DescribeImageScanFindings",
          error,
          Option.getOrUndefined(args.endpointUrl)
        )
        return yield* failed(report.stderr.trim().replace(" when calling the DescribeImageScanFindings operation", ""))
      }
    }
  })).pipe(Command.withDescription("Wait until an image scan is complete and findings can be accessed."))

/** The `wait` command. */
export const command = Command.make("wait").pipe(
  Command.withDescription("Wait for a condition."),
  Command.withSubcommands([imageScanComplete])
)
