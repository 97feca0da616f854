/**
 * The backend through the SDK's whole pipeline, without a socket: a real `ECRClient` (serialisation,
 * SigV4 signing, the retry middleware, parsing) whose request handler answers canned awsJson1_1
 * replies, wrapped with `AwsBackend.baseLayer`. Successes decode into the core's types, error replies
 * arrive as the core's errors, invalid requests never leave, the scan limit is not retried while
 * throttling is, interruption aborts the request in flight, and every call is a client span.
 */
import * as Sdk from "@aws-sdk/client-ecr"
import { AwsBackend, ScanLimitRetryStrategy } from "@ecr-scan/aws-backend"
import { Api, Errors, ImageRegistry, ImageScanner, Ports } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { ConfiguredRetryStrategy } from "@smithy/core/retry"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import {
  ACCOUNT,
  awsError,
  DIGEST,
  FakeHandler,
  json,
  makeClient,
  nodeError,
  pending,
  recordingTracer,
  reject,
  REQUEST_ID
} from "./fixtures.js"

const SCAN = { repositoryName: "team/app", imageId: { imageTag: "v1" } }
const IN_PROGRESS = {
  registryId: ACCOUNT,
  repositoryName: "team/app",
  imageId: { imageDigest: DIGEST, imageTag: "v1" },
  imageScanStatus: { status: "IN_PROGRESS" }
}
const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

/** Provides the backend over a client (built by `EcrClientInstance.make`) on `handler`. */
const backend = (handler: FakeHandler, config: Sdk.ECRClientConfig = {}) =>
<A, E>(
  program: Effect.Effect<A, E, ImageScanner | ImageRegistry>
): Effect.Effect<A, E> => Effect.provide(program, AwsBackend.baseLayer(() => makeClient(handler, config)))

/** StartImageScan of `SCAN` (or `request`) through the port. */
const startImageScan = (request: Api.RequestOf<"StartImageScan"> = SCAN) =>
  Effect.flatMap(ImageScanner, (scanner) => scanner.startImageScan(request))

/** The failure of StartImageScan against `handler`. */
const scanFailure = (handler: FakeHandler, config: Sdk.ECRClientConfig = {}) =>
  Effect.flip(startImageScan()).pipe(backend(handler, config))

/** A retry strategy as the backend builds it, with a 1 ms backoff instead of the SDK's (up to 1 s for throttling). */
const quickRetries = (maxAttempts: number) =>
  new ScanLimitRetryStrategy.ScanLimitRetryStrategy(new ConfiguredRetryStrategy(maxAttempts, 1))

describe("AwsBackend over a real ECRClient", () => {
  describe("successes", () => {
    it.effect("StartImageScan sends the signed awsJson1_1 request and decodes the reply", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(json(200, IN_PROGRESS))
        const response = yield* startImageScan().pipe(backend(handler))
        expect(response).toStrictEqual(IN_PROGRESS)
        expect(handler.calls).toBe(1)
        const { request } = handler.seen[0]
        expect(request.method).toBe("POST")
        expect(request.path).toBe("/")
        expect(request.hostname).toBe("api.ecr.us-east-1.amazonaws.com")
        expect(request.headers["x-amz-target"]).toBe(`${TARGET_PREFIX}StartImageScan`)
        expect(request.headers["content-type"]).toBe("application/x-amz-json-1.1")
        expect(request.headers["authorization"]).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ecr\//
        )
        expect(handler.body()).toStrictEqual(SCAN)
      }))

    it.effect("DescribeImageScanFindings: epoch-second timestamps arrive as Dates", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(json(200, {
          ...IN_PROGRESS,
          imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
          imageScanFindings: {
            imageScanCompletedAt: 1_579_839_105.5,
            vulnerabilitySourceUpdatedAt: 1_579_800_000,
            findingSeverityCounts: { HIGH: 1 },
            findings: [{
              name: "CVE-2024-0001",
              uri: "https://security-tracker.debian.org/tracker/CVE-2024-0001",
              severity: "HIGH",
              attributes: [{ key: "package_name", value: "openssl" }]
            }]
          }
        }))
        const response = yield* Effect.flatMap(ImageScanner, (scanner) => scanner.describeImageScanFindings(SCAN))
          .pipe(backend(handler))
        expect(response.imageScanFindings?.imageScanCompletedAt).toStrictEqual(new Date(1_579_839_105_500))
        expect(response.imageScanFindings?.vulnerabilitySourceUpdatedAt).toStrictEqual(new Date(1_579_800_000_000))
        expect(response.imageScanFindings?.findings?.[0].severity).toBe("HIGH")
        expect(response.imageScanStatus).toStrictEqual({
          status: "COMPLETE",
          description: "The scan was completed successfully."
        })
        expect(handler.seen[0].request.headers["x-amz-target"]).toBe(`${TARGET_PREFIX}DescribeImageScanFindings`)
      }))

    it.effect("DescribeImages and CreateRepository: timestamps as Dates, through the registry port", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(
          json(200, {
            imageDetails: [{
              registryId: ACCOUNT,
              repositoryName: "team/app",
              imageDigest: DIGEST,
              imageTags: ["v1"],
              imagePushedAt: 1_787_109_743.563,
              imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json"
            }]
          }),
          json(200, {
            repository: {
              registryId: ACCOUNT,
              repositoryName: "team/app",
              repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/app`,
              repositoryUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/app`,
              createdAt: 1_700_000_000,
              imageTagMutability: "MUTABLE"
            }
          })
        )
        const [images, created] = yield* Effect.gen(function*() {
          const registry = yield* ImageRegistry
          return [
            yield* registry.describeImages({ repositoryName: "team/app" }),
            yield* registry.createRepository({ repositoryName: "team/app" })
          ] as const
        }).pipe(backend(handler))
        expect(images.imageDetails?.[0].imagePushedAt).toStrictEqual(new Date(1_787_109_743_563))
        expect(created.repository?.createdAt).toStrictEqual(new Date(1_700_000_000_000))
      }))

    it.effect("every port sends its own operation (the command table is right)", () =>
      Effect.gen(function*() {
        const LIFECYCLE_POLICY = JSON.stringify({
          rules: [{
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 },
            action: { type: "expire" }
          }]
        })
        const handler = new FakeHandler(json(200, {}))
        const image = { repositoryName: "app", imageId: { imageTag: "v1" } }
        // A valid request of each operation of the table, sent through the port method the table names.
        const requests: { readonly [K in Api.OperationName]: Api.RequestOf<K> } = {
          StartImageScan: image,
          DescribeImageScanFindings: image,
          CreateRepository: { repositoryName: "app" },
          DescribeRepositories: {},
          DeleteRepository: { repositoryName: "app", force: true },
          PutImage: { repositoryName: "app", imageManifest: "{}", imageTag: "v1" },
          BatchGetImage: { repositoryName: "app", imageIds: [{ imageTag: "v1" }] },
          BatchDeleteImage: { repositoryName: "app", imageIds: [{ imageTag: "v1" }] },
          DescribeImages: { repositoryName: "app" },
          PutImageScanningConfiguration: { repositoryName: "app", imageScanningConfiguration: { scanOnPush: true } },
          PutRegistryScanningConfiguration: { scanType: "BASIC" },
          GetRegistryScanningConfiguration: {},
          BatchGetRepositoryScanningConfiguration: { repositoryNames: ["app"] },
          UpdateImageStorageClass: { ...image, targetStorageClass: "ARCHIVE" },
          PutLifecyclePolicy: { repositoryName: "app", lifecyclePolicyText: LIFECYCLE_POLICY },
          GetLifecyclePolicy: { repositoryName: "app" },
          DeleteLifecyclePolicy: { repositoryName: "app" },
          StartLifecyclePolicyPreview: { repositoryName: "app", lifecyclePolicyText: LIFECYCLE_POLICY },
          GetLifecyclePolicyPreview: { repositoryName: "app" },
          SetRepositoryPolicy: { repositoryName: "app", policyText: "{}", force: true },
          GetRepositoryPolicy: { repositoryName: "app" },
          DeleteRepositoryPolicy: { repositoryName: "app" },
          PutRegistryPolicy: { policyText: "{}" },
          GetRegistryPolicy: {},
          DeleteRegistryPolicy: {},
          ListImages: { repositoryName: "app" },
          DescribeRegistry: {},
          GetAuthorizationToken: {},
          TagResource: {
            resourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/app",
            tags: [{ Key: "k", Value: "v" }]
          },
          UntagResource: { resourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/app", tagKeys: ["k"] },
          ListTagsForResource: { resourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/app" },
          PutImageTagMutability: { repositoryName: "app", imageTagMutability: "IMMUTABLE" }
        }
        yield* Effect.gen(function*() {
          for (const name of Api.operationNames) {
            expect(yield* Ports.call(name, requests[name] as never), name).toStrictEqual({})
          }
        }).pipe(backend(handler))
        const calls = Api.operationNames.map((name) => [name] as const)
        expect(handler.seen.map((seen) => seen.request.headers["x-amz-target"])).toStrictEqual(
          calls.map(([name]) => `${TARGET_PREFIX}${name}`)
        )
      }))
  })

  describe("error replies", () => {
    it.effect("{\"__type\":\"ImageNotFoundException\"} with 400 arrives as the core's ImageNotFoundException", () =>
      Effect.gen(function*() {
        const message =
          "The image with imageId {imageDigest:'null', imageTag:'v1'} does not exist within the repository with name 'team/app' in the registry with id '123456789012'"
        const error = yield* scanFailure(new FakeHandler(awsError("ImageNotFoundException", message)))
        expect(error).toBeInstanceOf(Errors.ImageNotFoundException)
        expect(error).toStrictEqual(new Errors.ImageNotFoundException({ message }))
      }))

    it.effect("every error StartImageScan models arrives as the core's error of that name", () =>
      Effect.gen(function*() {
        for (const name of Api.Operations.StartImageScan.errors) {
          const error = yield* scanFailure(new FakeHandler(awsError(name, `${name} text`)))
          expect(error, name).toBeInstanceOf(Errors.ServiceErrors[name])
          expect(error.message).toBe(`${name} text`)
        }
      }))

    it.effect("a namespaced __type is read by its shape name; the limit members the emulator sends are kept", () =>
      Effect.gen(function*() {
        const error = yield* scanFailure(
          new FakeHandler(
            awsError("com.amazonaws.ecr#LimitExceededException:http://internal.amazon.com/coral/", "quota", {
              limit: "ACCOUNT_QUOTA",
              nextEligibleAt: 1_700_000_000.25
            })
          )
        )
        expect(error).toStrictEqual(
          new Errors.LimitExceededException({
            message: "quota",
            limit: "ACCOUNT_QUOTA",
            nextEligibleAt: new Date(1_700_000_000_250)
          })
        )
      }))

    it.effect("an error the operation does not model, and an unknown code, arrive as UnknownEcrError", () =>
      Effect.gen(function*() {
        const scanNotFound = yield* scanFailure(new FakeHandler(awsError("ScanNotFoundException", "no scan")))
        expect(scanNotFound).toStrictEqual(
          new Errors.UnknownEcrError({
            code: "ScanNotFoundException",
            message: "no scan",
            httpStatus: 400,
            requestId: REQUEST_ID
          })
        )
        const denied = yield* scanFailure(
          new FakeHandler(awsError("AccessDeniedException", "not authorized", {}, 400))
        )
        expect(denied).toMatchObject({ _tag: "UnknownEcrError", code: "AccessDeniedException", httpStatus: 400 })
        const unknown = yield* scanFailure(new FakeHandler(awsError("SomethingNew", "new", {}, 503)))
        expect(unknown).toMatchObject({
          _tag: "UnknownEcrError",
          code: "SomethingNew",
          message: "new",
          httpStatus: 503,
          requestId: REQUEST_ID
        })
      }))

    it.effect("a reply the model does not describe is TransportError InvalidResponse", () =>
      Effect.gen(function*() {
        const unknownStatus = yield* scanFailure(new FakeHandler(json(200, { imageScanStatus: { status: "WEIRD" } })))
        expect(unknownStatus).toMatchObject({ _tag: "TransportError", reason: "InvalidResponse" })
        expect(unknownStatus.message).toContain("StartImageScan")
        const notJson = yield* scanFailure(new FakeHandler(json(200, "{not json")))
        expect(notJson).toMatchObject({ _tag: "TransportError", reason: "InvalidResponse" })
        const html = yield* scanFailure(new FakeHandler(json(502, "<html>Bad Gateway</html>")))
        expect(html).toMatchObject({ _tag: "TransportError", reason: "InvalidResponse" })
      }))

    it.effect("a refused connection is TransportError Network; a request timeout is Timeout", () =>
      Effect.gen(function*() {
        const refused = yield* scanFailure(
          new FakeHandler(reject(nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1", { syscall: "connect" })))
        )
        expect(refused).toMatchObject({
          _tag: "TransportError",
          reason: "Network",
          message: "connect ECONNREFUSED 127.0.0.1:1"
        })
        const timedOut = yield* scanFailure(
          new FakeHandler(
            reject(Object.assign(new Error("request timed out"), { name: "TimeoutError", code: "ETIMEDOUT" }))
          )
        )
        expect(timedOut).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      }))
  })

  describe("invalid requests", () => {
    it.effect("are refused with AWS's InvalidParameterException before the handler is called", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(json(200, IN_PROGRESS))
        const refusals = yield* Effect.gen(function*() {
          const scanner = yield* ImageScanner
          const registry = yield* ImageRegistry
          return [
            yield* Effect.flip(scanner.startImageScan({ repositoryName: "A", imageId: { imageTag: "v1" } })),
            yield* Effect.flip(scanner.startImageScan({ repositoryName: "app", imageId: {} })),
            yield* Effect.flip(scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "" } })),
            yield* Effect.flip(scanner.startImageScan({ registryId: "abc", ...SCAN })),
            yield* Effect.flip(scanner.startImageScan({ imageId: { imageTag: "v1" } } as never)),
            yield* Effect.flip(scanner.describeImageScanFindings({ ...SCAN, maxResults: 0 })),
            yield* Effect.flip(registry.batchGetImage({ repositoryName: "app", imageIds: [] })),
            yield* Effect.flip(registry.createRepository({ repositoryName: "Bad_Name!" }))
          ]
        }).pipe(backend(handler))
        expect(handler.calls).toBe(0)
        for (const refusal of refusals) {
          expect(refusal).toBeInstanceOf(Errors.InvalidParameterException)
          expect(refusal.message).toMatch(/^Invalid parameter at '[^']+' failed to satisfy constraint: '.+'$/)
        }
        expect(refusals[0].message).toBe(
          "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'"
        )
        expect(refusals[3].message).toBe(
          "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"
        )
      }))
  })

  describe("retries", () => {
    it.effect("LimitExceededException is sent once and not retried (maxAttempts 3)", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(awsError("LimitExceededException", Errors.PER_IMAGE_LIMIT_MESSAGE))
        const error = yield* scanFailure(handler, { maxAttempts: 3 })
        expect(handler.calls).toBe(1)
        expect(error).toStrictEqual(
          new Errors.LimitExceededException({ message: Errors.PER_IMAGE_LIMIT_MESSAGE, limit: "PER_IMAGE" })
        )
      }))

    it.effect("(the SDK's own strategy would have retried it as throttling)", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(awsError("LimitExceededException", Errors.PER_IMAGE_LIMIT_MESSAGE))
        yield* scanFailure(handler, { retryStrategy: new ConfiguredRetryStrategy(3, 1) })
        expect(handler.calls).toBe(3)
      }))

    it.effect("a ThrottlingException is retried with the SDK's backoff, and the retry can succeed (maxAttempts 2)", () =>
      Effect.gen(function*() {
        // The SDK's own delay: up to 1 s before the one retry.
        const handler = new FakeHandler(awsError("ThrottlingException", "Rate exceeded"), json(200, IN_PROGRESS))
        const response = yield* startImageScan().pipe(backend(handler, { maxAttempts: 2 }))
        expect(handler.calls).toBe(2)
        expect(response).toStrictEqual(IN_PROGRESS)
        expect(handler.seen.map((seen) => seen.request.headers["amz-sdk-request"])).toStrictEqual([
          "attempt=1; max=2",
          "attempt=2; max=2"
        ])
      }))

    it.effect("a ThrottlingException on every attempt is retried to maxAttempts, then is UnknownEcrError", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(awsError("ThrottlingException", "Rate exceeded"))
        const error = yield* scanFailure(handler, { retryStrategy: quickRetries(3) })
        expect(handler.calls).toBe(3)
        expect(error).toStrictEqual(
          new Errors.UnknownEcrError({
            code: "ThrottlingException",
            message: "Rate exceeded",
            httpStatus: 400,
            requestId: REQUEST_ID
          })
        )
      }))

    it.effect("ServerException (500) is retried too", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(awsError("ServerException", "internal error"))
        const error = yield* scanFailure(handler, { retryStrategy: quickRetries(3) })
        expect(handler.calls).toBe(3)
        expect(error).toStrictEqual(new Errors.ServerException({ message: "internal error" }))
      }))
  })

  describe("interruption", () => {
    it.effect("interrupting the fiber aborts the request in flight", () =>
      Effect.gen(function*() {
        const reached = yield* Deferred.make<void>()
        const handler: FakeHandler = new FakeHandler(
          pending(() => handler, () => Deferred.unsafeDone(reached, Exit.void))
        )
        yield* Effect.gen(function*() {
          const fiber = yield* Effect.fork(startImageScan())
          yield* Deferred.await(reached)
          const signal = handler.seen[0].abortSignal
          expect(signal).toBeDefined()
          expect(signal?.aborted).toBe(false)
          const exit = yield* Fiber.interrupt(fiber)
          expect(Exit.isInterrupted(exit)).toBe(true)
          expect(signal?.aborted).toBe(true)
          expect(handler.aborts).toBe(1)
        }).pipe(backend(handler, { maxAttempts: 3 }))
        // Aborted, not retried.
        expect(handler.calls).toBe(1)
      }))

    it.effect("Effect.timeout aborts the request when it fires", () =>
      Effect.gen(function*() {
        const reached = yield* Deferred.make<void>()
        const handler: FakeHandler = new FakeHandler(
          pending(() => handler, () => Deferred.unsafeDone(reached, Exit.void))
        )
        const exit = yield* Effect.gen(function*() {
          const fiber = yield* Effect.fork(Effect.timeout(startImageScan(), "10 seconds"))
          yield* Deferred.await(reached)
          yield* TestClock.adjust("10 seconds")
          return yield* Fiber.await(fiber)
        }).pipe(backend(handler))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          expect(Cause.failureOption(exit.cause)).toMatchObject(Option.some({ _tag: "TimeoutException" }))
        }
        expect(handler.seen[0].abortSignal?.aborted).toBe(true)
        expect(handler.aborts).toBe(1)
      }))

    it.effect("one effect run twice sends two requests, a signal each; interrupting the second aborts it alone", () =>
      Effect.gen(function*() {
        const reached = yield* Deferred.make<void>()
        const handler: FakeHandler = new FakeHandler(
          json(200, IN_PROGRESS),
          pending(() => handler, () => Deferred.unsafeDone(reached, Exit.void))
        )
        yield* Effect.gen(function*() {
          const scanner = yield* ImageScanner
          const scan = scanner.startImageScan(SCAN)
          expect(yield* scan).toStrictEqual(IN_PROGRESS)
          const fiber = yield* Effect.fork(scan)
          yield* Deferred.await(reached)
          yield* Fiber.interrupt(fiber)
        }).pipe(backend(handler))
        const [first, second] = handler.seen.map((seen) => seen.abortSignal)
        expect(first).toBeDefined()
        expect(second).not.toBe(first)
        expect(first?.aborted).toBe(false)
        expect(second?.aborted).toBe(true)
        expect(handler.aborts).toBe(1)
      }))

    it.effect("a call that has failed is not aborted afterwards", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(awsError("ImageNotFoundException", "no image"))
        const error = yield* scanFailure(handler)
        expect(error._tag).toBe("ImageNotFoundException")
        expect(handler.seen[0].abortSignal?.aborted).toBe(false)
      }))
  })

  it.effect("a client that throws instead of rejecting still fails with a typed error, never a defect", () =>
    Effect.gen(function*() {
      const client = {
        send: () => {
          throw new TypeError("send is broken")
        },
        destroy: () => {}
      } as unknown as Sdk.ECRClient
      const error = yield* Effect.flip(startImageScan()).pipe(Effect.provide(AwsBackend.baseLayer(() => client)))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "InvalidResponse", message: "send is broken" })
    }))

  describe("spans", () => {
    it.effect("each call is a client span ECR.<Operation> with the AWS attributes and the request id", () =>
      Effect.gen(function*() {
        const { spans, tracer } = recordingTracer()
        const handler = new FakeHandler(json(200, IN_PROGRESS))
        yield* startImageScan().pipe(
          Effect.withSpan("caller"),
          backend(handler),
          Effect.provide(Layer.setTracer(tracer))
        )
        const span = spans.find((s) => s.name === "ECR.StartImageScan")!
        expect(span).toBeDefined()
        expect(span.kind).toBe("client")
        expect(Object.fromEntries(span.attributes)).toStrictEqual({
          "rpc.system": "aws-api",
          "rpc.service": "ECR",
          "rpc.method": "StartImageScan",
          "aws.request_id": REQUEST_ID
        })
        expect(span.exit !== undefined && Exit.isSuccess(span.exit)).toBe(true)
        expect(Option.map(span.parent, (parent) => parent.spanId)).toStrictEqual(
          Option.some(spans.find((s) => s.name === "caller")!.spanId)
        )
      }))

    it.effect("a failure records error.type, and the request id of the reply", () =>
      Effect.gen(function*() {
        const { spans, tracer } = recordingTracer()
        const handler = new FakeHandler(
          awsError("ImageNotFoundException", "no image"),
          awsError("ThrottlingException", "Rate exceeded")
        )
        yield* Effect.gen(function*() {
          yield* Effect.flip(startImageScan())
          yield* Effect.flip(startImageScan())
        }).pipe(backend(handler), Effect.provide(Layer.setTracer(tracer)))
        const [notFound, throttled] = spans.filter((s) => s.name === "ECR.StartImageScan")
        expect(notFound.attributes.get("error.type")).toBe("ImageNotFoundException")
        expect(notFound.attributes.get("aws.request_id")).toBe(REQUEST_ID)
        expect(notFound.attributes.get("rpc.method")).toBe("StartImageScan")
        expect(notFound.exit !== undefined && Exit.isFailure(notFound.exit)).toBe(true)
        // An error no operation models is typed by its code.
        expect(throttled.attributes.get("error.type")).toBe("ThrottlingException")
        expect(throttled.attributes.get("aws.request_id")).toBe(REQUEST_ID)
      }))

    it.effect("a request refused before sending, or that got no reply, has error.type and no request id", () =>
      Effect.gen(function*() {
        const { spans, tracer } = recordingTracer()
        const handler = new FakeHandler(reject(nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1")))
        yield* Effect.gen(function*() {
          yield* Effect.flip(startImageScan({ repositoryName: "A", imageId: { imageTag: "v1" } }))
          yield* Effect.flip(startImageScan())
        }).pipe(backend(handler), Effect.provide(Layer.setTracer(tracer)))
        const [invalid, refused] = spans.filter((s) => s.name === "ECR.StartImageScan")
        expect(invalid.attributes.get("error.type")).toBe("InvalidParameterException")
        expect(invalid.attributes.has("aws.request_id")).toBe(false)
        expect(refused.attributes.get("error.type")).toBe("TransportError")
        expect(refused.attributes.has("aws.request_id")).toBe(false)
      }))

    it.effect("an interrupted call's span ends interrupted, and is not annotated after it ended", () =>
      Effect.gen(function*() {
        const { spans, tracer } = recordingTracer()
        const reached = yield* Deferred.make<void>()
        const handler: FakeHandler = new FakeHandler(
          pending(() => handler, () => Deferred.unsafeDone(reached, Exit.void))
        )
        yield* Effect.gen(function*() {
          const fiber = yield* Effect.fork(startImageScan())
          yield* Deferred.await(reached)
          yield* Fiber.interrupt(fiber)
          // Let the handler's AbortError travel back through the SDK.
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        }).pipe(backend(handler), Effect.provide(Layer.setTracer(tracer)))
        const span = spans.find((s) => s.name === "ECR.StartImageScan")!
        expect(handler.aborts).toBe(1)
        expect(span.exit !== undefined && Exit.isInterrupted(span.exit)).toBe(true)
        expect(span.attributes.has("error.type")).toBe(false)
      }))

    it.effect("the tracer is read at each call: one installed around a single call gets that call's span", () =>
      Effect.gen(function*() {
        const { spans, tracer } = recordingTracer()
        const handler = new FakeHandler(json(200, IN_PROGRESS))
        yield* Effect.gen(function*() {
          yield* startImageScan()
          yield* startImageScan().pipe(Effect.withSpan("traced caller"), Effect.withTracer(tracer))
          yield* startImageScan()
        }).pipe(backend(handler))
        expect(handler.calls).toBe(3)
        expect(spans.map((span) => span.name)).toStrictEqual(["traced caller", "ECR.StartImageScan"])
        const span = spans[1]
        expect(span.attributes.get("aws.request_id")).toBe(REQUEST_ID)
        expect(span.exit !== undefined && Exit.isSuccess(span.exit)).toBe(true)
      }))
  })

  describe("the layer", () => {
    it.effect("destroys the client it built when its scope closes", () =>
      Effect.gen(function*() {
        const handler = new FakeHandler(json(200, IN_PROGRESS))
        yield* startImageScan().pipe(backend(handler))
        expect(handler.destroyed).toBe(true)
      }))
  })
})
