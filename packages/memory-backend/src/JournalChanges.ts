/**
 * From the change feed to journal records: each batch of changes (one step of the registry) is applied to
 * the durable layer's projection (`Journal.Model`) and becomes one record holding what the batch touched, as
 * it now is in the projection. The registry's live state is never read: the projection is the registry as
 * the feed told it, and recovery rebuilds the same projection from the records (`Journal.applyRecord`).
 *
 * @since 0.1.0
 */
import { Api } from "@ecr-scan/core"
import type { Change, ChangeBatch } from "./Changes.js"
import * as Journal from "./Journal.js"
import type { ImageOverride } from "./RegistryState.js"

type Level = "whole" | "header"

/** What one batch touched: the record is built from the projection once the whole batch is applied. */
interface Touched {
  full: Journal.Model["base"] | undefined
  /** "whole": written with all its images, or as deleted; "header": its settings only. */
  readonly repositories: Map<string, Level>
  readonly images: Map<string, Set<string>>
  scanning: boolean
  overrides: boolean
  faults: boolean
  registryPolicy: boolean
  readonly quota: Array<number>
  random: Journal.RandomValue | undefined
}

const touched = (): Touched => ({
  full: undefined,
  repositories: new Map(),
  images: new Map(),
  scanning: false,
  overrides: false,
  faults: false,
  registryPolicy: false,
  quota: [],
  random: undefined
})

const touchImage = (t: Touched, repository: string, digest: string) => {
  let digests = t.images.get(repository)
  if (digests === undefined) {
    digests = new Set()
    t.images.set(repository, digests)
  }
  digests.add(digest)
}

const touchRepository = (t: Touched, name: string, level: Level) => {
  if (t.repositories.get(name) !== "whole") t.repositories.set(name, level)
}

const overrideEntry = (key: string, o: ImageOverride): Journal.Model["base"]["overrides"][number] => ({
  key,
  ...(o.outcome === undefined ? {} : { outcome: o.outcome }),
  ...(o.findings === undefined ? {} : { findings: o.findings })
})

/** Without the scan results (a restore that clears them). */
const withoutScanResults = (image: Journal.ImageValue): Journal.ImageValue => {
  const { basicScan: _basic, enhancedScan: _enhanced, ...rest } = image
  return rest
}

/** Rewrites one image of the projection, if the projection has it (a change about any other is ignored). */
const updateImage = (
  model: Journal.Model,
  t: Touched,
  at: { readonly repositoryName: string; readonly imageDigest: string },
  f: (image: Journal.ImageValue) => Journal.ImageValue
) => {
  const repository = model.repositories.get(at.repositoryName)
  const image = repository?.images.get(at.imageDigest)
  if (repository === undefined || image === undefined) return
  Journal.putImage(repository, f(image))
  touchImage(t, at.repositoryName, at.imageDigest)
}

/** Applies one change to the projection and notes what it touched. */
const applyChange = (model: Journal.Model, t: Touched, change: Change): Touched => {
  switch (change._tag) {
    case "RegistryReplaced": {
      // The record's `full` applies before the rest of it, so what came before in this batch is dropped: the
      // snapshot already holds it.
      Journal.replaceModel(model, change.snapshot)
      model.random = change.random
      const next = touched()
      next.full = change.snapshot
      next.random = change.random
      return next
    }
    case "RepositoryCreated": {
      const header = { ...change.repository, images: [] }
      model.repositories.set(header.name, Journal.modelRepository(header))
      touchRepository(t, header.name, "whole")
      t.images.delete(header.name)
      return t
    }
    case "RepositoryDeleted": {
      model.repositories.delete(change.repositoryName)
      touchRepository(t, change.repositoryName, "whole")
      t.images.delete(change.repositoryName)
      // The overrides scoped to the repository went with it (the feed reports no change of its own for them).
      const scoped = `${change.repositoryName}@`
      const overrides = model.base.overrides.filter((o) => !o.key.startsWith(scoped))
      if (overrides.length !== model.base.overrides.length) {
        model.base = { ...model.base, overrides }
        t.overrides = true
      }
      return t
    }
    case "RepositoryUpdated": {
      const repository = model.repositories.get(change.repository.name)
      if (repository === undefined) return t
      repository.header = { ...change.repository, images: [] }
      touchRepository(t, change.repository.name, "header")
      return t
    }
    case "RegistryPolicySet": {
      const { registryPolicy: _, ...rest } = model.base
      model.base = change.policy === undefined ? rest : { ...rest, registryPolicy: change.policy }
      t.registryPolicy = true
      return t
    }
    case "RepositoryReconfigured": {
      const repository = model.repositories.get(change.repositoryName)
      if (repository === undefined) return t
      repository.header = { ...repository.header, scanOnPush: change.scanOnPush }
      touchRepository(t, change.repositoryName, "header")
      return t
    }
    case "ImagePut": {
      const repository = model.repositories.get(change.repositoryName)
      if (repository === undefined) return t
      Journal.putImage(repository, change.image)
      touchImage(t, change.repositoryName, change.image.digest)
      return t
    }
    case "ImageTagged":
      updateImage(
        model,
        t,
        change,
        (image) => {
          const tag = change.imageTag as Journal.ImageValue["tags"][number]
          return image.tags.includes(tag) ? image : { ...image, tags: [...image.tags, tag] }
        }
      )
      return t
    case "ImageUntagged":
      updateImage(
        model,
        t,
        change,
        (image) => ({ ...image, tags: image.tags.filter((tag) => tag !== change.imageTag) })
      )
      return t
    case "ImageDeleted": {
      const repository = model.repositories.get(change.repositoryName)
      if (repository === undefined) return t
      Journal.removeImage(repository, change.imageDigest)
      touchImage(t, change.repositoryName, change.imageDigest)
      return t
    }
    case "ImageArchived":
      updateImage(model, t, change, (image) => ({ ...image, storage: change.storage, lastArchivedAt: change.at }))
      return t
    case "ImageRestored":
      updateImage(model, t, change, (image) => {
        const restored = { ...image, storage: change.storage, lastActivatedAt: change.lastActivatedAt }
        return change.scanResultsCleared ? withoutScanResults(restored) : restored
      })
      return t
    case "ScanStarted":
      updateImage(model, t, change, (image) => {
        const basic = change.record.kind === "BASIC" || change.record.kind === "LIMIT_EXCEEDED"
        const scanned = basic ? { ...image, basicScan: change.record } : { ...image, enhancedScan: change.record }
        return change.holdsSlot ? { ...scanned, lastStarted: change.record } : scanned
      })
      return t
    case "ScanSlotTaken":
      updateImage(model, t, change, (image) => ({ ...image, lastStarted: change.record }))
      return t
    case "QuotaAppended":
      model.quota.push(change.at)
      t.quota.push(change.at)
      return t
    case "RegistryScanningConfigured":
      model.base = { ...model.base, scanning: change.scanning }
      t.scanning = true
      return t
    case "OverrideSet": {
      // In place when the key exists, else last: the registry keeps its overrides in a Map, in that order.
      const entry = overrideEntry(change.key, change.override)
      const index = model.base.overrides.findIndex((o) => o.key === change.key)
      const overrides = index < 0
        ? [...model.base.overrides, entry]
        : model.base.overrides.map((o, i) => (i === index ? entry : o))
      model.base = { ...model.base, overrides }
      t.overrides = true
      return t
    }
    case "OverridesCleared":
      model.base = { ...model.base, overrides: [] }
      t.overrides = true
      return t
    case "FaultsChanged":
      model.base = { ...model.base, faults: change.faults.map((f) => ({ ...f })) }
      t.faults = true
      return t
    case "FaultRandomAdvanced":
      model.random = change.state
      t.random = change.state
      return t
  }
}

/**
 * Applies a batch to the projection and returns its record, numbered `seq`. Only an operation moves the
 * registry's instant (a driver action runs at the clock's instant without recording it), so only an
 * operation's batch writes `now`.
 */
export const recordOf = (model: Journal.Model, batch: ChangeBatch, seq: number): Journal.JournalRecord => {
  let t = touched()
  for (const change of batch.changes) t = applyChange(model, t, change)
  const record: { -readonly [K in keyof Journal.JournalRecord]: Journal.JournalRecord[K] } = { seq }
  if (Api.isOperationName(batch.cause)) {
    record.now = batch.now
    model.base = { ...model.base, now: batch.now }
  }
  if (t.random !== undefined) record.random = t.random
  if (t.full !== undefined) record.full = t.full
  const deleted: Array<string> = []
  const repositories: Array<Journal.RepositoryValue> = []
  const headers: Array<Journal.RepositoryValue> = []
  for (const [name, level] of t.repositories) {
    const repository = model.repositories.get(name)
    if (repository === undefined) deleted.push(name)
    else if (level === "whole") repositories.push({ ...repository.header, images: [...repository.images.values()] })
    else headers.push(repository.header)
  }
  const images: Array<{ repository: string; image: Journal.ImageValue }> = []
  const removed: Array<{ repository: string; digest: string }> = []
  for (const [name, digests] of t.images) {
    const repository = model.repositories.get(name)
    if (repository === undefined || t.repositories.get(name) === "whole") continue
    for (const digest of digests) {
      const image = repository.images.get(digest)
      if (image === undefined) removed.push({ repository: name, digest })
      else images.push({ repository: name, image })
    }
  }
  if (deleted.length > 0) record.deleted = deleted
  if (repositories.length > 0) record.repositories = repositories
  if (headers.length > 0) record.headers = headers
  if (removed.length > 0) record.removed = removed
  if (images.length > 0) record.images = images
  if (t.scanning) record.scanning = model.base.scanning
  if (t.overrides) record.overrides = model.base.overrides
  if (t.faults) record.faults = model.base.faults
  if (t.registryPolicy) record.registryPolicy = model.base.registryPolicy ?? null
  if (t.quota.length > 0) record.quota = { append: t.quota }
  return record
}
