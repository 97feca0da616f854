/**
 * Repository and registry policies: a document ECR would store is kept as given, byte for byte, answered back
 * by Get and by Delete (which removes it); a document it would refuse, or a policy that is not there, is
 * answered with AWS's error and text, and changes nothing. Stored documents are never evaluated. Both kinds
 * of policy survive a durable registry's restart.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { DurableRegistry, MemoryRegistryDriver, VirtualClock } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  ACCOUNT,
  createRepository,
  failure,
  inRegistry,
  invalidParameter,
  ociImage,
  push,
  refusedWithoutChange,
  repositoryNotFound,
  T0,
  withDirectory
} from "./fixtures.js"

/** A repository policy as a person writes one: its own layout, kept exactly. */
const REPOSITORY_POLICY = `{
  "Version" : "2012-10-17",
  "Statement" : [ {
    "Sid" : "AllowPull é",
    "Effect" : "Allow",
    "Principal" : { "AWS" : [ "arn:aws:iam::210987654321:root" ] },
    "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]
  } ]
}\n`
const OTHER_POLICY = JSON.stringify({
  Version: "2008-10-17",
  Statement: { Effect: "Deny", Principal: "*", Action: "ecr:DeleteRepository" }
})
const REGISTRY_POLICY = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [{
      Sid: "ReplicationAccessCrossAccount",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::210987654321:root" },
      Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
      Resource: "arn:aws:ecr:us-east-1:123456789012:repository/*"
    }]
  },
  null,
  2
)

const INVALID_REPOSITORY_POLICY = invalidParameter("PolicyText", "Invalid repository policy provided")
const INVALID_REGISTRY_POLICY = invalidParameter("PolicyText", "Invalid registry policy provided")

const repositoryPolicyNotFound = (name: string) => ({
  _tag: "RepositoryPolicyNotFoundException",
  message:
    `Repository policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT}'`
})
const REGISTRY_POLICY_NOT_FOUND = {
  _tag: "RegistryPolicyNotFoundException",
  message: `Registry policy does not exist in the registry with id '${ACCOUNT}'`
}

/** Documents ECR refuses, as either kind of policy. */
const REFUSED_EITHER_WAY: ReadonlyArray<readonly [string, string]> = [
  ["an empty text", ""],
  ["text that is not JSON", "{ \"Version\": \"2012-10-17\", "],
  ["a JSON list", "[]"],
  ["a document without Statement", JSON.stringify({ Version: "2012-10-17" })],
  ["an unknown Version", JSON.stringify({ Version: "2020-01-01", Statement: [] })],
  [
    "a statement without Principal",
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:*" }] })
  ],
  [
    "an Effect that is neither Allow nor Deny",
    JSON.stringify({ Statement: [{ Effect: "Permit", Principal: "*", Action: "ecr:*" }] })
  ]
]

const setPolicy = (repositoryName: string, policyText: string, force?: boolean) =>
  ImageRegistry.setRepositoryPolicy({ repositoryName, policyText, ...(force === undefined ? {} : { force }) })

describe("repository policies", () => {
  it.effect("SetRepositoryPolicy keeps the document byte for byte; Get answers it, Delete answers and removes it", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const reply = { registryId: ACCOUNT, repositoryName: "app", policyText: REPOSITORY_POLICY }
      expect(yield* setPolicy("app", REPOSITORY_POLICY)).toStrictEqual(reply)
      expect(yield* ImageRegistry.getRepositoryPolicy({ repositoryName: "app" })).toStrictEqual(reply)
      expect(yield* ImageRegistry.deleteRepositoryPolicy({ repositoryName: "app" })).toStrictEqual(reply)
      expect(yield* failure(ImageRegistry.getRepositoryPolicy({ repositoryName: "app" }))).toStrictEqual(
        repositoryPolicyNotFound("app")
      )
    }))

  it.effect("a second SetRepositoryPolicy replaces the first, with force or without (nothing is evaluated)", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* setPolicy("app", REPOSITORY_POLICY)
      // A policy denying everyone everything is stored like any other: no request is ever checked against it.
      const denyAll = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "*" }] })
      for (const [text, force] of [[OTHER_POLICY, true], [denyAll, false], [REPOSITORY_POLICY, undefined]] as const) {
        yield* setPolicy("app", text, force)
        expect((yield* ImageRegistry.getRepositoryPolicy({ repositoryName: "app" })).policyText).toBe(text)
      }
      yield* push("app", ociImage(1), "v1")
      expect((yield* ImageRegistry.describeImages({ repositoryName: "app" })).imageDetails).toHaveLength(1)
    }))

  it.effect("each repository has its own policy", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* createRepository("team/other")
      yield* setPolicy("team/other", OTHER_POLICY)
      expect(yield* failure(ImageRegistry.getRepositoryPolicy({ repositoryName: "app" }))).toStrictEqual(
        repositoryPolicyNotFound("app")
      )
      expect((yield* ImageRegistry.getRepositoryPolicy({ repositoryName: "team/other" })).policyText).toBe(
        OTHER_POLICY
      )
    }))

  it.effect("Get and Delete of a repository without a policy answer RepositoryPolicyNotFoundException", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      expect(yield* refusedWithoutChange(ImageRegistry.getRepositoryPolicy({ repositoryName: "app" }))).toStrictEqual(
        repositoryPolicyNotFound("app")
      )
      expect(yield* refusedWithoutChange(ImageRegistry.deleteRepositoryPolicy({ repositoryName: "app" })))
        .toStrictEqual(repositoryPolicyNotFound("app"))
    }))

  it.effect("refuses documents ECR refuses, with its text, and keeps the policy it had", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* setPolicy("app", REPOSITORY_POLICY)
      const withResource = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage", Resource: "*" }]
      })
      for (const [, text] of [...REFUSED_EITHER_WAY, ["a statement with Resource", withResource] as const]) {
        expect(yield* refusedWithoutChange(setPolicy("app", text, true))).toStrictEqual(INVALID_REPOSITORY_POLICY)
      }
      expect((yield* ImageRegistry.getRepositoryPolicy({ repositoryName: "app" })).policyText).toBe(REPOSITORY_POLICY)
    }))

  it.effect("refuses a text longer than 10,240 characters, and takes one of exactly 10,240", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      const padded = (length: number) => {
        const text = JSON.stringify({ Statement: { Effect: "Allow", Principal: "*", Action: "ecr:*" } })
        return text + " ".repeat(length - text.length)
      }
      expect(yield* refusedWithoutChange(setPolicy("app", padded(10_241)))).toStrictEqual(
        invalidParameter("policyText", "must have length less than or equal to 10240")
      )
      expect((yield* setPolicy("app", padded(10_240))).policyText).toHaveLength(10_240)
    }))

  it.effect("answers RepositoryNotFoundException for a repository that does not exist, before the document", () =>
    inRegistry(function*() {
      for (
        const call of [
          setPolicy("missing", REPOSITORY_POLICY),
          setPolicy("missing", "not json"),
          ImageRegistry.getRepositoryPolicy({ repositoryName: "missing" }),
          ImageRegistry.deleteRepositoryPolicy({ repositoryName: "missing" })
        ]
      ) {
        expect(yield* refusedWithoutChange(call)).toStrictEqual(repositoryNotFound("missing"))
      }
    }))

  it.effect("refuses a request without policyText, or with one that is not a string", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      expect(yield* refusedWithoutChange(ImageRegistry.setRepositoryPolicy({ repositoryName: "app" } as never)))
        .toStrictEqual(invalidParameter("policyText", "must not be null"))
      expect(
        yield* refusedWithoutChange(
          ImageRegistry.setRepositoryPolicy({ repositoryName: "app", policyText: { Statement: [] } } as never)
        )
      ).toStrictEqual(invalidParameter("policyText", "must be a string"))
    }))

  it.effect("DeleteRepository takes the repository's policy with it", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* setPolicy("app", REPOSITORY_POLICY)
      yield* ImageRegistry.deleteRepository({ repositoryName: "app" })
      yield* createRepository("app")
      expect(yield* failure(ImageRegistry.getRepositoryPolicy({ repositoryName: "app" }))).toStrictEqual(
        repositoryPolicyNotFound("app")
      )
    }))
})

describe("the registry policy", () => {
  it.effect("PutRegistryPolicy keeps the document byte for byte; Get answers it, Delete answers and removes it", () =>
    inRegistry(function*() {
      const reply = { registryId: ACCOUNT, policyText: REGISTRY_POLICY }
      expect(yield* ImageRegistry.putRegistryPolicy({ policyText: REGISTRY_POLICY })).toStrictEqual(reply)
      expect(yield* ImageRegistry.getRegistryPolicy({})).toStrictEqual(reply)
      expect(yield* ImageRegistry.deleteRegistryPolicy({})).toStrictEqual(reply)
      expect(yield* refusedWithoutChange(ImageRegistry.getRegistryPolicy({}))).toStrictEqual(REGISTRY_POLICY_NOT_FOUND)
      expect(yield* refusedWithoutChange(ImageRegistry.deleteRegistryPolicy({}))).toStrictEqual(
        REGISTRY_POLICY_NOT_FOUND
      )
    }))

  it.effect("a second PutRegistryPolicy replaces the first; any ECR action is taken (the V2 scope)", () =>
    inRegistry(function*() {
      yield* ImageRegistry.putRegistryPolicy({ policyText: REGISTRY_POLICY })
      const wide = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "ecr:*" }]
      })
      yield* ImageRegistry.putRegistryPolicy({ policyText: wide })
      expect((yield* ImageRegistry.getRegistryPolicy({})).policyText).toBe(wide)
    }))

  it.effect("refuses documents ECR refuses, with its text, and keeps the policy it had", () =>
    inRegistry(function*() {
      yield* ImageRegistry.putRegistryPolicy({ policyText: REGISTRY_POLICY })
      for (const [, text] of REFUSED_EITHER_WAY) {
        expect(yield* refusedWithoutChange(ImageRegistry.putRegistryPolicy({ policyText: text }))).toStrictEqual(
          INVALID_REGISTRY_POLICY
        )
      }
      expect((yield* ImageRegistry.getRegistryPolicy({})).policyText).toBe(REGISTRY_POLICY)
    }))

  it.effect("is the registry's, not a repository's", () =>
    inRegistry(function*() {
      yield* createRepository("app")
      yield* ImageRegistry.putRegistryPolicy({ policyText: REGISTRY_POLICY })
      expect(yield* failure(ImageRegistry.getRepositoryPolicy({ repositoryName: "app" }))).toStrictEqual(
        repositoryPolicyNotFound("app")
      )
      yield* setPolicy("app", REPOSITORY_POLICY)
      yield* ImageRegistry.deleteRegistryPolicy({})
      expect((yield* ImageRegistry.getRepositoryPolicy({ repositoryName: "app" })).policyText).toBe(REPOSITORY_POLICY)
    }))
})

describe("policies and the driver", () => {
  it.effect("a reset removes both policies; a restored snapshot brings them back", () =>
    inRegistry(function*() {
      const driver = yield* MemoryRegistryDriver
      yield* createRepository("app")
      yield* setPolicy("app", REPOSITORY_POLICY)
      yield* ImageRegistry.putRegistryPolicy({ policyText: REGISTRY_POLICY })
      const snapshot = yield* driver.snapshot
      expect(snapshot.registryPolicy).toBe(REGISTRY_POLICY)
      expect(snapshot.repositories.map((r) => r.repositoryPolicy)).toStrictEqual([REPOSITORY_POLICY])
      yield* driver.reset
      expect(yield* failure(ImageRegistry.getRegistryPolicy({}))).toStrictEqual(REGISTRY_POLICY_NOT_FOUND)
      yield* driver.restore(snapshot)
      expect((yield* ImageRegistry.getRegistryPolicy({})).policyText).toBe(REGISTRY_POLICY)
      expect((yield* ImageRegistry.getRepositoryPolicy({ repositoryName: "app" })).policyText).toBe(REPOSITORY_POLICY)
    }))
})

describe("policies in a durable registry", () => {
  /** Runs `body` on a durable registry in `dir` (virtual time from `T0`), answering what it returns. */
  const session = <A>(dir: string, body: (d: DurableRegistry.DurableRegistry) => Effect.Effect<A, unknown>) =>
    Effect.runPromise(
      Effect.scoped(Effect.gen(function*() {
        const durable = yield* DurableRegistry.make({ directory: dir, seed: "policies" })
        return yield* Effect.withClock(body(durable), VirtualClock.unsafeMake(T0))
      }))
    )

  it("keeps both policies across a restart, and their deletions too", () =>
    withDirectory("policies-", async (dir) => {
      await session(dir, (d) =>
        Effect.gen(function*() {
          yield* d.registry.createRepository({ repositoryName: "app" })
          yield* d.registry.createRepository({ repositoryName: "other" })
          yield* d.registry.setRepositoryPolicy({ repositoryName: "app", policyText: REPOSITORY_POLICY })
          yield* d.registry.setRepositoryPolicy({ repositoryName: "other", policyText: OTHER_POLICY })
          yield* d.registry.putRegistryPolicy({ policyText: REGISTRY_POLICY })
        }))
      await session(dir, (d) =>
        Effect.gen(function*() {
          expect((yield* d.registry.getRepositoryPolicy({ repositoryName: "app" })).policyText).toBe(REPOSITORY_POLICY)
          expect((yield* d.registry.getRepositoryPolicy({ repositoryName: "other" })).policyText).toBe(OTHER_POLICY)
          expect((yield* d.registry.getRegistryPolicy({})).policyText).toBe(REGISTRY_POLICY)
          yield* d.registry.deleteRepositoryPolicy({ repositoryName: "app" })
          yield* d.registry.deleteRegistryPolicy({})
        }))
      await session(dir, (d) =>
        Effect.gen(function*() {
          expect(yield* failure(d.registry.getRepositoryPolicy({ repositoryName: "app" }))).toStrictEqual(
            repositoryPolicyNotFound("app")
          )
          expect((yield* d.registry.getRepositoryPolicy({ repositoryName: "other" })).policyText).toBe(OTHER_POLICY)
          expect(yield* failure(d.registry.getRegistryPolicy({}))).toStrictEqual(REGISTRY_POLICY_NOT_FOUND)
        }))
    }))
})
