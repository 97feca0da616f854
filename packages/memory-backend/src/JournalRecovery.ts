/**
 * Recovery of a durable registry's directory: the snapshot, then every journal record after it, read and
 * checked without writing anything. A torn last record (the process died while appending it: it was never
 * acknowledged) is reported for the caller to cut off; any other damage, an unknown format version, a gap in
 * the record numbers, a record or snapshot that does not decode, or another account's state is a
 * `StateFileError` naming the file and the offset.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Path from "node:path"
import * as Journal from "./Journal.js"
import type * as Snapshot from "./Snapshot.js"
import * as StateFiles from "./StateFiles.js"

const { StateFileError } = StateFiles

/** The journal's and the snapshot's file names in a registry's directory. */
export const FILES = { journal: "journal", snapshot: "snapshot" } as const

/** What recovery rebuilt from a directory. */
export interface Recovered {
  readonly snapshot: Snapshot.RegistrySnapshot
  readonly random: Journal.RandomValue | undefined
  /** The number of the last record applied (or of the last one the snapshot covers). */
  readonly seq: number
  /** How many journal records were applied. */
  readonly records: number
  /** Where a torn last record starts, and its size in bytes, if the journal ends with one. */
  readonly torn: { readonly offset: number; readonly bytes: number } | undefined
}

const decodeError = (file: string, offset: number | undefined, what: string, error: ParseResult.ParseError) =>
  new StateFileError({
    file,
    offset,
    reason: `${what} does not decode: ${
      ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 6).join(" ")
    }`
  })

/**
 * Reads a registry's directory (nothing is written): the snapshot, then every journal record after it.
 * A missing directory or files is an empty registry.
 */
export const recover = (
  directory: string,
  registryId: string,
  region: string
): Either.Either<Recovered, StateFiles.StateFileError> => {
  const snapshotFile = Path.join(directory, FILES.snapshot)
  const journalFile = Path.join(directory, FILES.journal)
  const stored = StateFiles.readSingle(snapshotFile, "snapshot")
  if (stored instanceof StateFileError) return Either.left(stored)
  let model: Journal.Model
  let seq = 0
  if (stored === undefined) {
    model = Journal.modelOf(Journal.emptySnapshot(registryId, region), undefined)
  } else {
    const decoded = Schema.decodeUnknownEither(Journal.SnapshotRecord)(stored.value)
    if (Either.isLeft(decoded)) {
      return Either.left(decodeError(snapshotFile, StateFiles.MAGIC_BYTES, "the snapshot", decoded.left))
    }
    model = Journal.modelOf(decoded.right.registry, decoded.right.random)
    seq = decoded.right.seq
  }
  let bytes: Buffer | undefined
  try {
    bytes = StateFiles.readIfExists(journalFile)
  } catch (error) {
    return Either.left(StateFiles.fromErrno(journalFile, error))
  }
  let records = 0
  let torn: Recovered["torn"] = undefined
  if (bytes !== undefined) {
    const contents = StateFiles.parse(journalFile, "journal", bytes)
    if (contents instanceof StateFileError) return Either.left(contents)
    if (contents.tornAt !== undefined) torn = { offset: contents.tornAt, bytes: bytes.length - contents.tornAt }
    for (const frame of contents.frames) {
      const decoded = Schema.decodeUnknownEither(Journal.JournalRecord)(frame.value)
      if (Either.isLeft(decoded)) {
        return Either.left(decodeError(journalFile, frame.offset, `record ${records + 1}`, decoded.left))
      }
      const record = decoded.right
      // Records the snapshot already covers: a crash came between a compaction's rename of the snapshot and
      // the rename of the journal that follows it (see `Compaction`).
      if (record.seq <= seq && records === 0) continue
      if (record.seq !== seq + 1) {
        return Either.left(
          new StateFileError({
            file: journalFile,
            offset: frame.offset,
            reason: `record number ${record.seq} where ${seq + 1} was expected: records are missing`
          })
        )
      }
      const problem = Journal.applyRecord(model, record)
      if (problem !== undefined) {
        return Either.left(
          new StateFileError({ file: journalFile, offset: frame.offset, reason: `record ${record.seq}: ${problem}` })
        )
      }
      seq = record.seq
      records += 1
    }
  }
  const snapshot = Journal.snapshotOf(model)
  if (snapshot.registryId !== registryId || snapshot.region !== region) {
    return Either.left(
      new StateFileError({
        file: directory,
        reason:
          `this state belongs to account ${snapshot.registryId} in ${snapshot.region}, not to account ${registryId} in ${region}`
      })
    )
  }
  return Either.right({ snapshot, random: model.random, seq, records, torn })
}
