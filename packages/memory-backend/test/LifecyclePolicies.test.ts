/**
 * Lifecycle policies on the memory backend: put, get and delete (the policy checked as AWS checks it, a
 * refusal changing nothing), the preview (IN_PROGRESS for the house rule's 5 seconds, then COMPLETE with what
 * would expire, paged), and the registry applying every policy at each midnight UTC of its clock, lazily at
 * its first call after it: expired images deleted with their scan results, `lastEvaluatedAt` set, reported.
 */
import { ImageRegistry } from "@ecr-scan/core"
import {
  type Changes,
  DurableRegistry,
  MemoryRegistry,
  MemoryRegistryDriver,
  VirtualClock
} from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  at,
  createRepository,
  DAY,
  failure,
  findings,
  HOUR,
  imageNotFound,
  inRegistry,
  invalidParameter,
  ociImage,
  push,
  refusedWithoutChange,
  registry,
  repositoryNotFound,
  scan,
  T0,
  withDirectory
} from "./fixtures.js"

/** The next midnight UTC after `T0` (T0 is 09:00), as an offset from T0. */
const MIDNIGHT = DAY - 9 * HOUR

const KEEP_TWO = JSON.stringify({
  rules: [{
    rulePriority: 1,
    description: "keep the two newest images",
    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 2 },
    action: { type: "expire" }
  }]
})

const UNTAGGED_AFTER_ONE_DAY = JSON.stringify({
  rules: [{
    rulePriority: 1,
    description: "expire untagged images a day old",
    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
    action: { type: "expire" }
  }]
})

const putPolicy = (repositoryName: string, lifecyclePolicyText: string) =>
  ImageRegistry.putLifecyclePolicy({ repositoryName, lifecyclePolicyText })

const policyNotFound = (name: string) => ({
  _tag: "LifecyclePolicyNotFoundException",
  message: `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT}'`
})

const digestsOf = (repositoryName: string) =>
  Effect.map(
    ImageRegistry.describeImages({ repositoryName }),
    (r) => (r.imageDetails ?? []).map((d) => d.imageDigest).sort()
  )

describe("PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy", () => {
  it.effect("a policy is kept as given, answered with the epoch until applied, and deleted with its answer", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      expect(yield* putPolicy("app", KEEP_TWO)).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName: "app",
        lifecyclePolicyText: KEEP_TWO
      })
      const stored = {
        registryId: ACCOUNT,
        repositoryName: "app",
        lifecyclePolicyText: KEEP_TWO,
        lastEvaluatedAt: new Date(0)
      }
      expect(yield* ImageRegistry.getLifecyclePolicy({ repositoryName: "app" })).toStrictEqual(stored)
      expect(yield* ImageRegistry.deleteLifecyclePolicy({ repositoryName: "app" })).toStrictEqual(stored)
      expect(yield* failure(ImageRegistry.getLifecyclePolicy({ repositoryName: "app" }))).toStrictEqual(
        policyNotFound("app")
      )
      expect(yield* failure(ImageRegistry.deleteLifecyclePolicy({ repositoryName: "app" }))).toStrictEqual(
        policyNotFound("app")
      )
    }))

  it.effect("a bad policy, a short text or a missing repository is refused and changes nothing", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* putPolicy("app", KEEP_TWO)
      const bad = KEEP_TWO.replace("\"any\"", "\"tagged\"").replace("imageCountMoreThan", "sinceImagePushed")
      expect(yield* refusedWithoutChange(putPolicy("app", bad))).toStrictEqual(
        invalidParameter(
          "LifecyclePolicyText",
          "Lifecycle policy validation failure: instance failed to match exactly one schema (matched 0 out of 2)"
        )
      )
      const notJson = `${KEEP_TWO.slice(0, -1)} trailing`
      expect(yield* refusedWithoutChange(putPolicy("app", notJson))).toStrictEqual(
        invalidParameter(
          "LifecyclePolicyText",
          "Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy."
        )
      )
      expect(yield* refusedWithoutChange(putPolicy("app", "{\"rules\":[]}"))).toStrictEqual(
        invalidParameter("lifecyclePolicyText", "must have length greater than or equal to 100")
      )
      expect(yield* refusedWithoutChange(putPolicy("nowhere", KEEP_TWO))).toStrictEqual(repositoryNotFound("nowhere"))
      expect(yield* refusedWithoutChange(ImageRegistry.deleteLifecyclePolicy({ repositoryName: "nowhere" })))
        .toStrictEqual(repositoryNotFound("nowhere"))
      expect((yield* ImageRegistry.getLifecyclePolicy({ repositoryName: "app" })).lifecyclePolicyText).toBe(KEEP_TWO)
    }))

  it.effect("the policy is in the registry's snapshot", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* putPolicy("app", KEEP_TWO)
      const snapshot = yield* Effect.flatMap(MemoryRegistryDriver, (d) => d.snapshot)
      expect(snapshot.repositories.find((r) => r.name === "app")?.lifecyclePolicy).toStrictEqual({ text: KEEP_TWO })
    }))
})

describe("StartLifecyclePolicyPreview, GetLifecyclePolicyPreview", () => {
  /** Repository `app` with four images pushed an hour apart: v1 (oldest), v2, an untagged one, v4. */
  const fourImages = Effect.gen(function*() {
    yield* at(0)
    yield* createRepository("app")
    const digests = [
      yield* push("app", ociImage(1), "v1"),
      yield* (at(HOUR).pipe(Effect.zipRight(push("app", ociImage(2), "v2")))),
      yield* (at(2 * HOUR).pipe(Effect.zipRight(push("app", ociImage(3))))),
      yield* (at(3 * HOUR).pipe(Effect.zipRight(push("app", ociImage(4), "v4"))))
    ]
    return digests
  })

  it.effect("IN_PROGRESS for 5 seconds, then COMPLETE with the images the policy would expire", () =>
    inRegistry(function*() {
      const [d1, d2] = yield* fourImages
      yield* putPolicy("app", KEEP_TWO)
      yield* at(4 * HOUR)
      expect(yield* ImageRegistry.startLifecyclePolicyPreview({ repositoryName: "app" })).toStrictEqual({
        registryId: ACCOUNT,
        repositoryName: "app",
        lifecyclePolicyText: KEEP_TWO,
        status: "IN_PROGRESS"
      })
      const header = { registryId: ACCOUNT, repositoryName: "app", lifecyclePolicyText: KEEP_TWO }
      expect(yield* ImageRegistry.getLifecyclePolicyPreview({ repositoryName: "app" })).toStrictEqual({
        ...header,
        status: "IN_PROGRESS"
      })
      expect(yield* failure(ImageRegistry.startLifecyclePolicyPreview({ repositoryName: "app" }))).toStrictEqual({
        _tag: "LifecyclePolicyPreviewInProgressException",
        message: "Lifecycle policy preview is already in progress for the repository with name 'app' " +
          `in the registry with id '${ACCOUNT}'`
      })
      yield* at(4 * HOUR + 5_000)
      expect(yield* ImageRegistry.getLifecyclePolicyPreview({ repositoryName: "app" })).toStrictEqual({
        ...header,
        status: "COMPLETE",
        previewResults: [
          {
            imageTags: ["v1"],
            imageDigest: d1,
            imagePushedAt: new Date(T0),
            action: { type: "EXPIRE" },
            appliedRulePriority: 1
          },
          {
            imageTags: ["v2"],
            imageDigest: d2,
            imagePushedAt: new Date(T0 + HOUR),
            action: { type: "EXPIRE" },
            appliedRulePriority: 1
          }
        ],
        summary: { expiringImageTotalCount: 2 }
      })
      // A preview deletes nothing.
      expect(yield* digestsOf("app")).toHaveLength(4)
    }))

  it.effect("pages by maxResults and nextToken, filters by tag status and by imageIds", () =>
    inRegistry(function*() {
      const [d1, d2, d3] = yield* fourImages
      const keepOne = KEEP_TWO.replace("\"countNumber\":2", "\"countNumber\":1")
      yield* ImageRegistry.startLifecyclePolicyPreview({ repositoryName: "app", lifecyclePolicyText: keepOne })
      yield* at(4 * HOUR)
      const first = yield* ImageRegistry.getLifecyclePolicyPreview({ repositoryName: "app", maxResults: 2 })
      expect(first.previewResults?.map((r) => r.imageDigest)).toStrictEqual([d1, d2])
      expect(first.summary).toStrictEqual({ expiringImageTotalCount: 3 })
      const second = yield* ImageRegistry.getLifecyclePolicyPreview({
        repositoryName: "app",
        maxResults: 2,
        nextToken: first.nextToken!
      })
      expect(second.previewResults?.map((r) => r.imageDigest)).toStrictEqual([d3])
      expect(second.nextToken).toBeUndefined()
      const untagged = yield* ImageRegistry.getLifecyclePolicyPreview({
        repositoryName: "app",
        filter: { tagStatus: "UNTAGGED" }
      })
      expect(untagged.previewResults?.map((r) => r.imageDigest)).toStrictEqual([d3])
      const named = yield* ImageRegistry.getLifecyclePolicyPreview({
        repositoryName: "app",
        imageIds: [{ imageTag: "v2" }, { imageDigest: d3 }]
      })
      expect(named.previewResults?.map((r) => r.imageDigest)).toStrictEqual([d2, d3])
      expect(yield* failure(ImageRegistry.getLifecyclePolicyPreview({ repositoryName: "app", maxResults: 101 })))
        .toStrictEqual(invalidParameter("maxResults", "must have value less than or equal to 100"))
      expect(
        yield* failure(
          ImageRegistry.getLifecyclePolicyPreview({
            repositoryName: "app",
            imageIds: [{ imageTag: "v2" }],
            maxResults: 1
          })
        )
      ).toStrictEqual(invalidParameter("maxResults", "cannot be used together with imageIds"))
    }))

  it.effect("without a policy, without a preview, or with a bad text: the errors, and nothing changes", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      expect(yield* refusedWithoutChange(ImageRegistry.startLifecyclePolicyPreview({ repositoryName: "app" })))
        .toStrictEqual(policyNotFound("app"))
      expect(yield* failure(ImageRegistry.getLifecyclePolicyPreview({ repositoryName: "app" }))).toStrictEqual({
        _tag: "LifecyclePolicyPreviewNotFoundException",
        message: "Lifecycle policy preview does not exist for the repository with name 'app' " +
          `in the registry with id '${ACCOUNT}'`
      })
      const bad = KEEP_TWO.replace("\"expire\"", "\"delete\"")
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.startLifecyclePolicyPreview({ repositoryName: "app", lifecyclePolicyText: bad })
        )
      ).toStrictEqual(
        invalidParameter(
          "LifecyclePolicyText",
          "Lifecycle policy validation failure: instance value (\"delete\") not found in enum " +
            "(possible values: [\"expire\"])"
        )
      )
      expect(yield* failure(ImageRegistry.getLifecyclePolicyPreview({ repositoryName: "app" }))).toMatchObject({
        _tag: "LifecyclePolicyPreviewNotFoundException"
      })
      expect(yield* failure(ImageRegistry.startLifecyclePolicyPreview({ repositoryName: "nowhere" }))).toStrictEqual(
        repositoryNotFound("nowhere")
      )
    }))
})

describe("the registry applies lifecycle policies on its clock", () => {
  it.effect("at the first call after midnight: images that qualify are deleted with their findings", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      const old = yield* push("app", ociImage(1))
      yield* scan("app", { imageDigest: old })
      yield* at(10 * HOUR) // 19:00, the same day
      const young = yield* push("app", ociImage(2))
      const tagged = yield* push("app", ociImage(3), "v3")
      yield* putPolicy("app", UNTAGGED_AFTER_ONE_DAY)
      // The first midnight: nothing is a day old yet.
      yield* at(MIDNIGHT + HOUR)
      expect(yield* digestsOf("app")).toStrictEqual([old, young, tagged].sort())
      expect((yield* ImageRegistry.getLifecyclePolicy({ repositoryName: "app" })).lastEvaluatedAt).toStrictEqual(
        new Date(T0 + MIDNIGHT)
      )
      // The second midnight: `old` (pushed 39 hours before) qualifies, `young` (29 hours) too; `tagged` stays.
      yield* at(MIDNIGHT + DAY + 5 * HOUR)
      expect(yield* digestsOf("app")).toStrictEqual([tagged])
      expect(yield* failure(findings("app", { imageDigest: old }))).toStrictEqual(
        imageNotFound("app", { imageDigest: old })
      )
      expect((yield* ImageRegistry.getLifecyclePolicy({ repositoryName: "app" })).lastEvaluatedAt).toStrictEqual(
        new Date(T0 + MIDNIGHT + DAY)
      )
    }))

  it.effect("the evaluation is a change batch of its own, at midnight, before the call that found it due", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      const digests = [
        yield* push("app", ociImage(1), "a"),
        yield* push("app", ociImage(2), "b"),
        yield* push("app", ociImage(3), "c")
      ]
      yield* putPolicy("app", KEEP_TWO)
      const batches: Array<Changes.ChangeBatch> = []
      const feed = yield* MemoryRegistry.MemoryRegistryChanges
      const unsubscribe = feed.unsafeSubscribe((batch) => batches.push(batch))
      yield* at(MIDNIGHT + 3 * HOUR)
      yield* ImageRegistry.describeRepositories({})
      unsubscribe()
      expect(batches).toHaveLength(1)
      const [batch] = batches
      expect(batch!.cause).toBe("LifecyclePolicyEvaluation")
      expect(batch!.now).toBe(T0 + MIDNIGHT)
      // Pushed at the same instant: the order of digests decides, and the greatest goes, with its tag.
      const greatest = [...digests].sort().at(-1)!
      expect(batch!.changes.filter((c) => c._tag === "ImageDeleted")).toStrictEqual([{
        _tag: "ImageDeleted",
        repositoryName: "app",
        imageDigest: greatest,
        imageTags: [["a", "b", "c"][digests.indexOf(greatest)]]
      }])
      expect(batch!.changes.at(-1)).toMatchObject({
        _tag: "RepositoryUpdated",
        repository: { name: "app", lifecyclePolicy: { text: KEEP_TWO, lastEvaluatedAt: T0 + MIDNIGHT } }
      })
    }).pipe(Effect.provide(registry())))

  it.effect("the interval is a house rule: every 6 hours", () =>
    Effect.gen(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* push("app", ociImage(1), "a")
      yield* at(HOUR)
      yield* push("app", ociImage(2), "b")
      yield* at(2 * HOUR)
      const c = yield* push("app", ociImage(3), "c")
      yield* putPolicy("app", KEEP_TWO.replace("\"countNumber\":2", "\"countNumber\":1"))
      // 09:00 + 3 hours is 12:00, a multiple of 6 hours.
      yield* at(3 * HOUR)
      expect(yield* digestsOf("app")).toStrictEqual([c])
      expect((yield* ImageRegistry.getLifecyclePolicy({ repositoryName: "app" })).lastEvaluatedAt).toStrictEqual(
        new Date(T0 + 3 * HOUR)
      )
    }).pipe(Effect.provide(registry({ rules: { lifecycleEvaluationInterval: "6 hours" } }))))

  it.effect("a repository without a policy, or whose policy was deleted, keeps its images", () =>
    inRegistry(function*() {
      yield* at(0)
      yield* createRepository("app")
      yield* createRepository("other")
      yield* push("app", ociImage(1), "a")
      yield* push("app", ociImage(2), "b")
      yield* push("app", ociImage(3), "c")
      yield* push("other", ociImage(4), "a")
      yield* push("other", ociImage(5), "b")
      yield* push("other", ociImage(6), "c")
      yield* putPolicy("app", KEEP_TWO)
      yield* ImageRegistry.deleteLifecyclePolicy({ repositoryName: "app" })
      yield* at(3 * DAY)
      expect(yield* digestsOf("app")).toHaveLength(3)
      expect(yield* digestsOf("other")).toHaveLength(3)
    }))
})

describe("lifecycle policies in a durable registry", () => {
  /** Runs `body` on a durable registry in `dir`, at the virtual instant `T0 + offset`. */
  const session = <A>(
    dir: string,
    offset: number,
    body: (d: DurableRegistry.DurableRegistry) => Effect.Effect<A, unknown>
  ) =>
    Effect.runPromise(
      Effect.scoped(Effect.gen(function*() {
        const durable = yield* DurableRegistry.make({ directory: dir, seed: "lifecycle" })
        return yield* Effect.withClock(body(durable), VirtualClock.unsafeMake(T0 + offset))
      }))
    )

  it("keeps the policy, the evaluation's deletions and lastEvaluatedAt across restarts", () =>
    withDirectory("lifecycle-", async (dir) => {
      const digests = await session(dir, 0, (d) =>
        Effect.gen(function*() {
          yield* d.registry.createRepository({ repositoryName: "app" })
          const pushed: Array<string> = []
          for (const n of [1, 2, 3]) {
            const put = yield* d.registry.putImage({
              repositoryName: "app",
              imageManifest: ociImage(n),
              imageTag: `v${n}`
            })
            pushed.push(put.image!.imageId!.imageDigest!)
          }
          yield* d.registry.putLifecyclePolicy({ repositoryName: "app", lifecyclePolicyText: KEEP_TWO })
          return pushed
        }))
      const kept = [...digests].sort().slice(0, 2)
      await session(dir, MIDNIGHT + HOUR, (d) =>
        Effect.gen(function*() {
          const listed = yield* d.registry.describeImages({ repositoryName: "app" })
          expect(listed.imageDetails?.map((i) => i.imageDigest).sort()).toStrictEqual(kept)
        }))
      await session(dir, MIDNIGHT + 2 * HOUR, (d) =>
        Effect.gen(function*() {
          const listed = yield* d.registry.describeImages({ repositoryName: "app" })
          expect(listed.imageDetails?.map((i) => i.imageDigest).sort()).toStrictEqual(kept)
          expect(yield* d.registry.getLifecyclePolicy({ repositoryName: "app" })).toStrictEqual({
            registryId: ACCOUNT,
            repositoryName: "app",
            lifecyclePolicyText: KEEP_TWO,
            lastEvaluatedAt: new Date(T0 + MIDNIGHT)
          })
        }))
    }))
})
