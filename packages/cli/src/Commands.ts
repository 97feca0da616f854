/**
 * The operation commands: the AWS CLI's `start-image-scan`, `describe-image-scan-findings`,
 * `create-repository`, `put-image`, `describe-images`, with the AWS CLI's flags.
 *
 * @since 0.1.0
 */
import * as OperationCommand from "./OperationCommand.js"

const imageId: OperationCommand.Member["kind"] = {
  _tag: "structure",
  members: { imageDigest: "string", imageTag: "string" }
}
const registryId: OperationCommand.Member = { flag: "registry-id", member: "registryId", kind: { _tag: "string" } }
const repositoryName: OperationCommand.Member = {
  flag: "repository-name",
  member: "repositoryName",
  kind: { _tag: "string" },
  required: true
}

/** `start-image-scan`. */
export const startImageScan: OperationCommand.OperationSpec = {
  command: "start-image-scan",
  operation: "StartImageScan",
  description: "Starts a basic image vulnerability scan (once per 24 hours per image, scans on push included).",
  members: [registryId, repositoryName, { flag: "image-id", member: "imageId", kind: imageId, required: true }]
}

/** `describe-image-scan-findings`. */
export const describeImageScanFindings: OperationCommand.OperationSpec = {
  command: "describe-image-scan-findings",
  operation: "DescribeImageScanFindings",
  description: "Returns the scan findings for an image (all pages unless --max-items or --no-paginate).",
  members: [registryId, repositoryName, { flag: "image-id", member: "imageId", kind: imageId, required: true }],
  pagination: { resultKeys: [["imageScanFindings", "findings"], ["imageScanFindings", "enhancedFindings"]] }
}

/** `create-repository`. */
export const createRepository: OperationCommand.OperationSpec = {
  command: "create-repository",
  operation: "CreateRepository",
  description: "Creates a repository.",
  members: [
    registryId,
    repositoryName,
    { flag: "image-tag-mutability", member: "imageTagMutability", kind: { _tag: "string" } },
    {
      flag: "image-scanning-configuration",
      member: "imageScanningConfiguration",
      kind: { _tag: "structure", members: { scanOnPush: "boolean" } }
    },
    {
      flag: "encryption-configuration",
      member: "encryptionConfiguration",
      kind: { _tag: "structure", members: { encryptionType: "string", kmsKey: "string" } }
    }
  ]
}

/** `put-image`. */
export const putImage: OperationCommand.OperationSpec = {
  command: "put-image",
  operation: "PutImage",
  description: "Creates or updates the image manifest and tags associated with an image.",
  members: [
    registryId,
    repositoryName,
    { flag: "image-manifest", member: "imageManifest", kind: { _tag: "string" }, required: true },
    { flag: "image-manifest-media-type", member: "imageManifestMediaType", kind: { _tag: "string" } },
    { flag: "image-tag", member: "imageTag", kind: { _tag: "string" } },
    { flag: "image-digest", member: "imageDigest", kind: { _tag: "string" } }
  ]
}

/** `describe-images`. */
export const describeImages: OperationCommand.OperationSpec = {
  command: "describe-images",
  operation: "DescribeImages",
  description: "Returns metadata about the images in a repository (all pages unless --max-items or --no-paginate).",
  members: [
    registryId,
    repositoryName,
    {
      flag: "image-ids",
      member: "imageIds",
      kind: { _tag: "structureList", members: { imageDigest: "string", imageTag: "string" } }
    },
    {
      flag: "filter",
      member: "filter",
      kind: { _tag: "structure", members: { tagStatus: "string", imageStatus: "string" } }
    }
  ],
  pagination: { resultKeys: [["imageDetails"]] }
}
