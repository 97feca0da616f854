/**
 * The control endpoints, under `/_ecr-scan/`: what tests need and AWS has no API for. Move or set the
 * virtual clock, fix findings (ECR's, or a Trivy or Grype JSON report's) or a FAILED outcome for an
 * image, plan faults, reset, export and import the state, read the quota. Served by an `HttpRouter`;
 * every reply is JSON, errors included.
 *
 * The events' endpoints (`/_ecr-scan/events`, its stream, dead letters and targets) are `EventEndpoints`'.
 *
 * With several accounts, a request names the account it is about with `?account=<id>` or an
 * `x-ecr-scan-account` header; without either it is about the first account. Every region is served: a
 * request names the region it is about with `?region=<region>` or an `x-ecr-scan-region` header; without
 * either it is about the default region (`--region`). `GET /_ecr-scan/regions` lists the registries built so
 * far. The clock is shared.
 *
 * @since 0.1.0
 */
import { FaultPlan, ScanLifecycle, ScanModel, ScannerReports } from "@ecr-scan/core"
import { MemoryRegistryDriver, type MemoryRegistryDriverService, Snapshot } from "@ecr-scan/memory-backend"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Accounts from "./Accounts.js"
import { parseDuration } from "./Durations.js"
import { EmulatorClock, onRegistryClock } from "./EmulatorClock.js"
import * as EventEndpoints from "./EventEndpoints.js"
import * as Regions from "./Regions.js"

/** The reserved path prefix of the control endpoints. */
export const PREFIX = "/_ecr-scan"

const ImageTarget = {
  imageDigest: Schema.String,
  repositoryName: Schema.optional(Schema.String)
}

/** Bodies of the control endpoints. */
export const Bodies = {
  advance: Schema.Struct({ duration: Schema.String }),
  /** Which image: a digest, in one repository or in all. */
  target: Schema.Struct(ImageTarget),
  set: Schema.Struct({ time: Schema.Union(Schema.Number, Schema.String) }),
  findings: Schema.Struct({ ...ImageTarget, findings: Schema.Array(ScanModel.ImageScanFinding) }),
  /** The findings body with a scanner's JSON report in place of `findings`: `trivy` or `grype`. */
  report: Schema.Struct({
    ...ImageTarget,
    trivy: Schema.optional(Schema.Unknown),
    grype: Schema.optional(Schema.Unknown)
  }),
  outcome: Schema.Struct({ ...ImageTarget, outcome: ScanLifecycle.ScanOutcome }),
  fault: FaultPlan.FaultPlanInput
}

/** A refusal, answered `{"error": message}` with `status` (see `app`). */
const refusal = (status: number, message: string) => new EventEndpoints.EndpointError({ status, message })

const badRequest = (message: string) => refusal(400, message)

const body = <A, I>(schema: Schema.Schema<A, I>) =>
  HttpServerRequest.schemaBodyJson(schema).pipe(
    Effect.mapError((error) =>
      badRequest(
        ParseResult.isParseError(error)
          ? ParseResult.TreeFormatter.formatErrorSync(error)
          : "The request body is not valid JSON"
      )
    )
  )

/** Decodes a body already read as JSON, failing with the same message `body` would. */
const decodeBody = <A, I>(schema: Schema.Schema<A, I>, json: unknown) =>
  Effect.mapError(
    Schema.decodeUnknown(schema)(json),
    (error) => badRequest(ParseResult.TreeFormatter.formatErrorSync(error))
  )

const FINDINGS_SOURCES = ["findings", "trivy", "grype"] as const

/**
 * The target and findings of a findings body: ECR findings as before, or the findings of the Trivy or
 * Grype report it carries. A body with no report member is decoded exactly as before, so its errors read
 * the same.
 */
const findingsBody = Effect.gen(function*() {
  const json = yield* body(Schema.Unknown)
  const sources = typeof json === "object" && json !== null && !Array.isArray(json)
    ? FINDINGS_SOURCES.filter((key) => key in json)
    : []
  if (!sources.includes("trivy") && !sources.includes("grype")) return yield* decodeBody(Bodies.findings, json)
  if (sources.length > 1) {
    return yield* badRequest(`Give one of findings, trivy or grype, not ${sources.join(" and ")}`)
  }
  const { grype, trivy, ...target } = yield* decodeBody(Bodies.report, json)
  const findings = sources[0] === "trivy" ? ScannerReports.decodeTrivy(trivy) : ScannerReports.decodeGrype(grype)
  if (Either.isLeft(findings)) return yield* badRequest(findings.left)
  return { ...target, findings: findings.right }
})

/** The header naming the account a control request is about (or `?account=`). */
export const ACCOUNT_HEADER = Accounts.ACCOUNT_HEADER

/** The header naming the region a control request is about (or `?region=`). */
export const REGION_HEADER = Regions.REGION_HEADER

/** The test driver of the registry a request is about (see `EventEndpoints.requestedRegistry`). */
const driver = Effect.flatMap(
  Effect.map(
    EventEndpoints.requestedRegistry,
    (registry) => Context.getOption(registry.context as Context.Context<never>, MemoryRegistryDriver)
  ),
  Option.match({
    onNone: () => Effect.fail(refusal(501, "The backend in use has no test driver (it is not the in-memory registry)")),
    onSome: (d): Effect.Effect<MemoryRegistryDriverService> => Effect.succeed(d)
  })
)

const virtualClock = Effect.flatMap(EmulatorClock, (clock) =>
  clock.virtual === undefined
    ? Effect.fail(refusal(409, "The emulator runs on the real clock; start it with --clock virtual"))
    : Effect.succeed(clock.virtual))

const clockReply = Effect.flatMap(
  EmulatorClock,
  (clock) => Effect.map(clock.now, (now) => ({ mode: clock.mode, now: new Date(now).toISOString(), epochMillis: now }))
)

const json = (value: unknown, status = 200) => HttpServerResponse.unsafeJson(value, { status })

const ok = Effect.as(Effect.void, json({ ok: true }))

const parseTime = (time: number | string) => {
  const millis = typeof time === "number" ? time : Date.parse(time)
  return Number.isFinite(millis) ? Effect.succeed(millis) : Effect.fail(badRequest(`Not an instant: ${time}`))
}

/** The control endpoints. */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get(`${PREFIX}/health`, Effect.succeed(json({ status: "ok" }))),
  HttpRouter.get(
    `${PREFIX}/accounts`,
    Effect.map(Accounts.Accounts, (accounts) => json({ accounts: accounts.ids, default: accounts.defaultId }))
  ),
  HttpRouter.get(
    `${PREFIX}/regions`,
    Effect.map(Accounts.Accounts, (accounts) =>
      json({
        default: accounts.defaultRegion,
        registries: accounts.registries().map(({ accountId, region }) => ({ account: accountId, region }))
      }))
  ),
  HttpRouter.get(`${PREFIX}/clock`, Effect.map(clockReply, (c) => json(c))),
  HttpRouter.post(
    `${PREFIX}/clock/advance`,
    Effect.gen(function*() {
      const { duration } = yield* body(Bodies.advance)
      const millis = parseDuration(duration)
      if (Either.isLeft(millis)) return yield* badRequest(`Not a duration: ${millis.left}`)
      const clock = yield* virtualClock
      yield* clock.advance(millis.right)
      return json(yield* clockReply)
    })
  ),
  HttpRouter.post(
    `${PREFIX}/clock/set`,
    Effect.gen(function*() {
      const { time } = yield* body(Bodies.set)
      const millis = yield* parseTime(time)
      const clock = yield* virtualClock
      yield* clock.setTime(millis)
      return json(yield* clockReply)
    })
  ),
  HttpRouter.post(
    `${PREFIX}/findings`,
    Effect.gen(function*() {
      const { findings, ...target } = yield* findingsBody
      yield* Effect.flatMap(driver, (d) => d.setFindings(target, findings))
      return yield* ok
    })
  ),
  HttpRouter.post(
    `${PREFIX}/outcome`,
    Effect.gen(function*() {
      const { outcome, ...target } = yield* body(Bodies.outcome)
      yield* Effect.flatMap(driver, (d) => d.setScanOutcome(target, outcome))
      return yield* ok
    })
  ),
  HttpRouter.post(
    `${PREFIX}/faults`,
    Effect.gen(function*() {
      const plan = yield* body(Bodies.fault)
      const d = yield* driver
      yield* d.planFault(plan).pipe(Effect.mapError((e) => badRequest(e.message)))
      return yield* ok
    })
  ),
  HttpRouter.del(`${PREFIX}/faults`, Effect.zipRight(Effect.flatMap(driver, (d) => d.clearFaults), ok)),
  HttpRouter.post(`${PREFIX}/reset`, Effect.zipRight(Effect.flatMap(driver, (d) => d.reset), ok)),
  // On the registry's clock: read on the wall clock, a virtual registry's quota would be pruned at the wrong instant.
  HttpRouter.get(
    `${PREFIX}/quota`,
    Effect.map(onRegistryClock(Effect.flatMap(driver, (d) => d.quotaUsage)), (usage) => json(usage))
  ),
  HttpRouter.get(
    `${PREFIX}/state`,
    Effect.flatMap(driver, (d) => d.snapshot).pipe(
      Effect.flatMap((snapshot) => Effect.orDie(Schema.encode(Snapshot.RegistrySnapshot)(snapshot))),
      Effect.map((snapshot) => json(snapshot))
    )
  ),
  HttpRouter.put(
    `${PREFIX}/state`,
    Effect.gen(function*() {
      const snapshot = yield* body(Snapshot.RegistrySnapshot)
      const d = yield* driver
      yield* d.restore(snapshot).pipe(Effect.mapError((e) => badRequest(e.message)))
      return yield* ok
    })
  ),
  HttpRouter.concat(EventEndpoints.router)
)

/** The control app: the router, with every failure answered as JSON rather than an empty reply. */
export const app = router.pipe(
  Effect.catchAll((error) =>
    Effect.succeed(
      error._tag === "EndpointError"
        ? json({ error: error.message }, error.status)
        : error._tag === "RouteNotFound"
        ? json({ error: `No control endpoint ${error.request.method} ${error.request.url}` }, 404)
        : json({ error: "The request could not be read" }, 400)
    )
  ),
  Effect.catchAllDefect(() => Effect.succeed(json({ error: "Internal error in a control endpoint" }, 500)))
)
