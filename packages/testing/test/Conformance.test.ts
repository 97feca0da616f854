/**
 * The suite accepts any layer that provides the ports, not only the backends of this repository: here it
 * runs against a layer of the kind a user writes around the ports (every call recorded, then forwarded to
 * the memory registry), with the memory registry's driver kept beside it, in another account and region
 * than the default ones.
 */
import { type Api, Ports } from "@ecr-scan/core"
import { MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { Conformance } from "@ecr-scan/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const ACCOUNT = "210987654321"
const REGION = "eu-west-1"

/** Every operation the wrapper forwarded, in order. */
const calls: Array<Api.OperationName> = []

/** The wrapper: both ports rebuilt from the memory registry's handlers, each recording its call first. */
const recorded = Ports.layer(
  Effect.map(
    Ports.handlers,
    (handlers) =>
      Ports.mapHandlers(handlers, (name, handler) => (request) =>
        Effect.suspend(() => {
          calls.push(name)
          return handler(request)
        }))
  )
)

const layer = Layer.merge(recorded, Layer.effect(MemoryRegistryDriver, MemoryRegistryDriver)).pipe(
  Layer.provide(
    MemoryRegistry.layer({
      accountId: ACCOUNT,
      region: REGION,
      seed: "testing",
      rules: { scanDuration: { min: "1 second", max: "3 seconds" } }
    })
  )
)

Conformance.suite("the conformance suite against a user's layer around the memory registry", layer, {
  ...Conformance.driverOptions,
  accountId: ACCOUNT,
  region: REGION,
  repositoryPrefix: "wrapped"
})

describe("the layer under test", () => {
  it("served every call of the suite through the wrapper", () => {
    expect(new Set(calls)).toStrictEqual(
      new Set<Api.OperationName>([
        "CreateRepository",
        "DescribeRepositories",
        "DeleteRepository",
        "PutImage",
        "DescribeImages",
        "StartImageScan",
        "DescribeImageScanFindings",
        "UpdateImageStorageClass",
        "ListImages",
        "DescribeRegistry",
        "GetAuthorizationToken",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
        "PutImageTagMutability",
        "SetRepositoryPolicy",
        "GetRepositoryPolicy",
        "DeleteRepositoryPolicy",
        "PutRegistryPolicy",
        "GetRegistryPolicy",
        "DeleteRegistryPolicy",
        "PutLifecyclePolicy",
        "GetLifecyclePolicy",
        "DeleteLifecyclePolicy",
        "StartLifecyclePolicyPreview",
        "GetLifecyclePolicyPreview",
        "GetRegistryScanningConfiguration",
        "PutRegistryScanningConfiguration"
      ])
    )
  })

  it("lists every case once, in the order the suite runs them", () => {
    expect(new Set(Conformance.caseIds).size).toBe(Conformance.caseIds.length)
    expect(Conformance.caseIds[0]).toBe("repository-lifecycle")
    expect(Conformance.caseIds).toContain("window-reopens")
  })
})
