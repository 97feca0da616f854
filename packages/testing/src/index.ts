/**
 * @ecr-scan/testing: the conformance suite of the ECR ports as a function of any layer that provides them,
 * fixtures (manifests, digests, findings), and the memory registry on `TestClock`, for your own tests.
 *
 * @module @ecr-scan/testing
 * @since 0.1.0
 */

/** The conformance suite: every behaviour of the ports, registered as vitest tests against a layer. */
export * as Conformance from "./Conformance.js"
/** The events conformance suite: what `RegistryEvents` delivers for what the ports do. */
export * as EventsConformance from "./EventsConformance.js"
/** Image manifests, indexes, digests and findings for tests. */
export * as Fixtures from "./Fixtures.js"
/** The memory registry on `TestClock`: a layer, a fresh registry per test, time moved for pollers. */
export * as TestRegistry from "./TestRegistry.js"
