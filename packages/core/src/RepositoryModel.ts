/**
 * Repository shapes: the `Repository` record and the settings it carries.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { RegistryId, RepositoryName, Timestamp } from "./Identifiers.js"

/** Whether tags may be overwritten. */
export const ImageTagMutability = Schema.Literal(
  "MUTABLE",
  "IMMUTABLE",
  "IMMUTABLE_WITH_EXCLUSION",
  "MUTABLE_WITH_EXCLUSION"
)
  .annotations({ identifier: "ImageTagMutability" })
/** @since 0.1.0 */
export type ImageTagMutability = typeof ImageTagMutability.Type

/** A tag filter excluded from the repository's mutability setting. */
export const ImageTagMutabilityExclusionFilter = Schema.Struct({
  filterType: Schema.Literal("WILDCARD"),
  filter: Schema.String.pipe(Schema.pattern(/^[0-9a-zA-Z._*-]{1,128}$/))
}).annotations({ identifier: "ImageTagMutabilityExclusionFilter" })

/** The legacy, repository-level scanning setting (deprecated in the model in favour of registry rules). */
export const ImageScanningConfiguration = Schema.Struct({
  scanOnPush: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ImageScanningConfiguration" })
/** @since 0.1.0 */
export type ImageScanningConfiguration = typeof ImageScanningConfiguration.Type

/** How the repository's images are encrypted at rest. */
export const EncryptionConfiguration = Schema.Struct({
  encryptionType: Schema.Literal("AES256", "KMS", "KMS_DSSE"),
  kmsKey: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2048)))
}).annotations({ identifier: "EncryptionConfiguration" })
/** @since 0.1.0 */
export type EncryptionConfiguration = typeof EncryptionConfiguration.Type

/** A resource tag. */
export const Tag = Schema.Struct({ Key: Schema.String, Value: Schema.String }).annotations({ identifier: "Tag" })

/** A repository as `CreateRepository`, `DescribeRepositories` and `DeleteRepository` return it. */
export const Repository = Schema.Struct({
  repositoryArn: Schema.optional(Schema.String),
  registryId: Schema.optional(RegistryId),
  repositoryName: Schema.optional(RepositoryName),
  repositoryUri: Schema.optional(Schema.String),
  createdAt: Schema.optional(Timestamp),
  imageTagMutability: Schema.optional(ImageTagMutability),
  imageTagMutabilityExclusionFilters: Schema.optional(Schema.Array(ImageTagMutabilityExclusionFilter)),
  imageScanningConfiguration: Schema.optional(ImageScanningConfiguration),
  encryptionConfiguration: Schema.optional(EncryptionConfiguration)
}).annotations({ identifier: "Repository" })
/** @since 0.1.0 */
export type Repository = typeof Repository.Type

/** `arn:aws:ecr:<region>:<account>:repository/<name>` */
export const repositoryArn = (region: string, registryId: string, repositoryName: string) =>
  `arn:aws:ecr:${region}:${registryId}:repository/${repositoryName}`

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
export const repositoryUri = (region: string, registryId: string, repositoryName: string) =>
  `${registryId}.dkr.ecr.${region}.amazonaws.com/${repositoryName}`
