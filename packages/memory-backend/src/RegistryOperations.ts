/**
 * The memory engine's registry reads beside scanning: `ListImages` (the core's `ImageListing` decides what
 * an image contributes, `FindingsPage` pages it), `DescribeRegistry` (no replication is modelled: the rules
 * are always empty) and `GetAuthorizationToken` (the core's `AuthorizationTokens` shapes the token; the
 * password is derived from the registry's seed, the registry id and the instant, so a run replays exactly).
 *
 * @since 0.1.0
 */
import {
  type Api,
  AuthorizationTokens,
  FindingsPage,
  type Identifiers,
  ImageListing,
  RequestValidators,
  ScanLifecycle
} from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { createHash } from "node:crypto"
import type { Engine, Step } from "./Engine.js"
import * as Lookups from "./Lookups.js"

const validators = RequestValidators.validators

const listImages: Step<"ListImages"> = (engine, input, now) => {
  const opened = Lookups.openRequest(engine, "ListImages", input)
  if (Lookups.isError(opened)) return Exit.fail(opened)
  const { repository, request } = opened
  const tagStatus = request.filter?.tagStatus ?? ImageListing.DEFAULT_TAG_STATUS
  const imageStatus = request.filter?.imageStatus ?? ImageListing.DEFAULT_IMAGE_STATUS
  const imageIds: Array<Identifiers.ImageIdentifier> = []
  for (const image of repository.images.values()) {
    if (!ImageListing.selectsTags(tagStatus, image.tags.length)) continue
    if (!ImageListing.selectsStatus(imageStatus, ScanLifecycle.imageStatusAt(image.storage, now))) continue
    imageIds.push(...ImageListing.imageIdsOf(image.digest, image.tags))
  }
  const key = ImageListing.listingKey(repository.name, tagStatus, imageStatus)
  const page = FindingsPage.page(imageIds, key, request.nextToken, request.maxResults)
  if (Either.isLeft(page)) return Exit.fail(page.left)
  return Exit.succeed({
    imageIds: page.right.items,
    ...(page.right.nextToken === undefined ? {} : { nextToken: page.right.nextToken })
  })
}

const describeRegistry: Step<"DescribeRegistry"> = (engine, input) => {
  const validated = validators.DescribeRegistry(input ?? {})
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  return Exit.succeed({
    registryId: engine.config.accountId,
    replicationConfiguration: { rules: [] }
  })
}

/** The password of a token: a digest of the seed, the registry id and the instant, nothing random besides. */
const passwordOf = (engine: Engine, registryId: string, now: number) =>
  createHash("sha256")
    .update(`${engine.config.seed}\u0000authorization\u0000${registryId}\u0000${now}`, "utf8")
    .digest("base64")

const getAuthorizationToken: Step<"GetAuthorizationToken"> = (engine, input, now) => {
  const validated = validators.GetAuthorizationToken(input ?? {})
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const { accountId, region } = engine.config
  const registryIds: ReadonlyArray<string> = validated.right.registryIds ?? [accountId]
  return Exit.succeed({
    authorizationData: registryIds.map((registryId) =>
      AuthorizationTokens.authorizationData(
        passwordOf(engine, registryId, now),
        now,
        AuthorizationTokens.proxyEndpoint(registryId, region)
      )
    )
  } as Api.GetAuthorizationTokenResponse)
}

/** The registry reads' steps. */
export const steps = {
  ListImages: listImages,
  DescribeRegistry: describeRegistry,
  GetAuthorizationToken: getAuthorizationToken
}
