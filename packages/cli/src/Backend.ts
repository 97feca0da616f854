/**
 * Which backend a command talks to. As with the AWS CLI, `--endpoint-url` and `--region` (or
 * `AWS_REGION` / `AWS_DEFAULT_REGION`, and credentials from the usual environment and files) select
 * the AWS backend; `--backend memory` runs against an in-process registry that lives as long as the
 * command.
 *
 * @since 0.1.0
 */
import { AwsBackend } from "@ecr-scan/aws-backend"
import type { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { CliFailure, ExitCode } from "./CliFailure.js"

/** The global options that choose the backend. */
export interface BackendChoice {
  readonly backend: "aws" | "memory"
  readonly endpointUrl: Option.Option<string>
  readonly region: Option.Option<string>
}

/** The region the AWS backend uses, as the AWS CLI resolves it (flag, then environment). */
export const regionOf = (choice: BackendChoice): string | undefined =>
  Option.getOrUndefined(choice.region) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION

/** The layer of the chosen backend. */
export const layer = (
  choice: BackendChoice
): Effect.Effect<Layer.Layer<ImageScanner | ImageRegistry, CliFailure>, CliFailure> => {
  if (choice.backend === "memory") {
    return Effect.succeed(
      MemoryRegistry.layer({ ...(Option.isSome(choice.region) ? { region: choice.region.value } : {}) }).pipe(
        Layer.mapError((e) => new CliFailure({ exitCode: ExitCode.configuration, stderr: `\n${e.message}\n` }))
      )
    )
  }
  const region = regionOf(choice)
  if (region === undefined) {
    return Effect.fail(
      new CliFailure({
        exitCode: ExitCode.configuration,
        stderr: "\nYou must specify a region. You can also configure your region with AWS_REGION or --region.\n"
      })
    )
  }
  return Effect.succeed(AwsBackend.layer({
    region,
    ...(Option.isSome(choice.endpointUrl) ? { endpoint: choice.endpointUrl.value } : {})
  }))
}
