/**
 * The conformance cases of lifecycle policies: put, get and delete, the never-applied `lastEvaluatedAt`, the
 * policy checked as AWS checks it, the preview, and the registry applying a policy within a day.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { invalidParameter, repositoryNotFound } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { createRepository, push, refusal } from "./Steps.js"

/** A policy of one rule that keeps the `n` most recently pushed images. */
const keepNewest = (n: number) =>
  JSON.stringify({
    rules: [{
      rulePriority: 1,
      description: `keep the ${n} most recently pushed images`,
      selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: n },
      action: { type: "expire" }
    }]
  })

const policyNotFound = (repositoryName: string) =>
  Effect.map(Harness, ({ accountId }) => ({
    _tag: "LifecyclePolicyNotFoundException",
    message:
      `Lifecycle policy does not exist for the repository with name '${repositoryName}' in the registry with id '${accountId}'`
  }))

/** A fresh repository with three images pushed a second apart (tags v1, v2, v3): its name and their digests. */
const threeImages = (slug: string) =>
  Effect.gen(function*() {
    const harness = yield* Harness
    const repositoryName = harness.repositoryName(slug)
    yield* createRepository(repositoryName)
    const digests: Array<string> = []
    for (const tag of ["v1", "v2", "v3"]) {
      digests.push(yield* push(repositoryName, Fixtures.image(`${repositoryName}/${tag}`), tag))
      yield* harness.advance("1 second")
    }
    return { repositoryName, digests }
  })

/** Lifecycle policies and their preview. */
export const lifecycleCases = {
  "lifecycle-policy-put-get-delete": {
    title: "PutLifecyclePolicy keeps the text as given; Get answers it; Delete answers it and it is gone",
    run: Effect.gen(function*() {
      const { accountId } = yield* Harness
      const repositoryName = (yield* Harness).repositoryName("lifecycle-policy")
      yield* createRepository(repositoryName)
      const text = keepNewest(3)
      expect(yield* ImageRegistry.putLifecyclePolicy({ repositoryName, lifecyclePolicyText: text })).toStrictEqual({
        registryId: accountId,
        repositoryName,
        lifecyclePolicyText: text
      })
      const got = yield* ImageRegistry.getLifecyclePolicy({ repositoryName })
      expect(got).toMatchObject({ registryId: accountId, repositoryName, lifecyclePolicyText: text })
      const deleted = yield* ImageRegistry.deleteLifecyclePolicy({ repositoryName })
      expect(deleted).toMatchObject({ registryId: accountId, repositoryName, lifecyclePolicyText: text })
      expect(yield* refusal(ImageRegistry.getLifecyclePolicy({ repositoryName }))).toStrictEqual(
        yield* policyNotFound(repositoryName)
      )
      expect(yield* refusal(ImageRegistry.deleteLifecyclePolicy({ repositoryName }))).toStrictEqual(
        yield* policyNotFound(repositoryName)
      )
      const missing = `${repositoryName}-missing`
      expect(yield* refusal(ImageRegistry.getLifecyclePolicy({ repositoryName: missing }))).toStrictEqual(
        yield* repositoryNotFound(missing)
      )
    })
  },
  "lifecycle-policy-never-evaluated": {
    title: "GetLifecyclePolicy answers lastEvaluatedAt as the epoch while the policy has never been applied",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("lifecycle-never")
      yield* createRepository(repositoryName)
      yield* ImageRegistry.putLifecyclePolicy({ repositoryName, lifecyclePolicyText: keepNewest(3) })
      const got = yield* ImageRegistry.getLifecyclePolicy({ repositoryName })
      expect(got.lastEvaluatedAt?.getTime()).toBe(0)
    })
  },
  "lifecycle-policy-invalid": {
    title: "PutLifecyclePolicy refuses a rule of an unknown countType with the validator's text",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("lifecycle-invalid")
      yield* createRepository(repositoryName)
      const text = keepNewest(3).replace("imageCountMoreThan", "imageCountAtLeast")
      expect(yield* refusal(ImageRegistry.putLifecyclePolicy({ repositoryName, lifecyclePolicyText: text })))
        .toStrictEqual(invalidParameter(
          "LifecyclePolicyText",
          "Lifecycle policy validation failure: instance failed to match exactly one schema (matched 0 out of 2)"
        ))
      expect(yield* refusal(ImageRegistry.getLifecyclePolicy({ repositoryName }))).toStrictEqual(
        yield* policyNotFound(repositoryName)
      )
    })
  },
  "lifecycle-preview": {
    title: "a lifecycle policy preview is IN_PROGRESS (a second start refused), then COMPLETE with what would expire",
    needs: ["virtualTime"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digests, repositoryName } = yield* threeImages("lifecycle-preview")
      const text = keepNewest(1)
      const started = yield* ImageRegistry.startLifecyclePolicyPreview({ repositoryName, lifecyclePolicyText: text })
      expect(started).toStrictEqual({
        registryId: harness.accountId,
        repositoryName,
        lifecyclePolicyText: text,
        status: "IN_PROGRESS"
      })
      const again = yield* refusal(ImageRegistry.startLifecyclePolicyPreview({ repositoryName }))
      expect(again._tag).toBe("LifecyclePolicyPreviewInProgressException")
      yield* harness.advance("1 minute")
      const preview = yield* ImageRegistry.getLifecyclePolicyPreview({ repositoryName })
      expect(preview.status).toBe("COMPLETE")
      expect(preview.summary?.expiringImageTotalCount).toBe(2)
      expect(preview.previewResults?.map((r) => ({ ...r, imagePushedAt: undefined }))).toStrictEqual(
        [["v1", digests[0]], ["v2", digests[1]]].map(([tag, imageDigest]) => ({
          imageTags: [tag],
          imageDigest,
          imagePushedAt: undefined,
          action: { type: "EXPIRE" },
          appliedRulePriority: 1
        }))
      )
      // A preview deletes nothing.
      const listed = yield* ImageRegistry.describeImages({ repositoryName })
      expect(listed.imageDetails).toHaveLength(3)
    })
  },
  "lifecycle-policy-applied": {
    title: "within a day of PutLifecyclePolicy the registry expires the images the policy selects",
    needs: ["virtualTime"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digests, repositoryName } = yield* threeImages("lifecycle-applied")
      yield* ImageRegistry.putLifecyclePolicy({ repositoryName, lifecyclePolicyText: keepNewest(1) })
      yield* harness.advance("25 hours")
      const listed = yield* ImageRegistry.describeImages({ repositoryName })
      expect(listed.imageDetails?.map((d) => d.imageDigest)).toStrictEqual([digests[2]])
      const policy = yield* ImageRegistry.getLifecyclePolicy({ repositoryName })
      expect(policy.lastEvaluatedAt?.getTime()).toBeGreaterThan(0)
      yield* ImageRegistry.deleteLifecyclePolicy({ repositoryName })
    })
  }
} satisfies { readonly [id: string]: Case }
