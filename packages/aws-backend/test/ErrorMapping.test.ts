/**
 * The error table, fed the SDK's own exception classes: every modelled error of every operation
 * becomes the core's error of that `_tag`; errors an operation does not model and codes nobody models
 * become `UnknownEcrError` with what the reply said; failures without a reply become `TransportError`
 * with the reason; and a LimitExceededException says which limit it was, when it can tell.
 */
import * as Sdk from "@aws-sdk/client-ecr"
import { ErrorMapping } from "@ecr-scan/aws-backend"
import { Api, Errors } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { REQUEST_ID } from "./fixtures.js"

const operations = Object.keys(Api.Operations) as ReadonlyArray<Api.OperationName>
const serviceErrorNames = Object.keys(Errors.ServiceErrors) as ReadonlyArray<Errors.ServiceErrorName>
const modelled = (operation: Api.OperationName): ReadonlyArray<Errors.ServiceErrorName> =>
  Api.Operations[operation].errors

type SdkErrorClass = new(options: {
  readonly message: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
}) => Sdk.ECRServiceException

/** The SDK's class for an error name: every name the core models has one in @aws-sdk/client-ecr. */
const sdkClass = (name: Errors.ServiceErrorName): SdkErrorClass =>
  (Sdk as unknown as Record<string, SdkErrorClass>)[name]

/** The SDK's exception for `name`, as its deserializer builds it from a reply. */
const sdkError = (name: Errors.ServiceErrorName, message: string, requestId: string | null = REQUEST_ID) =>
  new (sdkClass(name))({
    message,
    $metadata: {
      httpStatusCode: Errors.httpStatus(name),
      ...(requestId === null ? {} : { requestId })
    }
  })

/** A reply with a code the SDK has no class for. */
const unknownCode = (name: string, message: string, httpStatusCode = 400) =>
  new Sdk.ECRServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode, requestId: REQUEST_ID, attempts: 1, totalRetryDelay: 0 }
  })

describe("ErrorMapping.fromSdkError", () => {
  it("knows an SDK class for every modelled error of every operation", () => {
    for (const operation of operations) {
      for (const name of modelled(operation)) {
        expect(typeof sdkClass(name), `${operation}: ${name}`).toBe("function")
        expect(sdkError(name, "m")).toBeInstanceOf(Sdk.ECRServiceException)
      }
    }
  })

  describe("a modelled error of the operation becomes the core's error of that name, with the service's message", () => {
    for (const operation of operations) {
      it(operation, () => {
        for (const name of modelled(operation)) {
          const message = `${name} raised by ${operation}`
          const error = ErrorMapping.fromSdkError(operation, sdkError(name, message))
          expect(error, name).toBeInstanceOf(Errors.ServiceErrors[name])
          expect(error._tag).toBe(name)
          expect(error.message).toBe(message)
          // Nothing but what the core models: no code, status or stray SDK members.
          expect({ ...error }, name).toStrictEqual({ _tag: name })
        }
      })
    }
  })

  describe("a modelled error the operation does not list becomes UnknownEcrError with code, message, status and request id", () => {
    for (const operation of operations) {
      it(operation, () => {
        const unlisted = serviceErrorNames.filter((name) => !modelled(operation).includes(name))
        expect(unlisted.length).toBeGreaterThan(0)
        for (const name of unlisted) {
          const error = ErrorMapping.fromSdkError(operation, sdkError(name, "not for this operation"))
          expect(error, name).toBeInstanceOf(Errors.UnknownEcrError)
          expect({ ...error }).toStrictEqual({
            _tag: "UnknownEcrError",
            code: name,
            httpStatus: Errors.httpStatus(name),
            requestId: REQUEST_ID
          })
          expect(error.message).toBe("not for this operation")
        }
      })
    }
  })

  it("ScanNotFoundException thrown for StartImageScan is UnknownEcrError", () => {
    const error = ErrorMapping.fromSdkError(
      "StartImageScan",
      new Sdk.ScanNotFoundException({ message: "no scan", $metadata: { httpStatusCode: 400, requestId: REQUEST_ID } })
    )
    expect(error).toStrictEqual(
      new Errors.UnknownEcrError({
        code: "ScanNotFoundException",
        message: "no scan",
        httpStatus: 400,
        requestId: REQUEST_ID
      })
    )
  })

  it.each([
    ["ThrottlingException", "Rate exceeded", 400],
    [
      "AccessDeniedException",
      "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:StartImageScan",
      400
    ],
    ["UnrecognizedClientException", "The security token included in the request is invalid.", 400],
    ["SomethingNew", "a code nobody has seen", 400],
    ["ServiceUnavailableException", "try later", 503]
  ])(
    "an unknown code (%s) becomes UnknownEcrError with code, message, status and request id",
    (code, message, status) => {
      for (const operation of operations) {
        const error = ErrorMapping.fromSdkError(operation, unknownCode(code, message, status))
        expect(error).toBeInstanceOf(Errors.UnknownEcrError)
        expect(error).toStrictEqual(
          new Errors.UnknownEcrError({ code, message, httpStatus: status, requestId: REQUEST_ID })
        )
      }
    }
  )

  it("an UnknownEcrError without a request id has no requestId field", () => {
    const error = ErrorMapping.fromSdkError(
      "StartImageScan",
      new Sdk.ECRServiceException({
        name: "ThrottlingException",
        message: "Rate exceeded",
        $fault: "client",
        $metadata: { httpStatusCode: 400 }
      })
    )
    expect({ ...error }).toStrictEqual({ _tag: "UnknownEcrError", code: "ThrottlingException", httpStatus: 400 })
  })

  describe("LimitExceededException", () => {
    it("with AWS's per-image message is the per-image limit", () => {
      const error = ErrorMapping.fromSdkError(
        "StartImageScan",
        sdkError("LimitExceededException", Errors.PER_IMAGE_LIMIT_MESSAGE)
      )
      expect(error).toStrictEqual(
        new Errors.LimitExceededException({ message: Errors.PER_IMAGE_LIMIT_MESSAGE, limit: "PER_IMAGE" })
      )
    })

    it("with another message names no limit", () => {
      const error = ErrorMapping.fromSdkError("StartImageScan", sdkError("LimitExceededException", "Too many scans"))
      expect(error).toStrictEqual(new Errors.LimitExceededException({ message: "Too many scans" }))
      expect("limit" in error).toBe(false)
    })

    it("reads the extra members limit and nextEligibleAt (epoch seconds), as the SDK copies them from the body", () => {
      // The SDK's deserializer copies body members the model does not know onto the exception.
      const thrown = Object.assign(sdkError("LimitExceededException", "quota"), {
        limit: "ACCOUNT_QUOTA",
        nextEligibleAt: 1_700_000_000.123
      })
      const error = ErrorMapping.fromSdkError("StartImageScan", thrown)
      expect(error).toStrictEqual(
        new Errors.LimitExceededException({
          message: "quota",
          limit: "ACCOUNT_QUOTA",
          nextEligibleAt: new Date(1_700_000_000_123)
        })
      )
    })

    it("an explicit limit wins over the message; an unknown limit value is ignored", () => {
      const explicit = ErrorMapping.fromSdkError(
        "StartImageScan",
        Object.assign(sdkError("LimitExceededException", Errors.PER_IMAGE_LIMIT_MESSAGE), { limit: "ACCOUNT_QUOTA" })
      )
      expect(explicit).toMatchObject({ limit: "ACCOUNT_QUOTA" })
      const unknown = ErrorMapping.fromSdkError(
        "StartImageScan",
        Object.assign(sdkError("LimitExceededException", "quota"), { limit: "PER_MOON", nextEligibleAt: "tomorrow" })
      )
      expect(unknown).toStrictEqual(new Errors.LimitExceededException({ message: "quota" }))
    })

    it("for PutImage (a limit on layers and tags, not on scans) still reads the members", () => {
      const error = ErrorMapping.fromSdkError("PutImage", sdkError("LimitExceededException", "too many tags"))
      expect(error).toStrictEqual(new Errors.LimitExceededException({ message: "too many tags" }))
    })
  })

  it("KmsException keeps its kmsError member", () => {
    const thrown = Object.assign(sdkError("KmsException", "KMS failed"), { kmsError: "DisabledException" })
    expect(ErrorMapping.fromSdkError("CreateRepository", thrown)).toStrictEqual(
      new Errors.KmsException({ message: "KMS failed", kmsError: "DisabledException" })
    )
  })

  describe("a failure without a reply is a TransportError", () => {
    const transport = (thrown: unknown) => {
      const error = ErrorMapping.fromSdkError("StartImageScan", thrown)
      expect(error).toBeInstanceOf(Errors.TransportError)
      return error as Errors.TransportError
    }

    it("ECONNREFUSED, as node's http module raises it, is Network", () => {
      // What the node http handler rejects with (the retry middleware adds `$metadata`).
      const thrown = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
        errno: -111,
        code: "ECONNREFUSED",
        syscall: "connect",
        address: "127.0.0.1",
        port: 1,
        $metadata: { attempts: 1, totalRetryDelay: 0 }
      })
      const error = transport(thrown)
      expect(error.reason).toBe("Network")
      expect(error.message).toBe("connect ECONNREFUSED 127.0.0.1:1")
      expect(error.cause).toBe(thrown)
    })

    it.each(["ECONNRESET", "EPIPE"])(
      "%s, which the node http handler renames TimeoutError, is Network (the connection broke)",
      (code) => {
        const thrown = Object.assign(new Error(`read ${code}`), { code, name: "TimeoutError" })
        expect(transport(thrown).reason).toBe("Network")
      }
    )

    it.each(["ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])("%s is Network", (code) => {
      expect(transport(Object.assign(new Error(`getaddrinfo ${code} api.ecr`), { code })).reason).toBe("Network")
    })

    it("the SDK's TimeoutError (request timeout, ETIMEDOUT) is Timeout", () => {
      const requestTimeout = Object.assign(
        new Error("@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10 ms requestTimeout."),
        { name: "TimeoutError", code: "ETIMEDOUT" }
      )
      expect(transport(requestTimeout).reason).toBe("Timeout")
      const socketTimeout = Object.assign(new Error("the request socket timed out"), { name: "TimeoutError" })
      expect(transport(socketTimeout).reason).toBe("Timeout")
      expect(transport(Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" })).reason).toBe("Timeout")
    })

    it("an AbortError is Aborted", () => {
      const thrown = Object.assign(new Error("Request aborted"), { name: "AbortError" })
      const error = transport(thrown)
      expect(error.reason).toBe("Aborted")
      expect(error.message).toBe("Request aborted")
      // Even if something upstream gave it a network code: the caller aborted.
      expect(transport(Object.assign(new Error("aborted"), { name: "AbortError", code: "ECONNRESET" })).reason)
        .toBe("Aborted")
    })

    it("anything else is InvalidResponse", () => {
      // The SDK's deserialization error: a SyntaxError with the reply's metadata but no fault.
      const syntax = Object.assign(new SyntaxError("Unexpected token '<', \"<html>\" is not valid JSON"), {
        $metadata: { httpStatusCode: 502, requestId: REQUEST_ID }
      })
      expect(transport(syntax).reason).toBe("InvalidResponse")
      expect(transport(new TypeError("Cannot read properties of undefined")).reason).toBe("InvalidResponse")
      const text = transport("a string")
      expect(text.reason).toBe("InvalidResponse")
      expect(text.message).toBe("a string")
      expect(transport(undefined).reason).toBe("InvalidResponse")
      expect(transport(null).reason).toBe("InvalidResponse")
      // A service-looking error without a status never came from a reply.
      expect(transport({ name: "ImageNotFoundException", $fault: "client", $metadata: {} }).reason)
        .toBe("InvalidResponse")
    })
  })

  it("requestIdOf reads the reply's request id, if any", () => {
    expect(ErrorMapping.requestIdOf(sdkError("ImageNotFoundException", "m"))).toBe(REQUEST_ID)
    expect(ErrorMapping.requestIdOf(sdkError("ImageNotFoundException", "m", null))).toBeUndefined()
    expect(ErrorMapping.requestIdOf(new Error("x"))).toBeUndefined()
    expect(ErrorMapping.requestIdOf("x")).toBeUndefined()
  })
})
