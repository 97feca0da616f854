/**
 * The child processes of the HTTP benchmark: started, watched and stopped by their own pid only,
 * every one of them also on failure (SIGTERM, then SIGKILL after a bound), and their CPU time read
 * from `/proc` while a run is measured.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process"
import { readFileSync } from "node:fs"
import * as net from "node:net"

/** A child this benchmark started. */
export interface Child {
  readonly name: string
  readonly process: ChildProcess
  readonly pid: number
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** The start of its stderr (bounded). */
  readonly stderr: () => string
  /** Resolves with the first match of `pattern` on its stdout, within `timeoutMs`. */
  readonly waitForLine: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray>
  /** The start of its stdout (bounded). */
  readonly stdout: () => string
  /** Lines of stdout so far (the emulator's request log is counted, not kept). */
  readonly lines: () => number
  /** Every `prefix` line seen on stdout (the load children's `START`, `END`, `RESULT`). */
  readonly onLine: (listener: (line: string) => void) => void
}

const live = new Set<Child>()
const KEEP = 64 * 1024

/** Starts a child; its stdout is read line by line, its stderr kept (bounded). */
export const start = (name: string, command: string, args: ReadonlyArray<string>, options: SpawnOptions = {}) => {
  const proc = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options })
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`)
  let stderr = ""
  let head = ""
  let partial = ""
  let lines = 0
  const listeners: Array<(line: string) => void> = []
  proc.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < KEEP) stderr += chunk.toString("utf8")
  })
  proc.stdout!.on("data", (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines += 1
    if (head.length < KEEP) head += chunk.toString("utf8")
    if (listeners.length === 0) return
    const text = partial + chunk.toString("utf8")
    const parts = text.split("\n")
    partial = parts.pop() ?? ""
    for (const line of parts) for (const listener of listeners) listener(line)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => {
      live.delete(child)
      resolve({ code, signal })
    })
  )
  const child: Child = {
    name,
    process: proc,
    pid: proc.pid,
    exited,
    stderr: () => stderr,
    stdout: () => head,
    lines: () => lines,
    onLine: (listener) => {
      listeners.push(listener)
    },
    waitForLine: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(head)
          if (match === null) return false
          clearInterval(poll)
          clearTimeout(timer)
          resolve(match)
          return true
        }
        const poll = setInterval(() => {
          if (check()) return
          if (proc.exitCode !== null || proc.signalCode !== null) {
            clearInterval(poll)
            clearTimeout(timer)
            reject(new Error(`${name} exited before printing ${pattern}: ${stderr.slice(0, 2000)}`))
          }
        }, 20)
        const timer = setTimeout(() => {
          clearInterval(poll)
          reject(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms: ${stderr.slice(0, 2000)}`))
        }, timeoutMs)
        check()
      })
  }
  live.add(child)
  return child
}

/** `promise`, or `"timeout"` after `ms`; the timer is cleared either way (no stray timer keeps the process up). */
const within = async <A>(promise: Promise<A>, ms: number): Promise<A | "timeout"> => {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<"timeout">((resolve) => timer = setTimeout(resolve, ms, "timeout"))
    ])
  } finally {
    clearTimeout(timer)
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Stops a child by its pid: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export const stop = async (child: Child, graceMs = 5_000) => {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited
  process.kill(child.pid, "SIGTERM")
  const outcome = await within(child.exited, graceMs)
  if (outcome !== "timeout") return outcome
  process.kill(child.pid, "SIGKILL")
  const killed = await within(child.exited, graceMs)
  return killed === "timeout" ? { code: null, signal: "SIGKILL" as const } : killed
}

/** Stops every child still running (on failure or interruption). */
export const stopAll = async () => {
  await Promise.all([...live].map((child) => stop(child, 2_000).catch(() => undefined)))
}

/** The last resort when the benchmark itself exits: SIGKILL to each child still running, by pid. */
export const killAllSync = () => {
  for (const child of live) {
    try {
      process.kill(child.pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

/** Runs a child to its end and returns its stdout; fails on a non-zero exit or after `timeoutMs`. */
export const run = async (
  name: string,
  command: string,
  args: ReadonlyArray<string>,
  timeoutMs: number,
  options: SpawnOptions = {}
): Promise<string> => {
  const child = start(name, command, args, options)
  const outcome = await within(child.exited, timeoutMs)
  if (outcome === "timeout") {
    await stop(child, 2_000)
    throw new Error(`${name} did not finish within ${timeoutMs} ms: ${child.stderr().slice(-2000)}`)
  }
  if (outcome.code !== 0) {
    throw new Error(`${name} failed (${outcome.code ?? outcome.signal}): ${child.stderr().slice(-2000)}`)
  }
  return child.stdout()
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address() as net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })

/** Resolves once `port` accepts a TCP connection (polling every 100 ms), fails after `timeoutMs` or if `child` exits. */
export const waitForPort = async (port: number, child: Child, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited: ${child.stderr().slice(-2000)}`)
    }
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port })
      socket.once("connect", () => {
        socket.destroy()
        resolve(true)
      })
      socket.once("error", () => resolve(false))
    })
    if (accepted) return
    await sleep(100)
  }
  throw new Error(`${child.name} did not accept connections on ${port} within ${timeoutMs} ms`)
}

const TICK_MS = 10 // USER_HZ = 100 on Linux

/** CPU time (user + system) of a process so far, in ms; NaN where `/proc` cannot say. */
export const cpuMillis = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return NaN
  }
}

/** Busy CPU time of the whole machine so far, in ms (every core); NaN where `/proc` cannot say. */
export const machineBusyMillis = (): number => {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number)
    const idle = fields[3] + fields[4]
    return (fields.reduce((a, b) => a + b, 0) - idle) * TICK_MS
  } catch {
    return NaN
  }
}

/**
 * Runs a benchmark's `main`, stopping every process it started however it ends: normally, by an error (exit 1),
 * or by SIGINT/SIGTERM (exit 130).
 */
export const runMain = (main: () => Promise<void>, log: (text: string) => void) => {
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the processes this benchmark started`)
    void stopAll().finally(() => process.exit(130))
  }
  process.once("SIGINT", interrupted)
  process.once("SIGTERM", interrupted)
  process.once("exit", killAllSync)
  main().then(
    async () => {
      await stopAll()
      process.exit(0)
    },
    async (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
      await stopAll()
      process.exit(1)
    }
  )
}
