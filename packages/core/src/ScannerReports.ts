/**
 * Findings from a real scanner: a Trivy JSON report (`trivy image --format json`, `SchemaVersion` 2) or a
 * Grype JSON report (`grype -o json`) turned into ECR's basic findings, so that a team can rehearse its gate
 * on the memory backend, the emulator or `simulate` with its own CVE data.
 *
 * A finding carries what ECR's basic scanning reports: the vulnerability id as `name`, the severity mapped
 * to ECR's six, the scanner's primary link as `uri`, the description, and the attributes `package_name`,
 * `package_version`, `CVSS3_SCORE`/`CVSS3_VECTOR` (and `CVSS2_SCORE`/`CVSS2_VECTOR` when the report has
 * them). When the scanner knows the fix, a `fixed_in_version` attribute carries it: ECR's basic scanning
 * has no such attribute, but the memory backend turns it into the enhanced finding's `fixedInVersion`.
 *
 * The schemas read only what the conversion needs and let everything else through: reports from newer
 * scanners carry more members, and every member read is optional.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ScanModel from "./ScanModel.js"

const OptionalString = Schema.optional(Schema.NullOr(Schema.String))
const OptionalNumber = Schema.optional(Schema.NullOr(Schema.Number))
const OptionalStrings = Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))

/** One source's scores in a Trivy vulnerability's `CVSS` map (keyed by source: `nvd`, `redhat`, `ghsa`, ...). */
export const TrivyCvss = Schema.Struct({
  V2Vector: OptionalString,
  V2Score: OptionalNumber,
  V3Vector: OptionalString,
  V3Score: OptionalNumber
}).annotations({ identifier: "TrivyCvss" })
/** @since 0.1.0 */
export type TrivyCvss = typeof TrivyCvss.Type

/** A vulnerability of a Trivy result: one vulnerability in one installed package. */
export const TrivyVulnerability = Schema.Struct({
  VulnerabilityID: Schema.String,
  PkgName: OptionalString,
  InstalledVersion: OptionalString,
  FixedVersion: OptionalString,
  Status: OptionalString,
  SeveritySource: OptionalString,
  PrimaryURL: OptionalString,
  Title: OptionalString,
  Description: OptionalString,
  Severity: OptionalString,
  References: OptionalStrings,
  CVSS: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: TrivyCvss })))
}).annotations({ identifier: "TrivyVulnerability" })
/** @since 0.1.0 */
export type TrivyVulnerability = typeof TrivyVulnerability.Type

/** A result of a Trivy report: one target (the OS packages, a lock file, a jar) and its vulnerabilities. */
export const TrivyResult = Schema.Struct({
  Target: OptionalString,
  Class: OptionalString,
  Type: OptionalString,
  Vulnerabilities: Schema.optional(Schema.NullOr(Schema.Array(TrivyVulnerability)))
}).annotations({ identifier: "TrivyResult" })
/** @since 0.1.0 */
export type TrivyResult = typeof TrivyResult.Type

/** A Trivy JSON report, `SchemaVersion` 2 (Trivy 0.20 and later); a report with no findings has no `Results`. */
export const TrivyReport = Schema.Struct({
  SchemaVersion: Schema.Literal(2),
  ArtifactName: OptionalString,
  ArtifactType: OptionalString,
  Results: Schema.optional(Schema.NullOr(Schema.Array(TrivyResult)))
}).annotations({ identifier: "TrivyReport" })
/** @since 0.1.0 */
export type TrivyReport = typeof TrivyReport.Type

/** A CVSS entry of a Grype vulnerability: `version` is "2.0", "3.0", "3.1" or "4.0". */
export const GrypeCvss = Schema.Struct({
  source: OptionalString,
  type: OptionalString,
  version: OptionalString,
  vector: OptionalString,
  metrics: Schema.optional(Schema.NullOr(Schema.Struct({ baseScore: OptionalNumber })))
}).annotations({ identifier: "GrypeCvss" })
/** @since 0.1.0 */
export type GrypeCvss = typeof GrypeCvss.Type

const grypeVulnerabilityFields = {
  id: Schema.String,
  dataSource: OptionalString,
  namespace: OptionalString,
  severity: OptionalString,
  urls: OptionalStrings,
  description: OptionalString,
  cvss: Schema.optional(Schema.NullOr(Schema.Array(GrypeCvss)))
}

/** A vulnerability Grype relates to a match's (often the NVD record of a distribution's or GitHub's advisory). */
export const GrypeRelatedVulnerability = Schema.Struct(grypeVulnerabilityFields).annotations({
  identifier: "GrypeRelatedVulnerability"
})
/** @since 0.1.0 */
export type GrypeRelatedVulnerability = typeof GrypeRelatedVulnerability.Type

/** A match of a Grype report: a vulnerability found in an artifact (a package). */
export const GrypeMatch = Schema.Struct({
  vulnerability: Schema.Struct({
    ...grypeVulnerabilityFields,
    fix: Schema.optional(Schema.NullOr(Schema.Struct({ versions: OptionalStrings, state: OptionalString })))
  }),
  relatedVulnerabilities: Schema.optional(Schema.NullOr(Schema.Array(GrypeRelatedVulnerability))),
  artifact: Schema.Struct({ name: OptionalString, version: OptionalString, type: OptionalString })
}).annotations({ identifier: "GrypeMatch" })
/** @since 0.1.0 */
export type GrypeMatch = typeof GrypeMatch.Type

/** A Grype JSON report: its `matches` (the `source`, `distro` and `descriptor` members are not read). */
export const GrypeReport = Schema.Struct({
  matches: Schema.NullOr(Schema.Array(GrypeMatch))
}).annotations({ identifier: "GrypeReport" })
/** @since 0.1.0 */
export type GrypeReport = typeof GrypeReport.Type

/** The attribute a finding made from a report carries its fixed-in version(s) in, when the scanner knows them. */
export const FIXED_IN_VERSION = "fixed_in_version"

/** ECR's severity for a Trivy severity (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `UNKNOWN` -> `UNDEFINED`). */
export const trivySeverity = (severity: string | null | undefined): ScanModel.FindingSeverity =>
  ScanModel.toFindingSeverity(severity)

/**
 * ECR's severity for a Grype severity: `Critical`, `High`, `Medium` and `Low` upper-cased, `Negligible` ->
 * `INFORMATIONAL`, `Unknown` -> `UNDEFINED`.
 */
export const grypeSeverity = (severity: string | null | undefined): ScanModel.FindingSeverity =>
  severity?.toUpperCase() === "NEGLIGIBLE" ? "INFORMATIONAL" : ScanModel.toFindingSeverity(severity)

/** A score as ECR's basic scanning writes it: one decimal ("9.8", "10.0"). */
const score = (n: number) => n.toFixed(1)

interface Scores {
  readonly v3Score?: number | undefined
  readonly v3Vector?: string | undefined
  readonly v2Score?: number | undefined
  readonly v2Vector?: string | undefined
}

/** An attribute, or none when the value is empty; values are cut to the model's 256 characters. */
const attribute = (key: string, value: string | null | undefined): ReadonlyArray<ScanModel.Attribute> =>
  value === undefined || value === null || value === "" ? [] : [{ key, value: value.slice(0, 256) }]

const finding = (fields: {
  readonly name: string
  readonly description: string | null | undefined
  readonly uri: string | null | undefined
  readonly severity: ScanModel.FindingSeverity
  readonly packageName: string | null | undefined
  readonly packageVersion: string | null | undefined
  readonly fixedInVersion: string | null | undefined
  readonly scores: Scores
}): ScanModel.ImageScanFinding => {
  const { scores } = fields
  return {
    name: fields.name,
    ...(fields.description ? { description: fields.description } : {}),
    ...(fields.uri ? { uri: fields.uri } : {}),
    severity: fields.severity,
    attributes: [
      ...attribute("package_name", fields.packageName),
      ...attribute("package_version", fields.packageVersion),
      ...attribute("CVSS3_SCORE", scores.v3Score === undefined ? undefined : score(scores.v3Score)),
      ...attribute("CVSS3_VECTOR", scores.v3Vector),
      ...attribute("CVSS2_SCORE", scores.v2Score === undefined ? undefined : score(scores.v2Score)),
      ...attribute("CVSS2_VECTOR", scores.v2Vector),
      ...attribute(FIXED_IN_VERSION, fields.fixedInVersion)
    ]
  }
}

const isNumber = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n)

/** The scores of a Trivy vulnerability: those of its severity's source, else NVD's, else the first source's. */
const trivyScores = (vulnerability: TrivyVulnerability): Scores => {
  const cvss = vulnerability.CVSS ?? {}
  const sources = [vulnerability.SeveritySource, "nvd", ...Object.keys(cvss)]
    .filter((source): source is string => typeof source === "string" && cvss[source] !== undefined)
    .map((source) => cvss[source])
  const v3 = sources.find((entry) => isNumber(entry.V3Score))
  const v2 = sources.find((entry) => isNumber(entry.V2Score))
  return {
    v3Score: v3?.V3Score ?? undefined,
    v3Vector: v3?.V3Vector ?? undefined,
    v2Score: v2?.V2Score ?? undefined,
    v2Vector: v2?.V2Vector ?? undefined
  }
}

/**
 * The basic findings of a Trivy report, one per vulnerability of every result, in the report's order.
 *
 * @example
 * ```ts
 * import { ScannerReports } from "@ecr-scan/core"
 *
 * const findings = ScannerReports.fromTrivy({
 *   SchemaVersion: 2,
 *   Results: [{
 *     Target: "app (alpine 3.19.1)",
 *     Vulnerabilities: [{
 *       VulnerabilityID: "CVE-2024-2511",
 *       PkgName: "libssl3",
 *       InstalledVersion: "3.1.4-r5",
 *       FixedVersion: "3.1.4-r6",
 *       Severity: "UNKNOWN"
 *     }]
 *   }]
 * })
 * // [{ name: "CVE-2024-2511", severity: "UNDEFINED", attributes: [package_name, package_version, fixed_in_version] }]
 * ```
 */
export const fromTrivy = (report: TrivyReport): ReadonlyArray<ScanModel.ImageScanFinding> =>
  (report.Results ?? []).flatMap((result) =>
    (result.Vulnerabilities ?? []).map((vulnerability) =>
      finding({
        name: vulnerability.VulnerabilityID,
        description: vulnerability.Description ?? vulnerability.Title,
        uri: vulnerability.PrimaryURL ?? vulnerability.References?.[0],
        severity: trivySeverity(vulnerability.Severity),
        packageName: vulnerability.PkgName,
        packageVersion: vulnerability.InstalledVersion,
        fixedInVersion: vulnerability.FixedVersion,
        scores: trivyScores(vulnerability)
      })
    )
  )

/** The scores of a Grype match: its own CVSS entries first, then those of its related vulnerabilities. */
const grypeScores = (match: GrypeMatch): Scores => {
  const entries = [match.vulnerability, ...(match.relatedVulnerabilities ?? [])].flatMap((v) => v.cvss ?? [])
    .filter((entry) => isNumber(entry.metrics?.baseScore))
  const v3 = entries.find((entry) => entry.version?.startsWith("3") === true)
  const v2 = entries.find((entry) => entry.version?.startsWith("2") === true)
  return {
    v3Score: v3?.metrics?.baseScore ?? undefined,
    v3Vector: v3?.vector ?? undefined,
    v2Score: v2?.metrics?.baseScore ?? undefined,
    v2Vector: v2?.vector ?? undefined
  }
}

/**
 * The basic findings of a Grype report, one per match, in the report's order. A match without a
 * description borrows its related vulnerability's; several fixed-in versions are joined with ", ".
 *
 * @example
 * ```ts
 * import { ScannerReports } from "@ecr-scan/core"
 *
 * const findings = ScannerReports.fromGrype({
 *   matches: [{
 *     vulnerability: {
 *       id: "CVE-2023-45853",
 *       severity: "Negligible",
 *       dataSource: "https://security-tracker.debian.org/tracker/CVE-2023-45853",
 *       fix: { versions: [], state: "wont-fix" }
 *     },
 *     artifact: { name: "zlib1g", version: "1:1.2.13.dfsg-1", type: "deb" }
 *   }]
 * })
 * // [{ name: "CVE-2023-45853", severity: "INFORMATIONAL", uri: "https://security-tracker...", ... }]
 * ```
 */
export const fromGrype = (report: GrypeReport): ReadonlyArray<ScanModel.ImageScanFinding> =>
  (report.matches ?? []).map((match) => {
    const { vulnerability } = match
    const related = match.relatedVulnerabilities ?? []
    const fixed = vulnerability.fix?.versions ?? []
    return finding({
      name: vulnerability.id,
      description: vulnerability.description ?? related.find((r) => r.description)?.description,
      uri: vulnerability.dataSource ?? vulnerability.urls?.[0],
      severity: grypeSeverity(vulnerability.severity),
      packageName: match.artifact.name,
      packageVersion: match.artifact.version,
      fixedInVersion: fixed.length === 0 ? undefined : fixed.join(", "),
      scores: grypeScores(match)
    })
  })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const formatted = (error: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(error)

const ecrFindings = Schema.decodeUnknownEither(Schema.Array(ScanModel.ImageScanFinding))
const trivyReport = Schema.decodeUnknownEither(TrivyReport)
const grypeReport = Schema.decodeUnknownEither(GrypeReport)

/** Decodes a Trivy JSON report into basic findings, or says what is wrong with it. */
export const decodeTrivy = (json: unknown): Either.Either<ReadonlyArray<ScanModel.ImageScanFinding>, string> =>
  Either.match(trivyReport(json), {
    onLeft: (error) => Either.left(`Not a Trivy JSON report (SchemaVersion 2):\n${formatted(error)}`),
    onRight: (report) => Either.right(fromTrivy(report))
  })

/** Decodes a Grype JSON report into basic findings, or says what is wrong with it. */
export const decodeGrype = (json: unknown): Either.Either<ReadonlyArray<ScanModel.ImageScanFinding>, string> =>
  Either.match(grypeReport(json), {
    onLeft: (error) => Either.left(`Not a Grype JSON report:\n${formatted(error)}`),
    onRight: (report) => Either.right(fromGrype(report))
  })

/** What `decodeReport` accepts, for its message when it recognizes none. */
const ACCEPTED = "a Trivy JSON report (SchemaVersion 2, Results), a Grype JSON report (matches) " +
  "or an array of ECR findings ({ name, severity, uri, description, attributes })"

/**
 * Basic findings from a parsed JSON document: a Trivy report (an object with `SchemaVersion` or
 * `Results`), a Grype report (an object with `matches`) or an array of ECR findings. The message of a
 * failure names the format recognized and what in it is wrong, or what is accepted.
 *
 * @example
 * ```ts
 * import { ScannerReports } from "@ecr-scan/core"
 * import { Either } from "effect"
 *
 * const report: unknown = JSON.parse('{"SchemaVersion": 2, "ArtifactName": "app:1.0", "Results": []}')
 * const findings = ScannerReports.decodeReport(report)
 * if (Either.isRight(findings)) console.log(`${findings.right.length} findings`)
 * else console.error(findings.left)
 * ```
 */
export const decodeReport = (json: unknown): Either.Either<ReadonlyArray<ScanModel.ImageScanFinding>, string> => {
  if (Array.isArray(json)) {
    // Trivy before SchemaVersion 2 wrote a bare array of results, which would decode as empty findings.
    if (json.some((item) => isRecord(item) && ("Target" in item || "Vulnerabilities" in item))) {
      return Either.left(
        "This looks like a Trivy report from before SchemaVersion 2 (an array of results); " +
          "use Trivy 0.20 or later, whose JSON report is an object with SchemaVersion 2 and Results"
      )
    }
    return Either.mapLeft(ecrFindings(json), (error) => `Not an array of ECR findings:\n${formatted(error)}`)
  }
  if (isRecord(json)) {
    if ("SchemaVersion" in json || "Results" in json) return decodeTrivy(json)
    if ("matches" in json) return decodeGrype(json)
  }
  return Either.left(`Not a scanner report: expected ${ACCEPTED}`)
}
