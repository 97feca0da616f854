/**
 * AWS Signature Version 4 on the data plane, and the bearer token of the control endpoints.
 *
 * A request is checked as ECR's front end checks it: the `Authorization` header is parsed, its
 * credential scope and `X-Amz-Date` are checked against the wall clock (never the registry's virtual
 * clock), and the signature is recomputed with the AWS SDK's own signer (`@smithy/signature-v4`) from
 * what arrived (method, path, query, the headers named in `SignedHeaders`, the body) and the stored
 * secret, then compared in constant time. The algorithm itself is the SDK's: nothing here computes a
 * hash or an HMAC of its own beyond the comparison.
 *
 * Every region is served (see `Regions`): a scope naming any region is checked, and the signature
 * recomputed, with that region, and the request goes to that region's registry; a scope naming no region
 * is refused as ECR refuses a region it does not serve.
 *
 * Every failure is an awsJson1_1 error with the `__type`, text and status ECR sends (400 for all of
 * them on ECR's JSON endpoint; see the README's "Authentication and accounts" for the sources).
 *
 * @since 0.1.0
 */
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { createHash, timingSafeEqual } from "node:crypto"
import { readFile } from "node:fs/promises"
import type * as Http from "node:http"
import * as Regions from "./Regions.js"
import * as Wire from "./Wire.js"

// ---------------------------------------------------------------------------------------------------------------
// Credentials

/** One access key: its secret and the account it belongs to. */
export const Credential = Schema.Struct({
  accessKeyId: Schema.String.pipe(
    Schema.pattern(/^[A-Za-z0-9+=,.@_-]{1,128}$/, {
      message: () => "must be 1 to 128 characters of A-Z a-z 0-9 + = , . @ _ -"
    })
  ),
  secretAccessKey: Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" })
  ),
  accountId: Schema.String.pipe(Schema.pattern(/^[0-9]{12}$/, { message: () => "must be 12 digits" }))
})

/** One access key: its secret and the account it belongs to. */
export type Credential = typeof Credential.Type

/** The credentials file: a non-empty JSON array of credentials, each access key once. */
export const CredentialsFile = Schema.Array(Credential).pipe(
  Schema.minItems(1, { message: () => "at least one credential is needed" }),
  Schema.filter((credentials) => {
    const seen = new Set<string>()
    for (const c of credentials) {
      if (seen.has(c.accessKeyId)) return `access key ${c.accessKeyId} appears more than once`
      seen.add(c.accessKeyId)
    }
    return true
  })
)

/** A credentials file or admin token file that cannot be used. */
export class InvalidAuthConfig extends Schema.TaggedError<InvalidAuthConfig>()("InvalidAuthConfig", {
  message: Schema.String
}) {}

/** Reads and validates a credentials file (JSON: `[{"accessKeyId", "secretAccessKey", "accountId"}, ...]`). */
export const loadCredentials = (path: string): Effect.Effect<ReadonlyArray<Credential>, InvalidAuthConfig> =>
  Effect.gen(function*() {
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (e) => new InvalidAuthConfig({ message: `--credentials ${path}: cannot read it (${String(e)})` })
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: () => new InvalidAuthConfig({ message: `--credentials ${path}: not valid JSON` })
    })
    return yield* Schema.decodeUnknown(CredentialsFile)(json, { onExcessProperty: "error" }).pipe(
      Effect.mapError((error) =>
        new InvalidAuthConfig({
          message: `--credentials ${path}: expected [{"accessKeyId", "secretAccessKey", "accountId"}, ...]: ` +
            ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
              `${issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("")}${
                issue.path.length > 0 ? " " : ""
              }${issue.message}`
            ).join("; ")
        })
      )
    )
  })

/** The admin token: the file's first line (trimmed), else `ECR_SCAN_ADMIN_TOKEN`; at least 16 characters. */
export const loadAdminToken = (
  path: string | undefined,
  env: string | undefined
): Effect.Effect<string, InvalidAuthConfig> =>
  Effect.gen(function*() {
    const token = path === undefined ? env?.trim() : yield* Effect.tryPromise({
      try: () => readFile(path, "utf8").then((text) => text.split(/\r?\n/)[0].trim()),
      catch: (e) => new InvalidAuthConfig({ message: `--admin-token-file ${path}: cannot read it (${String(e)})` })
    })
    if (token === undefined || token === "") {
      return yield* new InvalidAuthConfig({
        message: "--auth sigv4 protects the control endpoints with an admin token: give --admin-token-file FILE " +
          "or set ECR_SCAN_ADMIN_TOKEN"
      })
    }
    if (token.length < 16) {
      return yield* new InvalidAuthConfig({ message: "The admin token must be at least 16 characters long" })
    }
    return token
  })

// ---------------------------------------------------------------------------------------------------------------
// Errors, as ECR sends them

/** How far `X-Amz-Date` may be from the wall clock, either way: 15 minutes on ECR. */
export const MAX_SKEW_MILLIS = 15 * 60 * 1000

const SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

/** The errors of authentication. */
export const faults = {
  /** The request has no `Authorization` header. */
  missingToken: () => Wire.errorReply(400, "MissingAuthenticationTokenException", "Missing Authentication Token"),
  /** A malformed `Authorization` or `X-Amz-Date` header; `message` is AWS's wording of what is wrong. */
  incomplete: (message: string) => Wire.errorReply(400, "IncompleteSignatureException", message),
  /** The access key id is none of the credentials'. */
  unknownKey: () =>
    Wire.errorReply(400, "UnrecognizedClientException", "The security token included in the request is invalid."),
  /** A credential scope (date, region, service, terminator) or request date AWS would refuse, in AWS's words. */
  invalid: (message: string) => Wire.errorReply(400, "InvalidSignatureException", message),
  /** A credential scope naming no region (the shape of a region name: see `Regions.isRegion`). */
  invalidRegion: (region: string) =>
    Wire.errorReply(
      400,
      "InvalidSignatureException",
      `Credential should be scoped to a valid region, not '${region}'. `
    ),
  /** The signature is not the one the secret key gives for what arrived. */
  mismatch: () => Wire.errorReply(400, "InvalidSignatureException", SIGNATURE_MISMATCH)
} as const

/** `20260101T000000Z`, the form of `X-Amz-Date`. */
export const amzDate = (millis: number) => new Date(millis).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")

const parseAmzDate = (text: string): number | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (m === null) return undefined
  const millis = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])
  return Number.isFinite(millis) && amzDate(millis) === text ? millis : undefined
}

// ---------------------------------------------------------------------------------------------------------------
// The Authorization header

/** A parsed `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
  readonly accessKeyId: string
  readonly scopeDate: string
  readonly region: string
  readonly service: string
  readonly terminator: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

/** The `Authorization` header, or the error ECR gives for it. */
export const parseAuthorization = (
  header: string,
  hasDate: boolean
): ParsedAuthorization | Wire.WireReply => {
  const space = header.indexOf(" ")
  const algorithm = space < 0 ? header : header.slice(0, space)
  const params = new Map<string, string>()
  if (algorithm === "AWS4-HMAC-SHA256") {
    // ECR splits on commas and white space alike: `Credential= AKID/...` is two tokens, the second without `=`.
    for (const token of header.slice(algorithm.length).split(/[\s,]+/)) {
      if (token === "") continue
      const equals = token.indexOf("=")
      if (equals < 0) {
        return faults.incomplete(
          `'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`
        )
      }
      params.set(token.slice(0, equals), token.slice(equals + 1))
    }
  }
  const credential = params.get("Credential")
  const signedHeaders = params.get("SignedHeaders")
  const signature = params.get("Signature")
  const missing = [
    credential === undefined ? "Authorization header requires 'Credential' parameter. " : "",
    signature === undefined ? "Authorization header requires 'Signature' parameter. " : "",
    signedHeaders === undefined ? "Authorization header requires 'SignedHeaders' parameter. " : "",
    hasDate ? "" : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
  ].join("")
  if (missing !== "") return faults.incomplete(`${missing}Authorization=${header}`)
  if (algorithm !== "AWS4-HMAC-SHA256") {
    return faults.incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`)
  }
  const scope = credential!.split("/")
  if (scope.length !== 5) {
    return faults.incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`
    )
  }
  return {
    accessKeyId: scope[0],
    scopeDate: scope[1],
    region: scope[2],
    service: scope[3],
    terminator: scope[4],
    signedHeaders: signedHeaders!.split(";").filter((h) => h !== "").map((h) => h.toLowerCase()),
    signature: signature!
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The verifier

/** How requests are authenticated. */
export interface AuthOptions {
  readonly credentials: ReadonlyArray<Credential>
  /**
   * The emulator's default region. Requests may be scoped to any region (each is served by its own
   * registry); a scope whose region is not a region name is refused as AWS refuses it.
   */
  readonly region: string
  /** The token of the control endpoints (`Authorization: Bearer <token>`). */
  readonly adminToken: string
  /** The wall clock (default `Date.now`): requests are dated in real time, whatever the registry's clock. */
  readonly now?: () => number
}

/** A request whose headers passed: its signature is checked once the body has arrived. */
export interface Signed {
  readonly _tag: "Signed"
  readonly accountId: string
  /** The region of its credential scope: the registry that serves it. */
  readonly region: string
  /** Checks the signature against the body: `undefined` when it holds, else the refusal to send. */
  readonly verify: (body: Buffer) => Promise<Wire.WireReply | undefined>
}

/** What the headers say: refused (with the reply), or signed (to verify against the body). */
export type Inspected = Signed | { readonly _tag: "Refused"; readonly reply: Wire.WireReply }

/** Authenticates data-plane requests. */
export interface Authenticator {
  /** What the headers alone decide: cheap and synchronous, before the body is read. */
  readonly inspect: (req: Http.IncomingMessage) => Inspected
  /** Whether a control request carries the admin token: `undefined` when it does, else the reply. */
  readonly admin: (req: Http.IncomingMessage) => { readonly status: number; readonly body: string } | undefined
}

const refused = (reply: Wire.WireReply): Inspected => ({ _tag: "Refused", reply })

const headerValue = (req: Http.IncomingMessage, name: string): string | undefined => {
  const distinct = req.headersDistinct[name]
  return distinct === undefined ? undefined : distinct.map((v) => v.trim()).join(",")
}

/** The query of a request target, decoded as the signer expects it (repeated keys become arrays). */
const queryOf = (search: string): Record<string, string | Array<string>> => {
  const query: Record<string, string | Array<string>> = {}
  for (const pair of search.split("&")) {
    if (pair === "") continue
    const equals = pair.indexOf("=")
    const key = decode(equals < 0 ? pair : pair.slice(0, equals))
    const value = decode(equals < 0 ? "" : pair.slice(equals + 1))
    const previous = query[key]
    query[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return query
}

const decode = (text: string) => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b)

/** Builds the authenticator. */
export const makeAuthenticator = (options: AuthOptions): Authenticator => {
  const now = options.now ?? Date.now
  const byKey = new Map(options.credentials.map((c) => [c.accessKeyId, c] as const))
  const signers = new Map<string, SignatureV4>()
  const signerOf = (credential: Credential) => {
    let signer = signers.get(credential.accessKeyId)
    if (signer === undefined) {
      signer = new SignatureV4({
        credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
        region: options.region,
        service: "ecr",
        sha256: Sha256,
        // The payload hash is the one of the body received, never one a header claims.
        applyChecksum: false
      })
      signers.set(credential.accessKeyId, signer)
    }
    return signer
  }
  // Hashed, so the comparison takes the same time whatever the length of what was sent.
  const adminDigest = createHash("sha256").update(options.adminToken, "utf8").digest()

  const inspectUnsafe = (req: Http.IncomingMessage): Inspected => {
    const authorization = headerValue(req, "authorization")
    if (authorization === undefined || authorization === "") return refused(faults.missingToken())
    const amzDateHeader = headerValue(req, "x-amz-date")
    const parsed = parseAuthorization(authorization, amzDateHeader !== undefined)
    if ("status" in parsed) return refused(parsed)
    const requestDate = parseAmzDate(amzDateHeader!)
    if (requestDate === undefined) {
      return refused(faults.incomplete(
        `Date must be in ISO-8601 'basic format'. Got '${amzDateHeader}'. See http://en.wikipedia.org/wiki/ISO_8601`
      ))
    }
    if (parsed.scopeDate !== amzDateHeader!.slice(0, 8)) {
      return refused(faults.invalid(
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ` +
          `'${parsed.scopeDate}' != '${amzDateHeader!.slice(0, 8)}', from '${amzDateHeader}'.`
      ))
    }
    if (!Regions.isRegion(parsed.region)) {
      return refused(faults.invalidRegion(parsed.region))
    }
    if (parsed.service !== "ecr") {
      return refused(faults.invalid(`Credential should be scoped to correct service: 'ecr'. `))
    }
    if (parsed.terminator !== "aws4_request") {
      return refused(faults.invalid(
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${parsed.terminator}'. `
      ))
    }
    const credential = byKey.get(parsed.accessKeyId)
    if (credential === undefined) return refused(faults.unknownKey())
    const wallClock = now()
    if (requestDate < wallClock - MAX_SKEW_MILLIS) {
      return refused(faults.invalid(
        `Signature expired: ${amzDateHeader} is now earlier than ${amzDate(wallClock - MAX_SKEW_MILLIS)} ` +
          `(${amzDate(wallClock)} - 15 min.)`
      ))
    }
    if (requestDate > wallClock + MAX_SKEW_MILLIS) {
      return refused(faults.invalid(
        `Signature not yet current: ${amzDateHeader} is still later than ${amzDate(wallClock + MAX_SKEW_MILLIS)} ` +
          `(${amzDate(wallClock)} + 15 min.)`
      ))
    }
    const signedHeaders = parsed.signedHeaders
    if (!signedHeaders.includes("host")) {
      return refused(faults.incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."))
    }
    if (!/^[0-9a-f]{64}$/.test(parsed.signature)) return refused(faults.mismatch())
    const headers: Record<string, string> = Object.create(null)
    for (const name of signedHeaders) {
      const value = headerValue(req, name)
      if (value !== undefined) headers[name] = value
    }
    const url = req.url ?? "/"
    const question = url.indexOf("?")
    const request = {
      method: req.method ?? "POST",
      protocol: "http:",
      hostname: headers.host ?? "",
      path: decode(question < 0 ? url : url.slice(0, question)),
      query: queryOf(question < 0 ? "" : url.slice(question + 1)),
      headers
    }
    const claimedHash = headers["x-amz-content-sha256"]
    const verify = async (body: Buffer): Promise<Wire.WireReply | undefined> => {
      try {
        if (claimedHash !== undefined) {
          const actual = body.length === 0 ? EMPTY_SHA256 : createHash("sha256").update(body).digest("hex")
          // A signed payload hash that is not the body's: what was signed is not what arrived.
          if (claimedHash !== actual) return faults.mismatch()
        }
        const signed = await signerOf(credential).sign({ ...request, body }, {
          signingDate: new Date(requestDate),
          signingRegion: parsed.region,
          signableHeaders: new Set(signedHeaders)
        })
        const expected = /SignedHeaders=([^,]*), Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))
        // The headers signed must be exactly those claimed (none dropped because absent or never signable).
        if (expected === null || expected[1] !== signedHeaders.join(";")) return faults.mismatch()
        return sameBytes(Buffer.from(expected[2], "utf8"), Buffer.from(parsed.signature, "utf8"))
          ? undefined
          : faults.mismatch()
      } catch {
        return faults.mismatch()
      }
    }
    return { _tag: "Signed", accountId: credential.accountId, region: parsed.region, verify }
  }

  // Whatever arrives, a refusal rather than an exception thrown into node's request event.
  const inspect = (req: Http.IncomingMessage): Inspected => {
    try {
      return inspectUnsafe(req)
    } catch {
      return refused(faults.mismatch())
    }
  }

  const admin = (req: Http.IncomingMessage) => {
    const header = headerValue(req, "authorization")
    if (header === undefined || header === "") {
      return {
        status: 401,
        body: JSON.stringify({ error: "The control endpoints need Authorization: Bearer <token>" })
      }
    }
    const match = /^Bearer\s+(.+)$/i.exec(header)
    const presented = createHash("sha256").update(match === null ? "" : match[1].trim(), "utf8").digest()
    // Compared even when the scheme is wrong, so that the time taken says nothing.
    const ok = timingSafeEqual(presented, adminDigest) && match !== null
    return ok ? undefined : { status: 403, body: JSON.stringify({ error: "The admin token is not valid" }) }
  }

  return { inspect, admin }
}
