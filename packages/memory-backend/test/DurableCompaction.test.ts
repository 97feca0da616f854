import {
  Compaction,
  Journal,
  JournalRecovery,
  JournalWriter,
  MemoryRegistry,
  type Snapshot,
  StateFiles
} from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { DAY, digestOf, journalRepository, ociImage, T0, withDirectory } from "./fixtures.js"

const ACCOUNT = "123456789012"
const REGION = "us-east-1"

/** A registry's snapshot with repositories, images, scans, overrides and faults. */
const populated = Effect.gen(function*() {
  const memory = yield* MemoryRegistry.make({ seed: "compaction" })
  yield* memory.registry.createRepository({ repositoryName: "app" })
  yield* memory.registry.createRepository({ repositoryName: "empty", imageScanningConfiguration: { scanOnPush: true } })
  for (let n = 0; n < 3; n++) {
    yield* memory.registry.putImage({ repositoryName: "app", imageManifest: ociImage(n), imageTag: `v${n}` })
  }
  yield* memory.scanner.startImageScan({ repositoryName: "app", imageId: { imageTag: "v1" } })
  yield* memory.driver.setScanOutcome({ imageDigest: digestOf(ociImage(2)), repositoryName: "app" }, "FAILED")
  yield* memory.driver.planFault({ operation: "DescribeImages", count: 3 })
  return yield* memory.driver.snapshot
})

describe("Compaction", () => {
  it("writes a snapshot in pieces that make up the record JSON.stringify would write whole", async () => {
    const snapshot = await Effect.runPromise(populated)
    const model = Journal.modelOf(snapshot, [1, 2, 3, 4])
    const frozen = Compaction.freeze(model, 7, DAY)
    const text = Array.from(Compaction.pieces(frozen)).join("")
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify({ seq: 7, random: [1, 2, 3, 4], registry: snapshot })))
    const empty = Journal.modelOf(Journal.emptySnapshot(ACCOUNT, REGION), undefined)
    expect(JSON.parse(Array.from(Compaction.pieces(Compaction.freeze(empty, 0, DAY))).join(""))).toEqual({
      seq: 0,
      registry: Journal.emptySnapshot(ACCOUNT, REGION)
    })
  })

  it("gives the event loop a turn between the chunks of a large snapshot, and the file reads back whole", () =>
    withDirectory("durable-compaction-", async (dir) => {
      const padding = "x".repeat(2000)
      const images = Array.from({ length: 12_000 }, (_, n): Journal.ImageValue => ({
        digest: digestOf(`image-${n}`) as Journal.ImageValue["digest"],
        manifest: `${n}${padding}`,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        pushedAt: T0,
        tags: [],
        storage: { _tag: "Active" }
      }))
      const snapshot: Snapshot.RegistrySnapshot = {
        ...Journal.emptySnapshot(ACCOUNT, REGION),
        repositories: [{ ...journalRepository("big"), images }]
      }
      const frozen = Compaction.freeze(Journal.modelOf(snapshot, undefined), 1, DAY)
      const file = Path.join(dir, "snapshot")
      let turns = 0
      let writing = true
      const count = () => {
        turns += 1
        if (writing) setImmediate(count)
      }
      setImmediate(count)
      await Compaction.writeSnapshot(file, frozen)
      writing = false
      // About 24 MB in chunks of about 1 MB, each write awaited: the loop turns at least once per chunk.
      expect(turns).toBeGreaterThanOrEqual(20)
      const stored = StateFiles.readSingle(file, "snapshot")
      if (stored === undefined || stored instanceof StateFiles.StateFileError) throw new Error("no snapshot")
      const decoded = Schema.decodeUnknownSync(Journal.SnapshotRecord)(stored.value)
      expect(decoded.seq).toBe(1)
      expect(decoded.registry.repositories[0].images).toHaveLength(images.length)
    }))

  it("keeps in the new journal exactly the records the snapshot does not cover, those written meanwhile too", () =>
    withDirectory("durable-compaction-", async (dir) => {
      const file = Path.join(dir, JournalRecovery.FILES.journal)
      const model = Journal.modelOf(Journal.emptySnapshot(ACCOUNT, REGION), undefined)
      const writer = await JournalWriter.open({ file, seq: 0, log: () => undefined, onCommitted: () => undefined })
      const append = (record: Journal.JournalRecord) => {
        expect(Journal.applyRecord(model, record)).toBeUndefined()
        writer.append(record)
        return Effect.runPromise(writer.whenDurable(record.seq))
      }
      await append({ seq: 1, now: T0, repositories: [journalRepository("first")] })
      const frozen = Compaction.freeze(model, 1, DAY)
      writer.retain()
      const snapshot = Compaction.writeSnapshot(Path.join(dir, JournalRecovery.FILES.snapshot), frozen)
      await append({ seq: 2, now: T0 + 1, repositories: [journalRepository("second")] })
      await snapshot
      await writer.rotate(frozen.seq)
      await append({ seq: 3, now: T0 + 2, deleted: ["first"] })
      await Effect.runPromise(writer.close)
      const contents = StateFiles.parse(file, "journal", Fs.readFileSync(file))
      if (contents instanceof StateFiles.StateFileError) throw contents
      expect(contents.frames.map((f) => (f.value as Journal.JournalRecord).seq)).toEqual([2, 3])
      const recovered = Either.getOrElse(JournalRecovery.recover(dir, ACCOUNT, REGION), (error) => {
        throw new Error(error.message)
      })
      expect(recovered).toMatchObject({ seq: 3, records: 2 })
      expect(recovered.snapshot).toEqual(Journal.snapshotOf(model))
      expect(recovered.snapshot.repositories.map((r) => r.name)).toEqual(["second"])
    }))
})
