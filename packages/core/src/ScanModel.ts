/**
 * Scan statuses and findings: the shapes `StartImageScan`, `DescribeImageScanFindings` and
 * `DescribeImages` carry, as the service model defines them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ImageDigest, ImageTag, RegistryId, RepositoryName, Timestamp } from "./Identifiers.js"

/** All ten values of `ScanStatus`, in the model's order. */
export const SCAN_STATUSES = [
  "IN_PROGRESS",
  "COMPLETE",
  "FAILED",
  "UNSUPPORTED_IMAGE",
  "ACTIVE",
  "PENDING",
  "SCAN_ELIGIBILITY_EXPIRED",
  "FINDINGS_UNAVAILABLE",
  "LIMIT_EXCEEDED",
  "IMAGE_ARCHIVED"
] as const

/** The status of an image scan. */
export const ScanStatus = Schema.Literal(...SCAN_STATUSES).annotations({ identifier: "ScanStatus" })
/** @since 0.1.0 */
export type ScanStatus = typeof ScanStatus.Type

/** `{ status, description }`: the current state of a scan. */
export const ImageScanStatus = Schema.Struct({
  status: Schema.optional(ScanStatus),
  description: Schema.optional(Schema.String)
}).annotations({ identifier: "ImageScanStatus" })
/** @since 0.1.0 */
export type ImageScanStatus = typeof ImageScanStatus.Type

/** The six severities, most severe last but one (`UNDEFINED` means "no priority from the source"). */
export const FINDING_SEVERITIES = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNDEFINED"] as const

/** The severity of a finding. */
export const FindingSeverity = Schema.Literal(...FINDING_SEVERITIES).annotations({ identifier: "FindingSeverity" })
/** @since 0.1.0 */
export type FindingSeverity = typeof FindingSeverity.Type

const FINDING_SEVERITY_SET: ReadonlySet<string> = new Set(FINDING_SEVERITIES)

/**
 * ECR's severity for a source's severity text: upper-cased, and `UNDEFINED` ("no priority from the source")
 * for anything that is not one of ECR's six (Inspector's `UNTRIAGED`, Trivy's `UNKNOWN`, ...).
 */
export const toFindingSeverity = (severity: string | null | undefined): FindingSeverity => {
  const upper = severity?.toUpperCase()
  return upper !== undefined && FINDING_SEVERITY_SET.has(upper) ? upper as FindingSeverity : "UNDEFINED"
}

/** A key/value attribute of a basic finding (`package_name`, `CVSS2_SCORE`, ...). */
export const Attribute = Schema.Struct({
  key: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)),
  value: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256)))
}).annotations({ identifier: "Attribute" })
/** @since 0.1.0 */
export type Attribute = typeof Attribute.Type

/** A basic-scanning finding. */
export const ImageScanFinding = Schema.Struct({
  name: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  uri: Schema.optional(Schema.String),
  severity: Schema.optional(FindingSeverity),
  attributes: Schema.optional(Schema.Array(Attribute).pipe(Schema.maxItems(50)))
}).annotations({ identifier: "ImageScanFinding" })
/** @since 0.1.0 */
export type ImageScanFinding = typeof ImageScanFinding.Type

/** Finding counts by severity; only severities that occur are present. */
export const FindingSeverityCounts = Schema.partial(
  Schema.Record({ key: FindingSeverity, value: Schema.Int.pipe(Schema.nonNegative()) })
).annotations({ identifier: "FindingSeverityCounts" })
/** @since 0.1.0 */
export type FindingSeverityCounts = typeof FindingSeverityCounts.Type

const CvssScore = Schema.Struct({
  baseScore: Schema.optional(Schema.Number),
  scoringVector: Schema.optional(Schema.String),
  source: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String)
})

const VulnerablePackage = Schema.Struct({
  arch: Schema.optional(Schema.String),
  epoch: Schema.optional(Schema.Int),
  filePath: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  packageManager: Schema.optional(Schema.String),
  release: Schema.optional(Schema.String),
  sourceLayerHash: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String),
  fixedInVersion: Schema.optional(Schema.String)
})

const AwsEcrContainerImageDetails = Schema.Struct({
  architecture: Schema.optional(Schema.String),
  author: Schema.optional(Schema.String),
  imageHash: Schema.optional(ImageDigest),
  imageTags: Schema.optional(Schema.Array(ImageTag)),
  platform: Schema.optional(Schema.String),
  pushedAt: Schema.optional(Timestamp),
  lastInUseAt: Schema.optional(Timestamp),
  inUseCount: Schema.optional(Schema.Number),
  registry: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName)
})

/** An enhanced-scanning (Amazon Inspector) finding. */
export const EnhancedImageScanFinding = Schema.Struct({
  awsAccountId: Schema.optional(RegistryId),
  description: Schema.optional(Schema.String),
  findingArn: Schema.optional(Schema.String),
  firstObservedAt: Schema.optional(Timestamp),
  lastObservedAt: Schema.optional(Timestamp),
  packageVulnerabilityDetails: Schema.optional(Schema.Struct({
    cvss: Schema.optional(Schema.Array(CvssScore)),
    referenceUrls: Schema.optional(Schema.Array(Schema.String)),
    relatedVulnerabilities: Schema.optional(Schema.Array(Schema.String)),
    source: Schema.optional(Schema.String),
    sourceUrl: Schema.optional(Schema.String),
    vendorCreatedAt: Schema.optional(Timestamp),
    vendorSeverity: Schema.optional(Schema.String),
    vendorUpdatedAt: Schema.optional(Timestamp),
    vulnerabilityId: Schema.optional(Schema.String),
    vulnerablePackages: Schema.optional(Schema.Array(VulnerablePackage))
  })),
  remediation: Schema.optional(Schema.Struct({
    recommendation: Schema.optional(Schema.Struct({
      url: Schema.optional(Schema.String),
      text: Schema.optional(Schema.String)
    }))
  })),
  resources: Schema.optional(Schema.Array(Schema.Struct({
    details: Schema.optional(Schema.Struct({ awsEcrContainerImage: Schema.optional(AwsEcrContainerImageDetails) })),
    id: Schema.optional(Schema.String),
    tags: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    type: Schema.optional(Schema.String)
  }))),
  score: Schema.optional(Schema.Number),
  scoreDetails: Schema.optional(Schema.Struct({
    cvss: Schema.optional(Schema.Struct({
      adjustments: Schema.optional(Schema.Array(Schema.Struct({
        metric: Schema.optional(Schema.String),
        reason: Schema.optional(Schema.String)
      }))),
      score: Schema.optional(Schema.Number),
      scoreSource: Schema.optional(Schema.String),
      scoringVector: Schema.optional(Schema.String),
      version: Schema.optional(Schema.String)
    }))
  })),
  severity: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  updatedAt: Schema.optional(Timestamp),
  fixAvailable: Schema.optional(Schema.String),
  exploitAvailable: Schema.optional(Schema.String)
}).annotations({ identifier: "EnhancedImageScanFinding" })
/** @since 0.1.0 */
export type EnhancedImageScanFinding = typeof EnhancedImageScanFinding.Type

const summaryFields = {
  imageScanCompletedAt: Schema.optional(Timestamp),
  vulnerabilitySourceUpdatedAt: Schema.optional(Timestamp),
  findingSeverityCounts: Schema.optional(FindingSeverityCounts)
}

/** The findings of a scan, one page of them: the summary's members, then the findings. */
export const ImageScanFindings = Schema.Struct({
  ...summaryFields,
  findings: Schema.optional(Schema.Array(ImageScanFinding)),
  enhancedFindings: Schema.optional(Schema.Array(EnhancedImageScanFinding))
}).annotations({ identifier: "ImageScanFindings" })
/** @since 0.1.0 */
export type ImageScanFindings = typeof ImageScanFindings.Type

/** The summary `DescribeImages` can carry (AWS-native basic scanning leaves it out). */
export const ImageScanFindingsSummary = Schema.Struct(summaryFields).annotations({
  identifier: "ImageScanFindingsSummary"
})
/** @since 0.1.0 */
export type ImageScanFindingsSummary = typeof ImageScanFindingsSummary.Type
