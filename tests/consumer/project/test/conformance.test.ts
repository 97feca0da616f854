/**
 * The exported conformance suite against the memory registry, as a user of the published packages runs it:
 * `@ecr-scan/testing` and `@ecr-scan/memory-backend` from their tarballs, on the project's own vitest and
 * `@effect/vitest`. Every case must pass (the memory registry has every capability the suite asks for).
 */
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import { Conformance } from "@ecr-scan/testing"

Conformance.suite(
  "conformance from the tarballs: the memory registry",
  MemoryRegistry.layer({ seed: "consumer", rules: { scanDuration: { min: "1 second", max: "3 seconds" } } }),
  Conformance.driverOptions
)
