/**
 * ListImages, DescribeRegistry and GetAuthorizationToken against the emulator, and two fixes of issue 16,
 * on the wire:
 *
 * - exact replies (status, content type, error type, body) of the fixes: a malformed digest in
 *   BatchGetImage/BatchDeleteImage is a per-image `InvalidImageDigest` failure beside the entries that
 *   succeed; a PutImage manifest that is not JSON, or whose media type cannot be told, is AWS's
 *   `Invalid JSON syntax`;
 * - GetAuthorizationToken's `proxyEndpoint` names the emulator itself;
 * - boto3 (list_images and its paginator, describe_registry, get_authorization_token) and the AWS CLI
 *   (`list-images`, `get-login-password`), required in CI and skipped with the reason elsewhere.
 *
 * AWS's texts are written out here rather than imported, so the emulator is checked against them.
 */
import type * as Http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { awsEcr } from "../support/awsCli.js"
import { scenario } from "../support/boto3Scenario.js"
import { digestOf, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { AMZ_JSON, ecr, singleConnection } from "../support/rawHttp.js"
import { awsCli, boto3, describeWith } from "../support/tools.js"
import { ecrCall } from "../support/wire.js"

const ACCOUNT = "123456789012"
const START = Date.parse("2026-01-01T00:00:00Z")
const HOURS_12 = 12 * 3_600_000
const INVALID_DIGEST_REASON =
  "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"

let emulator: RunningEmulator
let agent: Http.Agent

beforeAll(async () => {
  emulator = await startEmulator()
  agent = singleConnection()
})
afterAll(async () => {
  agent?.destroy()
  await emulator?.stop()
})

/** A repository with the manifests in it, tagged `v1`, `v2`, ... (on the wire). */
const given = async (repositoryName: string, manifests: ReadonlyArray<string>) => {
  await ecrCall(emulator.endpoint, "CreateRepository", { repositoryName })
  for (const [i, manifest] of manifests.entries()) {
    await ecrCall(emulator.endpoint, "PutImage", { repositoryName, imageManifest: manifest, imageTag: `v${i + 1}` })
  }
}

const call = (operation: string, body: unknown) => ecr(emulator.endpoint, agent, operation, body)

describe("the fixes, as exact wire replies", () => {
  it("BatchGetImage: a malformed digest fails that entry only, the others are answered", async () => {
    await given("wire/get", [imageManifest(701)])
    const reply = await call("BatchGetImage", {
      repositoryName: "wire/get",
      imageIds: [{ imageDigest: "sha256:zz" }, { imageTag: "v1" }, { imageDigest: "not-a-digest", imageTag: "v1" }]
    })
    expect(reply.status).toBe(200)
    expect(reply.headers["content-type"]).toBe(AMZ_JSON)
    expect(reply.headers["x-amzn-errortype"]).toBeUndefined()
    expect(reply.text).toBe(JSON.stringify({
      images: [{
        registryId: ACCOUNT,
        repositoryName: "wire/get",
        imageId: { imageDigest: digestOf(imageManifest(701)), imageTag: "v1" },
        imageManifest: imageManifest(701),
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json"
      }],
      failures: [
        {
          imageId: { imageDigest: "sha256:zz" },
          failureCode: "InvalidImageDigest",
          failureReason: INVALID_DIGEST_REASON
        },
        {
          imageId: { imageDigest: "not-a-digest", imageTag: "v1" },
          failureCode: "InvalidImageDigest",
          failureReason: INVALID_DIGEST_REASON
        }
      ]
    }))
  })

  it("BatchDeleteImage: a malformed digest fails that entry only, the others are deleted", async () => {
    await given("wire/delete", [imageManifest(702), imageManifest(703)])
    const reply = await call("BatchDeleteImage", {
      repositoryName: "wire/delete",
      imageIds: [{ imageDigest: "bad" }, { imageTag: "v2" }]
    })
    expect(reply.status).toBe(200)
    expect(reply.headers["content-type"]).toBe(AMZ_JSON)
    expect(reply.text).toBe(JSON.stringify({
      imageIds: [{ imageDigest: digestOf(imageManifest(703)), imageTag: "v2" }],
      failures: [{
        imageId: { imageDigest: "bad" },
        failureCode: "InvalidImageDigest",
        failureReason: INVALID_DIGEST_REASON
      }]
    }))
    const listed = await ecrCall(emulator.endpoint, "ListImages", { repositoryName: "wire/delete" })
    expect(listed).toEqual({ imageIds: [{ imageDigest: digestOf(imageManifest(702)), imageTag: "v1" }] })
  })

  it("PutImage: a manifest that is not JSON, or whose media type cannot be told, is 'Invalid JSON syntax'", async () => {
    await given("wire/put", [])
    const expected = JSON.stringify({
      __type: "InvalidParameterException",
      message: "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
    })
    const untyped = JSON.stringify({ schemaVersion: 2, config: { digest: digestOf("c"), size: 1 }, layers: [] })
    for (const manifest of ["not json", "{\"schemaVersion\": 2,", untyped]) {
      const reply = await call("PutImage", { repositoryName: "wire/put", imageManifest: manifest, imageTag: "t" })
      expect(reply.status).toBe(400)
      expect(reply.headers["content-type"]).toBe(AMZ_JSON)
      expect(reply.headers["x-amzn-errortype"]).toBe("InvalidParameterException")
      expect(reply.text).toBe(expected)
    }
    // Nothing was written.
    expect(await ecrCall(emulator.endpoint, "ListImages", { repositoryName: "wire/put" })).toEqual({ imageIds: [] })
  })
})

describe("the new operations on the wire", () => {
  it("GetAuthorizationToken names the emulator itself, 12 hours on its clock", async () => {
    const reply = await call("GetAuthorizationToken", {})
    expect(reply.status).toBe(200)
    const { authorizationData } = reply.json as any
    expect(authorizationData).toHaveLength(1)
    expect(authorizationData[0].proxyEndpoint).toBe(emulator.endpoint)
    const now = Date.parse((await emulator.control("GET", "/clock")).now)
    expect(authorizationData[0].expiresAt * 1000).toBe(now + HOURS_12)
    expect(Buffer.from(authorizationData[0].authorizationToken, "base64").toString("utf8")).toMatch(/^AWS:\S+$/)
  })

  it("DescribeRegistry answers the registry's id and no replication rules", async () => {
    const reply = await call("DescribeRegistry", {})
    expect(reply.status).toBe(200)
    expect(reply.text).toBe(
      JSON.stringify({ registryId: ACCOUNT, replicationConfiguration: { rules: [] } })
    )
  })

  it("ListImages of a repository that does not exist is RepositoryNotFoundException in AWS's words", async () => {
    const reply = await call("ListImages", { repositoryName: "wire/missing" })
    expect(reply.status).toBe(400)
    expect(reply.headers["x-amzn-errortype"]).toBe("RepositoryNotFoundException")
    expect(reply.json).toEqual({
      __type: "RepositoryNotFoundException",
      message: `The repository with name 'wire/missing' does not exist in the registry with id '${ACCOUNT}'`
    })
  })
})

describeWith(boto3(), "boto3: list_images, describe_registry, get_authorization_token", () => {
  it("lists by tag status, pages with the paginator, describes the registry, issues a token", async () => {
    await given("boto3/list", [imageManifest(711), imageManifest(712), imageManifest(713)])
    await ecrCall(emulator.endpoint, "PutImage", { repositoryName: "boto3/list", imageManifest: imageManifest(714) })
    const [tagged, untagged, paged, registry, token, missing] = await scenario(emulator.endpoint, [
      { call: "list_images", params: { repositoryName: "boto3/list", filter: { tagStatus: "TAGGED" } } },
      { call: "list_images", params: { repositoryName: "boto3/list", filter: { tagStatus: "UNTAGGED" } } },
      { paginate: "list_images", params: { repositoryName: "boto3/list" }, pagination: { PageSize: 3 } },
      { call: "describe_registry", params: {} },
      { call: "get_authorization_token", params: {} },
      { call: "list_images", params: { repositoryName: "boto3/missing" } }
    ])
    const digest = (n: number) => digestOf(imageManifest(n))
    expect(tagged.response.imageIds).toEqual([
      { imageDigest: digest(711), imageTag: "v1" },
      { imageDigest: digest(712), imageTag: "v2" },
      { imageDigest: digest(713), imageTag: "v3" }
    ])
    expect(untagged.response.imageIds).toEqual([{ imageDigest: digest(714) }])
    expect(paged.pages.map((p: any) => p.imageIds.length)).toEqual([3, 1])
    expect(paged.full.imageIds).toHaveLength(4)
    expect(registry.response).toEqual({ registryId: ACCOUNT, replicationConfiguration: { rules: [] } })
    const [data] = token.response.authorizationData
    expect(data.proxyEndpoint).toBe(emulator.endpoint)
    // botocore parses the timestamp; the virtual clock started at START and only moves forward.
    expect(Date.parse(data.expiresAt)).toBeGreaterThanOrEqual(START + HOURS_12)
    expect(Buffer.from(data.authorizationToken, "base64").toString("utf8")).toMatch(/^AWS:\S+$/)
    expect(missing.error).toEqual({
      code: "RepositoryNotFoundException",
      message: `The repository with name 'boto3/missing' does not exist in the registry with id '${ACCOUNT}'`,
      http_status: 400,
      exception_class: "RepositoryNotFoundException",
      modelled: true
    })
  })
})

describeWith(awsCli(), "the AWS CLI: list-images, get-login-password", () => {
  const aws = (args: ReadonlyArray<string>) => awsEcr(emulator.endpoint, args)

  it("list-images pages through every id; get-login-password prints the token's password", async () => {
    await given("cli/list", [imageManifest(721), imageManifest(722)])
    const listed = await aws(["list-images", "--repository-name", "cli/list", "--page-size", "1"])
    expect(listed.stderr).toBe("")
    expect(JSON.parse(listed.stdout).imageIds).toEqual([
      { imageDigest: digestOf(imageManifest(721)), imageTag: "v1" },
      { imageDigest: digestOf(imageManifest(722)), imageTag: "v2" }
    ])
    const login = await aws(["get-login-password"])
    expect(login.stderr).toBe("")
    expect(login.code).toBe(0)
    const password = login.stdout.trim()
    // The same instant (the virtual clock has not moved), the same password.
    const { authorizationData } = await ecrCall(emulator.endpoint, "GetAuthorizationToken", {})
    expect(Buffer.from(authorizationData[0].authorizationToken, "base64").toString("utf8")).toBe(`AWS:${password}`)
  })
})
