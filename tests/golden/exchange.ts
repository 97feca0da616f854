/**
 * The golden corpus's wire and file format, shared by the recorder (record.ts) and the replay test
 * (Golden.test.ts): how the emulator is started for a recording, how one request is sent and its reply
 * read, how a step is written to and read back from corpus.jsonl, and how a replayed reply is compared
 * with the recorded one. Both sides send requests through this one module, so a request replayed is the
 * request recorded, byte for byte.
 */
import * as Http from "node:http"
import { AMZ_JSON, readReply, singleConnection, TARGET_PREFIX } from "../support/rawHttp.js"

export { AMZ_JSON, TARGET_PREFIX }

/** The emulator's settings for a recording: the replay must run the emulator with exactly these. */
export const RECORDING = {
  seed: "golden",
  startTime: "2026-01-01T00:00:00Z",
  // A range, so that scans of different images end at different instants (each image's is fixed by the seed).
  scanDuration: "5s..90s",
  scanDurationMillis: { min: 5_000, max: 90_000 },
  accountId: "123456789012",
  region: "us-east-1"
} as const

/** The command line of `packages/emulator/dist/main.js` for a recording (defaults for everything else). */
export const emulatorArgs: ReadonlyArray<string> = [
  "--clock",
  "virtual",
  "--start-time",
  RECORDING.startTime,
  "--seed",
  RECORDING.seed,
  "--scan-duration",
  RECORDING.scanDuration,
  "--host",
  "127.0.0.1",
  "--port",
  "0",
  "--quiet"
]

/** One request, as it goes on the wire (node adds `host` and `connection`; `content-length` is added here). */
export interface GoldenRequest {
  /** Which part of the sequence the request belongs to (for failure messages). */
  readonly scenario: string
  readonly method: string
  readonly path: string
  /** Exactly these headers, lower-case. */
  readonly headers: Readonly<Record<string, string>>
  /** `undefined`: no body at all (GET). */
  readonly body: string | undefined
}

/** What is compared of a reply: the request id is a random UUID, and `date` is the wall clock. */
export interface GoldenReply {
  readonly status: number
  readonly contentType: string | undefined
  readonly errorType: string | undefined
  readonly body: string
}

/** One step of the corpus. */
export interface GoldenStep {
  readonly step: number
  readonly request: GoldenRequest
  readonly reply: GoldenReply
}

/** The headers of a data-plane call of `operation`, as the SDKs send them (minus signing). */
export const dataPlaneHeaders = (operation: string): Readonly<Record<string, string>> => ({
  "content-type": AMZ_JSON,
  "x-amz-target": `${TARGET_PREFIX}${operation}`
})

/** A keep-alive agent with one socket: the corpus is played one request at a time, in order. */
export const agent = singleConnection

/** The longest a single request may take before the replay gives up on it. */
const REQUEST_TIMEOUT_MS = 15_000

/**
 * What a reply's mention of the emulator's own address (`GetAuthorizationToken`'s `proxyEndpoint` names the
 * emulator) is recorded and compared as: the port is a free one, different on every run.
 */
export const SELF_ENDPOINT = "http://127.0.0.1:<port>"

/**
 * Sends one request to `endpoint` (`http://127.0.0.1:<port>`) and reads the whole reply, the endpoint in its
 * body written as `SELF_ENDPOINT`.
 */
export const send = (endpoint: string, httpAgent: Http.Agent, request: GoldenRequest): Promise<GoldenReply> =>
  new Promise((resolve, reject) => {
    const url = new URL(endpoint)
    const headers: Record<string, string | number> = { ...request.headers }
    if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body)
    const req = Http.request({
      agent: httpAgent,
      host: url.hostname,
      port: url.port,
      path: request.path,
      method: request.method,
      headers
    })
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no reply in ${REQUEST_TIMEOUT_MS} ms`)))
    readReply(req).then(({ body, res }) => {
      const header = (name: string) => {
        const value = res.headers[name]
        return Array.isArray(value) ? value.join(", ") : value
      }
      resolve({
        status: res.statusCode ?? 0,
        contentType: header("content-type"),
        errorType: header("x-amzn-errortype"),
        body: body.toString("utf8").split(endpoint).join(SELF_ENDPOINT)
      })
    }, reject)
    req.end(request.body)
  })

// -----------------------------------------------------------------------------------------------------------------
// corpus.jsonl: a header line, then one line per step. A body whose text is exactly JSON.stringify of its
// parse is stored as JSON (`json`), which keeps manifests, escaped once more inside a JSON line, readable
// and the file small; any other body (malformed JSON, odd spacing) is stored as its text (`text`).

/** The first line of corpus.jsonl. */
export interface GoldenHeader {
  readonly golden: "ecr-scan"
  readonly format: 1
  readonly recording: typeof RECORDING
  readonly emulatorArgs: ReadonlyArray<string>
  readonly steps: number
  /** What the recording was made against (the reference behaviour), as the recorder was told. */
  readonly reference: string
}

const bodyField = (text: string | undefined): { json?: unknown; text?: string } => {
  if (text === undefined) return {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (JSON.stringify(parsed) === text) return { json: parsed }
  } catch {
    // not JSON: kept as text
  }
  return { text }
}

const bodyText = (field: { json?: unknown; text?: string }): string | undefined =>
  "json" in field ? JSON.stringify(field.json) : field.text

const sameHeaders = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/** One step as a line of corpus.jsonl. */
export const encodeStep = ({ reply, request, step }: GoldenStep): string => {
  const target = request.headers["x-amz-target"]
  const op = target !== undefined && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined
  // The usual data-plane headers are written as the operation alone; anything else as the headers themselves.
  const standard = op !== undefined && sameHeaders(request.headers, dataPlaneHeaders(op))
  const line = {
    step,
    scenario: request.scenario,
    request: {
      method: request.method,
      path: request.path,
      ...(standard ? { op } : { headers: request.headers }),
      ...bodyField(request.body)
    },
    reply: {
      status: reply.status,
      ...(reply.contentType === undefined ? {} : { contentType: reply.contentType }),
      ...(reply.errorType === undefined ? {} : { errorType: reply.errorType }),
      ...bodyField(reply.body)
    }
  }
  const text = JSON.stringify(line)
  // A line must give back exactly what was sent and received, or the replay would test something else.
  const back = decodeStep(text)
  if (
    back.request.body !== request.body || back.reply.body !== reply.body ||
    !sameHeaders(back.request.headers, request.headers)
  ) {
    throw new Error(`step ${step}: does not survive its own encoding`)
  }
  return text
}

/** A line of corpus.jsonl back as a step. */
export const decodeStep = (line: string): GoldenStep => {
  const raw = JSON.parse(line)
  const request = raw.request
  return {
    step: raw.step,
    request: {
      scenario: raw.scenario,
      method: request.method,
      path: request.path,
      headers: request.op !== undefined ? dataPlaneHeaders(request.op) : request.headers,
      body: bodyText(request)
    },
    reply: {
      status: raw.reply.status,
      contentType: raw.reply.contentType,
      errorType: raw.reply.errorType,
      body: bodyText(raw.reply) ?? ""
    }
  }
}

/** Reads corpus.jsonl: its header and its steps, in order. */
export const parseCorpus = (text: string): { header: GoldenHeader; steps: Array<GoldenStep> } => {
  const lines = text.split("\n").filter((line) => line !== "")
  if (lines.length === 0) throw new Error("the corpus is empty")
  const header = JSON.parse(lines[0]) as GoldenHeader
  if (header.golden !== "ecr-scan" || header.format !== 1) throw new Error("not a golden corpus of format 1")
  const steps = lines.slice(1).map(decodeStep)
  if (steps.length !== header.steps) {
    throw new Error(`the header says ${header.steps} steps, the file has ${steps.length}`)
  }
  steps.forEach((s, i) => {
    if (s.step !== i) throw new Error(`line ${i + 2} is step ${s.step}, expected ${i}`)
  })
  return { header, steps }
}

// -----------------------------------------------------------------------------------------------------------------
// Comparison

/** A step whose replayed reply differs from the recorded one. */
export interface Mismatch {
  readonly step: GoldenStep
  readonly actual: GoldenReply
}

const differs = (a: GoldenReply, b: GoldenReply) =>
  a.status !== b.status || a.contentType !== b.contentType || a.errorType !== b.errorType || a.body !== b.body

/** Shortens long texts in a failure message, keeping both ends. */
const clip = (text: string | undefined, max = 1_500) =>
  text === undefined
    ? "(no body)"
    : text.length <= max
    ? text
    : `${text.slice(0, max / 2)} ... (${text.length - max} characters) ... ${text.slice(-max / 2)}`

const describeReply = (reply: GoldenReply) =>
  `${reply.status} content-type=${reply.contentType ?? "(none)"} x-amzn-errortype=${reply.errorType ?? "(none)"}\n` +
  `    ${clip(reply.body)}`

/** Where two bodies first differ, with some context: long bodies are clipped, and the difference may be inside. */
const firstDifference = (recorded: string, replayed: string) => {
  if (recorded === replayed) return "  bodies are identical"
  let at = 0
  while (at < recorded.length && at < replayed.length && recorded[at] === replayed[at]) at += 1
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 80), at + 120))
  return [
    `  bodies first differ at character ${at} (lengths ${recorded.length} and ${replayed.length}):`,
    `    recorded: ...${around(recorded)}...`,
    `    replayed: ...${around(replayed)}...`
  ].join("\n")
}

/** A readable account of the first mismatches. */
export const describeMismatches = (mismatches: ReadonlyArray<Mismatch>, replayed: number, total: number) =>
  [
    `${mismatches.length === 1 ? "1 reply differs" : `${mismatches.length} replies differ`} from the golden corpus ` +
    `(${replayed} of ${total} steps replayed; the replay stops after the first few, since later steps run on ` +
    `the state earlier ones left):`,
    ...mismatches.map(({ actual, step }) => {
      const r = step.request
      const op = r.headers["x-amz-target"] ?? ""
      return [
        ``,
        `step ${step.step} (scenario ${r.scenario}): ${r.method} ${r.path} ${op}`,
        `  request headers: ${JSON.stringify(r.headers)}`,
        `  request body: ${clip(r.body)}`,
        `  recorded: ${describeReply(step.reply)}`,
        `  replayed: ${describeReply(actual)}`,
        firstDifference(step.reply.body, actual.body)
      ].join("\n")
    })
  ].join("\n")

/**
 * Plays `steps` in order against `endpoint`; returns the first `limit` mismatches and how many steps ran.
 * Stops at the `limit`th mismatch: once a reply differs, the state behind later steps may differ too.
 */
export const replay = async (
  endpoint: string,
  steps: ReadonlyArray<GoldenStep>,
  limit = 5
): Promise<{ mismatches: Array<Mismatch>; replayed: number }> => {
  const httpAgent = agent()
  const mismatches: Array<Mismatch> = []
  let replayed = 0
  try {
    for (const step of steps) {
      const actual = await send(endpoint, httpAgent, step.request)
      replayed += 1
      if (differs(actual, step.reply)) {
        mismatches.push({ step, actual })
        if (mismatches.length >= limit) break
      }
    }
  } finally {
    httpAgent.destroy()
  }
  return { mismatches, replayed }
}
