import { DurableRegistry, StateFiles } from "@ecr-scan/emulator"
import { VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { manifest } from "./fixtures.js"

const HOUR = 3_600_000
const T0 = Date.parse("2026-03-01T09:00:00.000Z")

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`

const withDirectory = async (f: (dir: string) => Promise<void>) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "durable-registry-"))
  try {
    await f(dir)
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

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
  const result = DurableRegistry.recover(dir, "123456789012", "us-east-1")
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
    withDirectory(async (dir) => {
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
    withDirectory(async (dir) => {
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
    withDirectory(async (dir) => {
      const final = await session(dir, everyKindOfWrite, { compactAfterBytes: 1 })
      expect(Fs.statSync(Path.join(dir, DurableRegistry.FILES.journal)).size).toBe(8)
      const rebuilt = recovered(dir)
      expect(rebuilt.records).toBe(0)
      expect(rebuilt.seq).toBeGreaterThan(10)
      expect(rebuilt.snapshot).toEqual(final)
    }))

  it("skips the records a snapshot covers (a crash between a compaction's rename and its truncation)", () =>
    withDirectory(async (dir) => {
      const final = await session(dir, everyKindOfWrite)
      const journal = Path.join(dir, DurableRegistry.FILES.journal)
      const records = Fs.readFileSync(journal)
      // The next start compacts: snapshot covering every record, journal emptied. Put the records back.
      await session(dir, () => Effect.void)
      Fs.writeFileSync(journal, records)
      expect(recovered(dir).records).toBe(0)
      expect(recovered(dir).snapshot).toEqual(final)
    }))

  it("journals a reset and an import whole", () =>
    withDirectory(async (dir) => {
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
    withDirectory(async (dir) => {
      await session(dir, everyKindOfWrite)
      const journal = Path.join(dir, DurableRegistry.FILES.journal)
      const contents = StateFiles.parse(journal, "journal", Fs.readFileSync(journal))
      if (contents instanceof StateFiles.StateFileError) throw contents
      const kept = [contents.frames[0], ...contents.frames.slice(2)].map((f) => StateFiles.encodeFrame(f.value))
      Fs.writeFileSync(journal, Buffer.concat([StateFiles.header("journal"), ...kept]))
      const result = DurableRegistry.recover(dir, "123456789012", "us-east-1")
      expect(Either.isLeft(result) && result.left.message).toMatch(
        /journal at offset \d+: record number 3 where 2 was expected: records are missing$/
      )
    }))

  it("refuses the state of another account", () =>
    withDirectory(async (dir) => {
      await session(dir, (d) => Effect.asVoid(d.registry.createRepository({ repositoryName: "app" })))
      const result = DurableRegistry.recover(dir, "210987654321", "us-east-1")
      expect(Either.isLeft(result) && result.left.message).toContain(
        "this state belongs to account 123456789012 in us-east-1, not to account 210987654321 in us-east-1"
      )
    }))

  it("counts only the start times appended to a quota that grew at the back", () => {
    const empty = { front: undefined, back: undefined, size: 0 }
    const one = { front: undefined, back: { time: 1, next: undefined }, size: 1 }
    const two = { front: undefined, back: { time: 2, next: one.back }, size: 2 }
    expect(DurableRegistry.appendedBetween(empty, two)).toEqual([1, 2])
    expect(DurableRegistry.appendedBetween(one, two)).toEqual([2])
    // Reorganised (the back reversed into the front): the whole quota is written instead.
    const reversed = { front: { time: 1, next: { time: 2, next: undefined } }, back: undefined, size: 2 }
    expect(DurableRegistry.appendedBetween(two, reversed)).toBeUndefined()
    // Pruned at the front only: nothing appended.
    expect(DurableRegistry.appendedBetween(reversed, { ...reversed, front: reversed.front.next, size: 1 })).toEqual([])
  })
})
