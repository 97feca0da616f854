/**
 * moto's ECR server as a child process on a free loopback port: `python3 -m moto.server -p PORT -H
 * 127.0.0.1`. Started once per test file (moto keeps its state for its whole life, so tests use their own
 * repositories), stopped by its pid. Every wait is bounded: the start fails with moto's own output if
 * the server has not said it is listening, and accepted a connection, within the time allowed.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Net from "node:net"
import { PYTHON } from "./tools.js"

/** A running moto server. */
export interface RunningMoto {
  readonly endpoint: string
  readonly port: number
  readonly pid: number
  /** The last lines moto printed (its request log included), for failure messages. */
  readonly output: () => string
  /** Stops the server (SIGTERM, then SIGKILL), by pid; resolves once it has exited. */
  readonly stop: () => Promise<void>
}

/** Options of `startMotoServer`. */
export interface MotoServerOptions {
  /** How long moto may take to listen (default 30 s; importing moto takes about a second). */
  readonly startTimeoutMs?: number
  /** The Python to run (default: the machine's, see `tools.ts`). */
  readonly python?: string
}

const KEPT_LINES = 50

/** A port nobody listens on right now (the kernel's pick for an ephemeral listener on loopback). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject(address))
    })
  })

/** Resolves when a TCP connection to `port` on loopback succeeds; rejects when it is refused. */
const connectOnce = (port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve()
    })
    socket.once("error", (error) => {
      socket.destroy()
      reject(error)
    })
  })

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** Resolves when `child` has exited, or after `ms` (answering whether it exited). */
const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  exited(child) ? Promise.resolve(true) : new Promise((resolve) => {
    const timer = setTimeout(() => resolve(exited(child)), ms)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve(true)
    })
  })

const killByPid = async (child: ChildProcess, pid: number) => {
  if (exited(child)) return
  try {
    process.kill(pid, "SIGTERM")
  } catch {
    return // already gone
  }
  if (await waitForExit(child, 5_000)) return
  try {
    process.kill(pid, "SIGKILL")
  } catch {
    return
  }
  await waitForExit(child, 5_000)
}

const startOnce = (port: number, options: MotoServerOptions): Promise<RunningMoto> =>
  new Promise((resolve, reject) => {
    const child = spawn(options.python ?? PYTHON, ["-m", "moto.server", "-p", String(port), "-H", "127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
      shell: false
    })
    const pid = child.pid
    const lines: Array<string> = []
    const output = () => lines.join("\n")
    const ready = `Running on http://127.0.0.1:${port}`
    let settled = false
    // A safety net for a test process that ends without running its afterAll: moto must not outlive it.
    const onProcessExit = () => {
      if (pid !== undefined && !exited(child)) {
        try {
          process.kill(pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
    }
    process.once("exit", onProcessExit)
    const running: RunningMoto = {
      endpoint: `http://127.0.0.1:${port}`,
      port,
      pid: pid ?? -1,
      output,
      stop: async () => {
        process.removeListener("exit", onProcessExit)
        if (pid !== undefined) await killByPid(child, pid)
      }
    }
    const fail = (why: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void running.stop().then(() => reject(new Error(`moto server on port ${port}: ${why}\n${output()}`)))
    }
    const timer = setTimeout(
      () => fail(`not listening after ${options.startTimeoutMs ?? 30_000} ms`),
      options.startTimeoutMs ?? 30_000
    )
    // moto logs every request: keep reading both streams (a full pipe would block it), keep the tail.
    const partial = { stdout: "", stderr: "" }
    const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = partial[stream] + chunk.toString("utf8")
      const complete = text.split("\n")
      partial[stream] = complete.pop() ?? ""
      for (const line of complete) {
        if (line === "") continue
        lines.push(line)
        if (lines.length > KEPT_LINES) lines.shift()
        if (!settled && line.includes(ready)) {
          connectOnce(port).then(
            () => {
              if (settled) return
              settled = true
              clearTimeout(timer)
              resolve(running)
            },
            (error: Error) => fail(`said it listens but refused a connection: ${error.message}`)
          )
        }
      }
    }
    child.stdout!.on("data", onData("stdout"))
    child.stderr!.on("data", onData("stderr"))
    child.once("error", (error) => fail(`could not be started: ${error.message}`))
    child.once("exit", (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`))
  })

/**
 * Starts moto's server on a free loopback port. The port is free when picked but could be taken before
 * moto binds it; then moto exits and another port is tried (three attempts in all).
 */
export const startMotoServer = async (options: MotoServerOptions = {}): Promise<RunningMoto> => {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort(), options)
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}
