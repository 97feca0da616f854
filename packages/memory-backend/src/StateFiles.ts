/**
 * The on-disk format of durable state: files that start with an 8-byte magic (kind and version) and
 * hold framed records, each `length (u32 LE) | CRC-32 of the payload (u32 LE) | payload (UTF-8 JSON)`.
 * A journal holds any number of frames, appended at each group commit; a snapshot or clock file holds
 * exactly one and is replaced atomically (temporary file, fsync, rename, fsync of the directory).
 *
 * Reading tells a torn tail from corruption. Replies wait for the fsync of the frame holding their
 * write, so only the frame being appended when the process died can be incomplete: a last frame that
 * runs past the end of the file, a partial header, or a last frame holding zeros (blocks allocated but
 * never written) is a torn tail, never acknowledged, and may be cut off. Anything else that does not
 * verify (a bad checksum with more after it, or in a whole last frame) is corruption, reported with the
 * file and the offset.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Fs from "node:fs"
import * as FsPromises from "node:fs/promises"
import * as Path from "node:path"
import * as Zlib from "node:zlib"

/** Durable state that cannot be read or written: the server refuses to start, or the request fails. */
export class StateFileError extends Data.TaggedError("StateFileError")<{
  readonly file: string
  readonly offset?: number | undefined
  readonly reason: string
}> {
  override get message() {
    return `${this.file}${this.offset === undefined ? "" : ` at offset ${this.offset}`}: ${this.reason}`
  }
}

/** The file kinds, each with its magic (the last character is the format version). */
export const MAGIC = {
  journal: "ECRSJNL1",
  snapshot: "ECRSSNP1",
  clock: "ECRSCLK1"
} as const

/** A kind of state file. */
export type Kind = keyof typeof MAGIC

/** The magic's length: the first frame starts after it. */
export const MAGIC_BYTES = 8
/** A frame header's length (length and CRC-32, both u32 LE). */
export const HEADER_BYTES = 8
/** Larger frames are refused as corrupt rather than allocated. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024

/** CRC-32 (IEEE 802.3, zlib's polynomial); `value` continues the CRC of the bytes that came before. */
export const crc32 = (bytes: Uint8Array, value?: number): number => Zlib.crc32(bytes, value)

/** A frame's header: the payload's length and CRC-32. */
export const frameHeader = (length: number, crc: number): Buffer => {
  const header = Buffer.allocUnsafe(HEADER_BYTES)
  header.writeUInt32LE(length, 0)
  header.writeUInt32LE(crc, 4)
  return header
}

/** One frame around a JSON value. */
export const encodeFrame = (value: unknown): Buffer => {
  const payload = Buffer.from(JSON.stringify(value), "utf8")
  return Buffer.concat([frameHeader(payload.length, crc32(payload)), payload])
}

/** The magic a file of this kind starts with. */
export const header = (kind: Kind): Buffer => Buffer.from(MAGIC[kind], "latin1")

/** A frame read back: its offset in the file and its decoded JSON. */
export interface Frame {
  readonly offset: number
  readonly value: unknown
}

/** What a file holds. */
export interface Contents {
  readonly frames: ReadonlyArray<Frame>
  /** Where a torn tail starts (the file's valid prefix ends there), if it has one. */
  readonly tornAt: number | undefined
}

/**
 * Reads the frames of a file's bytes. Fails on corruption; a torn tail is reported in `tornAt`. A file
 * shorter than the magic that is a prefix of it (a crash while it was being created) is empty and torn;
 * an empty file is empty.
 */
export const parse = (file: string, kind: Kind, bytes: Buffer): Contents | StateFileError => {
  const magic = header(kind)
  // Created, never written: a crash between a journal's creation and its magic, or an empty file.
  if (bytes.length === 0) return { frames: [], tornAt: undefined }
  if (bytes.length < MAGIC_BYTES) {
    return magic.subarray(0, bytes.length).equals(bytes)
      ? { frames: [], tornAt: 0 }
      : new StateFileError({ file, offset: 0, reason: `not an ecr-scan ${kind} file` })
  }
  if (!bytes.subarray(0, MAGIC_BYTES).equals(magic)) {
    const found = bytes.subarray(0, MAGIC_BYTES).toString("latin1")
    return new StateFileError({
      file,
      offset: 0,
      reason: found.startsWith(MAGIC[kind].slice(0, 7))
        ? `format version ${found.slice(7)} of this ${kind} file is unknown to this emulator (it reads ${
          MAGIC[kind].slice(7)
        })`
        : `not an ecr-scan ${kind} file`
    })
  }
  const frames: Array<Frame> = []
  let offset = MAGIC_BYTES
  while (offset < bytes.length) {
    const remaining = bytes.length - offset
    if (remaining < HEADER_BYTES) return { frames, tornAt: offset }
    const length = bytes.readUInt32LE(offset)
    const expected = bytes.readUInt32LE(offset + 4)
    const end = offset + HEADER_BYTES + length
    if (end > bytes.length) {
      // Past the end: the frame being appended when the process died (its length may be garbage).
      return { frames, tornAt: offset }
    }
    const payload = bytes.subarray(offset + HEADER_BYTES, end)
    if (length === 0 || length > MAX_FRAME_BYTES || crc32(payload) !== expected) {
      // Blocks a crash left allocated but unwritten read as zeros, which JSON never contains: a last frame
      // with zeros in it (or a run of zeros to the end) was being appended. A whole last frame without any
      // is damage, like a bad frame with more after it.
      if (isZero(bytes.subarray(offset)) || (end === bytes.length && payload.includes(0))) {
        return { frames, tornAt: offset }
      }
      return new StateFileError({
        file,
        offset,
        reason: end === bytes.length
          ? `the last record (${frames.length + 1}) is complete but does not match its checksum: the file is corrupt`
          : `record ${frames.length + 1} does not match its checksum and is followed by ${
            bytes.length - end
          } more bytes: the file is corrupt`
      })
    }
    let value: unknown
    try {
      value = JSON.parse(payload.toString("utf8"))
    } catch {
      return new StateFileError({ file, offset, reason: `record ${frames.length + 1} is not JSON` })
    }
    frames.push({ offset, value })
    offset = end
  }
  return { frames, tornAt: undefined }
}

const isZero = (bytes: Buffer) => {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

/** Reads a whole file, or `undefined` if it does not exist. Throws other errors. */
export const readIfExists = (file: string): Buffer | undefined => {
  try {
    return Fs.readFileSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** Reads a single-frame file (snapshot, clock): `undefined` if absent; corruption or a torn frame fail. */
export const readSingle = (file: string, kind: Kind): { readonly value: unknown } | undefined | StateFileError => {
  let bytes: Buffer | undefined
  try {
    bytes = readIfExists(file)
  } catch (error) {
    return fromErrno(file, error)
  }
  if (bytes === undefined) return undefined
  const contents = parse(file, kind, bytes)
  if (contents instanceof StateFileError) return contents
  // Written whole and renamed into place: a torn or missing frame is damage, not a crash.
  if (contents.tornAt !== undefined) {
    return new StateFileError({ file, offset: contents.tornAt, reason: `the ${kind} is truncated or damaged` })
  }
  if (contents.frames.length !== 1) {
    return new StateFileError({ file, offset: MAGIC_BYTES, reason: `a ${kind} file holds one record` })
  }
  return { value: contents.frames[0].value }
}

/** A file system error as a state file error, with its code (ENOSPC, EACCES, ...). */
export const fromErrno = (file: string, error: unknown, offset?: number) =>
  new StateFileError({
    file,
    offset,
    reason: error instanceof Error
      ? error.message.replace(/, (open|write|fsync|rename|mkdir|read)\b.*$/, "")
      : String(error)
  })

/** Fsyncs a directory, so that a rename or a new file in it survives a crash. */
export const fsyncDirectory = (directory: string) => {
  const fd = Fs.openSync(directory, "r")
  try {
    Fs.fsyncSync(fd)
  } finally {
    Fs.closeSync(fd)
  }
}

/**
 * Creates a directory (and its parents) if missing, and fsyncs its parent so that the new entry survives a
 * crash. Throws on a file system error.
 */
export const ensureDirectorySync = (directory: string) => {
  if (Fs.existsSync(directory)) return
  Fs.mkdirSync(directory, { recursive: true })
  fsyncDirectory(Path.dirname(Path.resolve(directory)))
}

/** Fsyncs a directory without blocking the event loop. */
export const fsyncDirectoryAsync = async (directory: string) => {
  const handle = await FsPromises.open(directory, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** What `writeAtomic` writes as the frame's payload: JSON text, whole or in pieces that concatenate to it. */
export type Payload = string | Iterable<string> | AsyncIterable<string>

/** Pieces are gathered into writes of about this many characters (each one turn of the event loop). */
const CHUNK_CHARS = 1024 * 1024

/**
 * Replaces `file` with a single-frame file of `kind` whose payload is `payload`, atomically: written to a
 * temporary file, fsynced, renamed over `file`, and the directory fsynced. After a crash the file is the old
 * one or the new one, whole. Rejects on a file system error.
 *
 * It never holds the event loop for more than one chunk: the pieces are encoded about a megabyte at a time,
 * each write awaited, and the CRC runs over the chunks (`zlib.crc32` continues a CRC), so the frame's header,
 * which precedes the payload, is written last, in the place left for it.
 */
export const writeAtomic = async (file: string, kind: Kind, payload: Payload) => {
  const temporary = `${file}.tmp`
  const handle = await FsPromises.open(temporary, "w")
  let renamed = false
  try {
    let position = 0
    const write = async (bytes: Buffer) => {
      let done = 0
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done)
        done += bytesWritten
      }
      position += bytes.length
    }
    await write(Buffer.concat([header(kind), Buffer.alloc(HEADER_BYTES)]))
    let length = 0
    let crc = 0
    let pending: Array<string> = []
    let pendingChars = 0
    const flush = async () => {
      const bytes = Buffer.from(pending.join(""), "utf8")
      pending = []
      pendingChars = 0
      length += bytes.length
      if (length > MAX_FRAME_BYTES) throw new Error(`the ${kind} is larger than ${MAX_FRAME_BYTES} bytes`)
      crc = crc32(bytes, crc)
      await write(bytes)
    }
    for await (const piece of typeof payload === "string" ? [payload] : payload) {
      pending.push(piece)
      pendingChars += piece.length
      if (pendingChars >= CHUNK_CHARS) await flush()
    }
    if (pendingChars > 0) await flush()
    await handle.write(frameHeader(length, crc), 0, HEADER_BYTES, MAGIC_BYTES)
    await handle.sync()
    await handle.close()
    await FsPromises.rename(temporary, file)
    renamed = true
    await fsyncDirectoryAsync(Path.dirname(file))
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined)
      await FsPromises.rm(temporary, { force: true }).catch(() => undefined)
    }
  }
}
