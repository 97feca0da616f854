import { StateFiles } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const FILE = "/state/journal"

const journal = (...values: ReadonlyArray<unknown>) =>
  Buffer.concat([StateFiles.header("journal"), ...values.map(StateFiles.encodeFrame)])

const parsed = (bytes: Buffer) => {
  const contents = StateFiles.parse(FILE, "journal", bytes)
  if (contents instanceof StateFiles.StateFileError) throw new Error(contents.message)
  return contents
}

const failure = (bytes: Buffer, kind: StateFiles.Kind = "journal") => {
  const contents = StateFiles.parse(FILE, kind, bytes)
  if (!(contents instanceof StateFiles.StateFileError)) throw new Error("expected a StateFileError")
  return contents
}

describe("StateFiles", () => {
  it("computes the CRC-32 zlib computes, whole or continued over pieces", () => {
    expect(StateFiles.crc32(Buffer.from("123456789"))).toBe(0xcbf43926)
    expect(StateFiles.crc32(Buffer.alloc(0))).toBe(0)
    expect(StateFiles.crc32(Buffer.from("6789"), StateFiles.crc32(Buffer.from("12345")))).toBe(0xcbf43926)
  })

  it("reads back every framed record, in order, with its offset", () => {
    const records = [{ seq: 1, text: "é ✓" }, { seq: 2, list: [1, 2, 3] }, { seq: 3 }]
    const contents = parsed(journal(...records))
    expect(contents.tornAt).toBeUndefined()
    expect(contents.frames.map((f) => f.value)).toEqual(records)
    expect(contents.frames[0].offset).toBe(8)
    expect(contents.frames[1].offset).toBe(8 + StateFiles.encodeFrame(records[0]).length)
  })

  it("reads an empty journal, and one cut inside its magic, as empty", () => {
    expect(parsed(journal()).frames).toEqual([])
    expect(parsed(journal().subarray(0, 3))).toEqual({ frames: [], tornAt: 0 })
    expect(parsed(Buffer.alloc(0))).toEqual({ frames: [], tornAt: undefined })
  })

  it("reports a last record cut anywhere as a torn tail at its offset, keeping the records before it", () => {
    const whole = journal({ seq: 1 }, { seq: 2, payload: "x".repeat(100) })
    const start = journal({ seq: 1 }).length
    for (const cut of [start + 1, start + 7, start + 8, start + 50, whole.length - 1]) {
      const contents = parsed(whole.subarray(0, cut))
      expect(contents.tornAt).toBe(start)
      expect(contents.frames.map((f) => f.value)).toEqual([{ seq: 1 }])
    }
  })

  it("reports a last record whose end reads as zeros (allocated, never written) as torn", () => {
    const whole = journal({ seq: 1 }, { seq: 2, payload: "y".repeat(64) })
    const start = journal({ seq: 1 }).length
    whole.fill(0, whole.length - 20)
    expect(parsed(whole).tornAt).toBe(start)
    const zeros = Buffer.concat([journal({ seq: 1 }), Buffer.alloc(64)])
    expect(parsed(zeros).tornAt).toBe(start)
  })

  it("refuses a record that fails its checksum with more after it, naming its offset", () => {
    const bytes = journal({ seq: 1 }, { seq: 2 }, { seq: 3 })
    const second = journal({ seq: 1 }).length
    bytes[second + 8 + 2] ^= 0x20
    const error = failure(bytes)
    expect(error.offset).toBe(second)
    expect(error.message).toBe(
      `${FILE} at offset ${second}: record 2 does not match its checksum and is followed by ${
        StateFiles.encodeFrame({ seq: 3 }).length
      } more bytes: the file is corrupt`
    )
  })

  it("refuses a whole last record that fails its checksum: damage, not a torn write", () => {
    const bytes = journal({ seq: 1 }, { seq: 2 })
    bytes[bytes.length - 2] ^= 0x01
    expect(failure(bytes).message).toContain("the last record (2) is complete but does not match its checksum")
  })

  it("refuses a file of another kind and a format version it does not know", () => {
    expect(failure(journal({ seq: 1 }), "snapshot").message).toBe(`${FILE} at offset 0: not an ecr-scan snapshot file`)
    const future = journal({ seq: 1 })
    future.write("7", 7, "latin1")
    expect(failure(future).message).toContain("format version 7 of this journal file is unknown")
  })

  it("replaces a single-record file atomically and reads it back; a damaged one is refused", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "state-files-"))
    try {
      const file = Path.join(dir, "clock")
      expect(StateFiles.readSingle(file, "clock")).toBeUndefined()
      await StateFiles.writeAtomic(file, "clock", JSON.stringify({ epochMillis: 1 }))
      await StateFiles.writeAtomic(file, "clock", JSON.stringify({ epochMillis: 2 }))
      expect(StateFiles.readSingle(file, "clock")).toEqual({ value: { epochMillis: 2 } })
      expect(Fs.readdirSync(dir)).toEqual(["clock"])
      Fs.truncateSync(file, Fs.statSync(file).size - 1)
      const damaged = StateFiles.readSingle(file, "clock")
      expect(damaged).toBeInstanceOf(StateFiles.StateFileError)
      expect((damaged as StateFiles.StateFileError).message).toBe(
        `${file} at offset 8: the clock is truncated or damaged`
      )
    } finally {
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("writes a payload given in pieces, over several chunks, as one frame that verifies", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "state-files-"))
    try {
      const file = Path.join(dir, "snapshot")
      const items = Array.from({ length: 3000 }, (_, n) => ({ n, text: `é ✓ ${"z".repeat(1000)}` }))
      async function* pieces() {
        yield "{\"items\":["
        for (let i = 0; i < items.length; i++) yield `${i === 0 ? "" : ","}${JSON.stringify(items[i])}`
        yield "]}"
      }
      await StateFiles.writeAtomic(file, "snapshot", pieces())
      expect(StateFiles.readSingle(file, "snapshot")).toEqual({ value: { items } })
      expect(Fs.readdirSync(dir)).toEqual(["snapshot"])
    } finally {
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
