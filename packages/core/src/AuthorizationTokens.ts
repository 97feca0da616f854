/**
 * `GetAuthorizationToken`: the token is base64 of `AWS:<password>` (the user name Docker logs in with is
 * `AWS`), valid for 12 hours from the instant it is issued, with the registry's endpoint
 * `https://<account>.dkr.ecr.<region>.amazonaws.com`. The password itself is the backend's to choose; nothing
 * here checks it: no IAM is modelled.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"

/** How long a token is valid: 12 hours (the service model's documentation of `GetAuthorizationToken`). */
export const TOKEN_LIFETIME_MILLIS = 12 * 60 * 60 * 1000

/** The user name of every token. */
export const USER_NAME = "AWS"

/** A registry's endpoint: `https://<account>.dkr.ecr.<region>.amazonaws.com`. */
export const proxyEndpoint = (registryId: string, region: string): string =>
  `https://${registryId}.dkr.ecr.${region}.amazonaws.com`

/** One registry's `AuthorizationData`, issued at `now` (epoch milliseconds). */
export const authorizationData = (password: string, now: number, endpoint: string): {
  readonly authorizationToken: string
  readonly expiresAt: Date
  readonly proxyEndpoint: string
} => ({
  authorizationToken: Encoding.encodeBase64(`${USER_NAME}:${password}`),
  expiresAt: new Date(now + TOKEN_LIFETIME_MILLIS),
  proxyEndpoint: endpoint
})

/** The user name and password a token carries, or `undefined` when it is not base64 of `<user>:<password>`. */
export const decodeToken = (
  token: string
): { readonly userName: string; readonly password: string } | undefined => {
  const text = Encoding.decodeBase64String(token)
  if (Either.isLeft(text)) return undefined
  const colon = text.right.indexOf(":")
  if (colon < 0) return undefined
  return { userName: text.right.slice(0, colon), password: text.right.slice(colon + 1) }
}
