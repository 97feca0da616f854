/**
 * The awsJson1_1 wire protocol as ECR speaks it: `POST /`, the operation in `X-Amz-Target`,
 * `application/x-amz-json-1.1` both ways, `x-amzn-RequestId` on every reply, and errors as
 * `{"__type": "<Name>", "message": "<text>"}` with 400 (500 for `ServerException`).
 *
 * @since 0.1.0
 */
import type { Errors } from "@ecr-scan/core"
import { Errors as ErrorModule } from "@ecr-scan/core"

/** The target prefix of ECR's operations. */
export const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

/** The content type of requests and replies. */
export const CONTENT_TYPE = "application/x-amz-json-1.1"

/**
 * Where a client sends requests to reach a server bound to `host` on `port`: `http://<host>:<port>`, a wildcard
 * address spelled as its loopback, an IPv6 address in brackets.
 */
export const endpointOf = (host: string, port: number): string => {
  const connect = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host
  return connect.includes(":") ? `http://[${connect}]:${port}` : `http://${connect}:${port}`
}

/** A reply before it is written: status, body and, for errors, the error's name. */
export interface WireReply {
  readonly status: number
  readonly body: string
  readonly errorType?: string
}

/** The operation named by an `X-Amz-Target` header, or `undefined` when the header names none of ECR's. */
export const operationOf = (target: string | undefined): string | undefined =>
  target !== undefined && target.startsWith(TARGET_PREFIX) && target.length > TARGET_PREFIX.length
    ? target.slice(TARGET_PREFIX.length)
    : undefined

/** An error reply. */
export const errorReply = (status: number, type: string, message: string): WireReply => ({
  status,
  body: JSON.stringify({ __type: type, message }),
  errorType: type
})

/** The reply for any failure a port can report. */
export const failureReply = (error: Errors.EcrError): WireReply => {
  switch (error._tag) {
    case "UnknownEcrError":
      return errorReply(error.httpStatus ?? 400, error.code, error.message)
    case "TransportError":
      return errorReply(500, "ServerException", `The backend could not answer: ${error.message}`)
    case "LimitExceededException": {
      // Beyond AWS's two members, which limit and when the image is next eligible (epoch seconds):
      // SDKs keep unknown members of an error body, so ecr-scan's AWS backend recovers them.
      return {
        status: 400,
        body: JSON.stringify({
          __type: error._tag,
          message: error.message,
          ...ErrorModule.limitExceededWireMembers(error)
        }),
        errorType: error._tag
      }
    }
    default:
      return errorReply(ErrorModule.httpStatus(error._tag), error._tag, error.message)
  }
}

/** Protocol-level faults, answered before any operation runs. */
export const faults = {
  /** `X-Amz-Target` is missing or names no operation of ECR. */
  unknownOperation: (target: string | undefined) =>
    errorReply(
      400,
      "UnknownOperationException",
      target === undefined ? "Missing X-Amz-Target header" : `Unknown operation ${target}`
    ),
  /** An operation of ECR that the emulator does not serve. */
  notImplemented: (operation: string) =>
    errorReply(400, "UnknownOperationException", `The ecr-scan emulator does not implement ${operation}`),
  /** The body does not parse as JSON. */
  malformedJson: () => errorReply(400, "SerializationException", "The request body is not valid JSON"),
  /** The body is JSON but not an object. */
  notAnObject: () => errorReply(400, "SerializationException", "The request body must be a JSON object"),
  /** A member of the wrong JSON type: `member` is its path, `expected` what it should be. */
  serialization: (member: string, expected: string) =>
    errorReply(400, "SerializationException", `Unexpected value at '${member}': ${expected}`),
  /** A `Content-Type` other than awsJson1_1's. */
  contentType: (contentType: string | undefined) =>
    errorReply(
      400,
      "UnknownOperationException",
      `Unsupported Content-Type ${contentType ?? "(none)"}; ECR expects ${CONTENT_TYPE}`
    ),
  /** A body over the size limit. */
  tooLarge: (limit: number) =>
    errorReply(413, "RequestEntityTooLargeException", `The request body is larger than ${limit} bytes`),
  /** A method other than `POST`. */
  wrongMethod: (method: string | undefined) =>
    errorReply(405, "UnknownOperationException", `Method ${method ?? "(none)"} is not allowed; ECR expects POST /`),
  /** A path other than `/` (and outside the control endpoints). */
  wrongPath: (path: string | undefined) =>
    errorReply(404, "UnknownOperationException", `No resource at ${path ?? "(none)"}; ECR expects POST /`),
  /** A defect: the emulator failed, not the request. */
  internal: () => errorReply(500, "ServerException", "An internal error occurred in the emulator.")
} as const
