/**
 * The memory engine's lifecycle policies: put, get and delete a repository's policy (the core's
 * `LifecyclePolicy` checks it), its preview, and the registry applying every policy on its clock.
 *
 * House rules (see `ScanRules`):
 * - a preview evaluates the policy against the repository's images at the instant it starts, is
 *   `IN_PROGRESS` for `lifecyclePreviewDurationMillis` (5 seconds by default), then `COMPLETE`; previews live in
 *   the engine's memory only (not in snapshots or journals), one per repository, gone with the repository;
 * - the registry applies the policies at every multiple of `lifecycleEvaluationIntervalMillis` since the epoch
 *   (every midnight UTC by default). The engine is driven by calls, so it does so lazily, before the first
 *   call at or after each such instant (`applyDue`, which `Engine.apply` runs), as of that instant: the images
 *   are deleted as `BatchDeleteImage` deletes them (with their scan results, reported as `ImageDeleted`, in a
 *   change batch of their own at that instant), and the policy's `lastEvaluatedAt` is set to it.
 *
 * @since 0.1.0
 */
import { type Api, Errors, FindingsPage, ImageListing, LifecyclePolicy, PagingRules } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Engine, Step } from "./Engine.js"
import * as ImageOperations from "./ImageOperations.js"
import * as Lookups from "./Lookups.js"
import type { ImageState, RepositoryState } from "./RegistryState.js"

/** The cause of the change batch in which the registry applies its lifecycle policies. */
export const EVALUATION_CAUSE = "LifecyclePolicyEvaluation"

const putLifecyclePolicy: Step<"PutLifecyclePolicy"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "PutLifecyclePolicy", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target } = opened
  const policy = LifecyclePolicy.parse(request.lifecyclePolicyText)
  if (Either.isLeft(policy)) return Exit.fail(policy.left)
  repository.lifecyclePolicy = { text: request.lifecyclePolicyText }
  Lookups.repositoryUpdated(engine, repository)
  return Exit.succeed({
    registryId: target.registryId,
    repositoryName: request.repositoryName,
    lifecyclePolicyText: request.lifecyclePolicyText
  } as Api.PutLifecyclePolicyResponse)
}

/** The policy as `GetLifecyclePolicy` and `DeleteLifecyclePolicy` answer it: never applied is the epoch. */
const policyRecord = (target: Errors.Where, policy: NonNullable<RepositoryState["lifecyclePolicy"]>) =>
  ({
    registryId: target.registryId,
    repositoryName: target.repositoryName,
    lifecyclePolicyText: policy.text,
    lastEvaluatedAt: Lookups.date(policy.lastEvaluatedAt ?? 0)
  }) as Api.GetLifecyclePolicyResponse

const getLifecyclePolicy: Step<"GetLifecyclePolicy"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "GetLifecyclePolicy", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { repository, target } = opened
  const policy = repository.lifecyclePolicy
  if (policy === undefined) return Exit.fail(Errors.lifecyclePolicyNotFound(target))
  return Exit.succeed(policyRecord(target, policy))
}

const deleteLifecyclePolicy: Step<"DeleteLifecyclePolicy"> = (engine, input) => {
  const opened = Lookups.openRequest(engine, "DeleteLifecyclePolicy", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { repository, target } = opened
  const policy = repository.lifecyclePolicy
  if (policy === undefined) return Exit.fail(Errors.lifecyclePolicyNotFound(target))
  repository.lifecyclePolicy = undefined
  Lookups.repositoryUpdated(engine, repository)
  return Exit.succeed(policyRecord(target, policy))
}

// ---------------------------------------------------------------------------------------------------------------
// Previews

/** A repository's preview: the policy, when it completes, and what it expires (evaluated when it started). */
interface Preview {
  readonly text: string
  readonly startedAt: number
  readonly completesAt: number
  readonly results: ReadonlyArray<Api.LifecyclePolicyPreviewResult>
}

const PREVIEWS = "LifecyclePolicyPreview"

/** The engine's previews, by repository (a deleted or replaced repository's preview goes with it). */
const previews = (engine: Engine): WeakMap<RepositoryState, Preview> => {
  const existing = engine.memo[PREVIEWS] as WeakMap<RepositoryState, Preview> | undefined
  if (existing !== undefined) return existing
  const created = new WeakMap<RepositoryState, Preview>()
  engine.memo[PREVIEWS] = created
  return created
}

const startLifecyclePolicyPreview: Step<"StartLifecyclePolicyPreview"> = (engine, input, now) => {
  const opened = Lookups.openRequest(engine, "StartLifecyclePolicyPreview", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target } = opened
  const running = previews(engine).get(repository)
  if (running !== undefined && now < running.completesAt) {
    return Exit.fail(Errors.lifecyclePolicyPreviewInProgress(target))
  }
  const text = request.lifecyclePolicyText ?? repository.lifecyclePolicy?.text
  if (text === undefined) return Exit.fail(Errors.lifecyclePolicyNotFound(target))
  const policy = LifecyclePolicy.parse(text)
  if (Either.isLeft(policy)) return Exit.fail(policy.left)
  const results = LifecyclePolicy.evaluate(policy.right, Array.from(repository.images.values()), now).map((
    { image, rulePriority }
  ) =>
    ({
      ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
      imageDigest: image.digest,
      imagePushedAt: Lookups.date(image.pushedAt),
      action: { type: "EXPIRE" },
      appliedRulePriority: rulePriority
    }) as Api.LifecyclePolicyPreviewResult
  )
  previews(engine).set(repository, {
    text,
    startedAt: now,
    completesAt: now + engine.config.rules.lifecyclePreviewDurationMillis,
    results
  })
  return Exit.succeed({
    registryId: target.registryId,
    repositoryName: request.repositoryName,
    lifecyclePolicyText: text,
    status: "IN_PROGRESS"
  } as Api.StartLifecyclePolicyPreviewResponse)
}

/** Whether a preview's result is one of the images `imageIds` names. */
const named = (
  result: Api.LifecyclePolicyPreviewResult,
  imageIds: ReadonlyArray<{ readonly imageDigest?: string | undefined; readonly imageTag?: string | undefined }>
) =>
  imageIds.some((id) =>
    (id.imageDigest !== undefined || id.imageTag !== undefined) &&
    (id.imageDigest === undefined || id.imageDigest === result.imageDigest) &&
    (id.imageTag === undefined || ((result.imageTags ?? []) as ReadonlyArray<string>).includes(id.imageTag))
  )

const getLifecyclePolicyPreview: Step<"GetLifecyclePolicyPreview"> = (engine, input, now) => {
  const opened = Lookups.openRequest(engine, "GetLifecyclePolicyPreview", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target } = opened
  // As DescribeImages, with the same member and message: an explicit list excludes paging (the API reference
  // says so of maxResults and nextToken).
  const conflict = PagingRules.explicitListConflict("DescribeImages", request)
  if (conflict !== undefined) return Exit.fail(conflict)
  const preview = previews(engine).get(repository)
  if (preview === undefined) return Exit.fail(Errors.lifecyclePolicyPreviewNotFound(target))
  const header = {
    registryId: target.registryId,
    repositoryName: request.repositoryName,
    lifecyclePolicyText: preview.text
  }
  if (now < preview.completesAt) {
    return Exit.succeed({ ...header, status: "IN_PROGRESS" } as Api.GetLifecyclePolicyPreviewResponse)
  }
  const tagStatus = request.filter?.tagStatus ?? ImageListing.DEFAULT_TAG_STATUS
  const selected = preview.results.filter((result) =>
    (request.imageIds === undefined || named(result, request.imageIds)) &&
    ImageListing.selectsTags(tagStatus, result.imageTags?.length ?? 0)
  )
  const page = FindingsPage.page(
    selected,
    `lifecycle-preview/${repository.name}/${preview.startedAt}`,
    request.nextToken,
    request.maxResults
  )
  if (Either.isLeft(page)) return Exit.fail(page.left)
  return Exit.succeed({
    ...header,
    status: "COMPLETE",
    previewResults: page.right.items,
    ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken }),
    summary: { expiringImageTotalCount: preview.results.length }
  } as Api.GetLifecyclePolicyPreviewResponse)
}

// ---------------------------------------------------------------------------------------------------------------
// The registry's clock

/** Applies one repository's policy as of `at`: its expired images deleted as `BatchDeleteImage` deletes them. */
const applyPolicy = (engine: Engine, repository: RepositoryState, at: number) => {
  const policy = repository.lifecyclePolicy
  if (policy === undefined) return
  const parsed = LifecyclePolicy.check(policy.text)
  if (Either.isRight(parsed)) {
    const expired: ReadonlyArray<LifecyclePolicy.Expiry<ImageState>> = LifecyclePolicy.evaluate(
      parsed.right,
      Array.from(repository.images.values()),
      at
    )
    // `BatchDeleteImage` takes 100 images a request. An image a manifest list references is kept (its failure).
    for (let i = 0; i < expired.length; i += 100) {
      ImageOperations.steps.BatchDeleteImage(engine, {
        repositoryName: repository.name,
        imageIds: expired.slice(i, i + 100).map(({ image }) => ({ imageDigest: image.digest }))
      }, at)
    }
  }
  repository.lifecyclePolicy = { text: policy.text, lastEvaluatedAt: at }
  Lookups.repositoryUpdated(engine, repository)
}

/**
 * The registry's own work that fell due before `clockNow`: when an evaluation instant (a multiple of the
 * interval) passed since the registry's last call, every repository's lifecycle policy is applied as of the
 * latest such instant, in a change batch of its own at that instant. Cheap when nothing is due (a division).
 */
export const applyDue = (engine: Engine, clockNow: number): void => {
  const previous = engine.state.lastNow
  if (!Number.isFinite(previous)) return
  const interval = engine.config.rules.lifecycleEvaluationIntervalMillis
  const boundary = Math.floor(clockNow / interval) * interval
  if (boundary <= previous) return
  const due = Array.from(engine.state.repositories.values()).filter((r) => r.lifecyclePolicy !== undefined)
  if (due.length === 0) return
  engine.act(EVALUATION_CAUSE, boundary, (_, at) => {
    for (const repository of due) applyPolicy(engine, repository, at)
  })
}

/** The lifecycle policy operations' steps. */
export const steps = {
  PutLifecyclePolicy: putLifecyclePolicy,
  GetLifecyclePolicy: getLifecyclePolicy,
  DeleteLifecyclePolicy: deleteLifecyclePolicy,
  StartLifecyclePolicyPreview: startLifecyclePolicyPreview,
  GetLifecyclePolicyPreview: getLifecyclePolicyPreview
}
