/**
 * The events conformance suite against the memory registry's own events: `MemoryRegistry.layer`, whose
 * registry and events read the clock of the fiber that runs them (the suite's virtual clock).
 */
import { MemoryRegistry } from "@ecr-scan/memory-backend"
import { EventsConformance } from "@ecr-scan/testing"

EventsConformance.suite(
  "events conformance: the memory backend",
  MemoryRegistry.layer({ seed: "conformance", rules: { scanDuration: { min: "1 second", max: "3 seconds" } } }),
  { virtualTime: "fiber" }
)
