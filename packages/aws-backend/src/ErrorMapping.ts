/**
 * The one table from what the SDK throws to the core's typed errors. Nothing reaches the caller as a
 * defect:
 *
 * | the SDK throws | the caller gets |
 * | --- | --- |
 * | a modelled error of the operation (`LimitExceededException`, ...) | that error, with the service's message |
 * | a service error the operation does not model (throttling, access denied, unknown codes) | `UnknownEcrError` with code, message, HTTP status and request id |
 * | `AbortError` (the fiber was interrupted) | `TransportError` "Aborted" |
 * | a network failure (code `ECONNREFUSED`, `ECONNRESET`, `EPIPE`, `ENOTFOUND`, ...) | `TransportError` "Network" |
 * | `TimeoutError`, `ETIMEDOUT` | `TransportError` "Timeout" |
 * | anything else (a response it could not parse, ...) | `TransportError` "InvalidResponse" |
 *
 * The error's `code` is read before its name: Node's http handler renames `ECONNRESET` and `EPIPE`
 * errors `TimeoutError` (so the SDK retries them as transient), but the connection broke; it did not
 * time out.
 *
 * @since 0.1.0
 */
import { Api, Errors } from "@ecr-scan/core"

interface SdkErrorShape {
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly $fault?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly limit?: unknown
  readonly nextEligibleAt?: unknown
  readonly kmsError?: unknown
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "ERR_SOCKET_CONNECTION_TIMEOUT"
])
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "TimeoutError", "RequestTimeout", "RequestTimeoutException"])

const text = (value: unknown, fallback: string) => typeof value === "string" && value !== "" ? value : fallback

/** Whether the SDK received a reply from the service (its service exceptions carry `$fault`). */
const isServiceError = (error: SdkErrorShape) =>
  (error.$fault === "client" || error.$fault === "server") && error.$metadata?.httpStatusCode !== undefined

/** The structured fields of a LimitExceededException: sent by this project's emulator, inferred otherwise. */
const limitFields = (error: SdkErrorShape, message: string): Errors.LimitExceededWireMembers => {
  const sent = Errors.fromLimitExceededWireMembers(error)
  return sent.limit === undefined && message === Errors.PER_IMAGE_LIMIT_MESSAGE
    ? { limit: "PER_IMAGE", ...sent }
    : sent
}

/** The request id of the reply a thrown SDK error came from, if there was one. */
export const requestIdOf = (thrown: unknown): string | undefined => {
  if (typeof thrown !== "object" || thrown === null) return undefined
  const requestId = (thrown as SdkErrorShape).$metadata?.requestId
  return typeof requestId === "string" && requestId !== "" ? requestId : undefined
}

/** The core's error for what `client.send` threw while running `operation`. */
export const fromSdkError = (operation: Api.OperationName, thrown: unknown): Errors.EcrError => {
  const error: SdkErrorShape = typeof thrown === "object" && thrown !== null ? thrown as SdkErrorShape : {}
  const name = text(error.name, "Error")
  const message = text(error.message, thrown instanceof Error ? thrown.message : String(thrown))
  if (isServiceError(error)) {
    const modelled = (Api.Operations[operation].errors as ReadonlyArray<string>).includes(name) &&
      Errors.isServiceErrorName(name)
    if (modelled) {
      if (name === "LimitExceededException") {
        return Errors.unsafeMake(Errors.LimitExceededException, { message, ...limitFields(error, message) })
      }
      if (name === "KmsException" && typeof error.kmsError === "string") {
        return Errors.unsafeMake(Errors.KmsException, { message, kmsError: error.kmsError })
      }
      return Errors.fromName(name, message)!
    }
    const requestId = requestIdOf(error)
    return Errors.unsafeMake(Errors.UnknownEcrError, {
      code: name,
      message,
      httpStatus: error.$metadata!.httpStatusCode!,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
  const code = text(error.code, name)
  if (name === "AbortError") {
    return Errors.unsafeMake(Errors.TransportError, { reason: "Aborted", message, cause: thrown })
  }
  if (NETWORK_CODES.has(code)) {
    return Errors.unsafeMake(Errors.TransportError, { reason: "Network", message, cause: thrown })
  }
  if (TIMEOUT_CODES.has(name) || TIMEOUT_CODES.has(code)) {
    return Errors.unsafeMake(Errors.TransportError, { reason: "Timeout", message, cause: thrown })
  }
  if (NETWORK_CODES.has(name)) {
    return Errors.unsafeMake(Errors.TransportError, { reason: "Network", message, cause: thrown })
  }
  return Errors.unsafeMake(Errors.TransportError, { reason: "InvalidResponse", message, cause: thrown })
}
