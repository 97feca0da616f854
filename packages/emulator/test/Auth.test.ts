/**
 * Auth without a server: the `Authorization` header's parsing, each refusal with ECR's `__type`,
 * text and status, the signature checked against requests signed by the SDK's own signer (on a fixed
 * wall clock), the admin token, and the credentials and token files.
 */
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import type * as Http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Auth from "../src/Auth.js"

const NOW = Date.parse("2026-03-01T12:00:00Z")
const KEY = { accessKeyId: "AKIDUNITTEST", secretAccessKey: "unit/test+secret", accountId: "111111111111" }
const OTHER = { accessKeyId: "AKIDOTHER", secretAccessKey: "other-secret", accountId: "222222222222" }
const TOKEN = "a-token-of-sixteen-or-more"
const BODY = JSON.stringify({ repositoryName: "unit/repo" })

const authenticator = Auth.makeAuthenticator({
  credentials: [KEY, OTHER],
  region: "us-east-1",
  adminToken: TOKEN,
  now: () => NOW
})

/** Just what `inspect` reads of a request. */
const request = (headers: Record<string, string>, url = "/", method = "POST") =>
  ({
    url,
    method,
    headersDistinct: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]))
  }) as unknown as Http.IncomingMessage

const signedHeaders = async (options: { at?: number; key?: typeof KEY; body?: string } = {}) => {
  const signer = new SignatureV4({
    credentials: options.key ?? KEY,
    region: "us-east-1",
    service: "ecr",
    sha256: Sha256
  })
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    path: "/",
    headers: {
      host: "127.0.0.1:4510",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.CreateRepository"
    },
    body: options.body ?? BODY
  }, { signingDate: new Date(options.at ?? NOW) })
  return signed.headers as Record<string, string>
}

const refusal = (inspected: Auth.Inspected) => {
  if (inspected._tag !== "Refused") throw new Error("expected a refusal")
  const { __type, message } = JSON.parse(inspected.reply.body)
  return { status: inspected.reply.status, type: __type, errorType: inspected.reply.errorType, message }
}

describe("parseAuthorization", () => {
  it("reads the key, the scope, the signed headers (lower-cased) and the signature", () => {
    expect(Auth.parseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/ecr/aws4_request, SignedHeaders=Host;X-Amz-Date, " +
        "Signature=abc",
      true
    )).toEqual({
      accessKeyId: "AKID",
      scopeDate: "20260301",
      region: "us-east-1",
      service: "ecr",
      terminator: "aws4_request",
      signedHeaders: ["host", "x-amz-date"],
      signature: "abc"
    })
  })

  it("accepts the parameters in any order and without spaces after the commas", () => {
    const parsed = Auth.parseAuthorization(
      "AWS4-HMAC-SHA256 Signature=abc,SignedHeaders=host,Credential=AKID/20260301/us-east-1/ecr/aws4_request",
      true
    )
    expect(parsed).toMatchObject({ accessKeyId: "AKID", signature: "abc", signedHeaders: ["host"] })
  })

  it("names every missing parameter and the missing date, then quotes the header", () => {
    const reply = Auth.parseAuthorization("AWS AKID:signature", false)
    expect(reply).toEqual(Auth.faults.incomplete(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either " +
        "a 'X-Amz-Date' or a 'Date' header. Authorization=AWS AKID:signature"
    ))
  })

  it("refuses a token without an equal sign, quoting it and the header", () => {
    const header =
      "AWS4-HMAC-SHA256 Credential= AKID/20260301/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=a"
    expect(Auth.parseAuthorization(header, true)).toEqual(Auth.faults.incomplete(
      `'AKID/20260301/us-east-1/ecr/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization ` +
        `header: '${header}'.`
    ))
  })

  it("refuses a credential that is not five elements", () => {
    expect(Auth.parseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=a", true))
      .toEqual(Auth.faults.incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/x'"
      ))
  })
})

describe("faults", () => {
  it("are ECR's errors, all with status 400 and the error type header", () => {
    const cases: Array<[ReturnType<typeof Auth.faults.missingToken>, string, string]> = [
      [Auth.faults.missingToken(), "MissingAuthenticationTokenException", "Missing Authentication Token"],
      [
        Auth.faults.unknownKey(),
        "UnrecognizedClientException",
        "The security token included in the request is invalid."
      ],
      [
        Auth.faults.mismatch(),
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
        "Access Key and signing method. Consult the service documentation for details."
      ],
      [Auth.faults.incomplete("x"), "IncompleteSignatureException", "x"]
    ]
    for (const [reply, type, message] of cases) {
      expect(reply.status).toBe(400)
      expect(reply.errorType).toBe(type)
      expect(JSON.parse(reply.body)).toEqual({ __type: type, message })
    }
  })
})

describe("inspect and verify", () => {
  it("lets a request signed with a configured key in, as the key's account", async () => {
    const inspected = authenticator.inspect(request(await signedHeaders()))
    expect(inspected._tag).toBe("Signed")
    if (inspected._tag !== "Signed") return
    expect(inspected.accountId).toBe(KEY.accountId)
    expect(await inspected.verify(Buffer.from(BODY))).toBeUndefined()
  })

  it("tells the accounts apart by key", async () => {
    const inspected = authenticator.inspect(request(await signedHeaders({ key: OTHER })))
    expect(inspected).toMatchObject({ _tag: "Signed", accountId: OTHER.accountId })
  })

  it("refuses a request without Authorization with MissingAuthenticationTokenException", () => {
    expect(refusal(authenticator.inspect(request({ host: "x" })))).toEqual({
      status: 400,
      type: "MissingAuthenticationTokenException",
      errorType: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token"
    })
  })

  it("refuses an unknown key with UnrecognizedClientException", async () => {
    const headers = await signedHeaders({ key: { ...KEY, accessKeyId: "AKIDNOBODY" } })
    expect(refusal(authenticator.inspect(request(headers))).type).toBe("UnrecognizedClientException")
  })

  it("refuses a wrong secret with the signature mismatch once the body has arrived", async () => {
    const inspected = authenticator.inspect(request(await signedHeaders({ key: { ...KEY, secretAccessKey: "x" } })))
    if (inspected._tag !== "Signed") throw new Error("the headers alone cannot tell a wrong secret")
    expect(await inspected.verify(Buffer.from(BODY))).toEqual(Auth.faults.mismatch())
  })

  it("refuses a body other than the one signed", async () => {
    const inspected = authenticator.inspect(request(await signedHeaders()))
    if (inspected._tag !== "Signed") throw new Error("expected signed")
    expect(await inspected.verify(Buffer.from(`${BODY} `))).toEqual(Auth.faults.mismatch())
  })

  it("refuses a date more than 15 minutes old or ahead of the wall clock, saying by how much", async () => {
    const old = refusal(authenticator.inspect(request(await signedHeaders({ at: NOW - 15 * 60_000 - 1_000 }))))
    expect(old).toMatchObject({
      type: "InvalidSignatureException",
      message: "Signature expired: 20260301T114459Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)"
    })
    const ahead = refusal(authenticator.inspect(request(await signedHeaders({ at: NOW + 16 * 60_000 }))))
    expect(ahead).toMatchObject({
      type: "InvalidSignatureException",
      message:
        "Signature not yet current: 20260301T121600Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)"
    })
    expect(authenticator.inspect(request(await signedHeaders({ at: NOW - 15 * 60_000 })))._tag).toBe("Signed")
  })

  it("refuses a date that is not ISO 8601 basic format", async () => {
    const headers = { ...(await signedHeaders()), "x-amz-date": "2026-03-01T12:00:00Z" }
    expect(refusal(authenticator.inspect(request(headers)))).toMatchObject({
      type: "IncompleteSignatureException",
      message:
        "Date must be in ISO-8601 'basic format'. Got '2026-03-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    })
  })

  it("refuses a scope of another day, region, service or terminator", async () => {
    const headers = await signedHeaders()
    const scoped = (from: string, to: string) =>
      refusal(authenticator.inspect(request({ ...headers, authorization: headers.authorization.replace(from, to) })))
    expect(scoped("/20260301/", "/20260302/").message).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260302' != " +
        "'20260301', from '20260301T120000Z'."
    )
    expect(scoped("/us-east-1/", "/moon/").message).toBe(
      "Credential should be scoped to a valid region, not 'moon'. "
    )
    expect(scoped("/ecr/", "/ecs/").message).toBe("Credential should be scoped to correct service: 'ecr'. ")
    expect(scoped("/aws4_request", "/aws4_reques").message).toBe(
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. "
    )
  })

  it("requires host among the signed headers", async () => {
    const headers = await signedHeaders()
    const authorization = headers.authorization.replace("host;", "")
    expect(refusal(authenticator.inspect(request({ ...headers, authorization })))).toMatchObject({
      type: "IncompleteSignatureException",
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    })
  })

  it("refuses a signed header list that names a header the signature does not cover", async () => {
    const headers = await signedHeaders()
    const authorization = headers.authorization.replace("SignedHeaders=", "SignedHeaders=accept;")
    const inspected = authenticator.inspect(request({ ...headers, authorization }))
    if (inspected._tag !== "Signed") throw new Error("expected signed")
    expect(await inspected.verify(Buffer.from(BODY))).toEqual(Auth.faults.mismatch())
  })

  it("refuses a payload hash header that is not the body's", async () => {
    const headers = { ...(await signedHeaders()), "x-amz-content-sha256": "0".repeat(64) }
    const inspected = authenticator.inspect(request(headers))
    if (inspected._tag !== "Signed") throw new Error("expected signed")
    expect(await inspected.verify(Buffer.from(BODY))).toEqual(Auth.faults.mismatch())
  })
})

describe("admin", () => {
  const withAuthorization = (authorization?: string) =>
    request(authorization === undefined ? {} : { authorization }, "/_ecr-scan/reset")

  it("lets the token in and refuses anything else: 401 without a header, 403 with a wrong one", () => {
    expect(authenticator.admin(withAuthorization(`Bearer ${TOKEN}`))).toBeUndefined()
    expect(authenticator.admin(withAuthorization(`bearer   ${TOKEN}`))).toBeUndefined()
    expect(authenticator.admin(withAuthorization())?.status).toBe(401)
    expect(authenticator.admin(withAuthorization(`Bearer ${TOKEN}x`))?.status).toBe(403)
    expect(authenticator.admin(withAuthorization(TOKEN))?.status).toBe(403)
    expect(authenticator.admin(withAuthorization(`Basic ${TOKEN}`))?.status).toBe(403)
  })
})

describe("credentials and token files", () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ecr-scan-auth-"))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const load = async (content: string) => {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`)
    await writeFile(path, content)
    return Effect.runPromiseExit(Auth.loadCredentials(path))
  }
  const message = (exit: Exit.Exit<unknown, Auth.InvalidAuthConfig>) =>
    Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.message : "(succeeded)"

  it("reads a valid file", async () => {
    const exit = await load(JSON.stringify([KEY, OTHER]))
    expect(exit).toEqual(Exit.succeed([KEY, OTHER]))
  })

  it("refuses what is not JSON, an empty list, a bad account id, a duplicate key or an extra member", async () => {
    expect(message(await load("{"))).toMatch(/not valid JSON/)
    expect(message(await load("[]"))).toMatch(/at least one credential/)
    expect(message(await load(JSON.stringify([{ ...KEY, accountId: "123" }])))).toMatch(
      /\[0\]\.accountId must be 12 digits/
    )
    expect(message(await load(JSON.stringify([KEY, KEY])))).toMatch(/appears more than once/)
    expect(message(await load(JSON.stringify([{ ...KEY, sessionToken: "x" }])))).toMatch(/sessionToken/)
    expect(message(await load(JSON.stringify([{ ...KEY, secretAccessKey: "" }])))).toMatch(/secretAccessKey/)
  })

  it("refuses a file that cannot be read", async () => {
    expect(message(await Effect.runPromiseExit(Auth.loadCredentials(join(dir, "absent.json"))))).toMatch(
      /cannot read it/
    )
  })

  it("takes the admin token from the file's first line, else the environment, and refuses none or a short one", async () => {
    const path = join(dir, "token")
    await writeFile(path, `${TOKEN}\nignored\n`)
    expect(await Effect.runPromise(Auth.loadAdminToken(path, "from-the-environment"))).toBe(TOKEN)
    expect(await Effect.runPromise(Auth.loadAdminToken(undefined, ` ${TOKEN} `))).toBe(TOKEN)
    expect(message(await Effect.runPromiseExit(Auth.loadAdminToken(undefined, undefined)))).toMatch(
      /--admin-token-file FILE or set ECR_SCAN_ADMIN_TOKEN/
    )
    expect(message(await Effect.runPromiseExit(Auth.loadAdminToken(undefined, "short")))).toMatch(/at least 16/)
  })
})
