/**
 * The registry port: what scanning needs around it (repositories, images, scanning configuration,
 * archival). Both backends provide it beside `ImageScanner`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Api from "./Api.js"
import type { Failure } from "./ImageScanner.js"

type Op<Name extends Api.OperationName> = (
  request: Api.RequestOf<Name>
) => Effect.Effect<Api.ResponseOf<Name>, Failure<Name>>

/** The registry operations, one per ECR operation of the same name. */
export interface ImageRegistryService {
  readonly createRepository: Op<"CreateRepository">
  readonly describeRepositories: Op<"DescribeRepositories">
  readonly deleteRepository: Op<"DeleteRepository">
  readonly putImage: Op<"PutImage">
  readonly batchGetImage: Op<"BatchGetImage">
  readonly batchDeleteImage: Op<"BatchDeleteImage">
  readonly describeImages: Op<"DescribeImages">
  readonly putImageScanningConfiguration: Op<"PutImageScanningConfiguration">
  readonly putRegistryScanningConfiguration: Op<"PutRegistryScanningConfiguration">
  readonly getRegistryScanningConfiguration: Op<"GetRegistryScanningConfiguration">
  readonly batchGetRepositoryScanningConfiguration: Op<"BatchGetRepositoryScanningConfiguration">
  readonly updateImageStorageClass: Op<"UpdateImageStorageClass">
}

/** The registry port. */
export class ImageRegistry extends Effect.Tag("@ecr-scan/core/ImageRegistry")<ImageRegistry, ImageRegistryService>() {}
