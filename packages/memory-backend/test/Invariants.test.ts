/**
 * A property test of the two limits over random histories of pushes, scans and clock moves, with a
 * small account quota (5 per 24 hours) so that it is often hit. The test keeps its own log of every
 * scan the registry accepted (manual, or on push as the findings report it) and checks that
 *
 * - no image was ever admitted twice within 24 hours,
 * - no rolling 24-hour window ever held more than 5 accepted scans,
 *
 * and, so that a registry refusing everything cannot pass, that every refusal is justified by that log:
 * the per-image reason only inside the image's window, the quota reason only with 5 scans in the
 * window, each with the `nextEligibleAt` the log implies.
 */
import { MemoryRegistryDriver } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Runtime from "effect/Runtime"
import * as TestClock from "effect/TestClock"
import type * as TestServices from "effect/TestServices"
import * as fc from "fast-check"
import {
  at,
  createRepository,
  DAY,
  digestOf,
  HOUR,
  ociImage,
  plain,
  push,
  registry,
  scan,
  statusOf
} from "./fixtures.js"

const QUOTA = 5
const REPOSITORIES = ["auto", "manual"] as const
type Repository = (typeof REPOSITORIES)[number]

type Operation =
  | { readonly _tag: "push"; readonly repository: Repository; readonly image: number }
  /** Scans the `pick`-th image pushed so far (modulo their number), or an image never pushed if none is. */
  | { readonly _tag: "scan"; readonly pick: number }
  | { readonly _tag: "advance"; readonly millis: number }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({
      _tag: fc.constant("push" as const),
      repository: fc.constantFrom(...REPOSITORIES),
      image: fc.integer({ min: 0, max: 9 })
    }),
    weight: 4
  },
  { arbitrary: fc.record({ _tag: fc.constant("scan" as const), pick: fc.nat() }), weight: 5 },
  {
    arbitrary: fc.record({
      _tag: fc.constant("advance" as const),
      // The edges of the window matter most: one millisecond before and after 24 hours.
      millis: fc.oneof(fc.constantFrom(1, HOUR, DAY - 1, DAY, DAY + 1), fc.integer({ min: 0, max: 8 * HOUR }))
    }),
    weight: 1
  }
)

interface Accepted {
  readonly image: string
  readonly at: number
}

/** The accepted scans whose window is still open at `now`, oldest first. */
const inWindow = (log: ReadonlyArray<Accepted>, now: number) => log.filter((scan) => now < scan.at + DAY)

/** Runs one history on a fresh registry and checks every answer against the log. */
const history = (operations: ReadonlyArray<Operation>) =>
  Effect.gen(function*() {
    const driver = yield* MemoryRegistryDriver
    const log: Array<Accepted> = []
    const pushed: Array<{ readonly key: string; readonly repository: Repository; readonly image: number }> = []
    yield* at(0)
    yield* createRepository("auto", { scanOnPush: true })
    yield* createRepository("manual")
    for (const op of operations) {
      if (op._tag === "advance") {
        yield* TestClock.adjust(op.millis)
        continue
      }
      const now = (yield* driver.now).getTime()
      if (op._tag === "push") {
        const key = `${op.repository}/${op.image}`
        const result = yield* Effect.either(push(op.repository, ociImage(op.image)))
        if (Either.isLeft(result)) {
          // Only a push of an image already there is refused.
          expect(result.left._tag).toBe("ImageAlreadyExistsException")
          expect(pushed).toContainEqual({ key, repository: op.repository, image: op.image })
          continue
        }
        expect(pushed).not.toContainEqual({ key, repository: op.repository, image: op.image })
        pushed.push({ key, repository: op.repository, image: op.image })
        if (op.repository === "auto") {
          const status = yield* statusOf("auto", { imageDigest: result.right })
          if (status?.status === "IN_PROGRESS") log.push({ image: key, at: now })
          else {
            expect(status?.status).toBe("LIMIT_EXCEEDED")
            expect(inWindow(log, now).length).toBeGreaterThanOrEqual(QUOTA)
          }
        }
        continue
      }
      if (pushed.length === 0) {
        const missing = yield* Effect.flip(scan("manual", { imageDigest: digestOf(ociImage(op.pick % 10)) }))
        expect(missing._tag).toBe("ImageNotFoundException")
        continue
      }
      const target = pushed[op.pick % pushed.length]
      const key = target.key
      const result = yield* Effect.either(scan(target.repository, { imageDigest: digestOf(ociImage(target.image)) }))
      if (Either.isRight(result)) {
        log.push({ image: key, at: now })
        continue
      }
      const error = plain(result.left)
      const own = log.filter((scan) => scan.image === key && now < scan.at + DAY)
      if (error.limit === "PER_IMAGE") {
        expect(own.length).toBe(1)
        expect(error.nextEligibleAt).toStrictEqual(new Date(own[0].at + DAY))
      } else {
        expect(error.limit).toBe("ACCOUNT_QUOTA")
        expect(own.length).toBe(0)
        const open = inWindow(log, now)
        expect(open.length).toBe(QUOTA)
        expect(error.nextEligibleAt).toStrictEqual(new Date(open[0].at + DAY))
      }
    }
    return log
  }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: QUOTA, accountQuotaWindow: "24 hours" } })))

describe("the limits over random histories", () => {
  it.effect("never admit two scans of one image within 24 hours, nor more than the quota in any 24 hours", () =>
    Effect.gen(function*() {
      // Every history gets a fresh registry; they share this test's TestClock (each starts by setting it).
      const run = Runtime.runPromise(yield* Effect.runtime<TestServices.TestServices>())
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(operation, { minLength: 10, maxLength: 80 }), async (operations) => {
            const log = await run(history(operations))
            for (const [i, a] of log.entries()) {
              for (const b of log.slice(i + 1)) {
                if (a.image === b.image) expect(b.at - a.at).toBeGreaterThanOrEqual(DAY)
              }
              const window = log.filter((scan) => scan.at <= a.at && a.at < scan.at + DAY)
              expect(window.length).toBeLessThanOrEqual(QUOTA)
            }
          }),
          { numRuns: 60 }
        )
      )
    }))
})
