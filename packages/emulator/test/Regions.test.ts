/**
 * One registry per account and region: two SDK clients configured with different regions against one emulator
 * see two registries (ARNs, URIs, repositories, quotas, events, state), an unsigned request reaches the
 * default region's, `auth` checks and signs a scope of any region, and the controls take a region. No
 * wall-clock waits.
 */
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  PutImageCommand,
  StartImageScanCommand
} from "@aws-sdk/client-ecr"
import { Accounts, Auth, Emulator, Regions, type RunningEmulator, startEmulator } from "@ecr-scan/emulator"
import { Sha256 } from "@smithy/core/checksum"
import { SignatureV4 } from "@smithy/signature-v4"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import type * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startReceiver } from "./EventReceiver.js"
import { manifest, rejection } from "./fixtures.js"

const T0 = "2026-01-01T00:00:00.000Z"
const ACCOUNT = "123456789012"
const AMZ_JSON = "application/x-amz-json-1.1"
const target = (operation: string) => `AmazonEC2ContainerRegistry_V20150921.${operation}`

const emulators: Array<RunningEmulator> = []
const clients: Array<ECRClient> = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(emulators.splice(0).map((e) => e.stop()))
})

const start = async (options: Parameters<typeof startEmulator>[0] = {}) => {
  const emulator = await startEmulator({ startTime: T0, ...options })
  emulators.push(emulator)
  return emulator
}

/** An SDK client of the emulator in `region`, one attempt per call. */
const clientIn = (emulator: RunningEmulator, region: string, credentials = emulator.credentials) => {
  const client = new ECRClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 })
  clients.push(client)
  return client
}

const names = async (client: ECRClient) =>
  ((await client.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName)

/** A control endpoint's JSON reply and status. */
const control = async (emulator: RunningEmulator, method: string, path: string) => {
  const response = await fetch(`${emulator.endpoint}/_ecr-scan${path}`, {
    method,
    headers: emulator.adminToken === undefined ? {} : { authorization: `Bearer ${emulator.adminToken}` }
  })
  return { status: response.status, json: await response.json() as any }
}

/** A request signed by the SDK's signer with `region` in its scope. */
const signed = async (
  emulator: RunningEmulator,
  operation: string,
  input: unknown,
  region: string,
  credentials = emulator.credentials
) => {
  const url = new URL(emulator.endpoint)
  const body = JSON.stringify(input)
  const signer = new SignatureV4({ credentials, region, service: "ecr", sha256: Sha256 })
  const request = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, "content-type": AMZ_JSON, "x-amz-target": target(operation) },
    body
  }, { signingDate: new Date() })
  return { headers: request.headers as Record<string, string>, body }
}

const raw = async (emulator: RunningEmulator, headers: Record<string, string>, body: string) => {
  const response = await fetch(emulator.endpoint, { method: "POST", headers, body })
  return { status: response.status, json: await response.json() as any }
}

describe("one registry per account and region", () => {
  it("two clients in two regions see two registries: ARNs, URIs and repositories of their own", async () => {
    const emulator = await start()
    const east = clientIn(emulator, "us-east-1")
    const west = clientIn(emulator, "eu-west-1")
    const inEast = await east.send(new CreateRepositoryCommand({ repositoryName: "app" }))
    // The same name again, in the other region: no RepositoryAlreadyExistsException.
    const inWest = await west.send(new CreateRepositoryCommand({ repositoryName: "app" }))
    expect(inEast.repository?.repositoryArn).toBe(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app`)
    expect(inWest.repository?.repositoryArn).toBe(`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`)
    expect(inWest.repository?.repositoryUri).toBe(`${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app`)
    await west.send(new CreateRepositoryCommand({ repositoryName: "west-only" }))
    expect(await names(east)).toEqual(["app"])
    expect((await names(west)).sort()).toEqual(["app", "west-only"])
    expect((await control(emulator, "GET", "/regions")).json).toEqual({
      default: "us-east-1",
      registries: [{ account: ACCOUNT, region: "us-east-1" }, { account: ACCOUNT, region: "eu-west-1" }]
    })
  })

  it("each region has its own account quota", async () => {
    const emulator = await start({ rules: { accountQuotaLimit: 2 } })
    const east = clientIn(emulator, "us-east-1")
    const west = clientIn(emulator, "eu-west-1")
    const scan = async (client: ECRClient, n: number) => {
      await client.send(new PutImageCommand({ repositoryName: "quota", imageManifest: manifest(n), imageTag: `v${n}` }))
      return client.send(new StartImageScanCommand({ repositoryName: "quota", imageId: { imageTag: `v${n}` } }))
    }
    for (const client of [east, west]) await client.send(new CreateRepositoryCommand({ repositoryName: "quota" }))
    await scan(west, 1)
    await scan(west, 2)
    const refused = await rejection(scan(west, 3))
    expect(refused.name).toBe("LimitExceededException")
    // us-east-1's quota is untouched by eu-west-1's scans.
    await scan(east, 1)
    await scan(east, 2)
    expect(await emulator.quota({ region: "eu-west-1" })).toMatchObject({ used: 2, limit: 2 })
    expect(await emulator.quota()).toMatchObject({ used: 2, limit: 2 })
    expect((await control(emulator, "GET", "/quota?region=eu-west-1")).json).toMatchObject({ used: 2 })
  })

  it("an unsigned request is served by the default region's registry", async () => {
    const emulator = await start({ region: "ap-southeast-2" })
    const reply = await raw(
      emulator,
      { "content-type": AMZ_JSON, "x-amz-target": target("CreateRepository") },
      JSON.stringify({ repositoryName: "unsigned" })
    )
    expect(reply.status).toBe(200)
    expect(reply.json.repository.repositoryArn).toBe(`arn:aws:ecr:ap-southeast-2:${ACCOUNT}:repository/unsigned`)
    expect(await names(clientIn(emulator, "ap-southeast-2"))).toEqual(["unsigned"])
    expect(await names(clientIn(emulator, "us-east-1"))).toEqual([])
  })

  it("a scope naming no region is refused as AWS refuses it, auth or not", async () => {
    const emulator = await start()
    const request = await signed(emulator, "DescribeRepositories", {}, "moon")
    const reply = await raw(emulator, request.headers, request.body)
    expect(reply.status).toBe(400)
    expect(reply.json).toEqual({
      __type: "InvalidSignatureException",
      message: "Credential should be scoped to a valid region, not 'moon'. "
    })
  })

  it("with auth, a scope of another region is checked and signed with it: valid is served there, tampered refused", async () => {
    const credentials = [{ accessKeyId: "AKIAREGIONS", secretAccessKey: "secret-r", accountId: "111111111111" }]
    const emulator = await start({ auth: { credentials }, region: "us-east-1" })
    const west = clientIn(emulator, "eu-west-1")
    const created = await west.send(new CreateRepositoryCommand({ repositoryName: "signed" }))
    expect(created.repository?.repositoryArn).toBe("arn:aws:ecr:eu-west-1:111111111111:repository/signed")
    expect(await names(clientIn(emulator, "us-east-1"))).toEqual([])
    // Signed for us-east-1, its scope then changed to eu-west-1: what was signed is not what arrived.
    const request = await signed(emulator, "DescribeRepositories", {}, "us-east-1")
    const tampered = {
      ...request.headers,
      authorization: request.headers.authorization.replace("/us-east-1/", "/eu-west-1/")
    }
    const reply = await raw(emulator, tampered, request.body)
    expect(reply.status).toBe(400)
    expect(reply.json.__type).toBe("InvalidSignatureException")
    expect(reply.json.message).toMatch(/^The request signature we calculated does not match/)
    // A wrong secret, in a region not yet used, is refused before any registry is built for it.
    const forged = await signed(emulator, "DescribeRepositories", {}, "sa-east-1", {
      accessKeyId: "AKIAREGIONS",
      secretAccessKey: "not-the-secret"
    })
    expect((await raw(emulator, forged.headers, forged.body)).json.__type).toBe("InvalidSignatureException")
    expect((await control(emulator, "GET", "/regions")).json.registries).toEqual([
      { account: "111111111111", region: "us-east-1" },
      { account: "111111111111", region: "eu-west-1" }
    ])
  })

  it("the control endpoints and the Promise API take a region", async () => {
    const emulator = await start()
    const west = clientIn(emulator, "eu-west-1")
    await west.send(new CreateRepositoryCommand({ repositoryName: "west" }))
    await clientIn(emulator, "us-east-1").send(new CreateRepositoryCommand({ repositoryName: "east" }))
    const state = (await control(emulator, "GET", "/state?region=eu-west-1")).json
    expect(state.region).toBe("eu-west-1")
    expect(state.repositories.map((r: any) => r.name)).toEqual(["west"])
    expect((await emulator.exportState({ region: "eu-west-1" })).region).toBe("eu-west-1")
    expect((await emulator.exportState()).region).toBe("us-east-1")
    expect((await control(emulator, "GET", "/state?region=mars")).status).toBe(400)
    expect((await control(emulator, "GET", "/state?region=mars")).json).toEqual({ error: "Not a region: 'mars'" })
    expect((await rejection(emulator.quota({ region: "mars" }))).reason).toBe("InvalidArgument")
    // Reset of one region leaves the other.
    expect((await control(emulator, "POST", "/reset?region=eu-west-1")).status).toBe(200)
    expect(await names(west)).toEqual([])
    expect(await names(clientIn(emulator, "us-east-1"))).toEqual(["east"])
    await west.send(new CreateRepositoryCommand({ repositoryName: "west2" }))
    await emulator.reset({ region: "us-east-1" })
    expect(await names(west)).toEqual(["west2"])
    // Without a region, every registry is reset.
    await emulator.reset()
    expect(await names(west)).toEqual([])
  })

  it("each registry has its own event log, its events carrying its region", async () => {
    const emulator = await start()
    const west = clientIn(emulator, "eu-west-1")
    await west.send(new CreateRepositoryCommand({ repositoryName: "ev" }))
    await west.send(new PutImageCommand({ repositoryName: "ev", imageManifest: manifest(1), imageTag: "v1" }))
    const page = await emulator.events({ region: "eu-west-1" })
    expect(page.events.length).toBeGreaterThan(0)
    expect(page.events.every((e) => e.region === "eu-west-1")).toBe(true)
    expect((await emulator.events()).events).toEqual([])
    const over = (await control(emulator, "GET", "/events?region=eu-west-1")).json
    expect(over.events.map((e: any) => e.id)).toEqual(page.events.map((e) => e.id))
    expect(over.cursor).toBe(page.cursor)
    expect((await control(emulator, "GET", `/events?account=${ACCOUNT}&region=us-east-1`)).json).toEqual({
      events: [],
      cursor: 0
    })
  })

  it("a region's events reach the targets, and its log numbers continue across a restart", async () => {
    const hook = await startReceiver()
    const stateDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ecr-scan-regions-events-"))
    try {
      const first = await start({ stateDir, eventTargets: [hook.url] })
      await clientIn(first, "eu-north-1").send(new CreateRepositoryCommand({ repositoryName: "hooked" }))
      await clientIn(first, "eu-north-1").send(
        new PutImageCommand({ repositoryName: "hooked", imageManifest: manifest(7), imageTag: "v7" })
      )
      const [delivered] = await hook.received(1)
      expect(JSON.parse(delivered.body)).toMatchObject({ region: "eu-north-1", "detail-type": "ECR Image Action" })
      const before = await first.events({ region: "eu-north-1" })
      expect(before.cursor).toBeGreaterThan(0)
      expect((await first.events()).cursor).toBe(0)
      await first.stop()
      const second = await start({ stateDir, eventTargets: [hook.url] })
      await clientIn(second, "eu-north-1").send(
        new PutImageCommand({ repositoryName: "hooked", imageManifest: manifest(8), imageTag: "v8" })
      )
      const after = await second.events({ region: "eu-north-1" })
      expect(after.events.length).toBeGreaterThan(0)
      expect(after.cursor).toBeGreaterThan(before.cursor)
      expect((await second.events({ region: "eu-north-1", since: before.cursor })).events[0]).toMatchObject({
        region: "eu-north-1"
      })
    } finally {
      await hook.close()
      Fs.rmSync(stateDir, { recursive: true, force: true })
    }
  })

  it("durable state of two regions survives a restart, the default region's where it always was", async () => {
    const stateDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ecr-scan-regions-"))
    try {
      const first = await start({ stateDir })
      await clientIn(first, "us-east-1").send(new CreateRepositoryCommand({ repositoryName: "kept-east" }))
      await clientIn(first, "eu-west-1").send(new CreateRepositoryCommand({ repositoryName: "kept-west" }))
      await first.stop()
      expect(Fs.existsSync(Path.join(stateDir, ACCOUNT, "eu-west-1"))).toBe(true)
      expect(Fs.readdirSync(Path.join(stateDir, ACCOUNT)).filter((f) => !f.includes("-"))).not.toEqual([])
      const second = await start({ stateDir })
      // The region found on disk is opened with the emulator.
      expect((await control(second, "GET", "/regions")).json.registries).toEqual([
        { account: ACCOUNT, region: "us-east-1" },
        { account: ACCOUNT, region: "eu-west-1" }
      ])
      expect(await names(clientIn(second, "us-east-1"))).toEqual(["kept-east"])
      expect(await names(clientIn(second, "eu-west-1"))).toEqual(["kept-west"])
    } finally {
      Fs.rmSync(stateDir, { recursive: true, force: true })
    }
  })
})

describe("Auth with regions", () => {
  const NOW = Date.parse("2026-03-01T12:00:00Z")
  const KEY = { accessKeyId: "AKIAUNIT", secretAccessKey: "unit-secret", accountId: "111111111111" }
  const authenticator = Auth.makeAuthenticator({
    credentials: [KEY],
    region: "us-east-1",
    adminToken: "x".repeat(16),
    now: () => NOW
  })
  const body = Buffer.from("{}")
  const requestIn = async (region: string) => {
    const signer = new SignatureV4({ credentials: KEY, region, service: "ecr", sha256: Sha256 })
    const signedRequest = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      path: "/",
      headers: { host: "127.0.0.1:4510", "content-type": AMZ_JSON, "x-amz-target": target("DescribeRepositories") },
      body: "{}"
    }, { signingDate: new Date(NOW) })
    const headers = signedRequest.headers as Record<string, string>
    return {
      url: "/",
      method: "POST",
      headersDistinct: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]))
    } as unknown as Http.IncomingMessage
  }

  it("reads the region of the scope and verifies the signature with it", async () => {
    const inspected = authenticator.inspect(await requestIn("eu-central-1"))
    expect(inspected).toMatchObject({ _tag: "Signed", accountId: "111111111111", region: "eu-central-1" })
    if (inspected._tag !== "Signed") throw new Error("expected a signed request")
    expect(await inspected.verify(body)).toBeUndefined()
  })
})

describe("Accounts.layer", () => {
  it("builds a region's registry once, on first use, and refuses an unknown account, a non-region and one region too many", () =>
    Effect.gen(function*() {
      const built: Array<string> = []
      const make: Accounts.MakeRegistry<unknown> = (accountId, region) => {
        built.push(`${accountId}/${region}`)
        return Emulator.memoryRegistry({})(accountId, region)
      }
      const accounts = yield* Effect.provide(
        Accounts.Accounts,
        Accounts.layer([ACCOUNT], make, { defaultRegion: "us-east-1" })
      )
      expect(built).toEqual([`${ACCOUNT}/us-east-1`])
      const [a, b] = yield* Effect.all([
        accounts.registry(ACCOUNT, "eu-west-1"),
        accounts.registry(ACCOUNT, "eu-west-1")
      ], {
        concurrency: 2
      })
      expect(a).toBe(b)
      expect(a.key).toBe(`${ACCOUNT}/eu-west-1`)
      expect(built).toEqual([`${ACCOUNT}/us-east-1`, `${ACCOUNT}/eu-west-1`])
      expect(accounts.get(ACCOUNT)).toBe(accounts.existing(ACCOUNT, "us-east-1")!.context)
      const refusal = (accountId: string, region: string) =>
        Effect.flip(accounts.registry(accountId, region)).pipe(Effect.map((e) => [e.reason, e.message]))
      expect(yield* refusal("999999999999", "us-east-1")).toEqual([
        "UnknownAccount",
        `No account '999999999999' in this emulator (accounts: ${ACCOUNT})`
      ])
      expect(yield* refusal(ACCOUNT, "moon")).toEqual(["InvalidRegion", "Not a region: 'moon'"])
      for (let n = 2; n < Regions.MAX_REGIONS_PER_ACCOUNT; n++) yield* accounts.registry(ACCOUNT, `xx-test-${n}`)
      expect(accounts.registries()).toHaveLength(Regions.MAX_REGIONS_PER_ACCOUNT)
      expect((yield* refusal(ACCOUNT, "xx-test-999"))[0]).toBe("TooManyRegions")
      // A region already built is still had.
      expect((yield* accounts.registry(ACCOUNT, "xx-test-2")).region).toBe("xx-test-2")
    }).pipe(Effect.scoped, Effect.runPromise))
})
