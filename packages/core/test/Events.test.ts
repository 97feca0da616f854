/**
 * The events' schemas and constructors held against the samples of AWS's documentation
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html and
 * image-scanning-enhanced-events.html): each sample decodes, and the constructor given the sample's facts
 * writes the same JSON, key for key and in the same order.
 */
import { Events } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const DIGEST = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234"

/** "Event for a completed image push" (ecr-eventbridge.html). */
const PUSH_SAMPLE = {
  version: "0",
  id: "13cde686-328b-6117-af20-0e5566167482",
  "detail-type": "ECR Image Action",
  source: "aws.ecr",
  account: "123456789012",
  time: "2019-11-16T01:54:34Z",
  region: "us-west-2",
  resources: [],
  detail: {
    result: "SUCCESS",
    "repository-name": "my-repository-name",
    "image-digest": DIGEST,
    "action-type": "PUSH",
    "image-tag": "latest"
  }
}

/** "Event for an image deletion" (ecr-eventbridge.html). */
const DELETE_SAMPLE = {
  ...PUSH_SAMPLE,
  id: "dd3b46cb-2c74-f49e-393b-28286b67279d",
  time: "2019-11-16T02:01:05Z",
  detail: { ...PUSH_SAMPLE.detail, "action-type": "DELETE" }
}

/** "Event for a completed image scan (basic scanning)" (ecr-eventbridge.html). */
const SCAN_SAMPLE = {
  version: "0",
  id: "85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
  "detail-type": "ECR Image Scan",
  source: "aws.ecr",
  account: "123456789012",
  time: "2019-10-29T02:36:48Z",
  region: "us-east-1",
  resources: ["arn:aws:ecr:us-east-1:123456789012:repository/my-repository-name"],
  detail: {
    "scan-status": "COMPLETE",
    "repository-name": "my-repository-name",
    "finding-severity-counts": { CRITICAL: 10, MEDIUM: 9 },
    "image-digest": DIGEST,
    "image-tags": []
  }
}

/** "Event for a change notification on a resource with enhanced scanning enabled" (ecr-eventbridge.html). */
const RESOURCE_CHANGE_SAMPLE = {
  version: "0",
  id: "0c18352a-a4d4-6853-ef53-0ab8638973bf",
  "detail-type": "ECR Scan Resource Change",
  source: "aws.ecr",
  account: "123456789012",
  time: "2021-10-14T20:53:46Z",
  region: "us-east-1",
  resources: [],
  detail: {
    "action-type": "SCAN_FREQUENCY_CHANGE",
    repositories: [
      ["repository-1", "SCAN_ON_PUSH", "MANUAL"],
      ["repository-2", "CONTINUOUS_SCAN", "SCAN_ON_PUSH"],
      ["repository-3", "CONTINUOUS_SCAN", "SCAN_ON_PUSH"]
    ].map(([name, frequency, previous]) => ({
      "repository-name": name,
      "repository-arn": `arn:aws:ecr:us-east-1:123456789012:repository/${name}`,
      "scan-frequency": frequency,
      "previous-scan-frequency": previous
    })),
    "resource-type": "REPOSITORY",
    "scan-type": "ENHANCED"
  }
}

/** The "Inspector2 Scan" sample (image-scanning-enhanced-events.html; `version` as in Inspector's own page). */
const INSPECTOR_SAMPLE = {
  version: "0",
  id: "739c0d3c-4f02-85c7-5a88-94a9EXAMPLE",
  "detail-type": "Inspector2 Scan",
  source: "aws.inspector2",
  account: "123456789012",
  time: "2021-12-03T18:03:16Z",
  region: "us-east-2",
  resources: ["arn:aws:ecr:us-east-2:123456789012:repository/amazon/amazon-ecs-sample"],
  detail: {
    "scan-status": "INITIAL_SCAN_COMPLETE",
    "repository-name": "arn:aws:ecr:us-east-2:123456789012:repository/amazon/amazon-ecs-sample",
    "finding-severity-counts": { CRITICAL: 7, HIGH: 61, MEDIUM: 62, TOTAL: 158 },
    "image-digest": "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e59e3a8e4914",
    "image-tags": ["latest"],
    version: "1.0"
  }
}

const origin = (sample: { account: string; region: string; time: string; id: string }): Events.Origin => ({
  accountId: sample.account,
  region: sample.region,
  time: Date.parse(sample.time),
  id: sample.id
})

/** The same JSON text: same keys, same values, same order. */
const sameJson = (ours: Events.RegistryEvent, sample: unknown) =>
  expect(Events.toJson(ours)).toBe(JSON.stringify(sample))

describe("the events of AWS's documentation", () => {
  it.each([
    ["a push", PUSH_SAMPLE],
    ["a delete", DELETE_SAMPLE],
    ["a basic scan", SCAN_SAMPLE],
    ["a scan resource change", RESOURCE_CHANGE_SAMPLE],
    ["an Inspector scan", INSPECTOR_SAMPLE]
  ])("%s decodes, and encodes back to the same JSON", (_, sample) => {
    const decoded = Either.getOrThrow(Events.decode(sample))
    sameJson(decoded, sample)
  })

  it("imagePushed writes the push sample", () => {
    sameJson(
      Events.imagePushed(origin(PUSH_SAMPLE), {
        repositoryName: "my-repository-name",
        imageDigest: DIGEST,
        imageTag: "latest"
      }),
      PUSH_SAMPLE
    )
  })

  it("imageDeleted writes the delete sample", () => {
    sameJson(
      Events.imageDeleted(origin(DELETE_SAMPLE), {
        repositoryName: "my-repository-name",
        imageDigest: DIGEST,
        imageTag: "latest"
      }),
      DELETE_SAMPLE
    )
  })

  it("imageScanned writes the scan sample, zero counts left out", () => {
    sameJson(
      Events.imageScanned(origin(SCAN_SAMPLE), {
        repositoryName: "my-repository-name",
        imageDigest: DIGEST,
        imageTags: [],
        scanStatus: "COMPLETE",
        counts: { CRITICAL: 10, HIGH: 0, MEDIUM: 9 }
      }),
      SCAN_SAMPLE
    )
  })

  it("scanFrequencyChanged writes the scan resource change sample", () => {
    sameJson(
      Events.scanFrequencyChanged(origin(RESOURCE_CHANGE_SAMPLE), {
        scanType: "ENHANCED",
        repositories: RESOURCE_CHANGE_SAMPLE.detail.repositories.map((r) => ({
          repositoryName: r["repository-name"],
          scanFrequency: r["scan-frequency"] as Events.ScanFrequency,
          previousScanFrequency: r["previous-scan-frequency"] as Events.ScanFrequency
        }))
      }),
      RESOURCE_CHANGE_SAMPLE
    )
  })

  it("inspectorScanned writes the Inspector sample: the repository's ARN as its name, TOTAL over every severity", () => {
    sameJson(
      Events.inspectorScanned(origin(INSPECTOR_SAMPLE), {
        repositoryName: "amazon/amazon-ecs-sample",
        imageDigest: INSPECTOR_SAMPLE.detail["image-digest"],
        imageTags: ["latest"],
        counts: { CRITICAL: 7, HIGH: 61, MEDIUM: 62, LOW: 20, INFORMATIONAL: 5, UNDEFINED: 3 }
      }),
      INSPECTOR_SAMPLE
    )
  })
})

describe("the house rules where AWS is silent", () => {
  const at: Events.Origin = { accountId: "123456789012", region: "eu-west-1", time: 1_767_225_600_123, id: "x" }

  it("an untagged push has no image-tag key", () => {
    const event = Events.imagePushed(at, { repositoryName: "app", imageDigest: DIGEST })
    expect("image-tag" in event.detail).toBe(false)
  })

  it("a completed scan without findings says {}; a scan that did not complete has no counts", () => {
    const base = { repositoryName: "app", imageDigest: DIGEST, imageTags: ["v1"] }
    expect(Events.imageScanned(at, { ...base, scanStatus: "COMPLETE", counts: {} }).detail["finding-severity-counts"])
      .toStrictEqual({})
    const failed = Events.imageScanned(at, { ...base, scanStatus: "FAILED" })
    expect("finding-severity-counts" in failed.detail).toBe(false)
    expect(failed.detail["scan-status"]).toBe("FAILED")
  })

  it("time is to the second, without a fraction; last-activated-at keeps its milliseconds", () => {
    expect(Events.formatTime(1_767_225_600_999)).toBe("2026-01-01T00:00:00Z")
    const restored = Events.storageClassUpdated(at, {
      repositoryName: "app",
      imageDigest: DIGEST,
      targetStorageClass: "STANDARD",
      lastActivatedAt: 1_767_225_600_740
    })
    expect(restored.detail).toStrictEqual({
      result: "SUCCESS",
      "repository-name": "app",
      "image-digest": DIGEST,
      "action-type": "UPDATE_STORAGE_CLASS",
      "target-storage-class": "STANDARD",
      "last-activated-at": "2026-01-01T00:00:00.740Z"
    })
  })

  it("a decoded event ignores members AWS may add, and a wrong one says what is wrong", () => {
    const extra = { ...PUSH_SAMPLE, "replay-name": "r1", detail: { ...PUSH_SAMPLE.detail, "new-field": 1 } }
    expect(Either.isRight(Events.decode(extra))).toBe(true)
    const wrong = Events.decode({ ...SCAN_SAMPLE, detail: { ...SCAN_SAMPLE.detail, "image-tags": "v1" } })
    expect(Either.isLeft(wrong) && wrong.left).toContain("image-tags")
    expect(Events.decodeJson("{").pipe(Either.flip, Either.getOrThrow)).toMatch(/^Not JSON: /)
  })
})

describe("deterministicId", () => {
  it("is a version 4 UUID, the same for the same seed and key, different otherwise", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (seed, key, other) => {
        const id = Events.deterministicId(seed, key)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(Events.deterministicId(seed, key)).toBe(id)
        if (other !== key) expect(Events.deterministicId(seed, other)).not.toBe(id)
      })
    )
  })
})
