/**
 * Durable state under SIGKILL: a child emulator (the built bin, `--state-dir`, virtual clock) takes
 * seeded write load (CreateRepository, PutImage, StartImageScan, clock advances) and is killed with
 * SIGKILL at seeded points while requests are in flight, then restarted on the same directory, five
 * times. After every restart each acknowledged write is there, an image scanned within 24 h is still
 * refused, the quota counts exactly the accepted scans of the last 24 h, and the clock is where it was.
 * Then damaged files: corruption and an unknown version stop the server with the file and the offset,
 * and a torn last record is cut off.
 *
 * No wall-clock sleeps: every wait is on an event (a line on stdout, a reply, an exit), each bounded.
 * Only the processes this file starts are killed, by their handle.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { appendFile, cp, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises"
import * as Http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { digestOf, imageManifest } from "../support/emulator.js"
import { ecr } from "../support/rawHttp.js"
import { MAIN, prng } from "./support.js"

const ACCOUNT = "123456789012"
const START = Date.parse("2026-01-01T00:00:00Z")
const DAY = 24 * 60 * 60 * 1000
const SEED = 0x5eed_c0de
const KILLS = 5

/** Bounds a wait on an event. */
const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

interface Child {
  readonly process: ChildProcess
  readonly endpoint: string
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children = new Set<ChildProcess>()
const directories: Array<string> = []

const args = (dir: string) => [
  MAIN,
  "--port",
  "0",
  "--state-dir",
  dir,
  "--clock",
  "virtual",
  "--start-time",
  new Date(START).toISOString(),
  "--seed",
  "crash",
  "--quiet"
]

/** Starts the bin; resolves once it is listening, or once it has exited (a refusal to start). */
const startChild = (dir: string): Promise<Child> =>
  within(
    20_000,
    "the emulator to start",
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args(dir), { stdio: ["ignore", "pipe", "pipe"] })
      children.add(child)
      let out = ""
      let err = ""
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.on("exit", (code, signal) => {
          children.delete(child)
          done({ code, signal })
        })
      )
      const result = (endpoint: string): Child => ({
        process: child,
        endpoint,
        stdout: () => out,
        stderr: () => err,
        exited
      })
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8")
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
        if (match !== null) resolve(result(match[1]))
      })
      child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")))
      child.on("error", reject)
      // Resolved by the listening line first if it came; otherwise the exit is the answer.
      void exited.then(() => setImmediate(() => resolve(result(""))))
    })
  )

const kill = async (child: Child) => {
  child.process.kill("SIGKILL")
  await within(10_000, "the emulator to exit", child.exited)
}

/** Runs a refused start to its exit. */
const refusedStart = async (dir: string) => {
  const child = await startChild(dir)
  if (child.endpoint !== "") {
    await kill(child)
    throw new Error(`the emulator started on damaged state: ${child.stdout()}`)
  }
  const exit = await child.exited
  return { code: exit.code, stderr: child.stderr(), stdout: child.stdout() }
}

const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "ecr-scan-crash-"))
  directories.push(dir)
  return dir
}

const control = (endpoint: string, agent: Http.Agent, method: string, path: string, body?: unknown) =>
  new Promise<any>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const url = new URL(`/_ecr-scan${path}`, endpoint)
    const req = Http.request({
      agent,
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method,
      headers: text === undefined
        ? {}
        : { "content-type": "application/json", "content-length": Buffer.byteLength(text) }
    })
    req.on("error", reject)
    req.on("response", (res) => {
      let data = ""
      res.on("data", (chunk: Buffer) => (data += chunk.toString("utf8")))
      res.on("error", reject)
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(data)) : reject(new Error(`${path}: ${data}`))))
    })
    req.end(text)
  })

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`)
})

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true })))
})

// ---------------------------------------------------------------------------------------------------------------
// What the test knows was acknowledged

interface Image {
  readonly repository: string
  readonly digest: string
  readonly tag: string
}

interface Model {
  readonly repositories: Set<string>
  readonly images: Array<Image>
  /** Accepted scans: the image and the instant. */
  readonly scans: Map<string, { readonly image: Image; readonly at: number }>
  /** StartImageScans sent whose reply never came (the process died): applied or not. */
  readonly unknownScans: Map<string, { readonly image: Image; readonly at: number }>
  clock: number
}

const keyOf = (image: Image) => `${image.repository}@${image.digest}`

/** Checks every invariant against a restarted emulator; settles the scans whose outcome was unknown. */
const verify = async (endpoint: string, model: Model) => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 4 })
  try {
    const clock = await control(endpoint, agent, "GET", "/clock")
    expect(clock.epochMillis).toBe(model.clock)

    // Every acknowledged repository and image is there, tag included.
    const repositories = await ecr(endpoint, agent, "DescribeRepositories", { maxResults: 1000 })
    const names = new Set(repositories.json.repositories.map((r: { repositoryName: string }) => r.repositoryName))
    for (const repository of model.repositories) expect(names.has(repository), `repository ${repository}`).toBe(true)
    for (const repository of model.repositories) {
      const images = model.images.filter((i) => i.repository === repository)
      for (let i = 0; i < images.length; i += 100) {
        const chunk = images.slice(i, i + 100)
        const reply = await ecr(endpoint, agent, "BatchGetImage", {
          repositoryName: repository,
          imageIds: chunk.map((image) => ({ imageTag: image.tag }))
        })
        expect(reply.json.failures ?? []).toEqual([])
        const found = new Map<string, string>(
          reply.json.images.map((image: { imageId: { imageTag: string; imageDigest: string } }) => [
            image.imageId.imageTag,
            image.imageId.imageDigest
          ])
        )
        for (const image of chunk) {
          expect(found.get(image.tag), `image ${image.tag} of ${repository}`).toBe(image.digest)
        }
      }
    }

    // A scan sent but never answered either happened or did not (its image was free to scan when it was sent,
    // and the clock has not moved since): sent again, it is refused if it happened, accepted now if not.
    for (const [key, scan] of model.unknownScans) {
      const reply = await ecr(endpoint, agent, "StartImageScan", {
        repositoryName: scan.image.repository,
        imageId: { imageDigest: scan.image.digest }
      })
      if (reply.status !== 200) expect(reply.json.__type).toBe("LimitExceededException")
      model.scans.set(key, { image: scan.image, at: model.clock })
    }
    model.unknownScans.clear()

    // Scanned within 24 h: refused. The quota counts exactly the accepted scans of the last 24 h.
    const recent = [...model.scans.values()].filter((s) => s.at + DAY > model.clock)
    for (const scan of recent) {
      const reply = await ecr(endpoint, agent, "StartImageScan", {
        repositoryName: scan.image.repository,
        imageId: { imageDigest: scan.image.digest }
      })
      expect(reply.json.__type, `rescan of ${scan.image.tag}`).toBe("LimitExceededException")
    }
    const quota = await control(endpoint, agent, "GET", "/quota")
    expect(quota.used).toBe(recent.length)
    return recent.length
  } finally {
    agent.destroy()
  }
}

/**
 * Seeded write load until the `killAfter`-th request has been sent, then SIGKILL while requests are in
 * flight. Clock advances are made alone (no request in flight), so every scan's instant is known.
 */
const load = async (child: Child, model: Model, next: () => number, counter: { n: number }, killAfter: number) => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 8 })
  const inFlight = new Set<Promise<void>>()
  const failures: Array<unknown> = []
  let sent = 0
  let killed = false
  const track = <A>(request: Promise<A>, onReply: (reply: A) => void) => {
    const tracked: Promise<void> = request.then(
      (reply) => {
        try {
          onReply(reply)
        } catch (error) {
          failures.push(error)
        }
      },
      () => {
        // The process died before answering: the outcome of this request is unknown.
      }
    ).finally(() => inFlight.delete(tracked))
    inFlight.add(tracked)
  }
  try {
    while (!killed) {
      const roll = next()
      if (roll < 0.06 && model.images.length > 0) {
        await within(10_000, "the requests in flight to end", Promise.all(inFlight))
        const millis = Math.floor(next() * 6 * 60 * 60 * 1000) + 60_000
        const reply = await control(child.endpoint, agent, "POST", "/clock/advance", { duration: `${millis}ms` })
        expect(reply.epochMillis).toBe(model.clock + millis)
        model.clock = reply.epochMillis
        continue
      }
      if (inFlight.size >= 8) await Promise.race(inFlight)
      sent += 1
      if (roll < 0.12 || model.repositories.size === 0) {
        const name = `repo-${counter.n++}`
        track(ecr(child.endpoint, agent, "CreateRepository", { repositoryName: name }), (reply) => {
          expect(reply.status, JSON.stringify(reply.json)).toBe(200)
          model.repositories.add(name)
        })
      } else if (roll < 0.6) {
        const repositories = [...model.repositories]
        const repository = repositories[Math.floor(next() * repositories.length)]
        const n = counter.n++
        const manifest = imageManifest(n)
        const image = { repository, digest: digestOf(manifest), tag: `t${n}` }
        track(
          ecr(child.endpoint, agent, "PutImage", {
            repositoryName: repository,
            imageManifest: manifest,
            imageTag: image.tag
          }),
          (reply) => {
            expect(reply.status, JSON.stringify(reply.json)).toBe(200)
            model.images.push(image)
          }
        )
      } else if (model.images.length > 0) {
        const image = model.images[Math.floor(next() * model.images.length)]
        const key = keyOf(image)
        const previous = model.scans.get(key)
        // Only images free to scan (a refused request changes nothing), so the model knows every accepted one.
        if ((previous === undefined || previous.at + DAY <= model.clock) && !model.unknownScans.has(key)) {
          const scan = { image, at: model.clock }
          model.unknownScans.set(key, scan)
          track(
            ecr(child.endpoint, agent, "StartImageScan", {
              repositoryName: image.repository,
              imageId: { imageDigest: image.digest }
            }),
            (reply) => {
              model.unknownScans.delete(key)
              expect(reply.status, JSON.stringify(reply.json)).toBe(200)
              model.scans.set(key, scan)
            }
          )
        }
      }
      if (sent >= killAfter) {
        killed = true
        await kill(child)
      }
    }
    await within(10_000, "the requests in flight to end", Promise.all(inFlight))
    expect(failures).toEqual([])
  } finally {
    agent.destroy()
  }
}

describe("durable state under SIGKILL", () => {
  it("loses no acknowledged write across five kills at seeded points, and keeps windows, quota and clock", async () => {
    const dir = await tempDir()
    // Seeded: the kill points and the load are the same on every run.
    const next = prng(SEED).next
    const counter = { n: 0 }
    const model: Model = {
      repositories: new Set(),
      images: [],
      scans: new Map(),
      unknownScans: new Map(),
      clock: START
    }
    let scansChecked = 0
    for (let round = 0; round <= KILLS; round++) {
      const child = await startChild(dir)
      expect(child.endpoint, child.stderr()).not.toBe("")
      if (round > 0) scansChecked += await verify(child.endpoint, model)
      if (round === KILLS) {
        await kill(child)
        break
      }
      await load(child, model, next, counter, 30 + Math.floor(next() * 70))
    }
    // The load did what it is for: writes of every kind were acknowledged and checked.
    expect(model.images.length).toBeGreaterThan(30)
    expect(scansChecked).toBeGreaterThan(5)
    expect(model.clock).toBeGreaterThan(START)
  }, 120_000)
})

describe("damaged state", () => {
  let template: string
  beforeAll(async () => {
    // A directory with acknowledged writes in its journal, left by a SIGKILL; each test damages a copy.
    template = await tempDir()
    const child = await startChild(template)
    const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
    for (let i = 0; i < 3; i++) {
      const reply = await ecr(child.endpoint, agent, "CreateRepository", { repositoryName: `damaged-${i}` })
      expect(reply.status).toBe(200)
    }
    agent.destroy()
    await kill(child)
  })

  const killedWithWrites = async () => {
    const dir = await tempDir()
    await cp(template, dir, { recursive: true })
    return { dir, journal: join(dir, ACCOUNT, "journal"), snapshot: join(dir, ACCOUNT, "snapshot") }
  }

  it("refuses to start on a journal record that fails its checksum, naming the file and the offset", async () => {
    const { dir, journal } = await killedWithWrites()
    const bytes = await readFile(journal)
    // Inside the first record's payload (after the 8-byte magic and the 8-byte frame header).
    bytes[8 + 8 + 5] ^= 0x01
    await writeFile(journal, bytes)
    const refused = await refusedStart(dir)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(`cannot start on --state-dir: ${journal} at offset 8:`)
    expect(refused.stderr).toContain("does not match its checksum")
    expect(refused.stderr).not.toMatch(/\n\s+at /)
  })

  it("refuses to start on a truncated snapshot", async () => {
    const { dir, snapshot } = await killedWithWrites()
    const size = (await readFile(snapshot)).length
    await truncate(snapshot, Math.floor(size / 2))
    const refused = await refusedStart(dir)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(`${snapshot} at offset 8: the snapshot is truncated or damaged`)
  })

  it("refuses to start on a journal of an unknown format version", async () => {
    const { dir, journal } = await killedWithWrites()
    const bytes = await readFile(journal)
    bytes.write("9", 7, "latin1")
    await writeFile(journal, bytes)
    const refused = await refusedStart(dir)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(`${journal} at offset 0: format version 9`)
  })

  it("cuts off a torn last record, says so, and keeps every acknowledged write", async () => {
    const { dir, journal } = await killedWithWrites()
    const valid = (await readFile(journal)).length
    // A frame whose header promises more than was written: the append a crash interrupted.
    const torn = Buffer.alloc(8 + 10)
    torn.writeUInt32LE(200, 0)
    torn.write("{\"seq\":99,", 8, "utf8")
    await appendFile(journal, torn)
    const child = await startChild(dir)
    expect(child.endpoint, child.stderr()).not.toBe("")
    await within(
      5_000,
      "the line about the torn record",
      new Promise<void>((resolve) => {
        const check = () => {
          if (child.stderr().includes(`${journal}: cut off a torn last record at offset ${valid}`)) resolve()
        }
        child.process.stderr!.on("data", () => setImmediate(check))
        check()
      })
    )
    const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
    const reply = await ecr(child.endpoint, agent, "DescribeRepositories", {})
    agent.destroy()
    expect(reply.json.repositories.map((r: { repositoryName: string }) => r.repositoryName).sort()).toEqual([
      "damaged-0",
      "damaged-1",
      "damaged-2"
    ])
    await kill(child)
  })
})
