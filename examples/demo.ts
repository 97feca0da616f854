/**
 * `npm run demo`: a short tour of the rules on the in-memory registry, on a virtual clock, through the
 * packages' public entry points as a user's program would import them. It pushes an image, scans it,
 * watches the scan complete, hits the 24 h rule a millisecond early and passes it on time, then fills
 * the 100,000-scans-per-24-hours quota and waits for a slot to free.
 */
import { ImageRegistry, ImageScanner, ManifestBuilder } from "@ecr-scan/core"
import { MemoryRegistry, MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"

const blob = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`

const manifest = (n: number) =>
  ManifestBuilder.image({ config: { digest: blob(n), size: 1469 }, layers: [{ digest: blob(n + 1), size: 3_370_706 }] })

const clock = Effect.map(MemoryRegistryDriver, (driver) => driver.now).pipe(
  Effect.flatten,
  Effect.map((now) => `[virtual ${now.toISOString()}]`)
)

const say = (text: string) => Effect.flatMap(clock, (at) => Console.log(`${at} ${text}`))

const program = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-11-24T09:00:00Z"))
  yield* say("create-repository demo/app, put-image demo/app:v1")
  yield* ImageRegistry.createRepository({ repositoryName: "demo/app" })
  const pushed = yield* ImageRegistry.putImage({
    repositoryName: "demo/app",
    imageManifest: manifest(0),
    imageTag: "v1"
  })
  const digest = pushed.image!.imageId!.imageDigest!
  yield* say(`  digest ${digest}`)

  const started = yield* ImageScanner.startImageScan({ repositoryName: "demo/app", imageId: { imageTag: "v1" } })
  yield* say(`start-image-scan -> ${started.imageScanStatus?.status}`)
  yield* TestClock.adjust("1 minute")
  const findings = yield* ImageScanner.describeImageScanFindings({
    repositoryName: "demo/app",
    imageId: { imageTag: "v1" }
  })
  yield* say(
    `describe-image-scan-findings -> ${findings.imageScanStatus?.status}, counts ${
      JSON.stringify(findings.imageScanFindings?.findingSeverityCounts)
    }`
  )

  yield* TestClock.adjust(Duration.subtract(Duration.hours(24), Duration.minutes(1)).pipe(Duration.subtract(1)))
  const early = yield* Effect.flip(
    ImageScanner.startImageScan({ repositoryName: "demo/app", imageId: { imageTag: "v1" } })
  )
  yield* say(`start-image-scan at t+24h-1ms -> ${early._tag}: ${early.message}`)
  yield* TestClock.adjust(1)
  const onTime = yield* ImageScanner.startImageScan({ repositoryName: "demo/app", imageId: { imageTag: "v1" } })
  yield* say(`start-image-scan at t+24h     -> ${onTime.imageScanStatus?.status}`)

  yield* say("push 99,999 images into demo/bulk, which scans on push ...")
  yield* ImageRegistry.createRepository({
    repositoryName: "demo/bulk",
    imageScanningConfiguration: { scanOnPush: true }
  })
  for (let n = 1; n <= 99_999; n++) {
    yield* ImageRegistry.putImage({ repositoryName: "demo/bulk", imageManifest: manifest(2 * n) })
  }
  const driver = yield* MemoryRegistryDriver
  const usage = yield* driver.quotaUsage
  yield* say(`quota: ${usage.used} of ${usage.limit} scans used in the last 24 h`)
  const last = yield* ImageRegistry.putImage({
    repositoryName: "demo/bulk",
    imageManifest: manifest(1),
    imageTag: "late"
  })
  const lastStatus = yield* ImageScanner.describeImageScanFindings({
    repositoryName: "demo/bulk",
    imageId: { imageTag: "late" }
  })
  yield* say(`the next push is not scanned: ${lastStatus.imageScanStatus?.status}`)
  const refused = yield* Effect.flip(
    ImageScanner.startImageScan({ repositoryName: "demo/bulk", imageId: last.image!.imageId! })
  )
  yield* say(`start-image-scan on it -> ${refused._tag}: ${refused.message}`)
  const full = yield* driver.quotaUsage
  yield* say(`the oldest counted scan leaves the window at ${full.nextSlotAt?.toISOString()}`)
  yield* TestClock.setTime(full.nextSlotAt!.getTime())
  const admitted = yield* ImageScanner.startImageScan({ repositoryName: "demo/bulk", imageId: { imageTag: "late" } })
  yield* say(`start-image-scan then -> ${admitted.imageScanStatus?.status}`)
})

program.pipe(
  Effect.provide(MemoryRegistry.layer({ seed: "demo" })),
  Effect.provide(TestContext.TestContext),
  Effect.runPromise
).catch((error) => {
  process.exitCode = 1
  return Console.error(error).pipe(Effect.runSync)
})
