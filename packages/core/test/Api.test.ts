import { Api, Identifiers } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"

const DIGEST = "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6"

const encodeFindings = Schema.encodeSync(Api.DescribeImageScanFindingsResponse)
const decodeFindings = Schema.decodeUnknownSync(Api.DescribeImageScanFindingsResponse)

/** The one finding of the sample response, the same on the wire as in the typed value. */
const FINDING = {
  name: "CVE-2019-5188",
  uri: "https://security-tracker.debian.org/tracker/CVE-2019-5188",
  severity: "HIGH",
  attributes: [{ key: "package_name", value: "e2fsprogs" }]
} as const

/** A response as a backend builds it: typed values, `Date`s for timestamps. */
const response = Schema.decodeUnknownSync(Api.DescribeImageScanFindingsResponse)({
  registryId: "012345678910",
  repositoryName: "sample-repo",
  imageId: { imageDigest: DIGEST, imageTag: "v1" },
  imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
  imageScanFindings: {
    imageScanCompletedAt: new Date(1579839105000),
    vulnerabilitySourceUpdatedAt: new Date(1787109743563),
    findingSeverityCounts: { HIGH: 1 },
    findings: [FINDING]
  }
})

describe("Api wire encoding", () => {
  it("DescribeImageScanFindingsResponse encodes to the exact wire JSON, timestamps as epoch seconds", () => {
    expect(JSON.stringify(encodeFindings(response))).toBe(JSON.stringify({
      registryId: "012345678910",
      repositoryName: "sample-repo",
      imageId: { imageDigest: DIGEST, imageTag: "v1" },
      imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
      imageScanFindings: {
        imageScanCompletedAt: 1579839105,
        vulnerabilitySourceUpdatedAt: 1787109743.563,
        findingSeverityCounts: { HIGH: 1 },
        findings: [FINDING]
      }
    }))
  })

  it("absent members are omitted, not sent as null", () => {
    const encoded = encodeFindings({
      repositoryName: response.repositoryName!,
      imageId: { imageDigest: response.imageId!.imageDigest! },
      imageScanStatus: { status: "IN_PROGRESS" }
    })
    expect(JSON.stringify(encoded)).toBe(
      `{"repositoryName":"sample-repo","imageId":{"imageDigest":"${DIGEST}"},"imageScanStatus":{"status":"IN_PROGRESS"}}`
    )
    expect(Object.keys(encoded)).not.toContain("nextToken")
    expect(Object.keys(encoded)).not.toContain("imageScanFindings")
  })

  it("StartImageScanResponse encodes to the shape of the AWS CLI example", () => {
    const started = Schema.decodeUnknownSync(Api.StartImageScanResponse)({
      registryId: "012345678910",
      repositoryName: "sample-repo",
      imageId: { imageDigest: DIGEST },
      imageScanStatus: { status: "IN_PROGRESS" }
    })
    expect(JSON.stringify(Schema.encodeSync(Api.StartImageScanResponse)(started))).toBe(
      `{"registryId":"012345678910","repositoryName":"sample-repo","imageId":{"imageDigest":"${DIGEST}"},` +
        `"imageScanStatus":{"status":"IN_PROGRESS"}}`
    )
  })

  it("decoding accepts timestamps as epoch-second numbers, fractional or whole", () => {
    const decoded = decodeFindings({
      imageScanFindings: { imageScanCompletedAt: 1787109743.563, vulnerabilitySourceUpdatedAt: 1698376478 }
    })
    expect(decoded.imageScanFindings?.imageScanCompletedAt).toEqual(new Date(1787109743563))
    expect(decoded.imageScanFindings?.vulnerabilitySourceUpdatedAt).toEqual(new Date(1698376478000))
  })

  it("decoding accepts timestamps as Dates, as the JS SDK hands them back", () => {
    const at = new Date(1787109743563)
    expect(decodeFindings({ imageScanFindings: { imageScanCompletedAt: at } }).imageScanFindings?.imageScanCompletedAt)
      .toEqual(at)
  })

  it.prop("a timestamp survives encoding to the wire and decoding back", [
    fc.integer({ min: 0, max: 4_102_444_800_000 })
  ], ([millis]) => {
    const wire = Schema.encodeSync(Identifiers.Timestamp)(new Date(millis))
    expect(typeof wire).toBe("number")
    expect(wire).toBe(millis / 1000)
    expect(Schema.decodeUnknownSync(Identifiers.Timestamp)(wire)).toEqual(new Date(millis))
  })

  it("decoding rejects an unknown scan status", () => {
    expect(() => decodeFindings({ imageScanStatus: { status: "DONE" } })).toThrow()
  })

  it("the operation table lists the model's errors of StartImageScan", () => {
    expect([...Api.Operations.StartImageScan.errors].sort()).toEqual([
      "ImageArchivedException",
      "ImageNotFoundException",
      "InvalidParameterException",
      "LimitExceededException",
      "RepositoryNotFoundException",
      "ServerException",
      "UnsupportedImageTypeException",
      "ValidationException"
    ])
    expect(Api.isOperationName("StartImageScan")).toBe(true)
    expect(Api.isOperationName("toString")).toBe(false)
  })
})
