// A plain JavaScript test, as a user with neither Effect nor TypeScript writes one: the emulator started in the
// test's process through its Promise API (`startEmulator` of @ecr-scan/emulator), driven by the AWS SDK for
// JavaScript, on node's own test runner (`node --test`).
import {
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  ECRClient,
  PutImageCommand,
  StartImageScanCommand
} from "@aws-sdk/client-ecr"
import { startEmulator } from "@ecr-scan/emulator"
import assert from "node:assert/strict"
import { after, before, test } from "node:test"

const imageManifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: `sha256:${"a".repeat(64)}`,
    size: 1469
  },
  layers: [{
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: `sha256:${"b".repeat(64)}`,
    size: 3370706
  }]
})

let emulator
let ecr

before(async () => {
  emulator = await startEmulator({ startTime: "2026-01-01T00:00:00Z", seed: 42 })
  ecr = new ECRClient(emulator.clientConfig)
})

after(async () => {
  ecr?.destroy()
  await emulator?.stop()
  await emulator?.stop() // again is harmless
})

test("a scan is IN_PROGRESS, then COMPLETE with the findings set, once the virtual clock has moved", async () => {
  assert.match(emulator.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
  const imageId = { imageTag: "v1" }
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }))
  const { image } = await ecr.send(new PutImageCommand({ repositoryName: "app", imageTag: "v1", imageManifest }))
  await emulator.setFindings(image.imageId.imageDigest, [{ name: "CVE-2026-0001", severity: "CRITICAL" }])

  const started = await ecr.send(new StartImageScanCommand({ repositoryName: "app", imageId }))
  assert.equal(started.imageScanStatus.status, "IN_PROGRESS")
  const before = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: "app", imageId }))
  assert.equal(before.imageScanStatus.status, "IN_PROGRESS")

  const now = await emulator.clock.advance("10 minutes")
  assert.equal(new Date(now).toISOString(), "2026-01-01T00:10:00.000Z")
  const found = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: "app", imageId }))
  assert.equal(found.imageScanStatus.status, "COMPLETE")
  assert.deepEqual(found.imageScanFindings.findingSeverityCounts, { CRITICAL: 1 })
})

test("a second scan the same day is refused; a day later it is accepted", async () => {
  const imageId = { imageTag: "v1" }
  await assert.rejects(
    ecr.send(new StartImageScanCommand({ repositoryName: "app", imageId })),
    (error) => error.name === "LimitExceededException"
  )
  await emulator.clock.advance("1 day")
  const rescan = await ecr.send(new StartImageScanCommand({ repositoryName: "app", imageId }))
  assert.equal(rescan.imageScanStatus.status, "IN_PROGRESS")
  assert.equal((await emulator.quota()).used, 1)
})

test("invalid options reject with an EmulatorError naming the option", async () => {
  await assert.rejects(startEmulator({ startTime: "not a time" }), (error) => {
    assert.equal(error.name, "EmulatorError")
    assert.equal(error.reason, "InvalidOptions")
    assert.match(error.message, /startTime/)
    return true
  })
})
