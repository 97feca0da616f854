/**
 * The scanning port: start a scan, read its findings. Every backend provides it (the in-memory
 * registry, the AWS SDK), so programs written against it run unchanged on either.
 *
 * Requests are plain data as a caller or the wire sends them; backends validate them and answer
 * an invalid member with `InvalidParameterException` in AWS's format, before touching any state.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Api from "./Api.js"
import type * as Errors from "./Errors.js"

/** The failures of an operation: its modelled errors, codes it does not model, and transport failures. */
export type Failure<Name extends Api.OperationName> = Api.ErrorOf<Name> | Errors.UnknownEcrError | Errors.TransportError

/** The failures of `StartImageScan`. */
export type StartImageScanError = Failure<"StartImageScan">
/** The failures of `DescribeImageScanFindings`. */
export type DescribeImageScanFindingsError = Failure<"DescribeImageScanFindings">

/** The scanning operations. */
export interface ImageScannerService {
  /** Starts a basic scan of one image; answers `IN_PROGRESS`, or the error that refused it. */
  readonly startImageScan: (
    request: Api.RequestOf<"StartImageScan">
  ) => Effect.Effect<Api.StartImageScanResponse, StartImageScanError>
  /** One page of the findings of an image's latest scan, with its status. */
  readonly describeImageScanFindings: (
    request: Api.RequestOf<"DescribeImageScanFindings">
  ) => Effect.Effect<Api.DescribeImageScanFindingsResponse, DescribeImageScanFindingsError>
}

/**
 * The scanning port. `yield* ImageScanner.startImageScan({ repositoryName, imageId })` in any
 * program whose environment has a backend layer.
 */
export class ImageScanner extends Effect.Tag("@ecr-scan/core/ImageScanner")<ImageScanner, ImageScannerService>() {}
