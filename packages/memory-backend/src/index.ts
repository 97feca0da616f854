/**
 * @ecr-scan/memory-backend: a deterministic in-memory ECR registry for the core's ports.
 *
 * @module @ecr-scan/memory-backend
 * @since 0.1.0
 */

/** The change feed's values: what each step of the registry changed. */
export * as Changes from "./Changes.js"
/** The registry's EventBridge events, from its change feed on its clock. */
export * as EventPublisher from "./EventPublisher.js"
/** The in-memory registry layer. */
export * as MemoryRegistry from "./MemoryRegistry.js"
/** The driver: test handles of the in-memory registry. */
export * from "./MemoryRegistryDriver.js"
/** Snapshots of the registry's state. */
export * as Snapshot from "./Snapshot.js"
/** Seeded synthetic findings. */
export * as SyntheticFindings from "./SyntheticFindings.js"
/** A settable clock for long simulations and virtual time. */
export * as VirtualClock from "./VirtualClock.js"
/** Compaction of a durable registry's journal into its snapshot, off the event loop. */
export * as Compaction from "./Compaction.js"
/** A virtual clock kept on disk. */
export * as DurableClock from "./DurableClock.js"
/** The memory registry kept on disk: snapshot and journal, written from the change feed. */
export * as DurableRegistry from "./DurableRegistry.js"
/** Journal records and the projection they describe. */
export * as Journal from "./Journal.js"
/** From change batches to journal records. */
export * as JournalChanges from "./JournalChanges.js"
/** Reading a durable registry's directory back. */
export * as JournalRecovery from "./JournalRecovery.js"
/** The journal's group commit. */
export * as JournalWriter from "./JournalWriter.js"
/** The format of the state files: framed, checksummed records. */
export * as StateFiles from "./StateFiles.js"
