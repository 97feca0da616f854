/**
 * Runs ecr-scan in-process (`InProcess`: the bin's program with its output captured and its exit code
 * returned), the bin (packages/cli/bin/ecr-scan.js, which loads packages/cli/dist/main.js, built by `npm test`
 * before vitest) where a test needs the process itself, and the AWS CLI as subprocesses, two at a time,
 * against in-process emulators on loopback.
 *
 * Each test gets a world of its own: an emulator (virtual clock from 2026-01-01, as
 * `startEmulator` sets it) behind a recording proxy, so that a test can assert on the exact bodies
 * the clients sent, and so that one test's clock moves, faults and registry settings reach no other.
 * Every world is stopped in `afterAll`.
 */
import { InProcess } from "@ecr-scan/cli"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createServer, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, expect } from "vitest"
import { digestOf, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { unshimmed } from "../support/executables.js"
import { type RequestLog, requestLog } from "../support/requestLog.js"
import { type Finished, limiter, run } from "../support/subprocess.js"
import { type Availability, awsEnv, PYTHON } from "../support/tools.js"
import { ecrCall } from "../support/wire.js"

/** The bin, as npm links it: a committed launcher of the build. */
export const BIN = fileURLToPath(new URL("../../packages/cli/bin/ecr-scan.js", import.meta.url))

/** The build the bin loads. */
export const BUILT = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url))

/** The emulator's bin. */
export const EMULATOR_BIN = fileURLToPath(new URL("../../packages/emulator/bin/ecr-scan-emulator.js", import.meta.url))

/** The example scenario of `ecr-scan simulate`. */
export const SCENARIO = fileURLToPath(new URL("../../packages/cli/examples/scenario.json", import.meta.url))

/** The emulator's account. */
export const ACCOUNT = "123456789012"

/** Two subprocesses at a time across the concurrent tests of a file (the machine has two cores). */
const slot = limiter(2)

/**
 * The environment of both CLIs: dummy credentials, `AWS_REGION` (and `AWS_DEFAULT_REGION`, which is
 * what CLI v1 reads), no config files, one attempt, and the legacy retry mode, in which the AWS CLI
 * v1 prints a non-retryable error without `(reached max retries: 0)`.
 */
export const cliEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
  awsEnv({ AWS_RETRY_MODE: "legacy", ...extra })

/** `cliEnv()` without a region. */
export const noRegion = (): NodeJS.ProcessEnv => {
  const env = { ...cliEnv() }
  delete env.AWS_REGION
  delete env.AWS_DEFAULT_REGION
  return env
}

/**
 * `ecr-scan <args>` in-process, with the environment `cliEnv()` (or `env`) and, unless told otherwise,
 * stdout and stderr not terminals: what it printed and its exit code, in the shape of a subprocess's end.
 */
export const ecrScan = async (
  args: ReadonlyArray<string>,
  options: Omit<InProcess.Options, "env"> & { readonly env?: NodeJS.ProcessEnv } = {}
): Promise<Finished> => {
  const started = performance.now()
  const result = await InProcess.runPromise(args, { ...options, env: options.env ?? cliEnv() })
  return {
    code: result.exitCode,
    signal: null,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: performance.now() - started,
    timedOut: false
  }
}

/** `node packages/cli/bin/ecr-scan.js <args>`: the bin, for what needs a process (its exit, its streams). */
export const ecrScanBin = (
  args: ReadonlyArray<string>,
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}
): Promise<Finished> => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build first (npm run build)`)
  return slot(() =>
    run(process.execPath, [BIN, ...args], { timeoutMs: 30_000, ...options, env: options.env ?? cliEnv() })
  )
}

/** `aws <args>` (the executable behind a pyenv shim, which costs half a second less per process). */
export const awsCliRun = (
  args: ReadonlyArray<string>,
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}
): Promise<Finished> =>
  slot(() => run(unshimmed("aws"), args, { timeoutMs: 30_000, ...options, env: options.env ?? cliEnv() }))

// Runs argv[3:] on a pseudo-terminal argv[2] columns wide (output post-processing off, so that "\n" stays
// "\n"), copies what it wrote there (stdout and stderr both) to stdout, and exits with its status.
const PTY_SCRIPT = `
import fcntl, os, pty, select, signal, struct, sys, termios, time
columns, argv = int(sys.argv[1]), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    attrs = termios.tcgetattr(1)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(1, termios.TCSANOW, attrs)
    os.execvp(argv[0], argv)
out = b""
deadline = time.monotonic() + 25
while True:
    if time.monotonic() > deadline:
        os.kill(pid, signal.SIGKILL)
        break
    if select.select([fd], [], [], 1)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
`

/** Python's pty module, to run a command on a terminal (`onTerminal`). */
export const pseudoTerminal = (): Availability => {
  const probe = spawnSync(unshimmed(PYTHON), ["-c", "import pty, termios, fcntl"], {
    encoding: "utf8",
    timeout: 30_000
  })
  if (probe.error !== undefined) return { available: false, reason: `${PYTHON}: ${probe.error.message}` }
  if (probe.status !== 0) return { available: false, reason: `${PYTHON} has no pty module: ${probe.stderr.trim()}` }
  return { available: true, reason: "" }
}

/**
 * `<command> <args>` on a pseudo-terminal `columns` wide (Python's pty module), as a person at a terminal
 * runs it: what it wrote to the terminal, stdout and stderr together, byte for byte.
 */
export const onTerminal = (
  columns: number,
  command: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv
): Promise<Finished> =>
  slot(() => run(unshimmed(PYTHON), ["-c", PTY_SCRIPT, String(columns), command, ...args], { timeoutMs: 30_000, env }))

/** The lines of a stream, without the blank ones. */
export const linesOf = (text: string): Array<string> => text.split("\n").filter((line) => line.trim() !== "")

/** The JSON a successful command printed. */
export const json = (finished: Finished): any => {
  expect(finished.stderr).toBe("")
  expect(finished.code).toBe(0)
  return JSON.parse(finished.stdout)
}

/** Nothing that looks like a stack trace or an uncaught error. */
export const expectNoTrace = (text: string) => {
  expect(text).not.toMatch(/^\s+at /m)
  expect(text).not.toMatch(/\b\w*Error:/)
}

/** A body a client sent, by the operation of its `X-Amz-Target`. */
export interface Recorded {
  readonly operation: string
  readonly body: any
}

/** One test's emulator, behind its recording proxy. */
export interface World {
  readonly emulator: RunningEmulator
  /** The proxy's URL: give it to the clients as `--endpoint-url`. */
  readonly endpoint: string
  /** What the clients sent through the proxy, in order. */
  readonly requests: ReadonlyArray<Recorded>
  /** The emulator's request log (`POST StartImageScan 200 0.4ms`). */
  readonly log: RequestLog
  /** A bare wire call to the emulator itself (not recorded). */
  readonly wire: (operation: string, input: unknown) => Promise<any>
  /** A repository with the manifests in it, tagged `v1`, `v2`, ... (set up on the wire). */
  readonly given: (repositoryName: string, manifests: ReadonlyArray<string>) => Promise<void>
  /** `ecr-scan <args> --endpoint-url <proxy>`, in-process. */
  readonly ecrScan: (args: ReadonlyArray<string>, env?: Record<string, string>) => Promise<Finished>
  /** `aws ecr <args> --endpoint-url <proxy>`. */
  readonly aws: (args: ReadonlyArray<string>, env?: Record<string, string>) => Promise<Finished>
  /** The bodies sent for `operation`. */
  readonly sent: (operation: string) => ReadonlyArray<any>
}

/** A loopback proxy to `target` that records each request's operation and JSON body. */
const recordingProxy = async (target: string) => {
  const requests: Array<Recorded> = []
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      const operation = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? ""
      let parsed: unknown = body.toString("utf8")
      try {
        parsed = JSON.parse(body.toString("utf8"))
      } catch {
        // recorded as text
      }
      requests.push({ operation, body: parsed })
      const upstream = httpRequest(`${target}${req.url ?? "/"}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      })
      upstream.on("error", (error) => {
        res.writeHead(502)
        res.end(String(error))
      })
      upstream.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/**
 * Call inside a `describe`: returns a factory of worlds, all stopped after the suite, and a temporary
 * directory for files (removed after the suite).
 */
export const worlds = () => {
  const stops: Array<() => Promise<void>> = []
  let dir = ""
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ecr-scan-cli-tests-"))
  })
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()))
    if (dir !== "") await rm(dir, { recursive: true, force: true })
  })
  const world = async (): Promise<World> => {
    const log = requestLog()
    const emulator = await startEmulator({ log: log.push })
    stops.push(() => emulator.stop())
    const proxy = await recordingProxy(emulator.endpoint)
    stops.push(proxy.stop)
    const wire: World["wire"] = (operation, input) => ecrCall(emulator.endpoint, operation, input)
    return {
      emulator,
      endpoint: proxy.endpoint,
      requests: proxy.requests,
      log,
      wire,
      given: async (repositoryName, manifests) => {
        await wire("CreateRepository", { repositoryName })
        for (const [i, imageManifest] of manifests.entries()) {
          await wire("PutImage", { repositoryName, imageManifest, imageTag: `v${i + 1}` })
        }
      },
      ecrScan: (args, env) => ecrScan([...args, "--endpoint-url", proxy.endpoint], { env: cliEnv(env) }),
      aws: (args, env) => awsCliRun(["ecr", ...args, "--endpoint-url", proxy.endpoint], { env: cliEnv(env) }),
      sent: (operation) => proxy.requests.filter((r) => r.operation === operation).map((r) => r.body)
    }
  }
  /** Writes `content` to a file of the suite's directory and returns its path. */
  const file = async (name: string, content: string) => {
    const path = join(dir, name)
    await writeFile(path, content)
    return path
  }
  return { world, file }
}

/** An instant as the CLIs print it with ISO 8601 timestamps: `2026-01-02T01:23:00+00:00`. */
export const printedInstant = (epochMillis: number) => {
  const iso = new Date(epochMillis).toISOString()
  return iso.endsWith(".000Z") ? iso.replace(".000Z", "+00:00") : iso.replace(/\.(\d{3})Z$/, ".$1000+00:00")
}

/** A completed scan of `<repositoryName>:v1` reporting `findings` (set up on the wire); its digest. */
export const scannedWith = async (
  world: World,
  repositoryName: string,
  n: number,
  findings: ReadonlyArray<unknown>
) => {
  const manifest = imageManifest(n)
  await world.given(repositoryName, [manifest])
  await world.emulator.control("POST", "/findings", { repositoryName, imageDigest: digestOf(manifest), findings })
  await world.wire("StartImageScan", { repositoryName, imageId: { imageTag: "v1" } })
  await world.emulator.advance("1 minute")
  return digestOf(manifest)
}

/** `ecr-scan gate` on `<repositoryName>:v1`, then `rest`. */
export const gate = (repositoryName: string, ...rest: Array<string>) => [
  "gate",
  "--repository-name",
  repositoryName,
  "--image-id",
  "imageTag=v1",
  ...rest
]
