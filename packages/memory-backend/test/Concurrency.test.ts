/**
 * Concurrency: every call is one atomic transition of the registry's state, so concurrent callers race
 * for a slot and exactly the right number win, whatever the interleaving.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  accountQuotaLimit,
  at,
  createRepository,
  DAY,
  inRegistry,
  ociImage,
  perImageLimit,
  plain,
  push,
  quotaUsed,
  registry,
  scan,
  T0
} from "./fixtures.js"

describe("concurrent calls", () => {
  it.effect("1,000 concurrent scans of one image: exactly one is accepted and 999 hit the per-image limit", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digest = yield* push("app", ociImage(1), "v1")
      const results = yield* Effect.all(
        Array.from(
          { length: 1000 },
          (_, i) => Effect.either(scan("app", i % 2 === 0 ? { imageTag: "v1" } : { imageDigest: digest }))
        ),
        { concurrency: "unbounded" }
      )
      const accepted = results.filter(Either.isRight)
      const refused = results.filter(Either.isLeft).map((result) => plain(result.left))
      expect(accepted.length).toBe(1)
      expect(accepted[0].right.imageScanStatus).toStrictEqual({ status: "IN_PROGRESS" })
      expect(refused.length).toBe(999)
      for (const error of refused) expect(error).toStrictEqual(perImageLimit(T0 + DAY))
      expect(yield* quotaUsed).toBe(1)
    }))

  it.effect("300 concurrent scans of 300 images against a quota of 50: exactly 50 are accepted", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digests = yield* Effect.forEach(Array.from({ length: 300 }, (_, i) => i), (n) => push("app", ociImage(n)))
      const results = yield* Effect.all(
        digests.map((imageDigest) => Effect.either(scan("app", { imageDigest }))),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight).length).toBe(50)
      const refused = results.filter(Either.isLeft).map((result) => plain(result.left))
      expect(refused.length).toBe(250)
      for (const error of refused) expect(error).toStrictEqual(accountQuotaLimit(50, T0 + DAY))
      expect(yield* quotaUsed).toBe(50)
    }).pipe(Effect.provide(registry({ rules: { accountQuotaLimit: 50 } }))))

  it.effect("concurrent pushes of one manifest with one tag: one creates the image, the rest already exist", () =>
    inRegistry(function*() {
      yield* createRepository("app", { scanOnPush: true })
      const results = yield* Effect.all(
        Array.from({ length: 100 }, () => Effect.either(push("app", ociImage(1), "v1"))),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight).length).toBe(1)
      const tags = results.filter(Either.isLeft).map((result) => result.left._tag)
      expect(new Set(tags)).toStrictEqual(new Set(["ImageAlreadyExistsException"]))
      // One image, scanned once on push.
      expect(yield* quotaUsed).toBe(1)
    }))

  it.effect("concurrent creations of one repository: one succeeds, the rest find it already exists", () =>
    inRegistry(function*() {
      const results = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.either(createRepository("app"))),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight).length).toBe(1)
      for (const result of results.filter(Either.isLeft)) {
        expect(plain(result.left)).toStrictEqual({
          _tag: "RepositoryAlreadyExistsException",
          message: "The repository with name 'app' already exists in the registry with id '123456789012'"
        })
      }
    }))
})
