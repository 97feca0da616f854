/**
 * The registry port: what scanning needs around it (repositories, images, scanning configuration,
 * archival). Both backends provide it beside `ImageScanner`.
 *
 * Its methods are derived from the operation table (`Api.Operations`): one per operation whose port is
 * `ImageRegistry`, named by the entry's `method` (`createRepository` for `CreateRepository`, ...).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Api from "./Api.js"

/** The registry operations, one per ECR operation of the same name. */
export type ImageRegistryService = Api.PortService<"ImageRegistry">

/** The registry port. */
export class ImageRegistry extends Effect.Tag("@ecr-scan/core/ImageRegistry")<ImageRegistry, ImageRegistryService>() {}
