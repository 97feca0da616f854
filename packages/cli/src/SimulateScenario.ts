/**
 * The scenario of `ecr-scan simulate`: its schema (the kinds of step), and the reading of a scenario file
 * with clear reports of what is wrong with it (an unknown step, a pattern EventBridge would refuse).
 *
 * @since 0.1.0
 */
import { FaultPlan, ScanLifecycle, ScanModel } from "@ecr-scan/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as CliFailure from "./CliFailure.js"
import * as Files from "./Files.js"
import * as SimulateEvents from "./SimulateEvents.js"

/** An image a step names: by tag, or by the name of the image pushed. */
export const Ref = Schema.Struct({
  repository: Schema.String,
  tag: Schema.optional(Schema.String),
  image: Schema.optional(Schema.String)
})

// A scenario's fault takes no message: the timeline names the error.
const FaultStep = FaultPlan.FaultPlanInput.pipe(Schema.omit("message"))

/** One step of a scenario. */
export const Step: Schema.Schema<Step> = Schema.suspend(() =>
  Schema.Union(
    Schema.Struct({
      createRepository: Schema.Struct({ name: Schema.String, scanOnPush: Schema.optional(Schema.Boolean) })
    }),
    Schema.Struct({
      push: Schema.Struct({
        repository: Schema.String,
        image: Schema.String,
        tag: Schema.optional(Schema.String),
        layers: Schema.optional(Schema.Number)
      })
    }),
    Schema.Struct({ scan: Ref }),
    Schema.Struct({ describe: Ref }),
    Schema.Struct({ archive: Ref }),
    Schema.Struct({ restore: Ref }),
    Schema.Struct({ advance: Schema.String }),
    Schema.Struct({ fault: FaultStep }),
    Schema.Struct({ outcome: Schema.Struct({ image: Schema.String, outcome: ScanLifecycle.ScanOutcome }) }),
    Schema.Struct({
      findings: Schema.Struct({ image: Schema.String, findings: Schema.Array(ScanModel.ImageScanFinding) })
    }),
    // A scanner's report is read when the step runs: it carries members no scenario schema should list.
    Schema.Struct({ findings: Schema.Struct({ image: Schema.String, trivy: Schema.Unknown }) }),
    Schema.Struct({ findings: Schema.Struct({ image: Schema.String, grype: Schema.Unknown }) }),
    Schema.Struct({ registryScanning: Schema.Struct({ scanType: Schema.Literal("BASIC", "ENHANCED") }) }),
    Schema.Struct({ expectEvent: SimulateEvents.ExpectEvent }),
    Schema.Struct({ repeat: Schema.Number, steps: Schema.Array(Step) })
  )
)
/** @since 0.1.0 */
export type Step =
  | { readonly createRepository: { readonly name: string; readonly scanOnPush?: boolean | undefined } }
  | {
    readonly push: {
      readonly repository: string
      readonly image: string
      readonly tag?: string | undefined
      readonly layers?: number | undefined
    }
  }
  | { readonly scan: typeof Ref.Type }
  | { readonly describe: typeof Ref.Type }
  | { readonly archive: typeof Ref.Type }
  | { readonly restore: typeof Ref.Type }
  | { readonly advance: string }
  | { readonly fault: typeof FaultStep.Type }
  | { readonly outcome: { readonly image: string; readonly outcome: ScanLifecycle.ScanOutcome } }
  | { readonly findings: { readonly image: string; readonly findings: ReadonlyArray<ScanModel.ImageScanFinding> } }
  | { readonly findings: { readonly image: string; readonly trivy: unknown } }
  | { readonly findings: { readonly image: string; readonly grype: unknown } }
  | { readonly registryScanning: { readonly scanType: "BASIC" | "ENHANCED" } }
  | { readonly expectEvent: SimulateEvents.ExpectEvent }
  | { readonly repeat: number; readonly steps: ReadonlyArray<Step> }

/** A scenario. */
export const Scenario = Schema.Struct({
  seed: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
  start: Schema.optional(Schema.String),
  accountQuotaLimit: Schema.optional(Schema.Number),
  scanDuration: Schema.optional(Schema.String),
  steps: Schema.Array(Step)
})
/** @since 0.1.0 */
export type Scenario = typeof Scenario.Type

/** The most steps a scenario runs (a `repeat` counts each of its steps every time). */
export const MAX_STEPS = 1_000_000

/** The steps of a `repeat`, with `{n}` in every string replaced by the iteration (1, 2, ...). */
export const numbered = (steps: ReadonlyArray<Step>, n: number): ReadonlyArray<Step> => {
  const map = (value: unknown): unknown =>
    typeof value === "string"
      ? value.replaceAll("{n}", String(n))
      : Array.isArray(value)
      ? value.map(map)
      : typeof value === "object" && value !== null
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v)]))
      : value
  return map(steps) as ReadonlyArray<Step>
}

/** The kinds of step, each the one key of its object. */
const STEP_KINDS = [
  "createRepository",
  "push",
  "scan",
  "describe",
  "archive",
  "restore",
  "advance",
  "fault",
  "outcome",
  "findings",
  "registryScanning",
  "expectEvent",
  "repeat"
]

/**
 * Where a step of no known kind is, said plainly: the schema's report of a union that matched no
 * member lists every kind of step with its full type.
 */
const unknownStep = (steps: unknown, at: string): string | undefined => {
  if (!Array.isArray(steps)) return undefined
  for (const [i, step] of steps.entries()) {
    if (typeof step !== "object" || step === null || Array.isArray(step)) continue
    const keys = Object.keys(step)
    const kind = keys.find((key) => STEP_KINDS.includes(key))
    if (kind === undefined) {
      return `${at}[${i}]: unknown step ${keys.map((key) => JSON.stringify(key)).join(", ") || "{}"}; ` +
        `a step is one of: ${STEP_KINDS.join(", ")}`
    }
    const inner = kind === "repeat" ? unknownStep((step as { steps?: unknown }).steps, `${at}[${i}].steps`) : undefined
    if (inner !== undefined) return inner
  }
  return undefined
}

/** Reads and decodes a scenario file. */
export const load = (path: string): Effect.Effect<Scenario, CliFailure.CliFailure, FileSystem.FileSystem> =>
  Effect.flatMap(
    Effect.mapError(Files.readText(path), (problem) => CliFailure.usage(`cannot read scenario ${path}: ${problem}`)),
    (text) => decode(path, text)
  )

/** Decodes the text of a scenario file. */
const decode = (path: string, text: string): Either.Either<Scenario, CliFailure.CliFailure> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(CliFailure.usage(`scenario ${path} is not valid JSON: ${(error as Error).message}`))
  }
  const unknown = typeof json === "object" && json !== null
    ? unknownStep((json as { steps?: unknown }).steps, "steps")
    : undefined
  if (unknown !== undefined) {
    return Either.left(CliFailure.usage(`scenario ${path} is not a valid scenario: ${unknown}`))
  }
  return Either.flatMap(
    Either.mapLeft(
      Schema.decodeUnknownEither(Scenario)(json, { onExcessProperty: "error" }),
      (error) =>
        CliFailure.usage(
          `scenario ${path} is not a valid scenario:\n${ParseResult.TreeFormatter.formatErrorSync(error)}`
        )
    ),
    (scenario) => {
      const bad = badPattern(scenario.steps, "steps")
      return bad === undefined
        ? Either.right(scenario)
        : Either.left(CliFailure.usage(`scenario ${path} is not a valid scenario: ${bad}`))
    }
  )
}

/** Where an `expectEvent` has a pattern EventBridge would refuse (in a `repeat`, as its first iteration has it). */
const badPattern = (steps: ReadonlyArray<Step>, at: string): string | undefined => {
  for (const [i, step] of steps.entries()) {
    const problem = "expectEvent" in step
      ? Either.match(SimulateEvents.check(step.expectEvent, []), { onLeft: (e) => e, onRight: () => undefined })
      : "repeat" in step
      ? badPattern(numbered(step.steps, 1), `${at}[${i}].steps`)
      : undefined
    if (problem !== undefined) return "expectEvent" in step ? `${at}[${i}].expectEvent.pattern: ${problem}` : problem
  }
  return undefined
}
