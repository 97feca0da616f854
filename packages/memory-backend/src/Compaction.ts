/**
 * Compaction: the durable layer's projection written as a new snapshot, after which the journal only keeps
 * the records the snapshot does not cover. It runs beside the group commit without holding the event loop:
 *
 * 1. `freeze`, synchronously and between two records (nothing is applied to the projection meanwhile),
 *    takes the snapshot's contents at record `seq`: references to the projection's immutable values (every
 *    image and repository header is replaced, never written through, when it changes), the quota copied and
 *    pruned. It costs a pointer per image; nothing is encoded yet. From then on, the journal writer keeps a
 *    copy of the frames it writes (`JournalWriter.retain`).
 * 2. `writeSnapshot` encodes the snapshot about a megabyte of JSON at a time, each chunk written (and its CRC
 *    continued) before the next is encoded, so requests are served between chunks; then temporary file,
 *    fsync, rename, directory fsync (`StateFiles.writeAtomic`). Records keep being appended to the journal
 *    meanwhile, and acknowledged once they are on disk there.
 * 3. Between two commits, the journal is replaced by a new one holding the records numbered after `seq`
 *    (the retained frames; records queued meanwhile go to the new journal afterwards).
 *
 * Why the files are consistent whenever the process dies: recovery reads the snapshot (covering records up
 * to its `seq`), skips the journal's records numbered up to that `seq` and requires the rest to follow
 * without a gap. Before the snapshot's rename, the old snapshot and the old journal, which holds every record
 * after the old snapshot, including those appended during the compaction, are in place. After it and before
 * the journal's rename, the new snapshot and the old journal: its records up to `seq` are a prefix (records
 * are appended in order) and are skipped, the ones after `seq` follow. After it, the new snapshot and the new
 * journal, which holds exactly the records after `seq`: every one of them was either retained (it was written
 * after the freeze) or is still queued (it is written after the rename, to the new journal). A record is
 * acknowledged only once it is on disk in a journal that, with the snapshot in place, leads to it; the old
 * journal is never written to once the new one is renamed. A failure before the journal's rename leaves the
 * old journal whole and in use (compaction is tried again later); see `JournalWriter.rotate` for one after.
 *
 * @since 0.1.0
 */
import { ScanQuota } from "@ecr-scan/core"
import type * as Journal from "./Journal.js"
import type * as Snapshot from "./Snapshot.js"
import * as StateFiles from "./StateFiles.js"

/** A snapshot's contents, taken from the projection at one record. */
export interface Frozen {
  /** The last record the snapshot covers. */
  readonly seq: number
  readonly random: Journal.RandomValue | undefined
  /** The registry without its repositories and quota. */
  readonly base: Snapshot.RegistrySnapshot
  readonly quota: ReadonlyArray<number>
  readonly repositories: ReadonlyArray<{
    readonly header: Journal.RepositoryValue
    readonly images: ReadonlyArray<Journal.ImageValue>
  }>
}

/**
 * The projection's contents at record `seq`. The quota drops the start times that have left the window at
 * the registry's latest instant (they can never count again: its time never runs backwards), in the
 * projection too, so that neither grows without bound.
 */
export const freeze = (model: Journal.Model, seq: number, quotaWindowMillis: number): Frozen => {
  const now = model.base.now
  const quota = now === undefined
    ? [...model.quota]
    : ScanQuota.toArray(ScanQuota.prune(ScanQuota.fromArray(model.quota), now, quotaWindowMillis))
  model.quota = [...quota]
  return {
    seq,
    random: model.random,
    base: model.base,
    quota,
    repositories: Array.from(model.repositories.values(), (r) => ({ header: r.header, images: [...r.images.values()] }))
  }
}

/** An object's JSON without its closing brace, to append members to (the objects here are never empty). */
const open = (value: object) => JSON.stringify(value).slice(0, -1)

/**
 * The snapshot record's JSON (`Journal.SnapshotRecord`), in pieces of at most one image each, produced as
 * they are read: what `JSON.stringify` of the whole record would give, without holding it all.
 */
export function* pieces(frozen: Frozen): Generator<string> {
  const { quota: _quota, repositories: _repositories, ...registry } = frozen.base
  yield `${open({ seq: frozen.seq, random: frozen.random })},"registry":`
  yield `${open({ ...registry, quota: frozen.quota })},"repositories":[`
  let first = true
  for (const { header, images } of frozen.repositories) {
    const { images: _images, ...settings } = header
    yield `${first ? "" : ","}${open(settings)},"images":[`
    first = false
    for (let i = 0; i < images.length; i++) yield i === 0 ? JSON.stringify(images[i]) : `,${JSON.stringify(images[i])}`
    yield "]}"
  }
  yield "]}}"
}

/** Writes the frozen snapshot over `file` without holding the event loop (see above). */
export const writeSnapshot = (file: string, frozen: Frozen): Promise<void> =>
  StateFiles.writeAtomic(file, "snapshot", pieces(frozen))
