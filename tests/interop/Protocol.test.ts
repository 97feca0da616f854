/**
 * The emulator's wire protocol, byte by byte: every protocol fault is answered as ECR answers errors
 * (status, `application/x-amz-json-1.1`, `x-amzn-RequestId`, `{"__type", "message"}`), and the
 * connection it came on stays usable where HTTP allows. Then the control endpoints under
 * `/_ecr-scan/`, their JSON 400s for bad bodies, and the 409 of a real-clock emulator.
 */
import type * as Http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { digestOf, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import {
  AMZ_JSON,
  ecr,
  parseRawReply,
  rawExchange,
  type RawReply,
  type RawRequest,
  send,
  singleConnection,
  target
} from "../support/rawHttp.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MAX_BODY = 1024
const START = Date.parse("2026-01-01T00:00:00Z")

let emulator: RunningEmulator
let small: RunningEmulator
let control: RunningEmulator
let realClock: RunningEmulator
const agents: Array<Http.Agent> = []
const agent = () => {
  const a = singleConnection()
  agents.push(a)
  return a
}

beforeAll(async () => {
  ;[emulator, small, control, realClock] = await Promise.all([
    startEmulator(),
    startEmulator({ maxBodyBytes: MAX_BODY }),
    startEmulator(),
    startEmulator({ clock: { _tag: "Real" } })
  ])
})
afterAll(async () => {
  for (const a of agents) a.destroy()
  await Promise.all([emulator, small, control, realClock].filter((e) => e !== undefined).map((e) => e.stop()))
})

/** An ECR error reply, exactly as the spec (section 1.1) says ECR sends one. */
const expectWireError = (reply: RawReply, status: number, type: string, message: string | RegExp) => {
  expect(reply.status).toBe(status)
  expect(reply.headers["content-type"]).toBe(AMZ_JSON)
  expect(reply.headers["x-amzn-requestid"]).toMatch(UUID)
  // Not needed by the SDKs when `__type` is present (spec 1.1), but sent as well.
  expect(reply.headers["x-amzn-errortype"]).toBe(type)
  expect(reply.json).toEqual({
    __type: type,
    message: typeof message === "string" ? message : expect.stringMatching(message)
  })
}

/** A valid request on the same agent: answered, and on the same socket as `previous`. */
const expectConnectionSurvives = async (endpoint: string, a: Http.Agent, previous: RawReply) => {
  const next = await ecr(endpoint, a, "GetRegistryScanningConfiguration", {})
  expect(next.status).toBe(200)
  expect(next.headers["content-type"]).toBe(AMZ_JSON)
  expect(next.headers["x-amzn-requestid"]).toMatch(UUID)
  expect(next.json).toEqual({ registryId: "123456789012", scanningConfiguration: { scanType: "BASIC", rules: [] } })
  expect(next.socket).toBe(previous.socket)
  expect(next.headers["x-amzn-requestid"]).not.toBe(previous.headers["x-amzn-requestid"])
}

interface FaultCase {
  readonly title: string
  readonly request: RawRequest
  readonly status: number
  readonly type: string
  readonly message: string | RegExp
  readonly small?: boolean
}

const json = (operation: string | undefined, body: string | ReadonlyArray<string>, contentType = AMZ_JSON) => ({
  headers: {
    ...(contentType === "" ? {} : { "content-type": contentType }),
    ...(operation === undefined ? {} : { "x-amz-target": operation })
  },
  body
})

const faults: ReadonlyArray<FaultCase> = [
  {
    title: "an unknown operation in ECR's target prefix",
    request: json(target("NoSuchOperation"), "{}"),
    status: 400,
    type: "UnknownOperationException",
    message: /NoSuchOperation/
  },
  {
    title: "a target that is only ECR's prefix",
    request: json(target(""), "{}"),
    status: 400,
    type: "UnknownOperationException",
    message: `Unknown operation ${target("")}`
  },
  {
    title: "a missing X-Amz-Target",
    request: json(undefined, "{}"),
    status: 400,
    type: "UnknownOperationException",
    message: "Missing X-Amz-Target header"
  },
  {
    title: "another service's target prefix",
    request: json("DynamoDB_20120810.ListTables", "{}"),
    status: 400,
    type: "UnknownOperationException",
    message: "Unknown operation DynamoDB_20120810.ListTables"
  },
  {
    title: "an ECR operation the emulator does not implement",
    request: json(target("DescribePullThroughCacheRules"), "{}"),
    status: 400,
    type: "UnknownOperationException",
    message: "The ecr-scan emulator does not implement DescribePullThroughCacheRules"
  },
  {
    title: "malformed JSON",
    request: json(target("StartImageScan"), "{\"repositoryName\": "),
    status: 400,
    type: "SerializationException",
    message: "The request body is not valid JSON"
  },
  {
    title: "a JSON array body",
    request: json(target("GetRegistryScanningConfiguration"), "[]"),
    status: 400,
    type: "SerializationException",
    message: "The request body must be a JSON object"
  },
  {
    title: "a JSON string body",
    request: json(target("GetRegistryScanningConfiguration"), "\"{}\""),
    status: 400,
    type: "SerializationException",
    message: "The request body must be a JSON object"
  },
  {
    title: "a JSON null body",
    request: json(target("GetRegistryScanningConfiguration"), "null"),
    status: 400,
    type: "SerializationException",
    message: "The request body must be a JSON object"
  },
  {
    title: "an empty body for an operation with required members (read as {})",
    request: json(target("StartImageScan"), ""),
    status: 400,
    type: "InvalidParameterException",
    message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'"
  },
  {
    title: "a wrong content type",
    request: json(target("GetRegistryScanningConfiguration"), "{}", "application/json"),
    status: 400,
    type: "UnknownOperationException",
    message: `Unsupported Content-Type application/json; ECR expects ${AMZ_JSON}`
  },
  {
    title: "a missing content type",
    request: json(target("GetRegistryScanningConfiguration"), "{}", ""),
    status: 400,
    type: "UnknownOperationException",
    message: `Unsupported Content-Type (none); ECR expects ${AMZ_JSON}`
  },
  {
    title: "a body over maxBodyBytes with a content-length",
    request: json(target("StartImageScan"), JSON.stringify({ repositoryName: "x".repeat(2 * MAX_BODY) })),
    status: 413,
    type: "RequestEntityTooLargeException",
    message: `The request body is larger than ${MAX_BODY} bytes`,
    small: true
  },
  {
    title: "a chunked body (no content-length) over maxBodyBytes",
    request: json(target("StartImageScan"), ["{\"repositoryName\": \"", "x".repeat(3 * MAX_BODY), "\"}"]),
    status: 413,
    type: "RequestEntityTooLargeException",
    message: `The request body is larger than ${MAX_BODY} bytes`,
    small: true
  },
  {
    title: "GET /",
    request: { method: "GET", path: "/", headers: { "x-amz-target": target("DescribeRepositories") } },
    status: 405,
    type: "UnknownOperationException",
    message: "Method GET is not allowed; ECR expects POST /"
  },
  {
    title: "POST to another path",
    request: { path: "/other-path", ...json(target("DescribeRepositories"), "{}") },
    status: 404,
    type: "UnknownOperationException",
    message: "No resource at /other-path; ECR expects POST /"
  },
  {
    title: "a member of the wrong JSON type (a number for a string)",
    request: json(target("StartImageScan"), JSON.stringify({ repositoryName: 5, imageId: { imageTag: "v1" } })),
    status: 400,
    type: "SerializationException",
    message: "Unexpected value at 'repositoryName': must be a string"
  },
  {
    title: "a member of the wrong JSON type (a string for a structure)",
    request: json(target("StartImageScan"), JSON.stringify({ repositoryName: "proto/a", imageId: "v1" })),
    status: 400,
    type: "SerializationException",
    message: "Unexpected value at 'imageId': must be an object"
  },
  {
    title: "a nested member of the wrong JSON type",
    request: json(target("StartImageScan"), JSON.stringify({ repositoryName: "proto/a", imageId: { imageTag: 5 } })),
    status: 400,
    type: "SerializationException",
    message: "Unexpected value at 'imageId.imageTag': must be a string"
  },
  {
    title: "a number sent as a string",
    request: json(
      target("DescribeImageScanFindings"),
      JSON.stringify({ repositoryName: "proto/a", imageId: { imageTag: "v1" }, maxResults: "10" })
    ),
    status: 400,
    type: "SerializationException",
    message: "Unexpected value at 'maxResults': must be a number"
  }
]

describe("protocol faults", () => {
  for (const fault of faults) {
    it(`answers ${fault.title} as ECR answers errors, and keeps the connection`, async () => {
      const server = fault.small === true ? small : emulator
      const a = agent()
      const reply = await send(server.endpoint, a, fault.request)
      expectWireError(reply, fault.status, fault.type, fault.message)
      await expectConnectionSurvives(server.endpoint, a, reply)
    })
  }

  it("reads an empty body as {} for an operation without required members", async () => {
    const a = agent()
    const reply = await send(emulator.endpoint, a, json(target("GetRegistryScanningConfiguration"), ""))
    expect(reply.status).toBe(200)
    expect(reply.headers["content-type"]).toBe(AMZ_JSON)
    expect(reply.headers["x-amzn-requestid"]).toMatch(UUID)
    expect(reply.json).toEqual({ registryId: "123456789012", scanningConfiguration: { scanType: "BASIC", rules: [] } })
    await expectConnectionSurvives(emulator.endpoint, a, reply)
  })

  it("ignores members it does not know, as AWS's deserializer does", async () => {
    const a = agent()
    const reply = await ecr(emulator.endpoint, a, "GetRegistryScanningConfiguration", { futureMember: { x: 1 } })
    expect(reply.status).toBe(200)
    const refused = await ecr(emulator.endpoint, a, "StartImageScan", {
      repositoryName: "proto/absent",
      imageId: { imageTag: "v1", futureMember: true },
      futureMember: [1, 2]
    })
    expectWireError(
      refused,
      400,
      "RepositoryNotFoundException",
      "The repository with name 'proto/absent' does not exist in the registry with id '123456789012'"
    )
  })

  it("accepts the content type with parameters and in another case", async () => {
    const a = agent()
    for (const contentType of [`${AMZ_JSON}; charset=utf-8`, "Application/X-Amz-Json-1.1"]) {
      const reply = await send(
        emulator.endpoint,
        a,
        json(target("GetRegistryScanningConfiguration"), "{}", contentType)
      )
      expect(reply.status).toBe(200)
    }
  })

  it("accepts a body of exactly maxBodyBytes, sent chunked", async () => {
    const a = agent()
    const head = "{\"repositoryName\": \"proto/absent\","
    const tail = "\"imageId\": {\"imageTag\": \"v1\"}}"
    const padding = " ".repeat(MAX_BODY - head.length - tail.length)
    const reply = await send(small.endpoint, a, json(target("StartImageScan"), [head, padding, tail]))
    expectWireError(
      reply,
      400,
      "RepositoryNotFoundException",
      "The repository with name 'proto/absent' does not exist in the registry with id '123456789012'"
    )
    await expectConnectionSurvives(small.endpoint, a, reply)
  })

  it("answers malformed HTTP with a JSON 400 and closes, and keeps serving other connections", async () => {
    const raw = parseRawReply(await rawExchange(emulator.port, "THIS IS NOT HTTP\r\n\r\n"))
    expect(raw.status).toBe(400)
    expect(raw.headers["content-type"]).toBe(AMZ_JSON)
    expect(raw.headers["connection"]).toBe("close")
    expect(JSON.parse(raw.body)).toEqual({ __type: "SerializationException", message: "Malformed HTTP request" })
    const a = agent()
    const next = await ecr(emulator.endpoint, a, "DescribeRepositories", {})
    expect(next.status).toBe(200)
    expect(next.json).toHaveProperty("repositories")
  })

  it("answers a success with the JSON content type and a fresh request id each time", async () => {
    const a = agent()
    const first = await ecr(emulator.endpoint, a, "CreateRepository", { repositoryName: "proto/success" })
    const second = await ecr(emulator.endpoint, a, "DescribeRepositories", { repositoryNames: ["proto/success"] })
    for (const reply of [first, second]) {
      expect(reply.status).toBe(200)
      expect(reply.headers["content-type"]).toBe(AMZ_JSON)
      expect(reply.headers["x-amzn-requestid"]).toMatch(UUID)
      expect(reply.headers["x-amzn-errortype"]).toBeUndefined()
    }
    expect(first.headers["x-amzn-requestid"]).not.toBe(second.headers["x-amzn-requestid"])
    expect(second.socket).toBe(first.socket)
    // Timestamps are epoch seconds (JSON numbers); absent members are omitted, never null.
    expect(typeof second.json.repositories[0].createdAt).toBe("number")
    expect(second.json.repositories[0].createdAt).toBe(START / 1000)
    expect(second.text).not.toContain("null")
  })
})

// -------------------------------------------------------------------------------------------------
// Control endpoints

const controlCall = (server: RunningEmulator, method: string, path: string, body?: unknown) =>
  send(server.endpoint, agent(), {
    method,
    path: `/_ecr-scan${path}`,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })

/** A control endpoint's refusal: JSON with an `error` text. */
const expectControlError = (reply: RawReply, status: number, pattern?: RegExp) => {
  expect(reply.status).toBe(status)
  expect(reply.headers["content-type"]).toMatch(/^application\/json/)
  expect(typeof reply.json?.error).toBe("string")
  if (pattern !== undefined) expect(reply.json.error).toMatch(pattern)
}

const call = async (operation: string, body: unknown) => {
  const reply = await ecr(control.endpoint, agent(), operation, body)
  return reply
}

describe("control endpoints", () => {
  it("GET /_ecr-scan/health", async () => {
    const reply = await controlCall(control, "GET", "/health")
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual({ status: "ok" })
  })

  it("GET /_ecr-scan/clock, POST clock/advance and clock/set move the virtual clock", async () => {
    const now = (await controlCall(control, "GET", "/clock")).json
    expect(now.mode).toBe("virtual")
    expect(new Date(now.now).getTime()).toBe(now.epochMillis)
    const advanced = await controlCall(control, "POST", "/clock/advance", { duration: "90 minutes" })
    expect(advanced.status).toBe(200)
    expect(advanced.json.epochMillis).toBe(now.epochMillis + 90 * 60_000)
    const millis = await controlCall(control, "POST", "/clock/advance", { duration: "1 millis" })
    expect(millis.json.epochMillis).toBe(now.epochMillis + 90 * 60_000 + 1)
    const set = await controlCall(control, "POST", "/clock/set", { time: "2026-03-01T12:00:00Z" })
    expect(set.status).toBe(200)
    expect(set.json).toEqual({
      mode: "virtual",
      now: "2026-03-01T12:00:00.000Z",
      epochMillis: Date.parse("2026-03-01T12:00:00Z")
    })
    const setNumber = await controlCall(control, "POST", "/clock/set", { time: Date.parse("2026-03-02T00:00:00Z") })
    expect(setNumber.json.now).toBe("2026-03-02T00:00:00.000Z")
    expect((await controlCall(control, "GET", "/clock")).json.now).toBe("2026-03-02T00:00:00.000Z")
  })

  it("the clock endpoints answer bad bodies with a JSON 400", async () => {
    expectControlError(await controlCall(control, "POST", "/clock/advance", { duration: "soon" }), 400, /duration/)
    expectControlError(await controlCall(control, "POST", "/clock/advance", { duration: 5 }), 400)
    expectControlError(await controlCall(control, "POST", "/clock/advance", {}), 400)
    expectControlError(await controlCall(control, "POST", "/clock/advance", "{not json"), 400)
    expectControlError(await controlCall(control, "POST", "/clock/set", { time: "the day after tomorrow" }), 400)
    expectControlError(await controlCall(control, "POST", "/clock/set", { time: true }), 400)
  })

  it("POST /_ecr-scan/findings fixes an image's findings; POST outcome makes its scans FAILED", async () => {
    await call("CreateRepository", { repositoryName: "control/findings" })
    const found = imageManifest(101)
    const failed = imageManifest(102)
    await call("PutImage", { repositoryName: "control/findings", imageManifest: found, imageTag: "found" })
    await call("PutImage", { repositoryName: "control/findings", imageManifest: failed, imageTag: "failed" })
    const findings = [
      { name: "CVE-2026-0001", severity: "CRITICAL", attributes: [{ key: "package_name", value: "openssl" }] },
      { name: "CVE-2026-0002", severity: "LOW" }
    ]
    const fixed = await controlCall(control, "POST", "/findings", { imageDigest: digestOf(found), findings })
    expect(fixed.status).toBe(200)
    expect(fixed.json).toEqual({ ok: true })
    const outcome = await controlCall(control, "POST", "/outcome", {
      imageDigest: digestOf(failed),
      repositoryName: "control/findings",
      outcome: "FAILED"
    })
    expect(outcome.json).toEqual({ ok: true })
    for (const imageTag of ["found", "failed"]) {
      expect((await call("StartImageScan", { repositoryName: "control/findings", imageId: { imageTag } })).status)
        .toBe(200)
    }
    await controlCall(control, "POST", "/clock/advance", { duration: "1 hour" })
    const ok = await call("DescribeImageScanFindings", {
      repositoryName: "control/findings",
      imageId: { imageTag: "found" }
    })
    expect(ok.json.imageScanStatus).toEqual({ status: "COMPLETE", description: "The scan was completed successfully." })
    expect(ok.json.imageScanFindings.findings).toEqual(findings)
    expect(ok.json.imageScanFindings.findingSeverityCounts).toEqual({ CRITICAL: 1, LOW: 1 })
    const ko = await call("DescribeImageScanFindings", {
      repositoryName: "control/findings",
      imageId: { imageTag: "failed" }
    })
    expect(ko.json.imageScanStatus).toEqual({
      status: "FAILED",
      description: "UnsupportedImageError: The operating system and/or package manager are not supported."
    })
    expect(ko.json.imageScanFindings).toBeUndefined()
  })

  it("the findings and outcome endpoints answer bad bodies with a JSON 400", async () => {
    const digest = digestOf(imageManifest(103))
    expectControlError(await controlCall(control, "POST", "/findings", { imageDigest: digest }), 400)
    expectControlError(
      await controlCall(control, "POST", "/findings", { imageDigest: digest, findings: [{ severity: "DIRE" }] }),
      400
    )
    expectControlError(await controlCall(control, "POST", "/findings", "[]"), 400)
    expectControlError(await controlCall(control, "POST", "/outcome", { imageDigest: digest, outcome: "MAYBE" }), 400)
    expectControlError(await controlCall(control, "POST", "/outcome", { outcome: "FAILED" }), 400)
  })

  it("POST /_ecr-scan/faults plans faults, DELETE cancels them; bad plans get a JSON 400", async () => {
    const planned = await controlCall(control, "POST", "/faults", {
      operation: "DescribeRepositories",
      error: "ServerException",
      count: 2
    })
    expect(planned.json).toEqual({ ok: true })
    for (let i = 0; i < 2; i++) {
      expectWireError(await call("DescribeRepositories", {}), 500, "ServerException", "An internal error occurred.")
    }
    expect((await call("DescribeRepositories", {})).status).toBe(200)
    // An unmodelled code goes on the wire as it is.
    await controlCall(control, "POST", "/faults", {
      operation: "*",
      error: "ThrottlingException",
      message: "Rate exceeded"
    })
    expectWireError(await call("GetRegistryScanningConfiguration", {}), 400, "ThrottlingException", "Rate exceeded")
    await controlCall(control, "POST", "/faults", { operation: "DescribeRepositories", count: 5 })
    const cleared = await controlCall(control, "DELETE", "/faults")
    expect(cleared.json).toEqual({ ok: true })
    expect((await call("DescribeRepositories", {})).status).toBe(200)

    expectControlError(await controlCall(control, "POST", "/faults", { operation: "NoSuchOperation" }), 400, /unknown/)
    expectControlError(await controlCall(control, "POST", "/faults", { operation: "StartImageScan", count: 0 }), 400)
    expectControlError(
      await controlCall(control, "POST", "/faults", { operation: "StartImageScan", probability: 2 }),
      400
    )
    expectControlError(
      await controlCall(control, "POST", "/faults", {
        operation: "StartImageScan",
        error: "RepositoryAlreadyExistsException"
      }),
      400,
      /not an error of StartImageScan/
    )
    expectControlError(await controlCall(control, "POST", "/faults", { error: "ServerException" }), 400)
    expect((await call("DescribeRepositories", {})).status).toBe(200)
  })

  it("GET /_ecr-scan/quota counts accepted scans", async () => {
    const before = (await controlCall(control, "GET", "/quota")).json
    expect(before.limit).toBe(100_000)
    await call("CreateRepository", { repositoryName: "control/quota" })
    await call("PutImage", { repositoryName: "control/quota", imageManifest: imageManifest(104), imageTag: "v1" })
    expect((await call("StartImageScan", { repositoryName: "control/quota", imageId: { imageTag: "v1" } })).status)
      .toBe(200)
    // Refused by the 24 hour rule: does not count.
    expect((await call("StartImageScan", { repositoryName: "control/quota", imageId: { imageTag: "v1" } })).status)
      .toBe(400)
    const after = await controlCall(control, "GET", "/quota")
    expect(after.status).toBe(200)
    expect(after.json).toEqual({ used: before.used + 1, limit: 100_000 })
    // Reading the quota changes nothing; it is read at the registry's (virtual) instant, not the wall clock's.
    expect((await controlCall(control, "GET", "/quota")).json).toEqual(after.json)
    await controlCall(control, "POST", "/clock/advance", { duration: "24 hours" })
    expect((await controlCall(control, "GET", "/quota")).json).toEqual({ used: 0, limit: 100_000 })
  })

  it("GET and PUT /_ecr-scan/state export and import the state; POST reset empties it", async () => {
    await call("CreateRepository", { repositoryName: "control/state" })
    const manifest = imageManifest(105)
    await call("PutImage", { repositoryName: "control/state", imageManifest: manifest, imageTag: "v1" })
    const exported = await controlCall(control, "GET", "/state")
    expect(exported.status).toBe(200)
    expect(JSON.stringify(exported.json)).toContain(digestOf(manifest))

    const reset = await controlCall(control, "POST", "/reset")
    expect(reset.json).toEqual({ ok: true })
    expect((await call("DescribeRepositories", {})).json).toEqual({ repositories: [] })
    expect((await controlCall(control, "GET", "/quota")).json.used).toBe(0)

    const restored = await controlCall(control, "PUT", "/state", exported.json)
    expect(restored.json).toEqual({ ok: true })
    const images = await call("DescribeImages", { repositoryName: "control/state" })
    expect(images.json.imageDetails.map((d: { imageDigest: string }) => d.imageDigest)).toEqual([digestOf(manifest)])
    expect((await controlCall(control, "GET", "/state")).json).toEqual(exported.json)

    expectControlError(await controlCall(control, "PUT", "/state", { repositories: "none" }), 400)
    expectControlError(await controlCall(control, "PUT", "/state", "not json"), 400)
    // A refused import changes nothing.
    expect((await controlCall(control, "GET", "/state")).json).toEqual(exported.json)
  })

  it("answers an unknown control path with a JSON 404", async () => {
    expectControlError(await controlCall(control, "GET", "/nothing-here"), 404, /No control endpoint/)
    expectControlError(await controlCall(control, "DELETE", "/clock"), 404)
  })

  it("on the real clock, GET clock says so and clock/advance and clock/set answer 409", async () => {
    const clock = await controlCall(realClock, "GET", "/clock")
    expect(clock.status).toBe(200)
    expect(clock.json.mode).toBe("real")
    expectControlError(
      await controlCall(realClock, "POST", "/clock/advance", { duration: "1 hour" }),
      409,
      /real clock/
    )
    expectControlError(await controlCall(realClock, "POST", "/clock/set", { time: "2030-01-01T00:00:00Z" }), 409)
    // A bad body is still a 400, before the clock is looked at.
    expectControlError(await controlCall(realClock, "POST", "/clock/advance", { duration: "soon" }), 400)
    expect((await controlCall(realClock, "GET", "/health")).json).toEqual({ status: "ok" })
  })
})
