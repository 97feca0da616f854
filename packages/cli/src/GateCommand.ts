/**
 * The `gate` command's definition: its options, for the parser and the help. The gate itself (Gate.ts,
 * with `ScanGate.check` and the chosen backend) is loaded when the command runs, so that no other command
 * loads it.
 *
 * @since 0.1.0
 */
import { ScanPolicy } from "@ecr-scan/core"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as OperationCommand from "./OperationCommand.js"

/** The `gate` command's options. */
export const options = {
  registryId: Options.text("registry-id").pipe(Options.optional),
  repositoryName: Options.text("repository-name").pipe(Options.withDescription("The image's repository.")),
  imageId: Options.text("image-id").pipe(
    Options.withDescription("The image: imageTag=v1, imageDigest=sha256:..., or the same as JSON.")
  ),
  failOn: Options.choice("fail-on", ScanPolicy.SEVERITIES_DESCENDING).pipe(
    Options.optional,
    Options.withDescription("Block on any finding at or above this severity (default CRITICAL unless --max).")
  ),
  max: Options.text("max").pipe(
    Options.optional,
    Options.withDescription("The most findings of a severity that still pass, e.g. CRITICAL=0,HIGH=5.")
  ),
  ignore: Options.text("ignore").pipe(
    Options.repeated,
    Options.withDescription("A finding id (CVE id or finding name) that does not count; repeatable.")
  ),
  ignoreFile: Options.text("ignore-file").pipe(
    Options.optional,
    Options.withDescription(
      "A YAML or JSON file: a list of ignore entries, or a policy ({ failOn, maxCounts, ignore })."
    )
  ),
  errorOnUnusedIgnores: Options.boolean("error-on-unused-ignores").pipe(
    Options.withDescription("Block when an unexpired ignore entry matches no finding.")
  ),
  noStartScan: Options.boolean("no-start-scan").pipe(
    Options.withDescription("Do not start a scan when the image has none (exit 3 instead).")
  ),
  timeout: Options.text("timeout").pipe(
    Options.withDefault("10m"),
    Options.withDescription("How long to wait for the scan (5s, 90s, 2m30s; default 10m), read every 5 seconds.")
  ),
  output: Options.choice("output", ["text", "json", "sarif", "junit"]).pipe(
    Options.withDefault("text" as const),
    Options.withDescription("The report's format: text, json, sarif (SARIF 2.1.0 for code scanning) or junit (XML).")
  ),
  outputFile: Options.text("output-file").pipe(
    Options.optional,
    Options.withDescription("Write the report to this file (the text summary still goes to stdout).")
  ),
  endpointUrl: OperationCommand.globalOptions.endpointUrl,
  region: OperationCommand.globalOptions.region,
  backend: OperationCommand.globalOptions.backend
}

/** The `gate` command: exit 0 passed, 1 blocked, 3 no findings to judge. */
export const command = Command.make("gate", options, (args) =>
  Effect.flatMap(
    Effect.promise(() => import("./Gate.js")),
    (Gate) => Gate.run(args)
  )).pipe(
    Command.withDescription(
      "Judge an image's scan findings against a policy: exit 0 passed, 1 blocked, 3 no findings to judge."
    )
  )
