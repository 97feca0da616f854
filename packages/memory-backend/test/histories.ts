/**
 * Random histories of calls to one registry: pushes, scans, reads, deletes, configuration, invalid requests,
 * planned faults and clock moves, over two repositories (and a name that is not valid) and six images.
 */
import type { Api } from "@ecr-scan/core"
import * as fc from "fast-check"
import { DAY, digestOf, HOUR, ociImage } from "./fixtures.js"

/** A call of one operation. */
export type Call = { readonly _tag: "call"; readonly operation: Api.OperationName; readonly input: unknown }
/** A call, a clock move or a planned fault. */
export type Step =
  | Call
  | { readonly _tag: "advance"; readonly millis: number }
  | { readonly _tag: "fault"; readonly operation: Api.OperationName; readonly probability: number }

const repository = fc.constantFrom("alpha", "beta", "Not-Valid")
const image = fc.integer({ min: 0, max: 5 })
const imageId = fc.oneof(
  image.map((n) => ({ imageDigest: digestOf(ociImage(n)) })),
  fc.constantFrom({ imageTag: "v1" }, { imageTag: "v2" }, {}, { imageDigest: "sha256:short" })
)

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ repositoryName: repository, imageScanningConfiguration: fc.record({ scanOnPush: fc.boolean() }) })
    .map((input) => ({ _tag: "call" as const, operation: "CreateRepository" as const, input })),
  fc.record({ repositoryName: repository, image, imageTag: fc.constantFrom("v1", "v2", undefined) })
    .map(({ image, imageTag, repositoryName }) => ({
      _tag: "call" as const,
      operation: "PutImage" as const,
      input: { repositoryName, imageManifest: ociImage(image), ...(imageTag === undefined ? {} : { imageTag }) }
    })),
  fc.record({ repositoryName: repository, imageId })
    .map((input) => ({ _tag: "call" as const, operation: "StartImageScan" as const, input })),
  fc.record({ repositoryName: repository, imageId, maxResults: fc.constantFrom(1, 10, 0, undefined) })
    .map((input) => ({ _tag: "call" as const, operation: "DescribeImageScanFindings" as const, input })),
  fc.record({ repositoryName: repository })
    .map((input) => ({ _tag: "call" as const, operation: "DescribeImages" as const, input })),
  fc.record({ repositoryName: repository, imageIds: fc.array(imageId, { maxLength: 2 }) })
    .map((input) => ({ _tag: "call" as const, operation: "BatchDeleteImage" as const, input })),
  fc.record({ repositoryName: repository, force: fc.boolean() })
    .map((input) => ({ _tag: "call" as const, operation: "DeleteRepository" as const, input })),
  fc.record({ repositoryName: repository, imageScanningConfiguration: fc.record({ scanOnPush: fc.boolean() }) })
    .map((input) => ({ _tag: "call" as const, operation: "PutImageScanningConfiguration" as const, input })),
  fc.constant({ _tag: "call" as const, operation: "DescribeRepositories" as const, input: {} }),
  // Members of the wrong type: refused by validation, on both paths alike.
  fc.constant({ _tag: "call" as const, operation: "StartImageScan" as const, input: { repositoryName: 7 } })
)

/** One step of a history. */
export const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: call, weight: 8 },
  {
    arbitrary: fc.record({
      _tag: fc.constant("advance" as const),
      millis: fc.constantFrom(1, HOUR, DAY, DAY + 1)
    }),
    weight: 1
  },
  {
    arbitrary: fc.record({
      _tag: fc.constant("fault" as const),
      operation: fc.constantFrom("StartImageScan" as const, "PutImage" as const),
      probability: fc.constantFrom(0.5, 1)
    }),
    weight: 1
  }
)
