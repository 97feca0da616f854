/**
 * boto3 and the AWS CLI against the emulator for a repository's tags (TagResource, UntagResource,
 * ListTagsForResource, by ARN) and its tag mutability (PutImageTagMutability). The boto3 scenarios run in
 * tests/interop/boto3_client.py (one attempt per call); the CLI runs as `aws ecr ... --endpoint-url`. The
 * messages asserted are written out here, not imported from the code under test.
 */
import { afterAll, beforeAll, expect, it } from "vitest"
import { awsEcr } from "../support/awsCli.js"
import { call, modelled, ok, scenario } from "../support/boto3Scenario.js"
import { digestOf, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { awsCli, boto3, describeWith } from "../support/tools.js"

const ACCOUNT = "123456789012"
const arn = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`

describeWith(boto3(), "boto3 against the emulator: tags and tag mutability", () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(async () => {
    await emulator?.stop()
  })

  it("tag_resource, untag_resource and list_tags_for_resource by the ARN create_repository answers", async () => {
    const name = "boto3/tags"
    const results = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName: name, tags: [{ Key: "team", Value: "scan" }] }),
      call("list_tags_for_resource", { resourceArn: arn(name) }),
      call("tag_resource", {
        resourceArn: arn(name),
        tags: [{ Key: "env", Value: "" }, { Key: "team", Value: "sec" }]
      }),
      call("list_tags_for_resource", { resourceArn: arn(name) }),
      call("untag_resource", { resourceArn: arn(name), tagKeys: ["team", "absent"] }),
      call("list_tags_for_resource", { resourceArn: arn(name) })
    ])
    expect(results[0].response.repository.repositoryArn).toBe(arn(name))
    expect(results[1]).toEqual(ok({ tags: [{ Key: "team", Value: "scan" }] }))
    expect(results[2]).toEqual(ok({}))
    expect(results[3]).toEqual(ok({ tags: [{ Key: "team", Value: "sec" }, { Key: "env", Value: "" }] }))
    expect(results[4]).toEqual(ok({}))
    expect(results[5]).toEqual(ok({ tags: [{ Key: "env", Value: "" }] }))
  })

  it("refusals arrive as botocore's modelled exceptions with their messages", async () => {
    const name = "boto3/tag-errors"
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }))
    const results = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName: name }),
      call("list_tags_for_resource", { resourceArn: "not-an-arn" }),
      call("tag_resource", { resourceArn: arn("boto3/missing"), tags: [{ Key: "k", Value: "v" }] }),
      call("tag_resource", { resourceArn: arn(name), tags: [{ Key: "k".repeat(129), Value: "v" }] }),
      call("tag_resource", { resourceArn: arn(name), tags: fifty }),
      call("tag_resource", { resourceArn: arn(name), tags: [{ Key: "k50", Value: "v" }] })
    ])
    expect(results[1]).toEqual(
      modelled(
        "InvalidParameterException",
        "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'"
      )
    )
    expect(results[2]).toEqual(
      modelled(
        "RepositoryNotFoundException",
        `The repository with name 'boto3/missing' does not exist in the registry with id '${ACCOUNT}'`
      )
    )
    expect(results[3]).toEqual(
      modelled(
        "InvalidTagParameterException",
        "Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum " +
          "length of 256 characters."
      )
    )
    expect(results[4]).toEqual(ok({}))
    expect(results[5]).toEqual(modelled("TooManyTagsException", "A resource can have at most 50 tags."))
  })

  it("put_image_tag_mutability echoes the setting, describe_repositories shows it, put_image follows it", async () => {
    const name = "boto3/mutability"
    const filters = [{ filterType: "WILDCARD", filter: "latest*" }]
    const results = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName: name }),
      call("put_image", { repositoryName: name, imageManifest: imageManifest(701), imageTag: "v1" }),
      call("put_image", { repositoryName: name, imageManifest: imageManifest(701), imageTag: "latest" }),
      call("put_image_tag_mutability", {
        repositoryName: name,
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: filters
      }),
      call("describe_repositories", { repositoryNames: [name] }),
      call("put_image", { repositoryName: name, imageManifest: imageManifest(702), imageTag: "latest" }),
      call("put_image", { repositoryName: name, imageManifest: imageManifest(702), imageTag: "v1" }),
      call("put_image_tag_mutability", { repositoryName: name, imageTagMutability: "MUTABLE_WITH_EXCLUSION" })
    ])
    expect(results[3]).toEqual(ok({
      registryId: ACCOUNT,
      repositoryName: name,
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: filters
    }))
    expect(results[4].response.repositories[0]).toMatchObject({
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: filters
    })
    expect(results[5].response.image.imageId).toEqual({ imageDigest: digestOf(imageManifest(702)), imageTag: "latest" })
    expect(results[6]).toEqual(modelled(
      "ImageTagAlreadyExistsException",
      `The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the ` +
        "repository is immutable."
    ))
    expect(results[7]).toEqual(modelled(
      "InvalidParameterException",
      "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: " +
        "'must be specified with MUTABLE_WITH_EXCLUSION'"
    ))
  })
})

describeWith(awsCli(), "the AWS CLI against the emulator: tags", () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(async () => {
    await emulator?.stop()
  })

  const aws = (args: ReadonlyArray<string>) => awsEcr(emulator.endpoint, args)

  it("tag-resource with the shorthand syntax, then list-tags-for-resource", async () => {
    const created = await aws(["create-repository", "--repository-name", "cli/tags"])
    expect(created.code).toBe(0)
    const tagged = await aws(["tag-resource", "--resource-arn", arn("cli/tags"), "--tags", "Key=team,Value=scan"])
    expect({ code: tagged.code, stdout: tagged.stdout, stderr: tagged.stderr }).toEqual({
      code: 0,
      stdout: "",
      stderr: ""
    })
    const listed = await aws(["list-tags-for-resource", "--resource-arn", arn("cli/tags")])
    expect(listed.stderr).toBe("")
    expect(JSON.parse(listed.stdout)).toEqual({ tags: [{ Key: "team", Value: "scan" }] })
  })
})
