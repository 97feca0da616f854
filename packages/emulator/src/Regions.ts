/**
 * The regions the emulator serves: all of them at once. A request's region is the one its SigV4 credential
 * scope names (`Credential=<key>/<date>/<region>/ecr/aws4_request`, as moto and LocalStack read it); an
 * unsigned request's is the emulator's `--region`. Each (account, region) pair is its own registry.
 *
 * @since 0.1.0
 */

/**
 * The shape of a region name, as the in-memory registry checks it (`us-east-1`, `eu-west-1`,
 * `us-gov-west-1`, `cn-north-1`).
 */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/

/** Whether `region` has the shape of a region name. */
export const isRegion = (region: string): boolean => region.length <= 32 && REGION_PATTERN.test(region)

/**
 * The most regions one account may have registries in: more than AWS has, few enough that a client naming
 * a new region in each request cannot make the emulator build registries without end.
 */
export const MAX_REGIONS_PER_ACCOUNT = 64

/** The header naming the region a control request is about (or `?region=`). */
export const REGION_HEADER = "x-ecr-scan-region"

const SCOPE = /Credential=\s*[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\/[^/,\s]*\/[^/,\s]*/

/**
 * The region of an `Authorization` header's credential scope, or `undefined` when there is no header or it
 * names no scope (an unsigned request, or one signed in some other way).
 */
export const regionOfAuthorization = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const match = SCOPE.exec(header)
  return match === null ? undefined : match[1]
}

/**
 * The name of an (account, region) pair's registry among the emulator's: the account id for the default
 * region (as before regions, so its event log and state directory keep their names), `<account>/<region>`
 * for the others.
 */
export const keyOf = (accountId: string, region: string, defaultRegion: string): string =>
  region === defaultRegion ? accountId : `${accountId}/${region}`
