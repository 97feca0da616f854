/**
 * The scanning port: start a scan, read its findings. Every backend provides it (the in-memory
 * registry, the AWS SDK), so programs written against it run unchanged on either.
 *
 * Requests are plain data as a caller or the wire sends them; backends validate them and answer
 * an invalid member with `InvalidParameterException` in AWS's format, before touching any state.
 *
 * Its methods are derived from the operation table (`Api.Operations`): one per operation whose port is
 * `ImageScanner`, named by the entry's `method`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Api from "./Api.js"

/** The failures of an operation: its modelled errors, codes it does not model, and transport failures. */
export type Failure<Name extends Api.OperationName> = Api.Failure<Name>

/** The failures of `StartImageScan`. */
export type StartImageScanError = Failure<"StartImageScan">
/** The failures of `DescribeImageScanFindings`. */
export type DescribeImageScanFindingsError = Failure<"DescribeImageScanFindings">

/**
 * The scanning operations: `startImageScan` starts a basic scan of one image (answering `IN_PROGRESS`, or the
 * error that refused it); `describeImageScanFindings` reads one page of the findings of an image's latest scan,
 * with its status.
 */
export type ImageScannerService = Api.PortService<"ImageScanner">

/**
 * The scanning port. `yield* ImageScanner.startImageScan({ repositoryName, imageId })` in any
 * program whose environment has a backend layer.
 *
 * @example
 * ```ts
 * import { ImageScanner } from "@ecr-scan/core"
 * import { MemoryRegistry } from "@ecr-scan/memory-backend"
 * import { Effect } from "effect"
 *
 * // Written against the port: the backend is whichever layer the caller provides.
 * const scan = (repositoryName: string, imageTag: string) =>
 *   ImageScanner.startImageScan({ repositoryName, imageId: { imageTag } }).pipe(
 *     Effect.map((response) => response.imageScanStatus?.status ?? "no status"),
 *     // Once per image per 24 hours: `nextEligibleAt` says when it may be scanned again.
 *     Effect.catchTag("LimitExceededException", (e) => Effect.succeed(`not before ${e.nextEligibleAt?.toISOString()}`))
 *   )
 *
 * // No such repository in an empty registry: fails with RepositoryNotFoundException.
 * scan("app", "v1").pipe(Effect.provide(MemoryRegistry.layer()), Effect.runPromiseExit)
 * ```
 */
export class ImageScanner extends Effect.Tag("@ecr-scan/core/ImageScanner")<ImageScanner, ImageScannerService>() {}
