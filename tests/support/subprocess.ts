/**
 * Runs a real client as a subprocess: an array of arguments (no shell), an optional stdin, a bounded
 * time. Resolves with the exit code, the signal, both streams and how long it took; never rejects for
 * a non-zero exit (tests assert on it), only when the command cannot be started.
 */
import { spawn } from "node:child_process"

/** How a subprocess ended. */
export interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Wall-clock milliseconds from spawn to exit. */
  readonly ms: number
  /** Whether it was killed for running past its time. */
  readonly timedOut: boolean
}

/** Options of `run`. */
export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly input?: string
  readonly cwd?: string
  /** Killed (SIGKILL) after this many milliseconds (default 30 s). */
  readonly timeoutMs?: number
}

/** Runs `command` with `args` and collects what it printed. */
export const run = (command: string, args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Finished> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      shell: false
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, options.timeoutMs ?? 30_000)
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        ms: performance.now() - started,
        timedOut
      })
    })
    child.stdin.on("error", () => {
      // a client that exits without reading its stdin is not an error of ours
    })
    child.stdin.end(options.input ?? "")
  })

/**
 * At most `n` of the wrapped tasks at a time, the rest queued in order: real clients are CPU-bound
 * while they start (about a second each), so running more of them than there are cores only makes
 * every one of them slower.
 */
export const limiter = (n: number) => {
  let running = 0
  const queue: Array<() => void> = []
  const release = () => {
    running -= 1
    queue.shift()?.()
  }
  return <A>(task: () => Promise<A>): Promise<A> =>
    new Promise<void>((resolve) => {
      if (running < n) {
        running += 1
        resolve()
      } else {
        queue.push(() => {
          running += 1
          resolve()
        })
      }
    }).then(() => task().finally(release))
}
