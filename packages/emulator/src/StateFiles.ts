/**
 * The on-disk format of durable state: files that start with an 8-byte magic (kind and version) and
 * hold framed records, each `length (u32 LE) | CRC-32 of the payload (u32 LE) | payload (UTF-8 JSON)`.
 * A journal holds any number of frames, appended one per group commit; a snapshot or clock file holds
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
import * as Path from "node:path"

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

const MAGIC_BYTES = 8
const HEADER_BYTES = 8
/** Larger frames are refused as corrupt rather than allocated. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE 802.3, as zlib computes it). */
export const crc32 = (bytes: Uint8Array): number => {
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** One frame around a JSON value. */
export const encodeFrame = (value: unknown): Buffer => {
  const payload = Buffer.from(JSON.stringify(value), "utf8")
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  frame.writeUInt32LE(payload.length, 0)
  frame.writeUInt32LE(crc32(payload), 4)
  payload.copy(frame, HEADER_BYTES)
  return frame
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

/**
 * Replaces `file` with a single-frame file of `kind` holding `value`, atomically: written to a
 * temporary file, fsynced, renamed over `file`, and the directory fsynced. After a crash the file is
 * the old one or the new one, whole. Throws on a file system error.
 */
export const writeAtomicSync = (file: string, kind: Kind, value: unknown) => {
  const temporary = `${file}.tmp`
  const fd = Fs.openSync(temporary, "w")
  try {
    const bytes = Buffer.concat([header(kind), encodeFrame(value)])
    let written = 0
    while (written < bytes.length) written += Fs.writeSync(fd, bytes, written, bytes.length - written)
    Fs.fsyncSync(fd)
  } finally {
    Fs.closeSync(fd)
  }
  Fs.renameSync(temporary, file)
  fsyncDirectory(Path.dirname(file))
}
