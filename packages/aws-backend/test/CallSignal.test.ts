/**
 * The abort signal each call hands to the SDK: the light signal keeps the SDK's `AbortSignal` contract
 * (`aborted`, `onabort`, listeners), and a client on the fetch handler, which hands its signal to
 * `fetch`, gets a native one: calls succeed through `fetch`, and interruption aborts the request on the
 * socket (a loopback server sees it go).
 */
import { ECRClient } from "@aws-sdk/client-ecr"
import { AwsBackend, CallSignal } from "@ecr-scan/aws-backend"
import { ImageScanner } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FetchHttpHandler } from "@smithy/fetch-http-handler"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { ACCOUNT, DIGEST, FakeHandler, json, makeClient } from "./fixtures.js"

const SCAN = { repositoryName: "team/app", imageId: { imageDigest: DIGEST } }
const IN_PROGRESS = {
  registryId: ACCOUNT,
  repositoryName: "team/app",
  imageId: { imageDigest: DIGEST },
  imageScanStatus: { status: "IN_PROGRESS" }
}

/** A loopback server for the test's scope, answering each request with `handle`. */
const loopbackServer = (handle: (req: Http.IncomingMessage, res: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer(handle)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`))

const fetchClient = (endpoint: string) =>
  new ECRClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
    requestHandler: new FetchHttpHandler()
  })

const startImageScan = Effect.flatMap(ImageScanner, (scanner) => scanner.startImageScan(SCAN))

describe("CallSignal", () => {
  it("the light signal notifies onabort and every listener once, and keeps going past one that throws", () => {
    const call = CallSignal.factoryFor(makeClient(new FakeHandler(json(200, {}))))()
    const signal = call.signal as unknown as {
      aborted: boolean
      onabort: (() => void) | null
      addEventListener: (type: string, listener: () => void) => void
      removeEventListener: (type: string, listener: () => void) => void
    }
    expect(call).not.toBeInstanceOf(AbortController)
    const heard: Array<string> = []
    signal.onabort = () => heard.push("onabort")
    signal.addEventListener("abort", () => {
      heard.push("first")
      throw new Error("a listener's own failure")
    })
    const removed = () => heard.push("removed")
    signal.addEventListener("abort", removed)
    signal.addEventListener("abort", () => heard.push("last"))
    signal.removeEventListener("abort", removed)
    expect(signal.aborted).toBe(false)
    call.abort()
    call.abort()
    expect(signal.aborted).toBe(true)
    expect(heard).toEqual(["onabort", "first", "last"])
  })

  it("a client on the fetch handler gets a native AbortSignal", () => {
    const call = CallSignal.factoryFor(fetchClient("http://127.0.0.1:9"))()
    expect(call).toBeInstanceOf(AbortController)
    expect(call.signal).toBeInstanceOf(AbortSignal)
  })

  it.scoped("through fetch, a call succeeds (fetch accepts the signal it is given)", () =>
    Effect.gen(function*() {
      const endpoint = yield* loopbackServer((_req, res) => {
        const body = JSON.stringify(IN_PROGRESS)
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "r-1" })
        res.end(body)
      })
      const response = yield* startImageScan.pipe(Effect.provide(AwsBackend.baseLayer(() => fetchClient(endpoint))))
      expect(response.imageScanStatus?.status).toBe("IN_PROGRESS")
    }))

  it.scoped("through fetch, interrupting the fiber aborts the request on the socket", () =>
    Effect.gen(function*() {
      const reached = yield* Deferred.make<void>()
      const closed = yield* Deferred.make<void>()
      // Never answers: the request ends only when the client goes.
      const endpoint = yield* loopbackServer((req, res) => {
        res.once("close", () => Deferred.unsafeDone(closed, Exit.void))
        req.resume()
        Deferred.unsafeDone(reached, Exit.void)
      })
      yield* Effect.gen(function*() {
        const fiber = yield* Effect.fork(startImageScan)
        yield* Deferred.await(reached)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        yield* Deferred.await(closed)
      }).pipe(Effect.provide(AwsBackend.baseLayer(() => fetchClient(endpoint))))
    }))
})
