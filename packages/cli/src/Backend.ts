/**
 * Which backend a command talks to. As with the AWS CLI, `--endpoint-url` and `--region` (or
 * `AWS_REGION` / `AWS_DEFAULT_REGION`, and credentials from the usual environment and files) select
 * the AWS backend; `--backend memory` runs against an in-process registry that lives as long as the
 * command.
 *
 * The environment is read through `effect/Config`, so that a command run in-process reads the
 * environment it is given (InProcess.ts) rather than the process's; what the environment does not say is
 * left to the SDK's own resolution (its credential chain, its config files).
 *
 * @since 0.1.0
 */
import type { AwsBackend } from "@ecr-scan/aws-backend"
import type { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import * as Config from "effect/Config"
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

/** What the AWS backend reads from the environment: `AwsBackend.defaultConfig`, with the AWS CLI's fallbacks. */
const awsConfig = (aws: typeof AwsBackend) =>
  Config.all({
    backend: aws.defaultConfig,
    defaultRegion: Config.option(Config.string("AWS_DEFAULT_REGION")),
    retryMode: Config.option(Config.string("AWS_RETRY_MODE"))
  })

const configuration = (message: string) =>
  new CliFailure({ exitCode: ExitCode.configuration, stderr: `\n${message}\n` })

/**
 * The layer of the chosen backend. Each backend's package is loaded when it is chosen, not before: a command
 * on the AWS backend never loads the memory backend, and `--backend memory` never loads the AWS SDK.
 */
export const layer = (
  choice: BackendChoice
): Effect.Effect<Layer.Layer<ImageScanner | ImageRegistry, CliFailure>, CliFailure> => {
  if (choice.backend === "memory") {
    return Effect.map(
      Effect.promise(() => import("@ecr-scan/memory-backend")),
      ({ MemoryRegistry }) =>
        MemoryRegistry.layer({ ...(Option.isSome(choice.region) ? { region: choice.region.value } : {}) }).pipe(
          Layer.mapError((e) => configuration(e.message))
        )
    )
  }
  return Effect.gen(function*() {
    const { AwsBackend } = yield* Effect.promise(() => import("@ecr-scan/aws-backend"))
    const config = yield* Effect.mapError(awsConfig(AwsBackend), (error) => configuration(String(error)))
    // The region as the AWS CLI resolves it: the flag, then the environment.
    const region = Option.orElse(choice.region, () => Option.orElse(config.backend.region, () => config.defaultRegion))
    if (Option.isNone(region)) {
      return yield* configuration(
        "You must specify a region. You can also configure your region with AWS_REGION or --region."
      )
    }
    return AwsBackend.layer({
      ...AwsBackend.clientConfig(config.backend),
      ...(Option.isSome(config.retryMode) ? { retryMode: config.retryMode.value } : {}),
      region: region.value,
      ...(Option.isSome(choice.endpointUrl) ? { endpoint: choice.endpointUrl.value } : {})
    })
  })
}
