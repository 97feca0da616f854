/**
 * The settings every SDK client of this package reads from `effect/Config`, under the AWS SDK's own names:
 * the region, the credentials (secrets as `Redacted`) and the attempts per call. Each client adds its own
 * endpoint variable and settings (see `AwsBackend.defaultConfig`, `SqsEvents.defaultConfig`).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_MAX_ATTEMPTS`. */
export const common = {
  region: Config.option(Config.string("AWS_REGION")),
  accessKeyId: Config.option(Config.redacted("AWS_ACCESS_KEY_ID")),
  secretAccessKey: Config.option(Config.redacted("AWS_SECRET_ACCESS_KEY")),
  sessionToken: Config.option(Config.redacted("AWS_SESSION_TOKEN")),
  maxAttempts: Config.option(Config.integer("AWS_MAX_ATTEMPTS"))
}

/** The endpoint: the service's own variable (`AWS_ENDPOINT_URL_ECR`, ...), else `AWS_ENDPOINT_URL`. */
export const endpoint = (serviceVariable: string) =>
  Config.option(Config.string(serviceVariable).pipe(Config.orElse(() => Config.string("AWS_ENDPOINT_URL"))))

/** The resolved credentials of `common`. */
export interface Credentials {
  readonly accessKeyId: Option.Option<Redacted.Redacted>
  readonly secretAccessKey: Option.Option<Redacted.Redacted>
  readonly sessionToken: Option.Option<Redacted.Redacted>
}

/** The SDK's static credentials, only when both the key id and the secret are set (else its default chain). */
export const credentials = (
  config: Credentials
): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined =>
  Option.isSome(config.accessKeyId) && Option.isSome(config.secretAccessKey)
    ? {
      accessKeyId: Redacted.value(config.accessKeyId.value),
      secretAccessKey: Redacted.value(config.secretAccessKey.value),
      ...(Option.isSome(config.sessionToken) ? { sessionToken: Redacted.value(config.sessionToken.value) } : {})
    }
    : undefined
