/**
 * @ecr-scan/memory-backend: a deterministic in-memory ECR registry for the core's ports.
 *
 * @since 0.1.0
 */

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
