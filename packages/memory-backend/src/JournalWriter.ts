/**
 * The journal's group commit. Records are queued as the registry's steps report their changes; the records
 * queued during one turn of the event loop (and those queued while the previous write was on its way) are
 * encoded and appended with one write and one fsync, and only then are the callers waiting for them
 * released. A caller is never answered before its record is on disk. A write that fails fails its callers and
 * every later one until the journal is opened again: after a failed fsync the file's contents are unknown.
 *
 * Work that must not interleave with appends (starting a new journal after a compaction) runs between two
 * commits (`rotate`). The file is only ever replaced whole (temporary file, fsync, rename, directory fsync).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as FsPromises from "node:fs/promises"
import * as Path from "node:path"
import type * as Journal from "./Journal.js"
import * as StateFiles from "./StateFiles.js"

const { StateFileError } = StateFiles

/** The group commit of one journal. */
export interface JournalWriter {
  /** Queues a record (numbered one more than the previous); it is written at the next commit. */
  readonly append: (record: Journal.JournalRecord) => void
  /** Succeeds once the record numbered `seq` (and every record before it) is on disk. */
  readonly whenDurable: (seq: number) => Effect.Effect<void, StateFiles.StateFileError>
  /** The size of the records in the journal file (its magic not counted). */
  readonly bytes: () => number
  /** Keeps a copy of the frames written from now on, for the next `rotate`. */
  readonly retain: () => void
  /**
   * Between two commits, replaces the journal with a new one holding only the retained records numbered
   * after `covered` (the records a new snapshot covers are left behind). Rejects if it could not, leaving the
   * journal as it was, unless the new one was already in place (then every later write fails).
   */
  readonly rotate: (covered: number) => Promise<void>
  /** Waits until every queued record has been written (or has failed) and nothing runs. */
  readonly drain: Effect.Effect<void>
  /** Waits for the queued records to be written, then closes the file; later records are dropped. */
  readonly close: Effect.Effect<void>
}

/** What a journal writer needs. */
export interface JournalWriterOptions {
  readonly file: string
  /** The number of the last record that is on disk (or that the snapshot covers). */
  readonly seq: number
  /** Where a failed write is reported. */
  readonly log: (line: string) => void
  /** Called after every commit that wrote something (where a compaction may start). */
  readonly onCommitted: () => void
}

interface Written {
  readonly seq: number
  readonly frame: Buffer
}

interface Waiter {
  readonly seq: number
  readonly resume: (error: StateFiles.StateFileError | undefined) => void
}

const writeAll = async (handle: FsPromises.FileHandle, bytes: Buffer) => {
  let done = 0
  while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, null)).bytesWritten
}

/**
 * Writes a journal holding `frames` to a temporary file, fsyncs it and renames it over `file` (after a crash
 * the journal is the old one or the new one, whole). Returns the new file, open for appending, and its size;
 * rejects, leaving `file` as it was, if it is not in place. The directory is the caller's to fsync.
 */
const writeJournal = async (file: string, frames: ReadonlyArray<Buffer>) => {
  const temporary = `${file}.tmp`
  const bytes = Buffer.concat([StateFiles.header("journal"), ...frames])
  const handle = await FsPromises.open(temporary, "w")
  try {
    await writeAll(handle, bytes)
    await handle.sync()
    await FsPromises.rename(temporary, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await FsPromises.rm(temporary, { force: true }).catch(() => undefined)
    throw error
  }
  return { handle, bytes: bytes.length }
}

/** Starts a new, empty journal after record `options.seq` and returns its group commit. */
export const open = async (options: JournalWriterOptions): Promise<JournalWriter> => {
  const { file, log } = options
  const directory = Path.dirname(file)
  const started = await writeJournal(file, [])
  try {
    await StateFiles.fsyncDirectoryAsync(directory)
  } catch (error) {
    await started.handle.close().catch(() => undefined)
    throw error
  }
  let handle = started.handle
  let size = 0
  let durable = options.seq
  let queued: Array<Journal.JournalRecord> = []
  let waiters: Array<Waiter> = []
  let retained: Array<Written> | undefined
  let broken: StateFiles.StateFileError | undefined
  let closed = false
  let scheduled = false
  let running = false
  const exclusive: Array<() => Promise<void>> = []
  let idle: Array<() => void> = []

  const settle = () => {
    const ready = waiters.filter((w) => w.seq <= durable || broken !== undefined)
    if (ready.length === 0) return
    waiters = waiters.filter((w) => w.seq > durable && broken === undefined)
    for (const waiter of ready) waiter.resume(waiter.seq <= durable ? undefined : broken)
  }

  const fail = (cause: unknown) => {
    broken = StateFiles.fromErrno(file, cause)
    log(`${broken.message}: the registry can no longer save its state; every write fails until it is reopened`)
  }

  const commit = async () => {
    const records = queued
    queued = []
    if (broken !== undefined) return
    let frames: Array<Buffer>
    let bytes: Buffer
    try {
      frames = records.map((record) => StateFiles.encodeFrame(record))
      bytes = frames.length === 1 ? frames[0] : Buffer.concat(frames)
      await writeAll(handle, bytes)
      await handle.sync()
    } catch (cause) {
      return fail(cause)
    }
    size += bytes.length
    durable = records[records.length - 1].seq
    if (retained !== undefined) records.forEach((record, i) => retained!.push({ seq: record.seq, frame: frames[i] }))
  }

  const run = async () => {
    scheduled = false
    running = true
    while (exclusive.length > 0 || queued.length > 0) {
      const task = exclusive.shift()
      if (task !== undefined) {
        await task()
        continue
      }
      await commit()
      settle()
      if (broken === undefined) {
        try {
          options.onCommitted()
        } catch (error) {
          log(`after a commit: ${String(error)}`)
        }
      }
    }
    running = false
    settle()
    const callbacks = idle
    idle = []
    for (const callback of callbacks) callback()
  }

  // Deferred to the end of the event loop's turn, so that the records of every request of the turn share it.
  const kick = () => {
    if (scheduled || running) return
    scheduled = true
    setImmediate(run)
  }

  /** Replaces the journal with one holding the retained frames after `covered`; runs between two commits. */
  const replace = async (covered: number) => {
    if (broken !== undefined) throw broken
    const frames = (retained ?? []).filter((w) => w.seq > covered).map((w) => w.frame)
    retained = undefined
    const next = await writeJournal(file, frames)
    const previous = handle
    handle = next.handle
    size = next.bytes - StateFiles.MAGIC_BYTES
    await previous.close().catch(() => undefined)
    try {
      await StateFiles.fsyncDirectoryAsync(directory)
    } catch (error) {
      // The new journal is in place but its name may not survive a crash: nothing more can be acknowledged.
      fail(error)
      throw error
    }
  }

  const drain = Effect.async<void>((resume) => {
    if (!running && !scheduled && queued.length === 0 && exclusive.length === 0) resume(Effect.void)
    else idle.push(() => resume(Effect.void))
  })

  return {
    append: (record) => {
      if (closed) return
      queued.push(record)
      kick()
    },
    whenDurable: (seq) =>
      Effect.async<void, StateFiles.StateFileError>((resume) => {
        if (seq <= durable) return resume(Effect.void)
        if (broken !== undefined) return resume(Effect.fail(broken))
        if (closed) return resume(Effect.fail(new StateFileError({ file, reason: "the journal is closed" })))
        waiters.push({ seq, resume: (error) => resume(error === undefined ? Effect.void : Effect.fail(error)) })
      }),
    bytes: () => size,
    retain: () => {
      retained = []
    },
    rotate: (covered) =>
      new Promise<void>((resolve, reject) => {
        exclusive.push(() => replace(covered).then(resolve, reject))
        kick()
      }),
    drain,
    close: Effect.zipRight(
      drain,
      Effect.promise(() => {
        closed = true
        return handle.close().catch(() => undefined)
      })
    )
  }
}
