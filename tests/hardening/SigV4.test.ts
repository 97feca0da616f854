/**
 * `--auth sigv4` with the real clients: the JS SDK, boto3 and the AWS CLI succeed with a configured key
 * and fail with ECR's errors (as each client reports them) with a wrong secret or an unknown key; raw
 * HTTP for what no client sends (no signature, a malformed `Authorization`, a date 20 minutes off, a
 * body changed after signing); two accounts that cannot see or touch each other's registry and have
 * quotas of their own; control endpoints behind the admin token.
 *
 * One in-process emulator for the file (loopback, free port), with two accounts. Request dates are
 * checked against the wall clock, so the stale and future requests are signed with `SignatureV4` at
 * `Date.now() ∓ 20 minutes`: nothing waits on the clock.
 */
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException
} from "@aws-sdk/client-ecr"
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { unshimmed } from "../support/executables.js"
import { AMZ_JSON, send, singleConnection, target } from "../support/rawHttp.js"
import { limiter, run } from "../support/subprocess.js"
import { awsCli, awsEnv, boto3, describeWith, PYTHON } from "../support/tools.js"
import { MAIN, startChild } from "./support.js"

const ACCOUNT_A = "111111111111"
const ACCOUNT_B = "222222222222"
const KEY_A = {
  accessKeyId: "AKIAEMULATORAAAAAAAA",
  secretAccessKey: "secret/of+account-a/0123456789",
  accountId: ACCOUNT_A
}
const KEY_B = {
  accessKeyId: "AKIAEMULATORBBBBBBBB",
  secretAccessKey: "secret/of+account-b/9876543210",
  accountId: ACCOUNT_B
}
const ADMIN_TOKEN = "admin-token-for-the-sigv4-tests"
const REGION = "us-east-1"
/** The account quota of these tests' registries: small, so that exhausting it takes three scans. */
const QUOTA = 2

const MISMATCH = "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
const UNKNOWN_KEY = "The security token included in the request is invalid."

const SCRIPT = fileURLToPath(new URL("../interop/boto3_client.py", import.meta.url))
const cliSlot = limiter(2)

let emulator: RunningEmulator
const clients: Array<ECRClient> = []

const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
  const made = new ECRClient({ endpoint: emulator.endpoint, region: REGION, credentials, maxAttempts: 1 })
  clients.push(made)
  return made
}

/** A request signed by the SDK's own signer, as a client would send it (optionally at another instant). */
const signed = async (
  operation: string,
  input: unknown,
  options: {
    readonly key?: { accessKeyId: string; secretAccessKey: string }
    readonly at?: Date
    readonly region?: string
    readonly service?: string
  } = {}
) => {
  const url = new URL(emulator.endpoint)
  const body = JSON.stringify(input)
  const signer = new SignatureV4({
    credentials: options.key ?? KEY_A,
    region: options.region ?? REGION,
    service: options.service ?? "ecr",
    sha256: Sha256
  })
  const request = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: {
      host: url.host,
      "content-type": AMZ_JSON,
      "x-amz-target": target(operation)
    },
    body
  }, { signingDate: options.at ?? new Date() })
  return { headers: request.headers as Record<string, string>, body }
}

const raw = (headers: Record<string, string>, body: string) =>
  send(emulator.endpoint, singleConnection(), { headers, body })

const ecrHeaders = (operation: string) => ({ "content-type": AMZ_JSON, "x-amz-target": target(operation) })

/** A whole ECR error reply: status, `__type`, message, and the error type header. */
const expectError = (reply: { status: number; json: any; headers: any }, type: string, message: string | RegExp) => {
  expect(reply.status).toBe(400)
  expect(reply.json.__type).toBe(type)
  expect(reply.headers["x-amzn-errortype"]).toBe(type)
  if (typeof message === "string") expect(reply.json.message).toBe(message)
  else expect(reply.json.message).toMatch(message)
}

/** A call signed with `key`, answered 200; returns the JSON. */
const call = async (key: typeof KEY_A, operation: string, input: unknown) => {
  const request = await signed(operation, input, { key })
  const reply = await raw(request.headers, request.body)
  if (reply.status !== 200) throw new Error(`${operation}: ${reply.status} ${reply.text}`)
  return reply.json
}

const control = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${emulator.endpoint}/_ecr-scan${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

beforeAll(async () => {
  emulator = await startEmulator({
    auth: { credentials: [KEY_A, KEY_B], region: REGION, adminToken: ADMIN_TOKEN },
    rules: { scanDuration: { min: 1_000, max: 3_000 }, accountQuotaLimit: QUOTA }
  })
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await emulator?.stop()
})

describe("the JS SDK with --auth sigv4", () => {
  it("succeeds with a configured key, in the key's account", async () => {
    const ecr = client(KEY_A)
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: "sdk/ok" }))
    expect(created.repository?.registryId).toBe(ACCOUNT_A)
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["sdk/ok"] }))
    expect(described.repositories?.map((r) => r.repositoryUri)).toEqual([
      `${ACCOUNT_A}.dkr.ecr.${REGION}.amazonaws.com/sdk/ok`
    ])
  })

  it("fails with InvalidSignatureException (400) when the secret is wrong", async () => {
    const error = await client({ accessKeyId: KEY_A.accessKeyId, secretAccessKey: "not-the-secret" })
      .send(new DescribeRepositoriesCommand({}))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ECRServiceException)
    expect(error.name).toBe("InvalidSignatureException")
    expect(error.message).toBe(MISMATCH)
    expect(error.$fault).toBe("client")
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it("fails with UnrecognizedClientException (400) when the access key is unknown", async () => {
    const error = await client({ accessKeyId: "AKIANOBODYKNOWSTHIS0", secretAccessKey: "whatever" })
      .send(new DescribeRepositoriesCommand({}))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ECRServiceException)
    expect(error.name).toBe("UnrecognizedClientException")
    expect(error.message).toBe(UNKNOWN_KEY)
    expect(error.$metadata.httpStatusCode).toBe(400)
  })
})

describe("raw HTTP with --auth sigv4", () => {
  it("a correctly signed request is served", async () => {
    const request = await signed("DescribeRepositories", {})
    const reply = await raw(request.headers, request.body)
    expect(reply.status).toBe(200)
    expect(reply.json.repositories).toBeInstanceOf(Array)
  })

  it("an unsigned request gets MissingAuthenticationTokenException", async () => {
    const reply = await raw(ecrHeaders("DescribeRepositories"), "{}")
    expectError(reply, "MissingAuthenticationTokenException", "Missing Authentication Token")
  })

  it("an Authorization header with a bare token gets IncompleteSignatureException naming what is missing", async () => {
    const reply = await raw({ ...ecrHeaders("DescribeRepositories"), authorization: "Bearer abc" }, "{}")
    expectError(
      reply,
      "IncompleteSignatureException",
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of " +
        "either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc"
    )
  })

  it("a parameter without an equal sign gets IncompleteSignatureException quoting the header", async () => {
    const request = await signed("DescribeRepositories", {})
    const broken = request.headers.authorization.replace("Credential=", "Credential= ")
    const reply = await raw({ ...request.headers, authorization: broken }, request.body)
    expectError(
      reply,
      "IncompleteSignatureException",
      `'${KEY_A.accessKeyId}/${request.headers["x-amz-date"].slice(0, 8)}/${REGION}/ecr/aws4_request' ` +
        `not a valid key=value pair (missing equal-sign) in Authorization header: '${broken}'.`
    )
  })

  it("a credential of the wrong shape gets IncompleteSignatureException", async () => {
    const request = await signed("DescribeRepositories", {})
    const broken = request.headers.authorization.replace(/Credential=[^,]+/, "Credential=AKID/20260101")
    const reply = await raw({ ...request.headers, authorization: broken }, request.body)
    expectError(
      reply,
      "IncompleteSignatureException",
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got " +
        "'AKID/20260101'"
    )
  })

  it("a request dated 20 minutes ago gets InvalidSignatureException: Signature expired", async () => {
    const at = new Date(Date.now() - 20 * 60_000)
    const request = await signed("DescribeRepositories", {}, { at })
    const reply = await raw(request.headers, request.body)
    const date = request.headers["x-amz-date"]
    expectError(
      reply,
      "InvalidSignatureException",
      new RegExp(`^Signature expired: ${date} is now earlier than (\\d{8}T\\d{6}Z) \\((\\d{8}T\\d{6}Z) - 15 min\\.\\)$`)
    )
    const [, earliest, now] = /than (\S+) \((\S+) -/.exec(reply.json.message)!
    const parse = (d: string) =>
      Date.parse(d.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, "$1-$2-$3T$4:$5:$6Z"))
    expect(parse(now) - parse(earliest)).toBe(15 * 60_000)
  })

  it("a request dated 20 minutes ahead gets InvalidSignatureException: Signature not yet current", async () => {
    const request = await signed("DescribeRepositories", {}, { at: new Date(Date.now() + 20 * 60_000) })
    const reply = await raw(request.headers, request.body)
    expectError(
      reply,
      "InvalidSignatureException",
      new RegExp(
        `^Signature not yet current: ${
          request.headers["x-amz-date"]
        } is still later than \\S+ \\(\\S+ \\+ 15 min\\.\\)$`
      )
    )
  })

  it("a body changed after signing gets the signature mismatch, and nothing is created", async () => {
    const request = await signed("CreateRepository", { repositoryName: "raw/signed" })
    const reply = await raw(request.headers, JSON.stringify({ repositoryName: "raw/tampered" }))
    expectError(reply, "InvalidSignatureException", MISMATCH)
    const listed = await call(KEY_A, "DescribeRepositories", {})
    expect(listed.repositories.map((r: any) => r.repositoryName)).not.toContain("raw/tampered")
  })

  it("a signed header changed after signing gets the signature mismatch", async () => {
    const request = await signed("DescribeRepositories", {})
    const reply = await raw({ ...request.headers, "x-amz-target": target("DescribeImages") }, request.body)
    expectError(reply, "InvalidSignatureException", MISMATCH)
  })

  it("a credential scoped to no region or another service gets InvalidSignatureException", async () => {
    // Every region is served (tests/interop/Regions.test.ts): only a scope naming no region is refused.
    const region = await signed("DescribeRepositories", {}, { region: "moon" })
    expectError(
      await raw(region.headers, region.body),
      "InvalidSignatureException",
      "Credential should be scoped to a valid region, not 'moon'. "
    )
    const service = await signed("DescribeRepositories", {}, { service: "ecs" })
    expectError(
      await raw(service.headers, service.body),
      "InvalidSignatureException",
      "Credential should be scoped to correct service: 'ecr'. "
    )
  })

  it("no Authorization header, however odd, crashes the server or gets anything but a 400 JSON error", async () => {
    const valid = await signed("DescribeRepositories", {})
    const odd = [
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256 ",
      "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
      "AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;;;, Signature=zz",
      "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g, SignedHeaders=host, Signature=00",
      `AWS4-HMAC-SHA256 Credential=${KEY_A.accessKeyId}/20260101/${REGION}/ecr/aws4_request, SignedHeaders=__proto__;` +
      `constructor;host, Signature=${"0".repeat(64)}`,
      valid.headers.authorization.replace(/Signature=[0-9a-f]+/, "Signature=" + "g".repeat(64)),
      valid.headers.authorization.replace("SignedHeaders=", "SignedHeaders=authorization;"),
      "\u00e9\u00e8 Credential=x",
      "=".repeat(5000)
    ]
    for (const authorization of odd) {
      const reply = await raw({ ...valid.headers, authorization }, valid.body)
      expect(reply.status, authorization).toBe(400)
      expect(
        ["IncompleteSignatureException", "InvalidSignatureException", "UnrecognizedClientException"],
        authorization
      )
        .toContain(reply.json.__type)
    }
    const dates = ["", "2026-01-01T00:00:00Z", "20261301T000000Z", "nonsense"]
    for (const date of dates) {
      const reply = await raw({ ...valid.headers, "x-amz-date": date }, valid.body)
      expect(reply.status).toBe(400)
      expect(reply.json.__type).toMatch(/^(IncompleteSignatureException|InvalidSignatureException)$/)
    }
    const health = await fetch(`${emulator.endpoint}/_ecr-scan/health`)
    expect(health.status).toBe(200)
  })
})

describe("accounts with --auth sigv4", () => {
  it("each key sees only its own account's repositories, even under the same name", async () => {
    await call(KEY_A, "CreateRepository", { repositoryName: "accounts/only-a" })
    await call(KEY_A, "CreateRepository", { repositoryName: "accounts/both" })
    const inB = await call(KEY_B, "CreateRepository", { repositoryName: "accounts/both" })
    expect(inB.repository.registryId).toBe(ACCOUNT_B)
    const listedB = await call(KEY_B, "DescribeRepositories", {})
    expect(listedB.repositories.map((r: any) => r.repositoryName)).toEqual(["accounts/both"])
    const request = await signed("DescribeRepositories", { repositoryNames: ["accounts/only-a"] }, { key: KEY_B })
    expectError(
      await raw(request.headers, request.body),
      "RepositoryNotFoundException",
      `The repository with name 'accounts/only-a' does not exist in the registry with id '${ACCOUNT_B}'`
    )
  })

  it("a registryId of another account is refused with AccessDeniedException", async () => {
    await call(KEY_B, "CreateRepository", { repositoryName: "accounts/b-scan" })
    await call(KEY_B, "PutImage", {
      repositoryName: "accounts/b-scan",
      imageManifest: imageManifest(900),
      imageTag: "v1"
    })
    const request = await signed("StartImageScan", {
      registryId: ACCOUNT_B,
      repositoryName: "accounts/b-scan",
      imageId: { imageTag: "v1" }
    }, { key: KEY_A })
    expectError(
      await raw(request.headers, request.body),
      "AccessDeniedException",
      `User: arn:aws:iam::${ACCOUNT_A}:root is not authorized to perform: ecr:StartImageScan on resource: ` +
        `arn:aws:ecr:${REGION}:${ACCOUNT_B}:repository/accounts/b-scan because no resource-based policy allows ` +
        `the ecr:StartImageScan action`
    )
    // B's own scan of the image is still its first.
    const scanned = await call(KEY_B, "StartImageScan", {
      repositoryName: "accounts/b-scan",
      imageId: { imageTag: "v1" }
    })
    expect(scanned.imageScanStatus.status).toBe("IN_PROGRESS")
  })

  it("the account quota is per account: A exhausting its quota leaves B's untouched", async () => {
    await call(KEY_A, "CreateRepository", { repositoryName: "accounts/quota" })
    await call(KEY_B, "CreateRepository", { repositoryName: "accounts/quota" })
    for (const n of [1, 2, 3]) {
      for (const key of [KEY_A, KEY_B]) {
        await call(key, "PutImage", {
          repositoryName: "accounts/quota",
          imageManifest: imageManifest(910 + n),
          imageTag: `v${n}`
        })
      }
    }
    const usedBefore = async (account: string) =>
      ((await (await control("GET", `/quota?account=${account}`, admin)).json()) as any).used
    const bBefore = await usedBefore(ACCOUNT_B)
    const aBefore = await usedBefore(ACCOUNT_A)
    // Every scan A starts counts against A's quota only, until it is full.
    for (let n = 1; n <= QUOTA - aBefore; n++) {
      await call(KEY_A, "StartImageScan", { repositoryName: "accounts/quota", imageId: { imageTag: `v${n}` } })
    }
    const refused = await signed("StartImageScan", { repositoryName: "accounts/quota", imageId: { imageTag: "v3" } })
    const reply = await raw(refused.headers, refused.body)
    expect(reply.json.__type).toBe("LimitExceededException")
    expect(await usedBefore(ACCOUNT_A)).toBe(QUOTA)
    expect(await usedBefore(ACCOUNT_B)).toBe(bBefore)
    if (bBefore < QUOTA) {
      const scanned = await call(KEY_B, "StartImageScan", {
        repositoryName: "accounts/quota",
        imageId: { imageTag: "v3" }
      })
      expect(scanned.imageScanStatus.status).toBe("IN_PROGRESS")
    }
  })
})

describe("control endpoints with --auth sigv4", () => {
  it("are refused without the admin token (401) and with a wrong one (403)", async () => {
    const missing = await control("GET", "/quota")
    expect(missing.status).toBe(401)
    expect(missing.headers.get("www-authenticate")).toBe(`Bearer realm="ecr-scan"`)
    expect(((await missing.json()) as any).error).toMatch(/Bearer/)
    const wrong = await control("POST", "/reset", { authorization: "Bearer not-the-admin-token" }, {})
    expect(wrong.status).toBe(403)
    expect(await wrong.json()).toEqual({ error: "The admin token is not valid" })
    const sigv4 = await control("GET", "/state", {
      authorization: (await signed("DescribeRepositories", {})).headers.authorization
    })
    expect(sigv4.status).toBe(403)
  })

  it("a refused reset changes nothing", async () => {
    await call(KEY_A, "CreateRepository", { repositoryName: "control/kept" })
    expect((await control("POST", "/reset", {}, {})).status).toBe(401)
    const listed = await call(KEY_A, "DescribeRepositories", { repositoryNames: ["control/kept"] })
    expect(listed.repositories).toHaveLength(1)
  })

  it("are served with the admin token, about the account named by ?account= or the header", async () => {
    const accounts = await control("GET", "/accounts", admin)
    expect(await accounts.json()).toEqual({ accounts: [ACCOUNT_A, ACCOUNT_B], default: ACCOUNT_A })
    await call(KEY_B, "CreateRepository", { repositoryName: "control/in-b" })
    const names = async (response: Response) =>
      (((await response.json()) as any).repositories as Array<any>).map((r) => r.name ?? r.repositoryName)
    const stateB = await names(await control("GET", `/state?account=${ACCOUNT_B}`, admin))
    const stateBHeader = await names(await control("GET", "/state", { ...admin, "x-ecr-scan-account": ACCOUNT_B }))
    const stateA = await names(await control("GET", "/state", admin))
    expect(stateB).toContain("control/in-b")
    expect(stateBHeader).toEqual(stateB)
    expect(stateA).not.toContain("control/in-b")
    const unknown = await control("GET", "/quota?account=333333333333", admin)
    expect(unknown.status).toBe(404)
  })

  it("health stays open", async () => {
    const health = await control("GET", "/health")
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "ok" })
  })
})

/** Credentials in the environment of a subprocess client. */
const envWith = (key: { accessKeyId: string; secretAccessKey: string }) =>
  awsEnv({ AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey })

describeWith(boto3(), "boto3 with --auth sigv4", () => {
  const scenario = async (key: { accessKeyId: string; secretAccessKey: string }, steps: Array<unknown>) => {
    const finished = await run(unshimmed(PYTHON), [SCRIPT], {
      env: envWith(key),
      input: JSON.stringify({ endpoint: emulator.endpoint, steps }),
      timeoutMs: 30_000
    })
    if (finished.code !== 0) throw new Error(`boto3_client.py exited ${finished.code}: ${finished.stderr}`)
    return JSON.parse(finished.stdout).results as Array<any>
  }
  const unmodelled = (code: string, message: string) => ({
    error: { code, message, http_status: 400, exception_class: "ClientError", modelled: false }
  })

  it("succeeds with a configured key, and fails with ECR's errors with a wrong secret or an unknown key", async () => {
    const [created, listed] = await scenario(KEY_B, [
      { call: "create_repository", params: { repositoryName: "boto3/ok" } },
      { call: "describe_repositories", params: { repositoryNames: ["boto3/ok"] } }
    ])
    expect(created.http_status).toBe(200)
    expect(created.response.repository.registryId).toBe(ACCOUNT_B)
    expect(listed.response.repositories).toHaveLength(1)
    const [wrongSecret] = await scenario({ accessKeyId: KEY_B.accessKeyId, secretAccessKey: "wrong" }, [
      { call: "describe_repositories", params: {} }
    ])
    expect(wrongSecret).toEqual(unmodelled("InvalidSignatureException", MISMATCH))
    const [unknownKey] = await scenario({ accessKeyId: "AKIANOBODYKNOWSTHIS0", secretAccessKey: "x" }, [
      { call: "describe_repositories", params: {} }
    ])
    expect(unknownKey).toEqual(unmodelled("UnrecognizedClientException", UNKNOWN_KEY))
  })
})

describeWith(awsCli(), "the AWS CLI with --auth sigv4", () => {
  const aws = (key: { accessKeyId: string; secretAccessKey: string }, args: ReadonlyArray<string>) =>
    cliSlot(() =>
      run(unshimmed("aws"), ["ecr", ...args, "--endpoint-url", emulator.endpoint, "--output", "json"], {
        env: envWith(key),
        timeoutMs: 30_000
      })
    )
  const failed = (finished: { stdout: string; stderr: string; code: number | null }, code: string, message: string) => {
    expect(finished.stdout).toBe("")
    expect(finished.stderr.trim()).toMatch(
      new RegExp(
        `^An error occurred \\(${code}\\) when calling the DescribeRepositories operation( \\(reached max retries: 0\\))?: ` +
          message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$"
      )
    )
    expect(finished.code).toBe(255)
  }

  it.concurrent("succeeds with a configured key", async () => {
    const created = await aws(KEY_A, ["create-repository", "--repository-name", "cli/ok"])
    expect(created.stderr).toBe("")
    expect(created.code).toBe(0)
    expect(JSON.parse(created.stdout).repository.registryId).toBe(ACCOUNT_A)
  })

  it.concurrent("fails with InvalidSignatureException when the secret is wrong", async () => {
    failed(
      await aws({ accessKeyId: KEY_A.accessKeyId, secretAccessKey: "wrong" }, ["describe-repositories"]),
      "InvalidSignatureException",
      MISMATCH
    )
  })

  it.concurrent("fails with UnrecognizedClientException when the access key is unknown", async () => {
    failed(
      await aws({ accessKeyId: "AKIANOBODYKNOWSTHIS0", secretAccessKey: "x" }, ["describe-repositories"]),
      "UnrecognizedClientException",
      UNKNOWN_KEY
    )
  })
})

describe("the emulator's command line with --auth sigv4", () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ecr-scan-sigv4-"))
    // Written member by member: the SDK marks the credential objects it is given (`$source`).
    const plain = ({ accessKeyId, accountId, secretAccessKey }: typeof KEY_A) => ({
      accessKeyId,
      secretAccessKey,
      accountId
    })
    await writeFile(join(dir, "credentials.json"), JSON.stringify([plain(KEY_A), plain(KEY_B)]))
    await writeFile(join(dir, "token"), `${ADMIN_TOKEN}\n`)
    await writeFile(join(dir, "malformed.json"), JSON.stringify([{ ...plain(KEY_A), accountId: "1234" }]))
  })
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  /** The emulator run with `args` until it exits by itself (a refusal), within 30 s. */
  const refused = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
    const finished = await run(process.execPath, [MAIN, "--port", "0", ...args], {
      env: { PATH: process.env.PATH, ...env },
      timeoutMs: 30_000
    })
    expect(finished.timedOut).toBe(false)
    expect(finished.code).toBe(1)
    expect(finished.stdout).not.toMatch(/listening on/)
    return finished.stderr.trim()
  }

  it("refuses to start on a malformed credentials file, saying what is wrong", async () => {
    const path = join(dir, "malformed.json")
    expect(await refused(["--auth", "sigv4", "--credentials", path, "--admin-token-file", join(dir, "token")])).toBe(
      `ecr-scan emulator: --credentials ${path}: expected [{"accessKeyId", "secretAccessKey", "accountId"}, ...]: ` +
        "[0].accountId must be 12 digits"
    )
  })

  it("refuses to start without an admin token, or without credentials", async () => {
    expect(await refused(["--auth", "sigv4", "--credentials", join(dir, "credentials.json")])).toBe(
      "ecr-scan emulator: --auth sigv4 protects the control endpoints with an admin token: give " +
        "--admin-token-file FILE or set ECR_SCAN_ADMIN_TOKEN"
    )
    expect(await refused(["--auth", "sigv4"])).toBe("ecr-scan emulator: --auth sigv4 needs --credentials FILE")
  })

  it("refuses a non-loopback address without authentication unless --allow-open", async () => {
    expect(await refused(["--host", "0.0.0.0"])).toBe(
      "ecr-scan emulator: --host 0.0.0.0: refusing to listen beyond loopback without authentication; use --auth " +
        "sigv4, or --allow-open to let in anyone who can reach the port"
    )
  })

  it("with credentials and an admin token file, serves signed requests and refuses the rest", async () => {
    const child = await startChild([
      "--auth",
      "sigv4",
      "--credentials",
      join(dir, "credentials.json"),
      "--admin-token-file",
      join(dir, "token"),
      "--quiet"
    ])
    try {
      const endpoint = `http://127.0.0.1:${child.port}`
      const ecr = new ECRClient({ endpoint, region: REGION, credentials: KEY_B, maxAttempts: 1 })
      const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: "child/ok" }))
      expect(created.repository?.registryId).toBe(ACCOUNT_B)
      ecr.destroy()
      const unsigned = await send(endpoint, singleConnection(), {
        headers: ecrHeaders("DescribeRepositories"),
        body: "{}"
      })
      expect(unsigned.json.__type).toBe("MissingAuthenticationTokenException")
      expect((await fetch(`${endpoint}/_ecr-scan/state`)).status).toBe(401)
      const state = await fetch(`${endpoint}/_ecr-scan/state?account=${ACCOUNT_B}`, { headers: admin })
      expect(((await state.json()) as any).repositories.map((r: any) => r.name)).toEqual(["child/ok"])
    } finally {
      await child.stop()
    }
    expect(child.stderr()).toBe("")
  })
})
