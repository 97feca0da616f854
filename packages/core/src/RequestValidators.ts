/**
 * One validator per operation: the request as a caller sent it becomes the typed request, or the
 * `InvalidParameterException` ECR would answer. Shared by every backend, so the in-memory registry
 * and the AWS backend (which checks before sending: the JS SDK validates nothing) refuse alike.
 *
 * @since 0.1.0
 */
import * as Api from "./Api.js"
import * as Validation from "./Validation.js"

/** The validator of each operation, keyed by its wire name. */
export const validators: { readonly [K in Api.OperationName]: Validation.Validator<Api.RequestTypeOf<K>> } = {
  StartImageScan: Validation.validator(Api.StartImageScanRequest, Api.isStartImageScanRequest),
  DescribeImageScanFindings: Validation.validator(
    Api.DescribeImageScanFindingsRequest,
    Api.isDescribeImageScanFindingsRequest
  ),
  CreateRepository: Validation.validator(Api.CreateRepositoryRequest),
  DescribeRepositories: Validation.validator(Api.DescribeRepositoriesRequest),
  DeleteRepository: Validation.validator(Api.DeleteRepositoryRequest),
  PutImage: Validation.validator(Api.PutImageRequest),
  BatchGetImage: Validation.validator(Api.BatchGetImageRequest),
  BatchDeleteImage: Validation.validator(Api.BatchDeleteImageRequest),
  DescribeImages: Validation.validator(Api.DescribeImagesRequest),
  PutImageScanningConfiguration: Validation.validator(Api.PutImageScanningConfigurationRequest),
  PutRegistryScanningConfiguration: Validation.validator(Api.PutRegistryScanningConfigurationRequest),
  GetRegistryScanningConfiguration: Validation.validator(Api.GetRegistryScanningConfigurationRequest),
  BatchGetRepositoryScanningConfiguration: Validation.validator(Api.BatchGetRepositoryScanningConfigurationRequest),
  UpdateImageStorageClass: Validation.validator(Api.UpdateImageStorageClassRequest)
}
