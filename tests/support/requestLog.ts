/**
 * The emulator's request log, watched: every line with the instant it arrived, and a promise for the
 * next line that matches, so a test can wait for a real client's request without polling or sleeping.
 *
 * ```ts
 * const requests = requestLog()
 * const emulator = await startEmulator({ log: requests.push })
 * await requests.next((line) => line.startsWith("POST DescribeImageScanFindings 200"))
 * ```
 */

/** A logged line and when it arrived (`performance.now()`). */
export interface Entry {
  readonly line: string
  readonly at: number
}

/** A watched request log. */
export interface RequestLog {
  readonly entries: ReadonlyArray<Entry>
  /** Give this to the emulator as its `log` option. */
  readonly push: (line: string) => void
  /** The lines that match, in order. */
  readonly matching: (predicate: (line: string) => boolean) => ReadonlyArray<Entry>
  /**
   * The first matching line at index `from` or later (default: the next line to arrive); rejects after
   * `timeoutMs` (default 20 s).
   */
  readonly next: (
    predicate: (line: string) => boolean,
    options?: { readonly from?: number; readonly timeoutMs?: number }
  ) => Promise<Entry>
}

interface Waiter {
  readonly predicate: (line: string) => boolean
  readonly from: number
  readonly resolve: (entry: Entry) => void
}

/** A new, empty log. */
export const requestLog = (): RequestLog => {
  const entries: Array<Entry> = []
  let waiters: Array<Waiter> = []
  const push = (line: string) => {
    const entry = { line, at: performance.now() }
    entries.push(entry)
    const index = entries.length - 1
    const ready = waiters.filter((w) => index >= w.from && w.predicate(line))
    if (ready.length === 0) return
    waiters = waiters.filter((w) => !ready.includes(w))
    for (const w of ready) w.resolve(entry)
  }
  const next: RequestLog["next"] = (predicate, options = {}) => {
    const from = options.from ?? entries.length
    const found = entries.slice(from).find((e) => predicate(e.line))
    if (found !== undefined) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter)
        reject(new Error(`no matching request within ${options.timeoutMs ?? 20_000} ms`))
      }, options.timeoutMs ?? 20_000)
      const waiter: Waiter = {
        predicate,
        from,
        resolve: (entry) => {
          clearTimeout(timer)
          resolve(entry)
        }
      }
      waiters.push(waiter)
    })
  }
  return {
    entries,
    push,
    matching: (predicate) => entries.filter((e) => predicate(e.line)),
    next
  }
}
