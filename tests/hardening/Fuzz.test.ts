/**
 * Fuzzing the emulator's wire: 10,000 seeded requests (valid ones of every operation, and the same
 * mutated in body, headers, target, method, path and framing) against the built emulator in a child
 * process, then 1,000 connections of bytes that are not HTTP, 16 at a time.
 *
 * Every reply must be a well-formed AWS reply, the process must be alive and answer its health check
 * at the end, and no rejected request may change the state. The requests of the first part go one at a
 * time, each followed by a read of the exported state (`GET /_ecr-scan/state`), so each rejected
 * request is checked on its own: two requests in flight could not be told apart. Requests whose framing
 * is broken (a wrong content-length, bytes after the request) go on a connection of their own, which is
 * closed after them. The second part cannot reach an operation (node's parser refuses every one of its
 * connections), so the state is compared once, before and after it.
 *
 * The control endpoints (`/_ecr-scan/...`) are not AWS's wire and answer in their own JSON: no request
 * of the stream goes there (it could reset the state); the state is read through them.
 */
import { Api, ManifestBuilder } from "@ecr-scan/core"
import fc from "fast-check"
import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  AMZ_JSON,
  type ChildEmulator,
  connect,
  type Connection,
  malformation,
  oneShot,
  type Prng,
  prng,
  type Reply,
  startChild
} from "./support.js"

const SEED = 20_261_124
const REQUESTS = 10_000
const SOCKET_CASES = 1_000
const MAX_BODY = 256 * 1024
const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

const OPERATIONS = Api.operationNames

// -------------------------------------------------------------------------------------------------
// Pools of values: a small registry (so the exported state stays small), and fast-check's samples

const REPOSITORIES = ["fuzz/a", "fuzz/b", "fuzz/c"]
const CREATABLE = ["fuzz/new-0", "fuzz/new-1", "fuzz/new-2", "fuzz/a"]
const TAGS = ["v1", "v2", "latest", "release-1.0"]
const hex = (n: number) => n.toString(16).padStart(64, "0")
const manifest = (n: number) =>
  ManifestBuilder.image({
    config: { digest: `sha256:${hex(1000 + n)}`, size: 1469 },
    layers: [{ digest: `sha256:${hex(2000 + n)}`, size: 3370 }]
  })
const MANIFESTS = Array.from({ length: 6 }, (_, n) => manifest(n))
const INDEX = ManifestBuilder.index({ manifests: [{ digest: `sha256:${hex(9)}`, size: 500 }] })
const DIGESTS = [`sha256:${hex(1)}`, `sha256:${"f".repeat(64)}`, "sha256:short", "md5:abc"]

const JSON_VALUES = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: SEED, numRuns: 400 })
const STRINGS = [
  ...fc.sample(fc.string({ unit: "binary", maxLength: 40 }), { seed: SEED + 1, numRuns: 200 }),
  ...fc.sample(fc.string({ unit: "grapheme", maxLength: 20 }), { seed: SEED + 2, numRuns: 200 }),
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff\ud800",
  "🐳/🐋",
  "FUZZ/A",
  "fuzz/a/",
  "../etc/passwd",
  "fuzz//a",
  "a".repeat(300),
  "null",
  "{}",
  "\"",
  "\\",
  "\r\n"
]

// -------------------------------------------------------------------------------------------------
// Requests

interface Request {
  readonly kind: string
  readonly bytes: Buffer
  readonly head: boolean
  /** Broken framing: sent on a connection of its own. */
  readonly alone: boolean
}

interface Frame {
  readonly method?: string
  readonly path?: string
  /** Header lines, in order, duplicates allowed. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
  /** Absent: the body's length; a string: exactly that header value; null: no header. */
  readonly contentLength?: string | null
  readonly chunked?: boolean
}

const frame = (f: Frame): Buffer => {
  const lines = [`${f.method ?? "POST"} ${f.path ?? "/"} HTTP/1.1`, "host: 127.0.0.1"]
  for (const [name, value] of f.headers) lines.push(`${name}: ${value}`)
  if (f.chunked === true) lines.push("transfer-encoding: chunked")
  else if (f.contentLength !== null) lines.push(`content-length: ${f.contentLength ?? f.body.length}`)
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1")
  if (f.chunked !== true) return Buffer.concat([head, f.body])
  const parts: Array<Buffer> = [head]
  for (let at = 0; at < f.body.length; at += 1000) {
    const piece = f.body.subarray(at, at + 1000)
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"))
  }
  parts.push(Buffer.from("0\r\n\r\n"))
  return Buffer.concat(parts)
}

const ecrHeaders = (operation: string): Array<readonly [string, string]> => [
  ["content-type", AMZ_JSON],
  ["x-amz-target", `${TARGET_PREFIX}${operation}`]
]

/** A valid (or nearly: names drawn from a small pool) input of each operation. */
const validInput = (r: Prng, operation: Api.OperationName): Record<string, unknown> => {
  const repositoryName = r.pick(REPOSITORIES)
  const imageId = () =>
    r.bool(0.6)
      ? { imageTag: r.pick(TAGS) }
      : { imageDigest: r.bool(0.9) ? `sha256:${createDigest(r.pick(MANIFESTS))}` : r.pick(DIGESTS) }
  switch (operation) {
    case "StartImageScan":
      return { repositoryName, imageId: imageId() }
    case "DescribeImageScanFindings":
      return { repositoryName, imageId: imageId(), ...(r.bool() ? { maxResults: 1 + r.int(100) } : {}) }
    case "CreateRepository":
      return {
        repositoryName: r.pick(CREATABLE),
        ...(r.bool() ? { imageScanningConfiguration: { scanOnPush: r.bool() } } : {})
      }
    case "DescribeRepositories":
      return r.bool() ? {} : { repositoryNames: [repositoryName] }
    case "DeleteRepository":
      return { repositoryName: r.pick(CREATABLE.slice(0, 3)), force: r.bool(0.8) }
    case "PutImage":
      return {
        repositoryName,
        imageManifest: r.bool(0.9) ? r.pick(MANIFESTS) : INDEX,
        ...(r.bool(0.8) ? { imageTag: r.pick(TAGS) } : {})
      }
    case "BatchGetImage":
      return { repositoryName, imageIds: [imageId()] }
    case "BatchDeleteImage":
      return { repositoryName, imageIds: [imageId()] }
    case "DescribeImages":
      return r.bool() ? { repositoryName } : { repositoryName, imageIds: [imageId()] }
    case "PutImageScanningConfiguration":
      return { repositoryName, imageScanningConfiguration: { scanOnPush: r.bool() } }
    case "PutRegistryScanningConfiguration":
      return {
        scanType: "BASIC",
        rules: r.bool()
          ? []
          : [{
            scanFrequency: r.pick(["SCAN_ON_PUSH", "MANUAL"]),
            repositoryFilters: [{ filter: "fuzz/*", filterType: "WILDCARD" }]
          }]
      }
    case "GetRegistryScanningConfiguration":
      return {}
    case "BatchGetRepositoryScanningConfiguration":
      return { repositoryNames: [repositoryName] }
    case "UpdateImageStorageClass":
      return { repositoryName, imageId: imageId(), targetStorageClass: r.pick(["ARCHIVE", "STANDARD"]) }
    case "SetRepositoryPolicy":
    case "PutRegistryPolicy": {
      const policyText = r.pick([
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*" }] }),
        "{\"Statement\": [",
        "[]"
      ])
      return operation === "PutRegistryPolicy" ? { policyText } : { repositoryName, policyText, force: r.bool() }
    }
    case "GetRepositoryPolicy":
    case "DeleteRepositoryPolicy":
      return { repositoryName }
    case "GetRegistryPolicy":
    case "DeleteRegistryPolicy":
    case "DescribeRegistry":
      return {}
    case "GetAuthorizationToken":
      return r.bool() ? {} : { registryIds: [r.pick(["123456789012", "999999999999"])] }
    case "ListImages":
      return {
        repositoryName,
        ...(r.bool() ? { filter: { tagStatus: r.pick(["TAGGED", "UNTAGGED", "ANY"]) } } : {}),
        ...(r.bool() ? { maxResults: 1 + r.int(5) } : {})
      }
    case "TagResource":
      return {
        resourceArn: `arn:aws:ecr:us-east-1:123456789012:repository/${repositoryName}`,
        tags: [{ Key: r.pick(["team", "aws:reserved", ""]), Value: r.pick(["a", "b"]) }]
      }
    case "UntagResource":
      return { resourceArn: `arn:aws:ecr:us-east-1:123456789012:repository/${repositoryName}`, tagKeys: ["team"] }
    case "ListTagsForResource":
      return { resourceArn: r.pick([`arn:aws:ecr:us-east-1:123456789012:repository/${repositoryName}`, "not-an-arn"]) }
    case "PutImageTagMutability":
      return { repositoryName, imageTagMutability: r.pick(["MUTABLE", "IMMUTABLE"]) }
    case "PutLifecyclePolicy":
    case "StartLifecyclePolicyPreview":
      return {
        repositoryName,
        lifecyclePolicyText: r.pick([
          JSON.stringify({
            rules: [{
              rulePriority: 1,
              selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 },
              action: { type: "expire" }
            }]
          }),
          "{\"rules\": 1}"
        ])
      }
    case "GetLifecyclePolicy":
    case "DeleteLifecyclePolicy":
    case "GetLifecyclePolicyPreview":
      return { repositoryName }
  }
}

const createDigest = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** Somewhere inside a JSON value: the paths of its members and elements. */
const paths = (value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> => {
  if (typeof value !== "object" || value === null) return [prefix]
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value)
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))]
}

const setAt = (root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown => {
  if (path.length === 0) return value
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) }
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), value)
  return copy
}

const deleteAt = (root: unknown, path: ReadonlyArray<string | number>): unknown => {
  if (path.length === 0) return {}
  if (path.length === 1) {
    const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) }
    if (Array.isArray(copy)) copy.splice(Number(path[0]), 1)
    else delete copy[path[0]]
    return copy
  }
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) }
  copy[path[0]] = deleteAt(copy[path[0]], path.slice(1))
  return copy
}

const deep = (r: Prng) => {
  const depth = r.pick([64, 1_000, 10_000, 50_000])
  const array = r.bool()
  return array ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)
}

const randomBytes = (r: Prng, n: number) => Buffer.from(Array.from({ length: n }, () => r.int(256)))

/** A mutation of a valid body: the body's bytes, and what was done. */
const mutateBody = (r: Prng, input: Record<string, unknown>): { kind: string; body: Buffer } => {
  const where = r.pick(paths(input))
  const text = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8")
  switch (r.int(14)) {
    case 0:
      return { kind: "wrong type", body: text(setAt(input, where, r.pick(JSON_VALUES))) }
    case 1: {
      const size = r.pick([1_000, 20_000, 200_000, MAX_BODY + 1_000])
      return { kind: "huge string", body: text(setAt(input, where, "x".repeat(size))) }
    }
    case 2: {
      const json = JSON.stringify(setAt(input, where, "@DEEP@"))
      return { kind: "deep nesting", body: Buffer.from(json.replace("\"@DEEP@\"", deep(r))) }
    }
    case 3:
      return { kind: "unicode", body: text(setAt(input, where, r.pick(STRINGS))) }
    case 4:
      return {
        kind: "nulls",
        body: text(r.bool() ? setAt(input, where, null) : setAt(input, where, { a: null, b: [null, { c: null }] }))
      }
    case 5:
      return {
        kind: "extra members",
        body: text({ ...input, [r.pick(["extra", "__proto__", "constructor", "registryId", ""])]: r.pick(JSON_VALUES) })
      }
    case 6: {
      const json = Buffer.from(JSON.stringify(input), "utf8")
      return { kind: "truncated", body: json.subarray(0, r.int(json.length)) }
    }
    case 7:
      return { kind: "binary", body: randomBytes(r, r.pick([1, 16, 300, 5_000])) }
    case 8:
      return { kind: "missing member", body: text(deleteAt(input, where)) }
    case 9:
      return { kind: "random JSON", body: text(r.pick(JSON_VALUES)) }
    case 10: {
      const json = JSON.stringify(input)
      return {
        kind: "duplicate keys",
        body: Buffer.from(`${json.slice(0, -1)}${json.length > 2 ? "," : ""}"repositoryName": 5}`)
      }
    }
    case 11:
      return {
        kind: "odd numbers",
        body: Buffer.from(
          JSON.stringify(setAt(input, where, "@N@")).replace(
            "\"@N@\"",
            r.pick(["1e999", "-0", "1.5", "-1", "9007199254740993", "0x10", "NaN", "Infinity", "1e-400"])
          )
        )
      }
    case 12:
      return { kind: "empty body", body: Buffer.alloc(0) }
    default: {
      const json = JSON.stringify(input)
      return {
        kind: "around the JSON",
        body: Buffer.from(
          r.pick([`\ufeff${json}`, `  \n${json}\n `, `${json}garbage`, `${json}${json}`, `${json}\u0000`])
        )
      }
    }
  }
}

/** Header mutations that keep the framing intact. */
const mutateHeaders = (r: Prng, operation: string): { kind: string; headers: Array<readonly [string, string]> } => {
  const target = `${TARGET_PREFIX}${operation}`
  switch (r.int(9)) {
    case 0:
      return {
        kind: "content-type",
        headers: [
          ...(r.bool(0.8)
            ? [
              [
                "content-type",
                r.pick([
                  "application/json",
                  "text/plain",
                  `${AMZ_JSON}; charset=utf-8`,
                  "APPLICATION/X-AMZ-JSON-1.1",
                  "application/x-amz-json-1.0",
                  "",
                  "*/*",
                  `${AMZ_JSON}x`,
                  "multipart/form-data; boundary=x"
                ])
              ] as const
            ]
            : []),
          ["x-amz-target", target]
        ]
      }
    case 1:
      return { kind: "no target", headers: [["content-type", AMZ_JSON]] }
    case 2:
      return {
        kind: "duplicated target",
        headers: [["content-type", AMZ_JSON], ["x-amz-target", target], [
          "x-amz-target",
          r.pick([target, `${TARGET_PREFIX}DeleteRepository`])
        ]]
      }
    case 3:
      return {
        kind: "garbage target",
        headers: [["content-type", AMZ_JSON], [
          "x-amz-target",
          r.pick([
            TARGET_PREFIX,
            `${TARGET_PREFIX}${operation.toLowerCase()}`,
            `${TARGET_PREFIX}NoSuchOperation`,
            `${TARGET_PREFIX}GetAuthorizationToken`,
            `${TARGET_PREFIX}__proto__`,
            `${TARGET_PREFIX}constructor`,
            `${TARGET_PREFIX}toString`,
            "DynamoDB_20120810.ListTables",
            operation,
            ` ${target} `,
            `${target}.extra`,
            "x".repeat(5_000),
            Buffer.from(r.pick(STRINGS), "utf8").toString("latin1").replace(/[\r\n\0]/g, "")
          ])
        ]]
      }
    case 4:
      return {
        kind: "duplicated content-type",
        headers: [["content-type", "text/plain"], ["content-type", AMZ_JSON], ["x-amz-target", target]]
      }
    case 5:
      return { kind: "expect 100-continue", headers: [...ecrHeaders(operation), ["expect", "100-continue"]] }
    case 6:
      return {
        kind: "extra headers",
        headers: [
          ...ecrHeaders(operation),
          ["x-amz-date", "not a date"],
          ["authorization", "AWS4-HMAC-SHA256 garbage"],
          ["x-amzn-requestid", "mine"],
          ["accept-encoding", "gzip, br"]
        ]
      }
    case 7:
      return { kind: "connection close", headers: [...ecrHeaders(operation), ["connection", "close"]] }
    default:
      return {
        kind: "long header",
        headers: [...ecrHeaders(operation), ["x-long", "a".repeat(r.pick([1_000, 8_000]))]]
      }
  }
}

const METHODS = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "POST", "TRACE", "FOO"]
const PATHS = ["/", "/?x=1", "/x", "//", "/%00", "/..", "/_ecr", "/_ecr-sca", `/${"a".repeat(2000)}`, "*", "/?"]

/** Requests with broken framing: each on a connection of its own. */
const broken = (r: Prng, operation: string, body: Buffer): { kind: string; bytes: Buffer } => {
  const headers = ecrHeaders(operation)
  switch (r.int(8)) {
    case 0:
      return {
        kind: "content-length short",
        bytes: frame({ headers, body, contentLength: String(Math.max(0, body.length - 1 - r.int(body.length))) })
      }
    case 1:
      return {
        kind: "content-length long (then EOF)",
        bytes: frame({ headers, body, contentLength: String(body.length + 1 + r.int(100)) })
      }
    case 2:
      return {
        kind: "content-length garbage",
        bytes: frame({
          headers,
          body,
          contentLength: r.pick([
            "-1",
            "abc",
            "1e3",
            " ",
            "0x10",
            "99999999999999999999",
            `${body.length}, ${body.length}`
          ])
        })
      }
    case 3:
      return {
        kind: "two content-lengths",
        bytes: frame({ headers: [...headers, ["content-length", String(body.length + 1)]], body })
      }
    case 4:
      return {
        kind: "content-length and chunked",
        bytes: frame({ headers: [...headers, ["content-length", String(body.length)]], body, chunked: true })
      }
    case 5:
      return {
        kind: "bad chunk",
        bytes: Buffer.concat([
          frame({ headers, body: Buffer.alloc(0), chunked: true }).subarray(0, -5),
          Buffer.from(`zz\r\n${body.toString("latin1")}\r\n0\r\n\r\n`, "latin1")
        ])
      }
    case 6:
      return {
        kind: "pipelined garbage",
        bytes: Buffer.concat([frame({ headers, body }), randomBytes(r, 1 + r.int(200))])
      }
    default:
      return {
        kind: "headers over 16 KiB",
        bytes: frame({ headers: [...headers, ["x-big", "b".repeat(20_000)]], body })
      }
  }
}

/** The request number `i` of the stream. */
const generate = (r: Prng): Request => {
  const operation = r.pick(OPERATIONS)
  const input = validInput(r, operation)
  const valid = Buffer.from(JSON.stringify(input), "utf8")
  const roll = r.next()
  const plain = (kind: string, f: Frame): Request => ({
    kind,
    bytes: frame(f),
    head: f.method === "HEAD",
    alone: false
  })
  if (roll < 0.15) return plain(`valid ${operation}`, { headers: ecrHeaders(operation), body: valid })
  if (roll < 0.55) {
    const mutated = mutateBody(r, input)
    return plain(`body: ${mutated.kind}`, { headers: ecrHeaders(operation), body: mutated.body, chunked: r.bool(0.1) })
  }
  if (roll < 0.75) {
    const mutated = mutateHeaders(r, r.bool(0.9) ? operation : r.pick(["NoSuchOperation", "ListImages"]))
    return plain(`headers: ${mutated.kind}`, {
      headers: mutated.headers,
      body: r.bool(0.7) ? valid : mutateBody(r, input).body
    })
  }
  if (roll < 0.9) {
    const method = r.pick(METHODS)
    const path = r.pick(PATHS)
    return plain(`method/path: ${method}`, {
      method,
      path,
      headers: r.bool() ? ecrHeaders(operation) : [],
      body: method === "GET" || method === "HEAD" ? Buffer.alloc(0) : valid
    })
  }
  const b = broken(r, operation, valid)
  return { kind: `framing: ${b.kind}`, bytes: b.bytes, head: false, alone: true }
}

/** Bytes that are not HTTP, or not HTTP this server reads. */
const garbage = (r: Prng): Buffer => {
  switch (r.int(8)) {
    case 0:
      return randomBytes(r, 1 + r.int(2_000))
    case 1:
      return Buffer.from(
        r.pick([
          "GET\r\n\r\n",
          "POST / HTTP/9.9\r\n\r\n",
          "POST / HTTP/1.1\r\n\r\n\r\n",
          "\r\n\r\n",
          "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
          "CONNECT 127.0.0.1:1 HTTP/1.1\r\nhost: x\r\n\r\n"
        ])
      )
    case 2:
      return Buffer.from(`POST / HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n`)
    case 3:
      return Buffer.from(
        `POST / HTTP/1.1\r\nhost: x\r\nx-a: ${"\u0001\u007f"}\r\ncontent-length: 2\r\n\r\n{}`,
        "latin1"
      )
    case 4:
      return Buffer.from(`${r.pick(METHODS)} ${"/".repeat(1 + r.int(30_000))} HTTP/1.1\r\n\r\n`)
    case 5:
      return Buffer.concat([
        Buffer.from("POST / HTTP/1.1\r\n"),
        randomBytes(r, 1 + r.int(500)),
        Buffer.from("\r\n\r\n")
      ])
    case 6:
      return Buffer.from(`POST / HTTP/1.1\r\nhost: x\r\n${"x-h: a\r\n".repeat(3_000)}\r\n`)
    default:
      return Buffer.from("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\n{")
  }
}

// -------------------------------------------------------------------------------------------------

let emulator: ChildEmulator
let stateConnection: Connection

const exportState = async (): Promise<string> => {
  if (stateConnection.closed()) stateConnection = await connect(emulator.port)
  const reply = await stateConnection.exchange("GET /_ecr-scan/state HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
  if (reply.status !== 200) throw new Error(`GET /_ecr-scan/state: ${reply.status} ${reply.text}`)
  return reply.text
}

beforeAll(async () => {
  emulator = await startChild([
    "--clock",
    "virtual",
    "--quiet",
    "--seed",
    "fuzz",
    "--start-time",
    "2026-01-01T00:00:00Z",
    "--max-body-bytes",
    String(MAX_BODY)
  ])
  stateConnection = await connect(emulator.port)
})
afterAll(async () => {
  stateConnection?.destroy()
  await emulator?.stop()
})

describe("fuzz", () => {
  it(`answers ${REQUESTS} seeded random and mutated requests with well-formed AWS replies, changing nothing when it refuses`, async () => {
    const r = prng(SEED)
    const bad: Array<string> = []
    const changed: Array<string> = []
    const byKind = new Map<string, { sent: number; ok: number; refused: number }>()
    const byError = new Map<string, number>()
    let conn = await connect(emulator.port)
    const note = (request: Request, replies: ReadonlyArray<Reply>) => {
      const k = byKind.get(request.kind) ?? { sent: 0, ok: 0, refused: 0 }
      k.sent += 1
      for (const reply of replies) {
        if (reply.status === 200) k.ok += 1
        else k.refused += 1
        const type = reply.status === 200 ? "200" : `${reply.status} ${tryType(reply)}`
        byError.set(type, (byError.get(type) ?? 0) + 1)
        const problem = malformation(reply, request.head)
        if (problem !== undefined && bad.length < 20) bad.push(`${request.kind}: ${problem}`)
      }
      byKind.set(request.kind, k)
    }

    // A registry to aim at: the repositories, and an image per tag.
    for (const repositoryName of REPOSITORIES) {
      await conn.exchange(
        frame({ headers: ecrHeaders("CreateRepository"), body: Buffer.from(JSON.stringify({ repositoryName })) })
      )
      for (const [n, imageTag] of TAGS.entries()) {
        const body = JSON.stringify({ repositoryName, imageManifest: MANIFESTS[n], imageTag })
        expect((await conn.exchange(frame({ headers: ecrHeaders("PutImage"), body: Buffer.from(body) }))).status).toBe(
          200
        )
      }
    }

    let before = await exportState()
    let refusedCount = 0
    let mixed = 0
    for (let i = 0; i < REQUESTS; i++) {
      const request = generate(r)
      let replies: ReadonlyArray<Reply>
      try {
        if (request.alone) {
          const shot = await oneShot(emulator.port, request.bytes)
          if (shot.trailing > 0 && bad.length < 20) {
            bad.push(`${request.kind}: ${shot.trailing} bytes that are not a reply`)
          }
          replies = shot.replies
        } else {
          if (conn.closed()) conn = await connect(emulator.port)
          replies = [await conn.exchange(request.bytes, request.head)]
          if (replies[0].headers["connection"] === "close") conn.destroy()
        }
      } catch (error) {
        throw new Error(`request ${i} (${request.kind}): ${(error as Error).message}; alive: ${emulator.alive()}`)
      }
      note(request, replies)
      const after = await exportState()
      const accepted = replies.some((reply) => reply.status === 200)
      if (!accepted) {
        refusedCount += 1
        if (after !== before && changed.length < 10) {
          changed.push(
            `request ${i} (${request.kind}, ${replies.map((x) => `${x.status} ${x.text.slice(0, 120)}`).join(" | ")})`
          )
        }
      } else if (replies.length > 1) mixed += 1
      before = after
    }
    conn.destroy()

    const summary = [...byKind.entries()].sort().map(([kind, k]) =>
      `${kind}: ${k.sent} sent, ${k.ok} ok, ${k.refused} refused`
    )
    console.log(
      `fuzz: ${REQUESTS} requests, ${refusedCount} refused (state compared after each), ${mixed} connections with an accepted and another reply\n` +
        `${summary.join("\n")}\n${
          [...byError.entries()].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t}: ${n}`).join("\n")
        }`
    )
    expect(bad).toEqual([])
    expect(changed).toEqual([])
    expect(refusedCount).toBeGreaterThan(REQUESTS / 2)
    // Every operation was accepted at least once: the stream does reach the registry.
    for (const operation of OPERATIONS) expect(byKind.get(`valid ${operation}`)?.ok ?? 0).toBeGreaterThan(0)
    expect(emulator.alive()).toBe(true)
  })

  it(`answers ${SOCKET_CASES} connections of bytes that are not HTTP with a JSON 400 and a close, or a close, and keeps serving`, async () => {
    const r = prng(SEED + 7)
    const before = await exportState()
    const cases = Array.from({ length: SOCKET_CASES }, () => garbage(r))
    const bad: Array<string> = []
    let next = 0
    const worker = async () => {
      while (next < cases.length) {
        const bytes = cases[next++]
        const shot = await oneShot(emulator.port, bytes)
        for (const reply of shot.replies) {
          const problem = malformation(reply, shot.head) ??
            (reply.status >= 400 && reply.status < 500 ? undefined : `status ${reply.status}`)
          if (problem !== undefined && bad.length < 20) {
            bad.push(`${bytes.subarray(0, 40).toString("latin1")}: ${problem}`)
          }
        }
        if (shot.trailing > 0 && bad.length < 20) {
          bad.push(
            `${
              JSON.stringify(bytes.toString("latin1", 0, 60))
            }: ${shot.trailing} bytes that are not a reply: ${shot.rest}`
          )
        }
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    expect(bad).toEqual([])
    expect(await exportState()).toBe(before)
    expect(emulator.alive()).toBe(true)
    const health = await connect(emulator.port)
    try {
      const reply = await health.exchange("GET /_ecr-scan/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.text)).toEqual({ status: "ok" })
    } finally {
      health.destroy()
    }
  })
})

const tryType = (reply: Reply) => {
  try {
    return String(JSON.parse(reply.text).__type)
  } catch {
    return "(not JSON)"
  }
}
