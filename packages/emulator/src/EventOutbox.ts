/**
 * The events not yet delivered to every target, on disk (`<stateDir>/events/outbox`), so that a restart on
 * the same `--state-dir` delivers what a crash interrupted. The file is the project's framed format
 * (`StateFiles`: CRC-checked frames after an 8-byte magic, here `ECRSOBX1`) and append-only: an event's record
 * is on disk (fsync) before its first delivery attempt; a mark saying a target is done with it (delivered or
 * given up) follows, without waiting. A mark lost in a crash only means one more delivery: at-least-once.
 *
 * The file is rewritten with only what is still owed (and each account's last sequence number) when it is
 * opened, and again whenever every event has been delivered, or it has grown large.
 *
 * @since 0.1.0
 */
import { StateFiles } from "@ecr-scan/memory-backend"
import * as Effect from "effect/Effect"
import * as FsPromises from "node:fs/promises"
import * as Path from "node:path"

/** The outbox file's magic (kind and version). */
export const MAGIC = "ECRSOBX1"

/** An event owed to some targets. */
export interface OwedEvent {
  /** The event log's name: the account id in the default region, else `<account>/<region>` (`Regions.keyOf`). */
  readonly account: string
  /** Its number in the account's event log. */
  readonly seq: number
  /** When it entered the outbox, on the registry's clock (its age counts from here). */
  readonly at: number
  /** The targets (as given) still owed it. */
  readonly targets: ReadonlyArray<string>
  /** The event's JSON. */
  readonly json: string
}

type OutboxRecord =
  | {
    readonly k: "event"
    readonly account: string
    readonly seq: number
    readonly at: number
    readonly targets: ReadonlyArray<string>
    readonly json: string
  }
  | { readonly k: "done"; readonly account: string; readonly seq: number; readonly target: string }
  | { readonly k: "seq"; readonly account: string; readonly seq: number }

/** An open outbox. */
export interface Outbox {
  /** What the file owed when it was opened, oldest first per account. */
  readonly recovered: ReadonlyArray<OwedEvent>
  /** The last sequence number of each account the file knows of (a restart continues from it). */
  readonly lastSeq: ReadonlyMap<string, number>
  /** Writes the events' records; succeeds once they are on disk. */
  readonly add: (events: ReadonlyArray<OwedEvent>) => Effect.Effect<void, StateFiles.StateFileError>
  /** Notes an account's last sequence number, for a restart to continue from (written soon). */
  readonly noteSeq: (account: string, seq: number) => void
  /** Notes that `target` is done with an event (written soon, not waited for). */
  readonly done: (account: string, seq: number, target: string) => void
  /** Writes what is queued and closes the file. */
  readonly close: Effect.Effect<void>
}

/** The file is compacted when it grows past this many bytes, whatever is still owed. */
export const COMPACT_BYTES = 64 * 1024 * 1024

const key = (account: string, seq: number) => `${account}\u0000${seq}`

const frame = (record: OutboxRecord) => StateFiles.encodeFrame(record)

const isRecord = (u: unknown): u is OutboxRecord => {
  if (typeof u !== "object" || u === null) return false
  const r = u as Record<string, unknown>
  if (typeof r.account !== "string" || typeof r.seq !== "number") return false
  if (r.k === "event") {
    return typeof r.at === "number" && typeof r.json === "string" && Array.isArray(r.targets) &&
      r.targets.every((t) => typeof t === "string")
  }
  return r.k === "seq" || (r.k === "done" && typeof r.target === "string")
}

/** Reads the file: what is owed and the last numbers, or why it cannot be read. */
const recover = (file: string) => {
  const bytes = StateFiles.readIfExists(file)
  const owed = new Map<string, { event: OwedEvent; targets: Set<string>; written: boolean }>()
  const lastSeq = new Map<string, number>()
  if (bytes === undefined || bytes.length === 0) return { owed, lastSeq }
  const length = Math.min(bytes.length, MAGIC.length)
  if (!bytes.subarray(0, length).equals(Buffer.from(MAGIC, "latin1").subarray(0, length))) {
    throw new StateFiles.StateFileError({ file, offset: 0, reason: "not an ecr-scan event outbox" })
  }
  // The frames are the project's: read with its reader (which checks a journal's magic, put in place of ours).
  const contents = StateFiles.parse(
    file,
    "journal",
    bytes.length < 8 ? bytes : Buffer.concat([StateFiles.header("journal"), bytes.subarray(8)])
  )
  if (contents instanceof StateFiles.StateFileError) throw contents
  for (const { offset, value } of contents.frames) {
    if (!isRecord(value)) throw new StateFiles.StateFileError({ file, offset, reason: "not an outbox record" })
    lastSeq.set(value.account, Math.max(lastSeq.get(value.account) ?? 0, value.seq))
    if (value.k === "event") {
      const { account, at, json, seq, targets } = value
      owed.set(key(account, seq), {
        event: { account, seq, at, targets, json },
        targets: new Set(targets),
        written: true
      })
    } else if (value.k === "done") {
      const entry = owed.get(key(value.account, value.seq))
      entry?.targets.delete(value.target)
      if (entry !== undefined && entry.targets.size === 0) owed.delete(key(value.account, value.seq))
    }
  }
  return { owed, lastSeq }
}

/**
 * Opens (or creates) the outbox in `<stateDir>/events/`, compacting it. Fails if the file is corrupt or
 * cannot be written; `log` hears of later write failures (the events are then delivered from memory only).
 */
export const open = (
  stateDir: string,
  log: (line: string) => void
): Effect.Effect<Outbox, StateFiles.StateFileError> =>
  Effect.tryPromise({
    try: () => openAsync(Path.join(stateDir, "events"), log),
    catch: (error) =>
      error instanceof StateFiles.StateFileError ? error : StateFiles.fromErrno(Path.join(stateDir, "events"), error)
  })

const openAsync = async (directory: string, log: (line: string) => void): Promise<Outbox> => {
  StateFiles.ensureDirectorySync(directory)
  const file = Path.join(directory, "outbox")
  const { lastSeq, owed } = recover(file)
  const recovered = [...owed.values()].map(({ event, targets }) => ({ ...event, targets: [...targets] }))
    .sort((a, b) => a.account < b.account ? -1 : a.account > b.account ? 1 : a.seq - b.seq)

  let handle: FsPromises.FileHandle | undefined
  let bytes = 0
  let compactedBytes = 0
  let failed: StateFiles.StateFileError | undefined
  let queue: Array<Buffer> = []
  // The events whose records are in `queue`: a compaction writes only those already on disk.
  let queuedKeys: Array<string> = []
  let waiters: Array<(error: StateFiles.StateFileError | undefined) => void> = []
  let running: Promise<void> | undefined
  let closed = false

  /** Replaces the file with one holding the last numbers and what is still owed. */
  const compact = async () => {
    const frames: Array<Buffer> = [Buffer.from(MAGIC, "latin1")]
    for (const [account, seq] of lastSeq) frames.push(frame({ k: "seq", account, seq }))
    for (const { event, targets, written } of owed.values()) {
      if (written) frames.push(frame({ k: "event", ...event, targets: [...targets] }))
    }
    const content = Buffer.concat(frames)
    const temporary = `${file}.tmp`
    await FsPromises.writeFile(temporary, content)
    const tmp = await FsPromises.open(temporary, "r+")
    try {
      await tmp.sync()
    } finally {
      await tmp.close()
    }
    await handle?.close()
    handle = undefined
    await FsPromises.rename(temporary, file)
    await StateFiles.fsyncDirectoryAsync(directory)
    handle = await FsPromises.open(file, "a")
    bytes = content.length
    compactedBytes = bytes
  }

  const drain = async () => {
    while (queue.length > 0 && failed === undefined) {
      const batch = Buffer.concat(queue)
      const released = waiters
      const keys = queuedKeys
      queue = []
      waiters = []
      queuedKeys = []
      try {
        await handle!.write(batch)
        await handle!.datasync()
        bytes += batch.length
        for (const k of keys) {
          const entry = owed.get(k)
          if (entry !== undefined) entry.written = true
        }
        for (const release of released) release(undefined)
      } catch (error) {
        failed = StateFiles.fromErrno(file, error)
        log(`ecr-scan emulator: the event outbox cannot be written (${failed.message}); events are kept in memory only`)
        for (const release of released) release(failed)
      }
      if (failed === undefined && (owed.size === 0 ? bytes > compactedBytes : bytes > COMPACT_BYTES)) {
        try {
          await compact()
        } catch (error) {
          failed = StateFiles.fromErrno(file, error)
          log(`ecr-scan emulator: the event outbox cannot be compacted (${failed.message})`)
        }
      }
    }
    for (const release of waiters.splice(0)) release(failed)
    queue = []
    queuedKeys = []
  }

  const schedule = () => {
    if (running !== undefined || closed) return
    running = drain().finally(() => {
      running = undefined
      if (queue.length > 0 && failed === undefined) schedule()
    })
  }

  await compact()

  return {
    recovered,
    lastSeq,
    add: (events) =>
      Effect.async<void, StateFiles.StateFileError>((resume) => {
        if (events.length === 0) return resume(Effect.void)
        for (const event of events) {
          owed.set(key(event.account, event.seq), { event, targets: new Set(event.targets), written: false })
          lastSeq.set(event.account, Math.max(lastSeq.get(event.account) ?? 0, event.seq))
        }
        if (failed !== undefined || closed) {
          return resume(Effect.fail(failed ?? new StateFiles.StateFileError({ file, reason: "the outbox is closed" })))
        }
        for (const event of events) {
          queue.push(frame({ k: "event", ...event }))
          queuedKeys.push(key(event.account, event.seq))
        }
        waiters.push((error) => resume(error === undefined ? Effect.void : Effect.fail(error)))
        schedule()
      }),
    noteSeq: (account, seq) => {
      if (seq <= (lastSeq.get(account) ?? 0)) return
      lastSeq.set(account, seq)
      if (failed !== undefined || closed) return
      queue.push(frame({ k: "seq", account, seq }))
      schedule()
    },
    done: (account, seq, target) => {
      const entry = owed.get(key(account, seq))
      if (entry === undefined || !entry.targets.delete(target)) return
      if (entry.targets.size === 0) owed.delete(key(account, seq))
      if (failed !== undefined || closed) return
      queue.push(frame({ k: "done", account, seq, target }))
      schedule()
    },
    close: Effect.promise(async () => {
      if (closed) return
      closed = true
      while (running !== undefined) await running
      if (queue.length > 0 && failed === undefined) await drain().catch(() => undefined)
      await handle?.close().catch(() => undefined)
      handle = undefined
    })
  }
}
