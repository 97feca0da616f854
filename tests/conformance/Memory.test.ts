/**
 * The conformance suite against the memory backend, called directly: `MemoryRegistry.layer`, which
 * reads time from the calling fiber's clock (so the suite's virtual clock is its clock), with its driver
 * for findings, outcomes and faults.
 */
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import { Conformance } from "@ecr-scan/testing"

Conformance.suite(
  "conformance: the memory backend",
  MemoryRegistry.layer({ seed: "conformance", rules: { scanDuration: { min: "1 second", max: "3 seconds" } } }),
  { ...Conformance.driverOptions, expectedDifferences: {} }
)
