/**
 * The durable layer's records and the projection they describe. A journal record holds the values of what
 * changed (an image or a repository as it now is, the scanning configuration, overrides, faults, quota start
 * times appended), never the request that changed it: replaying requests would tie a state directory to the
 * seed, the house rules and the code of the version that wrote it; a record of values does not.
 *
 * `Model` is a registry snapshot kept by key, so that a record applies in its own size: recovery rebuilds
 * one from the snapshot file and the journal (`applyRecord`), and the durable layer keeps one up to date
 * from the change feed (`JournalChanges`) to write its records and its snapshots, never reading the
 * registry's live state.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Snapshot from "./Snapshot.js"

const Random = Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number)
const Fields = Snapshot.RegistrySnapshot.fields

/** A journal record: the values of what changed since the previous one. */
export const JournalRecord = Schema.Struct({
  seq: Schema.Number,
  /** The registry's instant after the change (absent when the change did not move it). */
  now: Schema.optional(Schema.Number),
  /** The state of the generator of probabilistic faults, when it moved. */
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
  /** The registry policy as it now is (null: deleted). */
  registryPolicy: Schema.optional(Schema.NullOr(Schema.String)),
  /** Start times the quota counted since the previous record (`replace`: written by earlier versions). */
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

/** An image as records and snapshots hold it. */
export type ImageValue = typeof Snapshot.ImageSnapshot.Type
/** A repository as records and snapshots hold it. */
export type RepositoryValue = typeof Snapshot.RepositorySnapshot.Type
/** The state of the generator of probabilistic faults, as records hold it. */
export type RandomValue = typeof Random.Type

/**
 * One repository of a model. Every value in it (the header, each image) is immutable and replaced, never
 * written through, so a compaction can hold on to them while the model moves on.
 */
export interface ModelRepository {
  header: RepositoryValue
  readonly images: Map<string, ImageValue>
  readonly tagOwner: Map<string, string>
}

/** A registry snapshot kept by key: a record or a change applies in its own size. */
export interface Model {
  /** Everything but the repositories and the quota (immutable, replaced as a whole). */
  base: Snapshot.RegistrySnapshot
  repositories: Map<string, ModelRepository>
  /** Start times counted by the quota, oldest first (appended to in place). */
  quota: Array<number>
  random: RandomValue | undefined
}

/** The state of a registry that has never been written to. */
export const emptySnapshot = (registryId: string, region: string): Snapshot.RegistrySnapshot => ({
  version: 1,
  registryId,
  region,
  scanning: { scanType: "BASIC", rules: [] },
  quota: [],
  repositories: [],
  overrides: [],
  faults: []
})

/** One repository of a snapshot, kept by key. */
export const modelRepository = (repository: RepositoryValue): ModelRepository => {
  const images = new Map<string, ImageValue>()
  const tagOwner = new Map<string, string>()
  for (const image of repository.images) {
    images.set(image.digest, image)
    for (const tag of image.tags) tagOwner.set(tag, image.digest)
  }
  return { header: { ...repository, images: [] }, images, tagOwner }
}

/** A model of a snapshot. */
export const modelOf = (snapshot: Snapshot.RegistrySnapshot, random: RandomValue | undefined): Model => ({
  // Without its repositories and quota, which the model keeps by key: the snapshot's copies are not held on to.
  base: { ...snapshot, repositories: [], quota: [] },
  repositories: new Map(snapshot.repositories.map((r) => [r.name, modelRepository(r)])),
  quota: [...snapshot.quota],
  random
})

/** The snapshot a model holds. */
export const snapshotOf = (model: Model): Snapshot.RegistrySnapshot => ({
  ...model.base,
  quota: [...model.quota],
  repositories: Array.from(model.repositories.values(), (r) => ({ ...r.header, images: [...r.images.values()] }))
})

/** Writes an image as it now is; the tags it holds leave whichever other image of the repository held them. */
export const putImage = (repository: ModelRepository, image: ImageValue) => {
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

/** Deletes an image and frees its tags. */
export const removeImage = (repository: ModelRepository, digest: string) => {
  const image = repository.images.get(digest)
  if (image === undefined) return
  for (const tag of image.tags) if (repository.tagOwner.get(tag) === digest) repository.tagOwner.delete(tag)
  repository.images.delete(digest)
}

/** Replaces the whole of a model with a snapshot's state (the generator's state is the caller's). */
export const replaceModel = (model: Model, snapshot: Snapshot.RegistrySnapshot) => {
  const next = modelOf(snapshot, model.random)
  model.base = next.base
  model.repositories = next.repositories
  model.quota = next.quota
}

/** Applies one record; a problem is a string naming it. */
export const applyRecord = (model: Model, record: JournalRecord): string | undefined => {
  if (record.full !== undefined) replaceModel(model, record.full)
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
    if (repository !== undefined) removeImage(repository, digest)
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
  if (record.registryPolicy === null) delete base.registryPolicy
  else if (record.registryPolicy !== undefined) base.registryPolicy = record.registryPolicy
  if (record.now !== undefined) base.now = record.now
  model.base = base
  if (record.quota !== undefined) {
    if ("replace" in record.quota) model.quota = [...record.quota.replace]
    else for (const time of record.quota.append) model.quota.push(time)
  }
  if (record.random !== undefined) model.random = record.random
  return undefined
}
