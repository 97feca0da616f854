/**
 * The registry's EventBridge events, published from its change feed on its clock: the core's
 * `RegistryEvents` port for the in-memory registry.
 *
 * Each run of `events` is one subscriber with its own buffer. A push, a delete, an archive or restore and a
 * change of enhanced scanning give their event at the instant of the call. A scan's completion gives its
 * event at exactly the instant the scan completes, though nobody calls: the subscriber sleeps on the `Clock`
 * of the fiber that runs the stream (so `TestClock` or a `VirtualClock` drives it) until the next completion
 * instant. Completions that fall before a later step are published before that step's events, in order of
 * completion instant, then of start. With no subscriber, nothing is built and nothing is scheduled.
 *
 * A subscriber that does not keep up never blocks the registry: its buffer holds the newest `buffer` events
 * (default 10,000) and drops the oldest beyond that, as a sliding queue does.
 *
 * @since 0.1.0
 */
import { Events, FindingsPage, RegistryScanningRules, ScanLifecycle } from "@ecr-scan/core"
import type { RegistryEvents } from "@ecr-scan/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Change, ChangeBatch } from "./Changes.js"
import { CompletionQueue } from "./CompletionQueue.js"
import type { Engine } from "./Engine.js"
import * as Lookups from "./Lookups.js"
import type { RegistryState, ScanningState } from "./RegistryState.js"
import * as SyntheticFindings from "./SyntheticFindings.js"

/** Options of the events. */
export interface EventOptions {
  /**
   * Whether a basic scan that ends without findings (`FAILED`, `UNSUPPORTED_IMAGE`, `FINDINGS_UNAVAILABLE`)
   * gives an "ECR Image Scan" event with its status and no counts (default true; AWS does not document it).
   */
  readonly failedScans?: boolean | undefined
  /** How many events a subscriber's buffer holds before the oldest are dropped (default 10,000). */
  readonly buffer?: number | undefined
  /**
   * How finely the subscriber's timer follows completion instants when no call comes (default 0: exactly).
   * Each distinct instant it wakes at costs a `TestClock` step (milliseconds of wall time); a simulation of
   * many scans can wake once per `resolution` instead (`"30 minutes"`), publishing the completions of each
   * period at its end. Events keep their exact `time`, and a call always publishes the completions before it.
   */
  readonly resolution?: Duration.DurationInput | undefined
}

/** The buffer of a subscriber unless told otherwise. */
export const DEFAULT_BUFFER = 10_000

/** A scan whose completion is still to be published. */
interface Pending {
  readonly repositoryName: string
  readonly imageDigest: string
  readonly record: ScanLifecycle.ScanRecord
  /** The step that started it: orders completions at one instant (the event's id is the record's). */
  readonly step: number
  /** The image's tags as of the last step that touched the image. */
  tags: ReadonlyArray<string>
  cancelled: boolean
}

const imageKey = (repositoryName: string, digest: string) => `${repositoryName}\u0000${digest}`

const byCompletion = (a: Pending, b: Pending) =>
  a.record.completesAt - b.record.completesAt || a.step - b.step ||
  (a.repositoryName < b.repositoryName ? -1 : a.repositoryName > b.repositoryName ? 1 : 0) ||
  (a.imageDigest < b.imageDigest ? -1 : a.imageDigest > b.imageDigest ? 1 : 0) ||
  (a.record.kind < b.record.kind ? -1 : 1)

/** The scan frequency of every repository under a scanning configuration. */
const frequencies = (state: RegistryState, scanning: ScanningState) => {
  const result = new Map<string, Events.ScanFrequency>()
  for (const repository of state.repositories.values()) {
    result.set(repository.name, RegistryScanningRules.effectiveScanning(scanning, repository).scanFrequency)
  }
  return result
}

/** The memory registry's events: the port's `events`, and `subscribe` for a caller that pulls by itself. */
export interface MemoryEventsService extends RegistryEvents.RegistryEventsService {
  /**
   * Subscribes at once (in the calling fiber) and answers with the subscriber's buffer, which the scope's
   * end closes. Deterministic where `events` needs its fiber to have started: what the registry does
   * after `subscribe` returns is in the buffer. Completions are published by a fiber forked in the scope,
   * on the caller's `Clock`.
   */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Events.RegistryEvent>, never, Scope.Scope>
}

/** The memory registry's events, in the context `MemoryRegistry.layer` provides. */
export class MemoryEvents extends Context.Tag("@ecr-scan/memory-backend/MemoryEvents")<
  MemoryEvents,
  MemoryEventsService
>() {}

/** The events of one engine. */
export const make = (engine: Engine, options: EventOptions = {}): MemoryEventsService => {
  const failedScans = options.failedScans ?? true
  const capacity = Math.max(1, options.buffer ?? DEFAULT_BUFFER)
  const resolution = options.resolution === undefined ? 0 : Math.max(0, Duration.toMillis(options.resolution))
  const wakeAt = (instant: number) => resolution > 0 ? Math.ceil(instant / resolution) * resolution : instant
  const { accountId, region, rules, seed } = engine.config

  const subscribe = Effect.gen(function*() {
    const out = yield* Queue.sliding<Events.RegistryEvent>(capacity)
    const wake = yield* Queue.sliding<void>(1)
    const pending = new CompletionQueue<Pending>((a, b) => byCompletion(a, b) < 0)
    let scanning = engine.state.scanning

    const origin = (time: number, key: string): Events.Origin => ({
      accountId,
      region,
      time,
      id: Events.deterministicId(seed, key)
    })
    // A full buffer: the sliding queue's `offer` drops the oldest (`unsafeOffer` would refuse the newest).
    const publish = (event: Events.RegistryEvent) => {
      if (!Queue.unsafeOffer(out, event)) Effect.runSync(Queue.offer(out, event))
    }

    // The image's tags as of the last step that touched it (the scan's event names them).
    const refresh = (entry: Pending) => {
      const image = imageState(engine, entry.repositoryName, entry.imageDigest)
      if (image !== undefined) entry.tags = [...image.tags]
    }

    // A completed scan's counts, as DescribeImageScanFindings would report them: the test's findings or the seed's.
    const countsOf = (entry: Pending) => {
      const fixed = Lookups.overrideFor(engine, entry.repositoryName, entry.imageDigest)?.findings
      if (fixed !== undefined) return FindingsPage.severityCounts(fixed)
      return rules.findings === "SEEDED"
        ? SyntheticFindings.severityCounts(seed, entry.imageDigest, entry.record.startedAt)
        : {}
    }

    const completion = (entry: Pending): Events.RegistryEvent | undefined => {
      const { record } = entry
      const key =
        `scan\u0000${entry.repositoryName}\u0000${entry.imageDigest}\u0000${record.kind}\u0000${record.startedAt}`
      const at = origin(record.completesAt, key)
      const image = { repositoryName: entry.repositoryName, imageDigest: entry.imageDigest, imageTags: entry.tags }
      if (record.kind === "BASIC") {
        const status = ScanLifecycle.statusAt(record, ScanLifecycle.active, record.completesAt, rules).status
        if (record.outcome === "COMPLETE") {
          return Events.imageScanned(at, { ...image, scanStatus: status, counts: countsOf(entry) })
        }
        return failedScans ? Events.imageScanned(at, { ...image, scanStatus: status }) : undefined
      }
      if (record.kind === "LIMIT_EXCEEDED" || record.outcome !== "COMPLETE") return undefined
      return Events.inspectorScanned(at, { ...image, counts: countsOf(entry) })
    }

    /** Publishes the completions due by `upTo`, in order. */
    const flushDue = (upTo: number) => {
      for (let next = pending.peek(); next !== undefined && next.record.completesAt <= upTo; next = pending.peek()) {
        pending.pop()
        forget(next)
        const event = completion(next)
        if (event !== undefined) publish(event)
      }
    }

    // The pending scans of each image (at most one basic and one enhanced), for the steps that touch it.
    const byImage = new Map<string, Array<Pending>>()

    const schedule = (entry: Pending) => {
      refresh(entry)
      const key = imageKey(entry.repositoryName, entry.imageDigest)
      const others = byImage.get(key)
      if (others === undefined) byImage.set(key, [entry])
      else others.push(entry)
      if (pending.push(entry)) Queue.unsafeOffer(wake, undefined)
    }

    const forget = (entry: Pending) => {
      const key = imageKey(entry.repositoryName, entry.imageDigest)
      const rest = (byImage.get(key) ?? []).filter((e) => e !== entry)
      if (rest.length === 0) byImage.delete(key)
      else byImage.set(key, rest)
    }

    const unschedule = (entry: Pending) => {
      pending.cancel(entry)
      forget(entry)
    }

    /** Forgets the scans of an image that had not completed (those of one kind, or all). */
    const cancel = (repositoryName: string, imageDigest: string, basic?: boolean) => {
      for (const entry of byImage.get(imageKey(repositoryName, imageDigest)) ?? []) {
        if (basic === undefined || (entry.record.kind === "BASIC") === basic) unschedule(entry)
      }
    }

    /** Re-reads the tags of an image's pending scans (the step changed them). */
    const retag = (repositoryName: string, imageDigest: string) => {
      for (const entry of byImage.get(imageKey(repositoryName, imageDigest)) ?? []) refresh(entry)
    }

    const scanResourceChange = (
      batch: ChangeBatch,
      index: number,
      repositories: ReadonlyArray<Events.FrequencyChange>
    ) => {
      if (repositories.length === 0) return
      publish(Events.scanFrequencyChanged(origin(batch.now, `${batch.step}\u0000${index}`), {
        scanType: scanning.scanType,
        repositories
      }))
    }

    const onChange = (batch: ChangeBatch, change: Change, index: number) => {
      const at = origin(batch.now, `${batch.step}\u0000${index}`)
      switch (change._tag) {
        case "ImagePut": {
          const [imageTag] = change.image.tags
          publish(Events.imagePushed(at, {
            repositoryName: change.repositoryName,
            imageDigest: change.image.digest,
            imageTag,
            manifestMediaType: change.image.mediaType,
            artifactMediaType: artifactMediaType(engine, change.repositoryName, change.image.digest)
          }))
          return
        }
        case "ImageTagged":
          retag(change.repositoryName, change.imageDigest)
          publish(Events.imagePushed(at, {
            repositoryName: change.repositoryName,
            imageDigest: change.imageDigest,
            imageTag: change.imageTag,
            manifestMediaType: mediaType(engine, change.repositoryName, change.imageDigest),
            artifactMediaType: artifactMediaType(engine, change.repositoryName, change.imageDigest)
          }))
          return
        case "ImageUntagged":
          retag(change.repositoryName, change.imageDigest)
          publish(Events.imageDeleted(at, { ...imageOf(change), imageTag: change.imageTag }))
          return
        case "ImageDeleted":
          cancel(change.repositoryName, change.imageDigest)
          publish(Events.imageDeleted(at, { ...imageOf(change), imageTag: change.imageTags?.[0] }))
          return
        case "ImageArchived":
          cancel(change.repositoryName, change.imageDigest)
          publish(Events.storageClassUpdated(at, { ...imageOf(change), targetStorageClass: "ARCHIVE" }))
          return
        case "ImageRestored":
          if (change.scanResultsCleared) cancel(change.repositoryName, change.imageDigest)
          publish(Events.storageClassUpdated(at, {
            ...imageOf(change),
            targetStorageClass: "STANDARD",
            lastActivatedAt: change.lastActivatedAt
          }))
          return
        case "ScanStarted":
          if (change.record.kind === "LIMIT_EXCEEDED") return
          // A new scan of the same kind replaces the image's record: the one it replaces no longer completes.
          cancel(change.repositoryName, change.imageDigest, change.record.kind === "BASIC")
          schedule({
            repositoryName: change.repositoryName,
            imageDigest: change.imageDigest,
            record: change.record,
            step: batch.step,
            tags: [],
            cancelled: false
          })
          return
        case "RepositoryDeleted": {
          const prefix = imageKey(change.repositoryName, "")
          for (const [key, entries] of [...byImage]) {
            if (key.startsWith(prefix)) { for (const entry of entries) unschedule(entry) }
          }
          return
        }
        case "RepositoryCreated":
          if (scanning.scanType === "ENHANCED") {
            const frequency = RegistryScanningRules.effectiveScanning(scanning, change.repository).scanFrequency
            if (frequency !== "MANUAL") {
              scanResourceChange(batch, index, [{
                repositoryName: change.repository.name,
                scanFrequency: frequency,
                previousScanFrequency: "MANUAL"
              }])
            }
          }
          return
        case "RegistryScanningConfigured": {
          const before = frequencies(engine.state, scanning)
          const after = frequencies(engine.state, change.scanning)
          scanning = change.scanning
          const changed = [...after].flatMap(([repositoryName, scanFrequency]) => {
            const previousScanFrequency = before.get(repositoryName) ?? "MANUAL"
            return scanFrequency === previousScanFrequency
              ? []
              : [{ repositoryName, scanFrequency, previousScanFrequency }]
          })
          if (change.scanning.scanType === "ENHANCED" || scanning.scanType === "ENHANCED") {
            scanResourceChange(batch, index, changed)
          }
          return
        }
        case "RegistryReplaced":
          pending.clear()
          byImage.clear()
          scanning = engine.state.scanning
          scheduleInFlight(batch.now)
          return
        default:
          return
      }
    }

    const listener = (batch: ChangeBatch) => {
      flushDue(batch.now)
      batch.changes.forEach((change, index) => onChange(batch, change, index))
    }

    /** The scans in flight when the subscriber starts (or the state is replaced) complete for it too. */
    const scheduleInFlight = (now: number) => {
      for (const repository of engine.state.repositories.values()) {
        for (const image of repository.images.values()) {
          for (const record of [image.basicScan, image.enhancedScan]) {
            if (record === undefined || record.completesAt <= now || record.kind === "LIMIT_EXCEEDED") continue
            schedule({
              repositoryName: repository.name,
              imageDigest: image.digest,
              record,
              step: 0,
              tags: [],
              cancelled: false
            })
          }
        }
      }
    }

    yield* Effect.acquireRelease(
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          scheduleInFlight(Math.max(now, engine.state.lastNow))
          return engine.subscribe(listener)
        })),
      (unsubscribe) => Effect.sync(unsubscribe)
    )

    // Sleeps on the fiber's clock until the next completion instant (or until an earlier one is scheduled).
    const timer = Effect.gen(function*() {
      const next = pending.peek()
      if (next === undefined) return yield* Queue.take(wake)
      const now = yield* Clock.currentTimeMillis
      const at = wakeAt(next.record.completesAt)
      if (at > now) yield* Effect.raceFirst(Clock.sleep(at - now), Queue.take(wake))
      const after = yield* Clock.currentTimeMillis
      flushDue(after)
    })
    yield* Effect.forkScoped(Effect.forever(timer))
    yield* Effect.addFinalizer(() => Queue.shutdown(out))
    return out as Queue.Dequeue<Events.RegistryEvent>
  })

  return { subscribe, events: Stream.unwrapScoped(Effect.map(subscribe, (queue) => Stream.fromQueue(queue))) }
}

const imageOf = (change: { readonly repositoryName: string; readonly imageDigest: string }) => ({
  repositoryName: change.repositoryName,
  imageDigest: change.imageDigest
})

const imageState = (engine: Engine, repositoryName: string, digest: string) =>
  engine.state.repositories.get(repositoryName)?.images.get(digest)

const mediaType = (engine: Engine, repositoryName: string, digest: string) =>
  imageState(engine, repositoryName, digest)?.mediaType

const artifactMediaType = (engine: Engine, repositoryName: string, digest: string) =>
  imageState(engine, repositoryName, digest)?.artifactMediaType
