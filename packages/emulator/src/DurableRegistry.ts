/**
 * Durable state of one account's in-memory registry (`--state-dir`): a snapshot plus an append-only
 * journal in the account's directory, written so that no acknowledged write is lost.
 *
 * - Journal records are state-based, not request replays: each says what the changed entities ARE
 *   after the change (a repository, an image, the scanning configuration, overrides, faults, quota
 *   start times appended, the registry's latest instant), read from the live state when the record is
 *   written. Replaying requests would tie the files to the seed, the house rules and the code of the
 *   version that wrote them; a record of values does not.
 * - Group commit: the requests of one event-loop turn mark what they changed; one record is built from
 *   the live state, appended with one write and one fsync, and only then are their replies released. A
 *   request whose changes are not yet on disk is never answered, and a write that fails fails the
 *   request (`ServerException`) and every later write until restart (after a failed fsync the file's
 *   contents are unknown).
 * - Compaction: when the journal outgrows a bound, the whole state is written as a snapshot (temporary
 *   file, fsync, rename, directory fsync) carrying the number of the last record it covers, then the
 *   journal is emptied. A crash between the two leaves records the snapshot covers: they are skipped.
 *   Recovery always ends with a compaction, so a server starts on a fresh snapshot and empty journal.
 * - Frames carry a length and a CRC-32 (see `StateFiles`). A torn last record (the process died while
 *   appending it: it was never acknowledged) is cut off with a line on stderr; any other damage, an
 *   unknown format version, a gap in the record numbers or a snapshot that does not decode stops the
 *   server from starting, with the file and offset.
 *
 * @since 0.1.0
 */
import {
  Errors,
  ImageRegistry,
  type ImageRegistryService,
  ImageScanner,
  type ImageScannerService,
  ScanQuota
} from "@ecr-scan/core"
import {
  MemoryRegistry,
  MemoryRegistryDriver,
  type MemoryRegistryDriverService,
  Snapshot
} from "@ecr-scan/memory-backend"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Utils from "effect/Utils"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as StateFiles from "./StateFiles.js"

/** Options of a durable registry. */
export interface DurableRegistryOptions extends MemoryRegistry.MemoryRegistryOptions {
  /** The registry's directory (created if missing). */
  readonly directory: string
  /** The journal size past which it is compacted into the snapshot (default 16 MiB). */
  readonly compactAfterBytes?: number
  /** Where recovery and write failures are reported (default: stderr). */
  readonly log?: (line: string) => void
}

/** The journal's and the snapshot's file names in a registry's directory. */
export const FILES = { journal: "journal", snapshot: "snapshot" } as const

/** The default compaction bound. */
export const DEFAULT_COMPACT_AFTER_BYTES = 16 * 1024 * 1024

// ---------------------------------------------------------------------------------------------------------------
// Records

const { StateFileError } = StateFiles

const Random = Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number)
const Fields = Snapshot.RegistrySnapshot.fields

/** A journal record: the values of what changed since the previous one. */
export const JournalRecord = Schema.Struct({
  seq: Schema.Number,
  now: Schema.optional(Schema.Number),
  random: Schema.optional(Random),
  /** Replaces the whole state (reset, import), before the rest of the record applies. */
  full: Schema.optional(Snapshot.RegistrySnapshot),
  deleted: Schema.optional(Schema.Array(Schema.String)),
  /** Repositories with all their images. */
  repositories: Schema.optional(Schema.Array(Snapshot.RepositorySnapshot)),
  /** Repositories whose settings changed (their `images` are empty and ignored). */
  headers: Schema.optional(Schema.Array(Snapshot.RepositorySnapshot)),
  removed: Schema.optional(Schema.Array(Schema.Struct({ repository: Schema.String, digest: Schema.String }))),
  /** Images as they now are; their tags leave whichever other image of the repository held them. */
  images: Schema.optional(Schema.Array(Schema.Struct({ repository: Schema.String, image: Snapshot.ImageSnapshot }))),
  scanning: Schema.optional(Fields.scanning),
  overrides: Schema.optional(Fields.overrides),
  faults: Schema.optional(Fields.faults),
  quota: Schema.optional(Schema.Union(
    Schema.Struct({ append: Schema.Array(Schema.Number) }),
    Schema.Struct({ replace: Schema.Array(Schema.Number) })
  ))
})
/** @since 0.1.0 */
export type JournalRecord = typeof JournalRecord.Type

/** The snapshot file's record: the whole registry, and the last journal record it covers. */
export const SnapshotRecord = Schema.Struct({
  seq: Schema.Number,
  random: Schema.optional(Random),
  registry: Snapshot.RegistrySnapshot
})
/** @since 0.1.0 */
export type SnapshotRecord = typeof SnapshotRecord.Type

type ImageValue = typeof Snapshot.ImageSnapshot.Type
type RepositoryValue = typeof Snapshot.RepositorySnapshot.Type

interface ModelRepository {
  header: RepositoryValue
  readonly images: Map<string, ImageValue>
  readonly tagOwner: Map<string, string>
}

/** A registry snapshot being rebuilt from records: keyed, so every record applies in its size. */
interface Model {
  base: Snapshot.RegistrySnapshot
  repositories: Map<string, ModelRepository>
  quota: Array<number>
  random: ReadonlyArray<number> | undefined
}

const modelRepository = (repository: RepositoryValue): ModelRepository => {
  const images = new Map<string, ImageValue>()
  const tagOwner = new Map<string, string>()
  for (const image of repository.images) {
    images.set(image.digest, image)
    for (const tag of image.tags) tagOwner.set(tag, image.digest)
  }
  return { header: { ...repository, images: [] }, images, tagOwner }
}

const modelOf = (snapshot: Snapshot.RegistrySnapshot, random: ReadonlyArray<number> | undefined): Model => ({
  base: snapshot,
  repositories: new Map(snapshot.repositories.map((r) => [r.name, modelRepository(r)])),
  quota: [...snapshot.quota],
  random
})

const snapshotOf = (model: Model): Snapshot.RegistrySnapshot => ({
  ...model.base,
  quota: model.quota,
  repositories: Array.from(model.repositories.values(), (r) => ({ ...r.header, images: [...r.images.values()] }))
})

const putImage = (repository: ModelRepository, image: ImageValue) => {
  const previous = repository.images.get(image.digest)
  if (previous !== undefined) {
    for (const tag of previous.tags) if (repository.tagOwner.get(tag) === image.digest) repository.tagOwner.delete(tag)
  }
  for (const tag of image.tags) {
    const owner = repository.tagOwner.get(tag)
    if (owner !== undefined && owner !== image.digest) {
      const holder = repository.images.get(owner)
      if (holder !== undefined) repository.images.set(owner, { ...holder, tags: holder.tags.filter((t) => t !== tag) })
    }
    repository.tagOwner.set(tag, image.digest)
  }
  repository.images.set(image.digest, image)
}

/** Applies one record; a problem is a string naming it. */
export const applyRecord = (model: Model, record: JournalRecord): string | undefined => {
  if (record.full !== undefined) {
    const next = modelOf(record.full, model.random)
    model.base = next.base
    model.repositories = next.repositories
    model.quota = next.quota
  }
  for (const name of record.deleted ?? []) model.repositories.delete(name)
  for (const repository of record.repositories ?? []) {
    model.repositories.set(repository.name, modelRepository(repository))
  }
  for (const header of record.headers ?? []) {
    const repository = model.repositories.get(header.name)
    if (repository === undefined) return `settings of repository ${header.name}, which does not exist`
    repository.header = { ...header, images: [] }
  }
  for (const { digest, repository: name } of record.removed ?? []) {
    const repository = model.repositories.get(name)
    const image = repository?.images.get(digest)
    if (repository === undefined || image === undefined) continue
    for (const tag of image.tags) if (repository.tagOwner.get(tag) === digest) repository.tagOwner.delete(tag)
    repository.images.delete(digest)
  }
  for (const { image, repository: name } of record.images ?? []) {
    const repository = model.repositories.get(name)
    if (repository === undefined) return `image ${image.digest} of repository ${name}, which does not exist`
    putImage(repository, image)
  }
  const base = { ...model.base }
  if (record.scanning !== undefined) base.scanning = record.scanning
  if (record.overrides !== undefined) base.overrides = record.overrides
  if (record.faults !== undefined) base.faults = record.faults
  if (record.now !== undefined) base.now = record.now
  model.base = base
  if (record.quota !== undefined) {
    if ("replace" in record.quota) model.quota = [...record.quota.replace]
    else for (const time of record.quota.append) model.quota.push(time)
  }
  if (record.random !== undefined) model.random = record.random
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Recovery

/** What recovery rebuilt from a directory. */
export interface Recovered {
  readonly snapshot: Snapshot.RegistrySnapshot
  readonly random: ReadonlyArray<number> | undefined
  /** The number of the last record applied. */
  readonly seq: number
  /** Records applied on top of the snapshot. */
  readonly records: number
  /** A torn tail cut off: where it started and how long it was. */
  readonly torn: { readonly offset: number; readonly bytes: number } | undefined
}

const emptySnapshot = (registryId: string, region: string): Snapshot.RegistrySnapshot => ({
  version: 1,
  registryId,
  region,
  scanning: { scanType: "BASIC", rules: [] },
  quota: [],
  repositories: [],
  overrides: [],
  faults: []
})

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
  let model: Model
  let seq = 0
  if (stored === undefined) {
    model = modelOf(emptySnapshot(registryId, region), undefined)
  } else {
    const decoded = Schema.decodeUnknownEither(SnapshotRecord)(stored.value)
    if (Either.isLeft(decoded)) return Either.left(decodeError(snapshotFile, 8, "the snapshot", decoded.left))
    model = modelOf(decoded.right.registry, decoded.right.random)
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
      const decoded = Schema.decodeUnknownEither(JournalRecord)(frame.value)
      if (Either.isLeft(decoded)) {
        return Either.left(decodeError(journalFile, frame.offset, `record ${records + 1}`, decoded.left))
      }
      const record = decoded.right
      // Records the snapshot already covers: a crash came between a compaction's rename and its truncation.
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
      const problem = applyRecord(model, record)
      if (problem !== undefined) {
        return Either.left(
          new StateFileError({ file: journalFile, offset: frame.offset, reason: `record ${record.seq}: ${problem}` })
        )
      }
      seq = record.seq
      records += 1
    }
  }
  const snapshot = snapshotOf(model)
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

// ---------------------------------------------------------------------------------------------------------------
// The journal writer

interface Batch {
  full: boolean
  scanning: boolean
  overrides: boolean
  faults: boolean
  readonly repositories: Map<string, "full" | "header">
  readonly images: Map<string, Set<string>>
  readonly waiters: Array<(error: StateFiles.StateFileError | undefined) => void>
}

const newBatch = (): Batch => ({
  full: false,
  scanning: false,
  overrides: false,
  faults: false,
  repositories: new Map(),
  images: new Map(),
  waiters: []
})

type Quota = ScanQuota.ScanQuota

/**
 * The start times appended to the quota between two of its values, if the later one only grew at the back and
 * was pruned at the front; `undefined` when its queue was reorganised (then the whole quota is written).
 */
export const appendedBetween = (from: Quota, to: Quota): Array<number> | undefined => {
  let front = from.front
  while (front !== to.front) {
    if (front === undefined) return undefined
    front = front.next
  }
  const added: Array<number> = []
  let back = to.back
  while (back !== from.back) {
    if (back === undefined) return undefined
    added.push(back.time)
    back = back.next
  }
  return added.reverse()
}

const finite = (n: number) => (Number.isFinite(n) ? n : undefined)

const writeAll = (fd: number, bytes: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    const step = (offset: number) =>
      Fs.write(fd, bytes, offset, bytes.length - offset, null, (error, written) => {
        if (error !== null) return reject(error)
        if (offset + written < bytes.length) step(offset + written)
        else resolve()
      })
    step(0)
  })

const fsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => Fs.fsync(fd, (error) => (error === null ? resolve() : reject(error))))

/** A durable registry: the memory registry's services, each mutation journalled before it is answered. */
export interface DurableRegistry {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
  readonly driver: MemoryRegistryDriverService
}

const stderrLog = (line: string) => process.stderr.write(`${line}\n`)

/**
 * Opens a registry's directory: recovers its state into a fresh memory registry, compacts, and returns
 * the services that journal every change. The journal is closed with the scope, after the last commit.
 */
export const make = (
  options: DurableRegistryOptions
): Effect.Effect<
  DurableRegistry,
  StateFiles.StateFileError | MemoryRegistry.InvalidMemoryRegistryOptions,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const memory = yield* MemoryRegistry.make(options)
    const accountId = options.accountId ?? MemoryRegistry.DEFAULT_ACCOUNT_ID
    const region = options.region ?? MemoryRegistry.DEFAULT_REGION
    const log = options.log ?? stderrLog
    const compactAfter = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES
    const directory = options.directory
    const journalFile = Path.join(directory, FILES.journal)
    const snapshotFile = Path.join(directory, FILES.snapshot)
    const live = memory.storage.unsafeState

    yield* Effect.try({
      try: () => StateFiles.ensureDirectorySync(directory),
      catch: (error) => StateFiles.fromErrno(directory, error)
    })
    const recovered = yield* recover(directory, accountId, region)
    if (recovered.torn !== undefined) {
      log(
        `${journalFile}: cut off a torn last record at offset ${recovered.torn.offset} (${recovered.torn.bytes} bytes, ` +
          `never acknowledged: the process stopped while writing it)`
      )
    }
    yield* Effect.mapError(
      memory.driver.restore(recovered.snapshot),
      (error) => new StateFileError({ file: snapshotFile, reason: `the state cannot be restored: ${error.message}` })
    )
    if (recovered.random !== undefined) {
      memory.storage.setFaultRandomState([...recovered.random] as Utils.PCGRandomState)
    }

    let seq = recovered.seq
    let quota = live.quota
    let journalBytes = 0
    let fd = -1

    const snapshotRecord = (): SnapshotRecord => ({
      seq,
      random: memory.storage.faultRandomState(),
      registry: Snapshot.fromState(live, accountId, region)
    })

    /** Writes the snapshot, then empties the journal. Throws on a file system error. */
    const compactSync = () => {
      const record = snapshotRecord()
      StateFiles.writeAtomicSync(snapshotFile, "snapshot", record)
      quota = live.quota
      const journal = Fs.openSync(journalFile, "w")
      try {
        Fs.writeSync(journal, StateFiles.header("journal"))
        Fs.fsyncSync(journal)
      } finally {
        Fs.closeSync(journal)
      }
      StateFiles.fsyncDirectory(directory)
      journalBytes = 0
    }

    yield* Effect.try({
      try: () => {
        // A temporary snapshot left by a crash during a compaction is incomplete: the renamed one is current.
        Fs.rmSync(`${snapshotFile}.tmp`, { force: true })
        compactSync()
        fd = Fs.openSync(journalFile, "a")
      },
      catch: (error) => StateFiles.fromErrno(directory, error)
    })

    // -----------------------------------------------------------------------------------------------------------
    // Group commit

    let pending = newBatch()
    let scheduled = false
    let writing = false
    let closed = false
    let broken: StateFiles.StateFileError | undefined
    let drained: Array<() => void> = []

    const build = (batch: Batch): JournalRecord => {
      const s = live
      const record: { -readonly [K in keyof JournalRecord]: JournalRecord[K] } = { seq: seq + 1 }
      const now = finite(s.lastNow)
      if (now !== undefined) record.now = now
      record.random = memory.storage.faultRandomState()
      if (batch.full) {
        record.full = Snapshot.fromState(s, accountId, region)
        quota = s.quota
        return record
      }
      const deleted: Array<string> = []
      const repositories: Array<RepositoryValue> = []
      const headers: Array<RepositoryValue> = []
      for (const [name, level] of batch.repositories) {
        const repository = s.repositories.get(name)
        if (repository === undefined) deleted.push(name)
        else if (level === "full") repositories.push(Snapshot.repositorySnapshot(repository))
        else headers.push(Snapshot.repositorySnapshot(repository, []))
      }
      const images: Array<{ repository: string; image: ImageValue }> = []
      const removed: Array<{ repository: string; digest: string }> = []
      for (const [name, digests] of batch.images) {
        const repository = s.repositories.get(name)
        if (repository === undefined || batch.repositories.get(name) === "full") continue
        for (const digest of digests) {
          const image = repository.images.get(digest)
          if (image === undefined) removed.push({ repository: name, digest })
          else images.push({ repository: name, image: Snapshot.imageSnapshot(image) })
        }
      }
      if (deleted.length > 0) record.deleted = deleted
      if (repositories.length > 0) record.repositories = repositories
      if (headers.length > 0) record.headers = headers
      if (removed.length > 0) record.removed = removed
      if (images.length > 0) record.images = images
      if (batch.scanning) record.scanning = s.scanning
      if (batch.overrides) {
        record.overrides = Array.from(s.overrides, ([key, o]) => ({
          key,
          ...(o.outcome === undefined ? {} : { outcome: o.outcome }),
          ...(o.findings === undefined ? {} : { findings: o.findings })
        }))
      }
      if (batch.faults) record.faults = s.faults.map((f) => ({ ...f }))
      if (s.quota !== quota) {
        const appended = appendedBetween(quota, s.quota)
        record.quota = appended === undefined ? { replace: ScanQuota.toArray(s.quota) } : { append: appended }
        quota = s.quota
      }
      return record
    }

    const flush = async () => {
      scheduled = false
      const batch = pending
      pending = newBatch()
      writing = true
      let error = broken
      if (error === undefined) {
        try {
          const frame = StateFiles.encodeFrame(build(batch))
          await writeAll(fd, frame)
          await fsync(fd)
          seq += 1
          journalBytes += frame.length
        } catch (cause) {
          error = StateFiles.fromErrno(journalFile, cause)
          broken = error
          log(`${error.message}: the emulator can no longer save its state; every write fails until it restarts`)
        }
      }
      if (error === undefined && journalBytes > compactAfter) {
        try {
          compactSync()
        } catch (cause) {
          // The journal is whole: compaction is tried again once it has grown by as much again.
          log(`compaction failed, the journal is kept: ${StateFiles.fromErrno(snapshotFile, cause).message}`)
          journalBytes = 0
        }
      }
      writing = false
      for (const waiter of batch.waiters) waiter(error)
      if (pending.waiters.length > 0) schedule()
      else if (drained.length > 0) {
        const callbacks = drained
        drained = []
        for (const callback of callbacks) callback()
      }
    }

    const schedule = () => {
      if (scheduled || writing) return
      scheduled = true
      setImmediate(flush)
    }

    /** Waits until what the caller marked in `pending` is on disk. */
    const commit: Effect.Effect<void, StateFiles.StateFileError> = Effect.async((resume) => {
      if (closed) return resume(Effect.fail(new StateFileError({ file: journalFile, reason: "the journal is closed" })))
      pending.waiters.push((error) => resume(error === undefined ? Effect.void : Effect.fail(error)))
      schedule()
    })

    const commitAsServerError = Effect.mapError(
      commit,
      (error) => Errors.server(`The emulator could not save its state: ${error.message}`)
    )

    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        const close = () => {
          closed = true
          Fs.closeSync(fd)
          resume(Effect.void)
        }
        if (!writing && !scheduled && pending.waiters.length === 0) close()
        else drained.push(close)
      })
    )

    // -----------------------------------------------------------------------------------------------------------
    // The services

    const markImage = (repository: string, digest: string) => {
      let digests = pending.images.get(repository)
      if (digests === undefined) {
        digests = new Set()
        pending.images.set(repository, digests)
      }
      digests.add(digest)
    }
    const markRepository = (name: string, level: "full" | "header") => {
      if (pending.repositories.get(name) !== "full") pending.repositories.set(name, level)
    }

    /**
     * An operation that commits what it changed before answering: `onSuccess` marks what a success changed;
     * a failure changed nothing but the quota (a charged refusal, marked by `onChargedFailure`) and the
     * faults (a planned fault fired). Reads with no fault planned run as they are.
     */
    const journalled = <I, A, E>(
      call: (input: I) => Effect.Effect<A, E>,
      onSuccess?: (input: I, value: A) => void,
      onChargedFailure?: (input: I) => void
    ) =>
    (input: I): Effect.Effect<A, E> => {
      if (onSuccess === undefined && live.faults.length === 0) return call(input)
      return Effect.suspend(() => {
        const quotaBefore = live.quota
        const faultsBefore = live.faults
        return Effect.flatMap(Effect.exit(call(input)), (exit) => {
          let changed = false
          if (live.faults !== faultsBefore) {
            pending.faults = true
            changed = true
          }
          if (live.quota !== quotaBefore) changed = true
          if (Exit.isSuccess(exit)) {
            if (onSuccess !== undefined) {
              onSuccess(input, exit.value)
              changed = true
            }
          } else if (live.quota !== quotaBefore && onChargedFailure !== undefined) {
            onChargedFailure(input)
          }
          return changed ? Effect.zipRight(commitAsServerError as Effect.Effect<void, E>, exit) : exit
        })
      })
    }

    const { driver: raw, registry: r, scanner: sc } = memory
    const scanner: ImageScannerService = {
      startImageScan: journalled(
        sc.startImageScan,
        (_, value) => markImage(value.repositoryName!, value.imageId!.imageDigest!),
        (input) => {
          const repository = live.repositories.get(input.repositoryName)
          const digest = input.imageId?.imageDigest ??
            (input.imageId?.imageTag === undefined ? undefined : repository?.tagIndex.get(input.imageId.imageTag))
          if (repository !== undefined && digest !== undefined) markImage(input.repositoryName, digest)
        }
      ),
      describeImageScanFindings: journalled(sc.describeImageScanFindings)
    }
    const registry: ImageRegistryService = {
      createRepository: journalled(r.createRepository, (input) => markRepository(input.repositoryName, "full")),
      describeRepositories: journalled(r.describeRepositories),
      deleteRepository: journalled(r.deleteRepository, (input) => {
        markRepository(input.repositoryName, "full")
        pending.overrides = true
      }),
      putImage: journalled(
        r.putImage,
        (input, value) => markImage(input.repositoryName, value.image!.imageId!.imageDigest!)
      ),
      batchGetImage: journalled(r.batchGetImage),
      batchDeleteImage: journalled(r.batchDeleteImage, (input, value) => {
        for (const id of value.imageIds ?? []) {
          if (id.imageDigest !== undefined) markImage(input.repositoryName, id.imageDigest)
        }
      }),
      describeImages: journalled(r.describeImages),
      putImageScanningConfiguration: journalled(
        r.putImageScanningConfiguration,
        (input) => markRepository(input.repositoryName, "header")
      ),
      putRegistryScanningConfiguration: journalled(r.putRegistryScanningConfiguration, () => {
        pending.scanning = true
      }),
      getRegistryScanningConfiguration: journalled(r.getRegistryScanningConfiguration),
      batchGetRepositoryScanningConfiguration: journalled(r.batchGetRepositoryScanningConfiguration),
      updateImageStorageClass: journalled(
        r.updateImageStorageClass,
        (input, value) => markImage(input.repositoryName, value.imageId!.imageDigest!)
      )
    }

    // The control endpoints' changes: a failed write is a defect there, answered 500 by the control app.
    const then = (mark: () => void) => <E>(effect: Effect.Effect<void, E>): Effect.Effect<void, E> =>
      Effect.zipRight(
        effect,
        Effect.suspend(() => {
          mark()
          return Effect.orDie(commit)
        })
      )
    const overrides = then(() => (pending.overrides = true))
    const faults = then(() => (pending.faults = true))
    const full = then(() => (pending.full = true))
    const driver: MemoryRegistryDriverService = {
      ...raw,
      setScanOutcome: (target, outcome) => overrides(raw.setScanOutcome(target, outcome)),
      setFindings: (target, findings) => overrides(raw.setFindings(target, findings)),
      clearOverrides: overrides(raw.clearOverrides),
      planFault: (plan) => faults(raw.planFault(plan)),
      clearFaults: faults(raw.clearFaults),
      restore: (snapshot) => full(raw.restore(snapshot)),
      reset: full(raw.reset)
    }
    return { scanner, registry, driver }
  })

/** A durable registry as a Layer of the two ports and the driver. */
export const layer = (
  options: DurableRegistryOptions
): Layer.Layer<
  ImageScanner | ImageRegistry | MemoryRegistryDriver,
  StateFiles.StateFileError | MemoryRegistry.InvalidMemoryRegistryOptions
> =>
  Layer.scopedContext(
    Effect.map(make(options), (durable) =>
      Context.make(ImageScanner, durable.scanner).pipe(
        Context.add(ImageRegistry, durable.registry),
        Context.add(MemoryRegistryDriver, durable.driver)
      ))
  )

/** One account's durable registry, in `stateDir/<accountId>/` (the emulator's `--state-dir`). */
export const forAccount = (stateDir: string, options: MemoryRegistry.MemoryRegistryOptions) => (accountId: string) =>
  layer({ ...options, accountId, directory: Path.join(stateDir, accountId) })
