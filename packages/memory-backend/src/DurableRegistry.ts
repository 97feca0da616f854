/**
 * A durable in-memory registry: the memory registry, with its state kept in a directory (a snapshot and an
 * append-only journal) so that no acknowledged write is lost, even to `kill -9`. A layer like the memory
 * registry's, usable by any Effect program; the emulator's `--state-dir` is one per account.
 *
 * - The journal is written from the change feed only: every step of the registry reports what it changed
 *   (`Changes`), the layer applies it to its projection of the state (`Journal.Model`) and queues a record of
 *   what the step touched, as it now is (`JournalChanges`). The registry's live state is never read.
 * - Group commit (`JournalWriter`): the records of one event-loop turn are appended with one write and one
 *   fsync. A call that changed something (its step reported changes while it ran: the feed is synchronous)
 *   is answered only once its record is on disk; a write that fails fails the call (`ServerException` for
 *   an operation, a defect for a driver action) and every later write until the directory is opened again.
 * - Compaction (`Compaction`): past a bound, the projection is written as a new snapshot in chunks, beside
 *   the group commit, and the journal restarted after it. Opening a directory recovers it
 *   (`JournalRecovery`) and compacts, so a registry starts on a fresh snapshot and an empty journal.
 *
 * @since 0.1.0
 */
import {
  type Api,
  Errors,
  ImageRegistry,
  type ImageRegistryService,
  ImageScanner,
  type ImageScannerService,
  Ports,
  RegistryEvents,
  ScanRules
} from "@ecr-scan/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Utils from "effect/Utils"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Compaction from "./Compaction.js"
import * as EventPublisher from "./EventPublisher.js"
import * as Journal from "./Journal.js"
import * as JournalChanges from "./JournalChanges.js"
import * as JournalRecovery from "./JournalRecovery.js"
import * as JournalWriter from "./JournalWriter.js"
import * as MemoryRegistry from "./MemoryRegistry.js"
import { MemoryRegistryDriver, type MemoryRegistryDriverService } from "./MemoryRegistryDriver.js"
import * as StateFiles from "./StateFiles.js"

/** Options of a durable registry. */
export interface DurableRegistryOptions extends MemoryRegistry.MemoryRegistryOptions {
  /** The registry's directory (created if missing). */
  readonly directory: string
  /** The journal size past which it is compacted into the snapshot (default 16 MiB). */
  readonly compactAfterBytes?: number
  /** Where recovery, write and compaction failures are reported (default: stderr). */
  readonly log?: (line: string) => void
}

/** The default compaction bound. */
export const DEFAULT_COMPACT_AFTER_BYTES = 16 * 1024 * 1024

/** A durable registry: the memory registry's services, each change journalled before it is answered. */
export interface DurableRegistry {
  readonly scanner: ImageScannerService
  readonly registry: ImageRegistryService
  readonly driver: MemoryRegistryDriverService
  /** The memory registry's change feed (a batch is reported before its record is on disk). */
  readonly changes: MemoryRegistry.ChangeFeed
  /** The memory registry's EventBridge events. */
  readonly events: EventPublisher.MemoryEventsService
}

const stderrLog = (line: string) => process.stderr.write(`${line}\n`)

/**
 * Opens a registry's directory: recovers its state into a fresh memory registry, compacts, and returns the
 * services that journal every change. With the scope, the compaction under way finishes, the last records
 * are written, and the journal is closed.
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
    // The memory registry has accepted the rules already; only the quota window is needed here.
    const quotaWindow = Either.match(ScanRules.make(options.rules), {
      onLeft: () => Number.POSITIVE_INFINITY,
      onRight: (rules) => rules.accountQuotaWindowMillis
    })
    const directory = options.directory
    const journalFile = Path.join(directory, JournalRecovery.FILES.journal)
    const snapshotFile = Path.join(directory, JournalRecovery.FILES.snapshot)

    yield* Effect.try({
      try: () => {
        StateFiles.ensureDirectorySync(directory)
        // Temporary files left by a crash during a compaction are incomplete: the renamed ones are current.
        Fs.rmSync(`${snapshotFile}.tmp`, { force: true })
        Fs.rmSync(`${journalFile}.tmp`, { force: true })
      },
      catch: (error) => StateFiles.fromErrno(directory, error)
    })
    const recovered = yield* JournalRecovery.recover(directory, accountId, region)
    if (recovered.torn !== undefined) {
      log(
        `${journalFile}: cut off a torn last record at offset ${recovered.torn.offset} (${recovered.torn.bytes} bytes, ` +
          `never acknowledged: the process stopped while writing it)`
      )
    }
    yield* Effect.mapError(
      memory.recover(recovered.snapshot, recovered.random as Utils.PCGRandomState | undefined),
      (error) =>
        new StateFiles.StateFileError({ file: snapshotFile, reason: `the state cannot be restored: ${error.message}` })
    )

    const model = Journal.modelOf(recovered.snapshot, recovered.random)
    let seq = recovered.seq
    yield* Effect.tryPromise({
      try: () => Compaction.writeSnapshot(snapshotFile, Compaction.freeze(model, seq, quotaWindow)),
      catch: (error) => StateFiles.fromErrno(snapshotFile, error)
    })

    // -----------------------------------------------------------------------------------------------------------
    // Compaction, beside the group commit (see `Compaction` for why the files stay consistent)

    let compacting: Promise<void> | undefined
    let threshold = compactAfter
    let closing = false
    const compact = () => {
      if (compacting !== undefined || closing || writer.bytes() <= threshold) return
      // Synchronous with the freeze: every record the snapshot does not cover is retained or still queued.
      const frozen = Compaction.freeze(model, seq, quotaWindow)
      writer.retain()
      compacting = Compaction.writeSnapshot(snapshotFile, frozen).then(() => writer.rotate(frozen.seq)).then(
        () => {
          threshold = compactAfter
        },
        (error) => {
          // The journal is whole: compaction is tried again once it has grown by as much again.
          threshold = writer.bytes() + compactAfter
          log(`compaction failed, the journal is kept: ${StateFiles.fromErrno(snapshotFile, error).message}`)
        }
      ).finally(() => {
        compacting = undefined
        // Records committed meanwhile may have taken the journal past the bound again.
        compact()
      })
    }

    const writer = yield* Effect.tryPromise({
      try: () => JournalWriter.open({ file: journalFile, seq, log, onCommitted: compact }),
      catch: (error) => StateFiles.fromErrno(journalFile, error)
    })
    const unsubscribe = memory.changes.unsafeSubscribe((batch) => {
      // Numbered once built: a record that could not be built leaves no gap in the numbers.
      const record = JournalChanges.recordOf(model, batch, seq + 1)
      seq = record.seq
      writer.append(record)
    })

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        unsubscribe()
        // The last records, then the compactions they start (each may start another), so that what is left is
        // as compact as a running registry would keep it; then nothing more starts.
        yield* writer.drain
        while (compacting !== undefined) {
          const running = compacting
          yield* Effect.promise(() => running)
        }
        closing = true
        yield* writer.close
      })
    )

    // -----------------------------------------------------------------------------------------------------------
    // The services: a call whose step reported changes waits for its record

    /** Runs `effect`, then, if it changed something, waits until that is on disk; `onFailure` types a failure. */
    const journalled = <A, E, E2>(
      effect: Effect.Effect<A, E>,
      onFailure: (error: StateFiles.StateFileError) => Effect.Effect<never, E2>
    ): Effect.Effect<A, E | E2> =>
      Effect.suspend(() => {
        const before = seq
        return Effect.flatMap(Effect.exit(effect), (exit) => {
          // Listeners run synchronously inside the step, so a change made by this call is numbered by now.
          if (seq === before) return exit
          return Effect.zipRight(Effect.catchAll(writer.whenDurable(seq), onFailure), exit)
        })
      })

    const serverError = (error: StateFiles.StateFileError) =>
      Effect.fail(Errors.server(`The registry could not save its state: ${error.message}`))
    // A driver action has no ServerException to fail with: a failed write is a defect (a 500 from the emulator).
    const defect = (error: StateFiles.StateFileError) => Effect.die(error)

    const services = Ports.fromHandlers(Ports.mapHandlers(
      Ports.handlersOf({ ImageScanner: memory.scanner, ImageRegistry: memory.registry }),
      <K extends Api.OperationName>(_name: K, handler: Api.Handler<K>): Api.Handler<K> => (request) =>
        journalled(handler(request), serverError) as Effect.Effect<Api.ResponseOf<K>, Api.Failure<K>>
    ))

    // Every member, whatever the driver offers: an action (an effect, or a function returning one) is journalled.
    const driver = Object.fromEntries(
      Object.entries(memory.driver as unknown as Record<string, unknown>).map(([key, member]) => [
        key,
        Effect.isEffect(member)
          ? journalled(member as Effect.Effect<unknown, unknown>, defect)
          : typeof member === "function"
          ? (...args: Array<unknown>) => journalled(member(...args) as Effect.Effect<unknown, unknown>, defect)
          : member
      ])
    ) as unknown as MemoryRegistryDriverService

    return {
      scanner: services.ImageScanner,
      registry: services.ImageRegistry,
      driver,
      changes: memory.changes,
      events: memory.events
    }
  })

/**
 * A durable registry as a Layer of the two ports, the driver and the change feed (no `MemoryRegistryDirect`:
 * a synchronous call could not wait for its record).
 *
 * @example
 * ```ts
 * import { ImageRegistry } from "@ecr-scan/core"
 * import { DurableRegistry } from "@ecr-scan/memory-backend"
 * import { Effect } from "effect"
 *
 * // The first run creates the repository; every later run, even after a `kill -9`, finds it on disk.
 * const program = Effect.gen(function*() {
 *   const found = yield* ImageRegistry.describeRepositories({})
 *   if ((found.repositories ?? []).length === 0) yield* ImageRegistry.createRepository({ repositoryName: "app" })
 * })
 *
 * // Closing the layer's scope writes the last records and closes the journal.
 * program.pipe(Effect.provide(DurableRegistry.layer({ directory: "./registry-state", seed: 42 })), Effect.runPromise)
 * ```
 */
export const layer = (
  options: DurableRegistryOptions
): Layer.Layer<
  | ImageScanner
  | ImageRegistry
  | MemoryRegistryDriver
  | MemoryRegistry.MemoryRegistryChanges
  | RegistryEvents.RegistryEvents
  | EventPublisher.MemoryEvents,
  StateFiles.StateFileError | MemoryRegistry.InvalidMemoryRegistryOptions
> =>
  Layer.scopedContext(
    Effect.map(make(options), (durable) =>
      Ports.context({ ImageScanner: durable.scanner, ImageRegistry: durable.registry }).pipe(
        Context.add(MemoryRegistryDriver, durable.driver),
        Context.add(MemoryRegistry.MemoryRegistryChanges, durable.changes),
        Context.add(RegistryEvents.RegistryEvents, durable.events),
        Context.add(EventPublisher.MemoryEvents, durable.events)
      ))
  )

/** One account's durable registry, in `stateDir/<accountId>/` (the emulator's `--state-dir`). */
export const forAccount = (stateDir: string, options: MemoryRegistry.MemoryRegistryOptions) => (accountId: string) =>
  layer({ ...options, accountId, directory: Path.join(stateDir, accountId) })
