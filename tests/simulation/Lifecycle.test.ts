/**
 * A week of a CI pipeline on the memory registry, on TestClock: a build pushed (and scanned on push) every day
 * at 10:00, an untagged intermediate image beside it, and a lifecycle policy that keeps the three newest builds
 * and expires untagged images a day old. The registry applies the policy at each midnight UTC (the default
 * house rule, lazily at its first call after it): each image expires at the first evaluation after it
 * qualifies, not before; its scan findings go with it (ImageNotFoundException); and an "ECR Image Action"
 * DELETE event, timed at that midnight, is published for each.
 */
import { Events, ImageRegistry, ImageScanner, ManifestBuilder } from "@ecr-scan/core"
import { EventPublisher, MemoryRegistry } from "@ecr-scan/memory-backend"
import { expect, it } from "@effect/vitest"
import { Chunk, Effect, Queue, TestClock } from "effect"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const START = Date.parse("2026-01-05T00:00:00Z")
const repositoryName = "ci/service"

const POLICY = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: "keep the three newest builds",
      selection: { tagStatus: "tagged", tagPatternList: ["build-*"], countType: "imageCountMoreThan", countNumber: 3 },
      action: { type: "expire" }
    },
    {
      rulePriority: 2,
      description: "expire untagged images a day old",
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
      action: { type: "expire" }
    }
  ]
})

const manifest = (n: number) =>
  ManifestBuilder.image({
    config: { digest: `sha256:${n.toString(16).padStart(64, "a")}`, size: 100 + n },
    layers: [{ digest: `sha256:${n.toString(16).padStart(64, "b")}`, size: 1_000 + n }]
  })

interface Pushed {
  readonly digest: string
  readonly tag: string | undefined
  readonly pushedAt: number
}

/**
 * The oracle, written from the policy's meaning rather than with the code under test: at the midnight
 * `at`, the images that must still be there.
 */
const survivorsAt = (pushed: ReadonlyArray<Pushed>, at: number): ReadonlyArray<Pushed> => {
  const present = pushed.filter((p) => p.pushedAt <= at)
  const builds = present.filter((p) => p.tag !== undefined).sort((a, b) => b.pushedAt - a.pushedAt)
  const untagged = present.filter((p) => p.tag === undefined && at - p.pushedAt <= DAY)
  return [...builds.slice(0, 3), ...untagged]
}

it.scoped("a week of builds: images expire at the first midnight after they qualify, with their findings", () =>
  Effect.gen(function*() {
    yield* TestClock.setTime(START)
    const events = yield* Effect.flatMap(EventPublisher.MemoryEvents, (publisher) => publisher.subscribe)
    yield* ImageRegistry.createRepository({ repositoryName, imageScanningConfiguration: { scanOnPush: true } })
    yield* ImageRegistry.putLifecyclePolicy({ repositoryName, lifecyclePolicyText: POLICY })
    const pushed: Array<Pushed> = []
    const expiredAt = new Map<string, number>()

    for (let day = 0; day < 7; day++) {
      const midnight = START + day * DAY
      // 10:00: the day's build and an untagged intermediate image, both scanned on push.
      yield* TestClock.setTime(midnight + 10 * HOUR)
      for (const [n, tag] of [[2 * day, `build-${day}`], [2 * day + 1, undefined]] as const) {
        const put = yield* ImageRegistry.putImage({
          repositoryName,
          imageManifest: manifest(n),
          ...(tag === undefined ? {} : { imageTag: tag })
        })
        pushed.push({ digest: put.image!.imageId!.imageDigest!, tag, pushedAt: midnight + 10 * HOUR })
      }
      yield* TestClock.adjust("1 minute") // the scans complete
      yield* Queue.takeAll(events) // pushes and scans: not what this test is about

      // 03:00 the next day: the first call after midnight finds the evaluation due.
      const next = midnight + DAY
      yield* TestClock.setTime(next + 3 * HOUR)
      const listed = yield* ImageRegistry.describeImages({ repositoryName })
      const expected = survivorsAt(pushed, next)
      expect(listed.imageDetails?.map((d) => d.imageDigest).sort()).toStrictEqual(
        expected.map((p) => p.digest).sort()
      )
      const policy = yield* ImageRegistry.getLifecyclePolicy({ repositoryName })
      expect(policy.lastEvaluatedAt?.getTime()).toBe(next)

      // Exactly the images that qualified since the last midnight went, each with one DELETE event at midnight.
      const gone = pushed.filter((p) => !expected.includes(p) && !expiredAt.has(p.digest))
      for (const p of gone) expiredAt.set(p.digest, next)
      const deletes = Chunk.toArray(yield* Queue.takeAll(events)).filter((e) => e["detail-type"] === "ECR Image Action")
      expect(deletes.map((e) => [e.time, e.detail["action-type"], e.detail["image-digest"], e.detail["image-tag"]]))
        .toStrictEqual(gone.map((p) => [Events.formatTime(next), "DELETE", p.digest, p.tag]))
      for (const p of gone) {
        const refused = yield* Effect.flip(
          ImageScanner.describeImageScanFindings({ repositoryName, imageId: { imageDigest: p.digest } })
        )
        expect(refused._tag).toBe("ImageNotFoundException")
      }
      for (const p of expected) {
        const found = yield* ImageScanner.describeImageScanFindings({
          repositoryName,
          imageId: { imageDigest: p.digest }
        })
        expect(found.imageScanStatus?.status).toBe("COMPLETE")
      }
    }

    // Over the week: every untagged image went at the second midnight after its push (the first one, 14 hours
    // after it, it was not a day old), and each build went at the midnight after the third build pushed after it.
    for (const [i, p] of pushed.entries()) {
      const day = Math.floor(i / 2)
      const midnights = p.tag === undefined ? day + 2 : day + 4
      expect(expiredAt.get(p.digest)).toBe(midnights <= 7 ? START + midnights * DAY : undefined)
    }
  }).pipe(Effect.provide(MemoryRegistry.layer({ seed: "lifecycle-simulation" }))))
