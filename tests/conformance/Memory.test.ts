/**
 * The conformance suite against the memory backend, called directly: `MemoryRegistry.layer`, which
 * reads time from the calling fiber's clock (so the suite's virtual clock is its clock), with its driver
 * for findings, outcomes and faults.
 */
import { MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { conformance } from "./suite.js"

const driver = (context: Context.Context<MemoryRegistryDriver>) => Context.get(context, MemoryRegistryDriver)

conformance("conformance: the memory backend", {
  acquire: Layer.build(
    MemoryRegistry.layer({ seed: "conformance", rules: { scanDuration: { min: "1 second", max: "3 seconds" } } })
  ),
  layer: (context) => Layer.succeedContext(context),
  virtualTime: "fiber",
  setFindings: (context, target, findings) => driver(context).setFindings(target, findings),
  setOutcome: (context, target, outcome) => driver(context).setScanOutcome(target, outcome),
  planFault: (context, plan) => driver(context).planFault(plan),
  expectedDifferences: {}
})
