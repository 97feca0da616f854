/**
 * The memory engine's scanning operations: `StartImageScan` (the core's `StartImageScanRule` decides; this
 * writes the scan record, the slot and the quota down) and `DescribeImageScanFindings` (the core's lifecycle
 * gives the status at `now`; the findings are the test's or the seed's).
 *
 * @since 0.1.0
 */
import { type Api, Errors, FindingsPage, ImageResolution, ScanLifecycle, StartImageScanRule } from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Engine, Step } from "./Engine.js"
import * as Lookups from "./Lookups.js"
import type { ImageState, RepositoryState } from "./RegistryState.js"
import * as SyntheticFindings from "./SyntheticFindings.js"

type View = {
  -readonly [K in keyof StartImageScanRule.RegistryView<RepositoryState, ImageState>]: StartImageScanRule.RegistryView<
    RepositoryState,
    ImageState
  >[K]
}

/**
 * The rule's view of an engine's state, made once (in `engine.memo`): the hottest call of a busy simulation should
 * not allocate four closures for it. Its two changing members are set before each decision.
 */
const viewOf = (engine: Engine): View => {
  let view = engine.memo.StartImageScan as View | undefined
  if (view === undefined) {
    const s = engine.state
    const { accountId } = engine.config
    view = {
      registryId: accountId,
      scanType: s.scanning.scanType,
      quota: s.quota,
      repository: (registryId, name) => registryId === accountId ? s.repositories.get(name) : undefined,
      accessDenied: (target) => Lookups.accessDenied(engine, "StartImageScan", target),
      imageByDigest: Lookups.lookup.imageByDigest,
      imageByTag: Lookups.lookup.imageByTag
    }
    engine.memo.StartImageScan = view
  }
  view.scanType = engine.state.scanning.scanType
  view.quota = engine.state.quota
  return view
}

const startImageScan: Step<"StartImageScan"> = (engine, input, now) => {
  const s = engine.state
  const view = viewOf(engine)
  const decision = StartImageScanRule.decide(input, view, now, engine.config.rules)
  if (decision._tag === "Refused") {
    const charge = decision.charge
    if (charge !== undefined) {
      s.quota = charge.quota
      const record: ScanLifecycle.ScanRecord = {
        kind: "BASIC",
        trigger: "MANUAL",
        startedAt: now,
        completesAt: now,
        outcome: "COMPLETE"
      }
      charge.image.lastStarted = record
      const feed = engine.changes
      if (feed !== undefined) {
        feed.push({
          _tag: "ScanSlotTaken",
          repositoryName: charge.repository.name,
          imageDigest: charge.image.digest,
          record
        })
        feed.push({ _tag: "QuotaAppended", at: now })
      }
    }
    return Exit.fail(decision.error)
  }
  const record = Lookups.startRecord(engine, "BASIC", "MANUAL", decision.repository, decision.image, now)
  Lookups.recordScan(engine, decision.repository, decision.image, record, true)
  s.quota = decision.quota
  Lookups.quotaAppended(engine, now)
  return Exit.succeed({
    registryId: decision.registryId,
    repositoryName: decision.request.repositoryName,
    imageId: decision.imageId,
    imageScanStatus: { status: "IN_PROGRESS" }
  } as Api.StartImageScanResponse)
}

const describeImageScanFindings: Step<"DescribeImageScanFindings"> = (engine, input, now) => {
  const opened = Lookups.openImageOf(engine, "DescribeImageScanFindings", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { request, repository, target, image } = opened
  const base = {
    registryId: target.registryId,
    repositoryName: request.repositoryName,
    imageId: ImageResolution.echo(request.imageId, image.digest)
  }
  if (ScanLifecycle.isArchivedAt(image.storage, now)) {
    return Exit.succeed({
      ...base,
      imageScanStatus: { status: "IMAGE_ARCHIVED", description: ScanLifecycle.descriptions.IMAGE_ARCHIVED }
    } as Api.DescribeImageScanFindingsResponse)
  }
  const record = engine.state.scanning.scanType === "BASIC" ? image.basicScan : image.enhancedScan
  if (record === undefined) return Exit.fail(Errors.scanNotFound(target, request.imageId))
  const status = ScanLifecycle.statusAt(record, image.storage, now, engine.config.rules)
  const imageScanStatus = status.description === undefined
    ? { status: status.status }
    : { status: status.status, description: status.description }
  if (!status.hasFindings) return Exit.succeed({ ...base, imageScanStatus } as Api.DescribeImageScanFindingsResponse)
  const all = Lookups.findingsOf(engine, repository, image, record.startedAt)
  const scanKey = `${image.digest}/${record.kind}/${record.startedAt}`
  const page = FindingsPage.page(all, scanKey, request.nextToken, request.maxResults)
  if (Either.isLeft(page)) return Exit.fail(page.left)
  const completedAt = Lookups.date(status.completedAt ?? record.completesAt)
  const context = {
    accountId: engine.config.accountId,
    region: engine.config.region,
    repositoryName: repository.name,
    imageDigest: image.digest,
    pushedAt: Lookups.date(image.pushedAt),
    observedAt: completedAt
  }
  const imageScanFindings = {
    imageScanCompletedAt: completedAt,
    vulnerabilitySourceUpdatedAt: completedAt,
    findingSeverityCounts: FindingsPage.severityCounts(all),
    ...(record.kind === "BASIC"
      ? { findings: page.right.items }
      : { enhancedFindings: page.right.items.map((f) => SyntheticFindings.enhancedFinding(f, context)) })
  }
  return Exit.succeed({
    ...base,
    imageScanStatus,
    imageScanFindings,
    ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
  } as Api.DescribeImageScanFindingsResponse)
}

/** The scanning operations' steps. */
export const steps = {
  StartImageScan: startImageScan,
  DescribeImageScanFindings: describeImageScanFindings
}
