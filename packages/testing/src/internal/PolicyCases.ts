/**
 * The conformance cases of policies: a repository's policy and the registry's, set, read back as given,
 * deleted, then not found; and a document that is not JSON refused with AWS's text.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { invalidParameter } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { createRepository, refusal } from "./Steps.js"

/** A repository policy granting another account pulls, in a layout of its own (kept byte for byte). */
const REPOSITORY_POLICY = `{
  "Version" : "2012-10-17",
  "Statement" : [ {
    "Sid" : "AllowPull",
    "Effect" : "Allow",
    "Principal" : { "AWS" : "arn:aws:iam::210987654321:root" },
    "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]
  } ]
}`

/** A registry policy granting another account replication into this registry. */
const registryPolicy = (region: string, accountId: string) =>
  JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [{
        Sid: "ReplicationAccessCrossAccount",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::210987654321:root" },
        Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
        Resource: `arn:aws:ecr:${region}:${accountId}:repository/*`
      }]
    },
    null,
    2
  )

/** Repository and registry policies. */
export const policyCases = {
  "repository-policy-round-trip": {
    title: "SetRepositoryPolicy keeps the document as given; Get answers it, Delete answers and removes it",
    run: Effect.gen(function*() {
      const { accountId } = yield* Harness
      const repositoryName = (yield* Harness).repositoryName("policy")
      yield* createRepository(repositoryName)
      const reply = { registryId: accountId, repositoryName, policyText: REPOSITORY_POLICY }
      expect(yield* ImageRegistry.setRepositoryPolicy({ repositoryName, policyText: REPOSITORY_POLICY }))
        .toStrictEqual(reply)
      expect(yield* ImageRegistry.getRepositoryPolicy({ repositoryName })).toStrictEqual(reply)
      expect(yield* ImageRegistry.deleteRepositoryPolicy({ repositoryName })).toStrictEqual(reply)
      expect(yield* refusal(ImageRegistry.getRepositoryPolicy({ repositoryName }))).toStrictEqual({
        _tag: "RepositoryPolicyNotFoundException",
        message: `Repository policy does not exist for the repository with name '${repositoryName}' ` +
          `in the registry with id '${accountId}'`
      })
    })
  },
  "repository-policy-invalid": {
    title: "SetRepositoryPolicy refuses a document that is not JSON with AWS's text",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("bad-policy")
      yield* createRepository(repositoryName)
      expect(
        yield* refusal(ImageRegistry.setRepositoryPolicy({ repositoryName, policyText: "{ \"Statement\": [" }))
      ).toStrictEqual(invalidParameter("PolicyText", "Invalid repository policy provided"))
    })
  },
  "registry-policy-round-trip": {
    title: "PutRegistryPolicy keeps the document as given; Get answers it, Delete answers and removes it",
    run: Effect.gen(function*() {
      const { accountId, region } = yield* Harness
      const policyText = registryPolicy(region, accountId)
      const reply = { registryId: accountId, policyText }
      expect(yield* ImageRegistry.putRegistryPolicy({ policyText })).toStrictEqual(reply)
      expect(yield* ImageRegistry.getRegistryPolicy({})).toStrictEqual(reply)
      expect(yield* ImageRegistry.deleteRegistryPolicy({})).toStrictEqual(reply)
      expect(yield* refusal(ImageRegistry.getRegistryPolicy({}))).toStrictEqual({
        _tag: "RegistryPolicyNotFoundException",
        message: `Registry policy does not exist in the registry with id '${accountId}'`
      })
    })
  },
  "registry-policy-invalid": {
    title: "PutRegistryPolicy refuses a document that is not JSON with AWS's text",
    run: Effect.gen(function*() {
      expect(yield* refusal(ImageRegistry.putRegistryPolicy({ policyText: "not a policy" }))).toStrictEqual(
        invalidParameter("PolicyText", "Invalid registry policy provided")
      )
    })
  }
} satisfies { readonly [id: string]: Case }
