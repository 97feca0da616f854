import { ImageRegistry, ImageScanner } from "@ecr-scan/core"
import {
  DurableRegistry,
  JournalRecovery,
  MemoryRegistryDriver,
  StateFiles,
  VirtualClock
} from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { DAY, digestOf, HOUR, journalRepository, ociImage as manifest, T0, withDirectory } from "./fixtures.js"

/** Runs `session` on a durable registry in `dir` (virtual time from `T0`), returning its final state. */
const session = (
  dir: string,
  session: (durable: DurableRegistry.DurableRegistry, clock: VirtualClock.VirtualClock) => Effect.Effect<void, unknown>,
  options: Partial<DurableRegistry.DurableRegistryOptions> = {}
) => {
  const clock = VirtualClock.unsafeMake(T0)
  return Effect.runPromise(
    Effect.scoped(Effect.gen(function*() {
      const durable = yield* DurableRegistry.make({ directory: dir, seed: "durable", ...options })
      yield* Effect.withClock(session(durable, clock), clock)
      return yield* durable.driver.snapshot
    }))
  )
}

const recovered = (dir: string) => {
  const result = JournalRecovery.recover(dir, "123456789012", "us-east-1")
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

/** Writes of every kind: repositories, images (a tag moving), scans, deletions, settings, overrides, faults. */
const everyKindOfWrite = (d: DurableRegistry.DurableRegistry, clock: VirtualClock.VirtualClock) =>
  Effect.gen(function*() {
    yield* d.registry.createRepository({ repositoryName: "app" })
    yield* d.registry.createRepository({ repositoryName: "gone" })
    yield* d.registry.createRepository({ repositoryName: "other", imageScanningConfiguration: { scanOnPush: true } })
    for (let n = 0; n < 4; n++) {
      yield* d.registry.putImage({ repositoryName: "app", imageManifest: manifest(n), imageTag: `v${n}` })
    }
    // `latest` moves from image 0 to image 1.
    yield* d.registry.putImage({ repositoryName: "app", imageManifest: manifest(0), imageTag: "latest" })
    yield* d.registry.putImage({ repositoryName: "app", imageManifest: manifest(1), imageTag: "latest" })
    yield* d.registry.putImage({ repositoryName: "other", imageManifest: manifest(9), imageTag: "pushed" })
    yield* d.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v0" } })
    yield* clock.advance(HOUR)
    yield* d.scanner.startImageScan({ repositoryName: "app", imageId: { imageDigest: digestOf(manifest(1)) } })
    const refused = yield* Effect.exit(
      d.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "latest" } })
    )
    expect(Exit.isFailure(refused)).toBe(true)
    yield* d.registry.batchDeleteImage({ repositoryName: "app", imageIds: [{ imageTag: "v2" }, { imageTag: "v3" }] })
    yield* d.registry.deleteRepository({ repositoryName: "gone" })
    yield* d.registry.putImageScanningConfiguration({
      repositoryName: "app",
      imageScanningConfiguration: { scanOnPush: true }
    })
    yield* d.registry.updateImageStorageClass({
      repositoryName: "app",
      imageId: { imageTag: "v0" },
      targetStorageClass: "ARCHIVE"
    })
    yield* d.registry.putRegistryScanningConfiguration({
      scanType: "BASIC",
      rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "prod-*", filterType: "WILDCARD" }] }]
    })
    yield* d.driver.setScanOutcome({ imageDigest: digestOf(manifest(3)) }, "FAILED")
    yield* d.driver.planFault({ operation: "DescribeImages", count: 2 })
    // A read that a fault fails changes the faults left.
    yield* Effect.exit(d.registry.describeImages({ repositoryName: "app" }))
  })

describe("DurableRegistry", () => {
  it("rebuilds from the journal exactly the state a session left", () =>
    withDirectory("durable-registry-", async (dir) => {
      const final = await session(dir, everyKindOfWrite)
      const rebuilt = recovered(dir)
      expect(rebuilt.records).toBeGreaterThan(10)
      expect(rebuilt.torn).toBeUndefined()
      expect(rebuilt.snapshot).toEqual(final)
      expect(final.quota).toHaveLength(3)
      expect(final.faults).toEqual([expect.objectContaining({ operation: "DescribeImages", remaining: 1 })])
      const app = final.repositories.find((r) => r.name === "app")!
      expect(app.images.map((i) => i.tags)).toEqual([["v0"], ["v1", "latest"]])
    }))

  it("restores the state in the next session, which continues the journal", () =>
    withDirectory("durable-registry-", async (dir) => {
      const first = await session(dir, everyKindOfWrite)
      const second = await session(dir, (d) =>
        Effect.gen(function*() {
          expect(yield* d.driver.snapshot).toEqual(first)
          yield* d.registry.createRepository({ repositoryName: "later" })
        }))
      // The restart compacted: the snapshot holds the first session, the journal only what came after.
      expect(recovered(dir).records).toBe(1)
      expect(recovered(dir).snapshot).toEqual(second)
      expect(second.repositories.map((r) => r.name)).toEqual(["app", "other", "later"])
    }))

  it("compacts into the snapshot as the journal outgrows its bound, losing nothing", () =>
    withDirectory("durable-registry-", async (dir) => {
      const final = await session(dir, everyKindOfWrite, { compactAfterBytes: 1 })
      expect(Fs.statSync(Path.join(dir, JournalRecovery.FILES.journal)).size).toBe(8)
      const rebuilt = recovered(dir)
      expect(rebuilt.records).toBe(0)
      expect(rebuilt.seq).toBeGreaterThan(10)
      expect(rebuilt.snapshot).toEqual(final)
    }))

  it("skips the records a snapshot covers (a crash between a compaction's rename and its truncation)", () =>
    withDirectory("durable-registry-", async (dir) => {
      const final = await session(dir, everyKindOfWrite)
      const journal = Path.join(dir, JournalRecovery.FILES.journal)
      const records = Fs.readFileSync(journal)
      // The next start compacts: snapshot covering every record, journal emptied. Put the records back.
      await session(dir, () => Effect.void)
      Fs.writeFileSync(journal, records)
      expect(recovered(dir).records).toBe(0)
      expect(recovered(dir).snapshot).toEqual(final)
    }))

  it("journals a reset and an import whole", () =>
    withDirectory("durable-registry-", async (dir) => {
      let exported: unknown
      const final = await session(dir, (d, clock) =>
        Effect.gen(function*() {
          yield* everyKindOfWrite(d, clock)
          const snapshot = yield* d.driver.snapshot
          exported = snapshot
          yield* d.driver.reset
          yield* d.registry.createRepository({ repositoryName: "after-reset" })
          yield* d.driver.restore(snapshot)
          yield* d.registry.createRepository({ repositoryName: "after-import" })
        }))
      expect(final.repositories.map((r) => r.name)).toEqual(["app", "other", "after-import"])
      expect(final.quota).toEqual((exported as typeof final).quota)
      expect(recovered(dir).snapshot).toEqual(final)
    }))

  it("refuses a gap in the record numbers", () =>
    withDirectory("durable-registry-", async (dir) => {
      await session(dir, everyKindOfWrite)
      const journal = Path.join(dir, JournalRecovery.FILES.journal)
      const contents = StateFiles.parse(journal, "journal", Fs.readFileSync(journal))
      if (contents instanceof StateFiles.StateFileError) throw contents
      const kept = [contents.frames[0], ...contents.frames.slice(2)].map((f) => StateFiles.encodeFrame(f.value))
      Fs.writeFileSync(journal, Buffer.concat([StateFiles.header("journal"), ...kept]))
      const result = JournalRecovery.recover(dir, "123456789012", "us-east-1")
      expect(Either.isLeft(result) && result.left.message).toMatch(
        /journal at offset \d+: record number 3 where 2 was expected: records are missing$/
      )
    }))

  it("refuses the state of another account", () =>
    withDirectory("durable-registry-", async (dir) => {
      await session(dir, (d) => Effect.asVoid(d.registry.createRepository({ repositoryName: "app" })))
      const result = JournalRecovery.recover(dir, "210987654321", "us-east-1")
      expect(Either.isLeft(result) && result.left.message).toContain(
        "this state belongs to account 123456789012 in us-east-1, not to account 210987654321 in us-east-1"
      )
    }))

  it("serves a plain Effect program through its layer, and the next program finds what the first wrote", () =>
    withDirectory("durable-registry-", async (dir) => {
      const first = Effect.gen(function*() {
        yield* ImageRegistry.createRepository({ repositoryName: "app" })
        yield* ImageRegistry.putImage({ repositoryName: "app", imageManifest: manifest(1), imageTag: "v1" })
        return yield* ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
      })
      const started = await Effect.runPromise(Effect.provide(first, DurableRegistry.layer({ directory: dir })))
      expect(started.imageScanStatus?.status).toBe("IN_PROGRESS")
      // A second program on the same directory: the image is there, and its scan still holds the 24-hour slot.
      const second = Effect.gen(function*() {
        const images = yield* ImageRegistry.describeImages({ repositoryName: "app" })
        const refused = yield* Effect.flip(
          ImageScanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
        )
        const quota = yield* Effect.flatMap(MemoryRegistryDriver, (driver) => driver.quotaUsage)
        return { tags: images.imageDetails?.map((i) => i.imageTags), refused: refused._tag, used: quota.used }
      })
      expect(await Effect.runPromise(Effect.provide(second, DurableRegistry.layer({ directory: dir })))).toEqual({
        tags: [["v1"]],
        refused: "LimitExceededException",
        used: 1
      })
    }))

  it("journals each step that changed something as one record of what its changes touched, and no read", () =>
    withDirectory("durable-registry-", async (dir) => {
      await session(dir, (d, clock) =>
        Effect.gen(function*() {
          yield* d.registry.createRepository({ repositoryName: "app" })
          yield* d.registry.putImage({ repositoryName: "app", imageManifest: manifest(0), imageTag: "v0" })
          yield* d.registry.describeImages({ repositoryName: "app" })
          yield* d.registry.describeRepositories({})
          yield* clock.advance(HOUR)
          yield* d.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v0" } })
          // Refused without charge (the default house rules): no change, no record.
          yield* Effect.exit(d.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v0" } }))
          yield* d.scanner.describeImageScanFindings({ repositoryName: "app", imageId: { imageTag: "v0" } }).pipe(
            Effect.exit
          )
        }))
      const journal = Path.join(dir, JournalRecovery.FILES.journal)
      const contents = StateFiles.parse(journal, "journal", Fs.readFileSync(journal))
      if (contents instanceof StateFiles.StateFileError) throw contents
      const records = contents.frames.map((f) => f.value as Record<string, any>)
      expect(records.map((r) => Object.keys(r).sort())).toEqual([
        ["now", "repositories", "seq"],
        ["images", "now", "seq"],
        ["images", "now", "quota", "seq"]
      ])
      expect(records.map((r) => [r.seq, r.now])).toEqual([[1, T0], [2, T0], [3, T0 + HOUR]])
      expect(records[0].repositories.map((r: { name: string; images: Array<unknown> }) => [r.name, r.images])).toEqual(
        [["app", []]]
      )
      expect(records[1].images.map((i: any) => [i.repository, i.image.tags, i.image.basicScan])).toEqual([
        ["app", ["v0"], undefined]
      ])
      expect(records[2].images[0].image.basicScan).toEqual(records[2].images[0].image.lastStarted)
      expect(records[2].images[0].image.basicScan).toMatchObject({ kind: "BASIC", startedAt: T0 + HOUR })
      expect(records[2].quota).toEqual({ append: [T0 + HOUR] })
    }))

  it("drops the quota's start times that have left the window when it compacts", () =>
    withDirectory("durable-registry-", async (dir) => {
      await session(dir, (d, clock) =>
        Effect.gen(function*() {
          yield* d.registry.createRepository({ repositoryName: "app" })
          for (let n = 0; n < 3; n++) {
            yield* d.registry.putImage({ repositoryName: "app", imageManifest: manifest(n), imageTag: `v${n}` })
            yield* d.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: `v${n}` } })
          }
          yield* clock.advance(DAY - HOUR)
          yield* d.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v0" } }).pipe(Effect.exit)
          yield* clock.advance(2 * HOUR)
          yield* d.registry.putImage({ repositoryName: "app", imageManifest: manifest(9), imageTag: "later" })
        }))
      expect(recovered(dir).snapshot.quota).toEqual([T0, T0, T0])
      // Reopening compacts: at T0 + 25 h the scans of T0 no longer count, and are no longer kept.
      const reopened = await session(dir, (d) =>
        Effect.gen(function*() {
          expect((yield* d.driver.quotaUsage).used).toBe(0)
        }))
      expect(recovered(dir).snapshot.quota).toEqual([])
      expect(reopened.quota).toEqual([])
    }))

  it("opens a directory written by earlier versions: a record per commit, a quota written whole", () =>
    withDirectory("durable-registry-", async (dir) => {
      const image = {
        digest: digestOf(manifest(1)),
        manifest: manifest(1),
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        pushedAt: T0,
        tags: ["v1"],
        storage: { _tag: "Active" }
      }
      const scan = {
        kind: "BASIC",
        trigger: "MANUAL",
        startedAt: T0 + 1,
        completesAt: T0 + 60_001,
        outcome: "COMPLETE"
      }
      const repository = journalRepository("app")
      const random = [1, 2, 3, 4]
      const records = [
        { seq: 1, now: T0, random, repositories: [repository], images: [{ repository: "app", image }] },
        {
          seq: 2,
          now: T0 + 1,
          random,
          images: [{ repository: "app", image: { ...image, lastStarted: scan, basicScan: scan } }],
          quota: { replace: [T0 + 1] }
        }
      ]
      Fs.writeFileSync(
        Path.join(dir, JournalRecovery.FILES.journal),
        Buffer.concat([StateFiles.header("journal"), ...records.map(StateFiles.encodeFrame)])
      )
      const opened = await session(dir, () => Effect.void)
      expect(opened.quota).toEqual([T0 + 1])
      expect(opened.now).toBe(T0 + 1)
      expect(opened.repositories).toEqual([{
        ...repository,
        images: [{ ...image, lastStarted: scan, basicScan: scan }]
      }])
      expect(recovered(dir)).toMatchObject({ seq: 2, records: 0, random })
    }))
})
