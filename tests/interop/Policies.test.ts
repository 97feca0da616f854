/**
 * Repository and registry policies through boto3 (botocore's own model and parser) against the emulator:
 * each scenario runs in a Python subprocess (tests/interop/boto3_client.py), one attempt per call. The
 * replies and messages asserted are AWS's, written out here: a stored document comes back byte for byte, a
 * missing policy is RepositoryPolicyNotFoundException / RegistryPolicyNotFoundException with AWS's text, and a
 * document ECR refuses is InvalidParameterException at 'PolicyText'. The AWS CLI (v1) reads a policy from
 * `file://`, as scripts give it, and prints what it got back.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { awsEcr } from "../support/awsCli.js"
import { call, modelled, scenario } from "../support/boto3Scenario.js"
import { type RunningEmulator, startEmulator } from "../support/emulator.js"
import { awsCli, boto3, describeWith } from "../support/tools.js"
import { ecrCall } from "../support/wire.js"

const ACCOUNT = "123456789012"

/** A repository policy in a layout of its own, with a non-ASCII Sid: it must come back byte for byte. */
const REPOSITORY_POLICY = `{
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "PullFromTheOtherAccount — ünïcode",
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::210987654321:root"]},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
}
`
const REGISTRY_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{
    Sid: "ReplicationAccessCrossAccount",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::210987654321:root" },
    Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
    Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*`
  }]
})

describeWith(boto3(), "boto3's policy calls against the emulator", () => {
  let emulator: RunningEmulator

  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(async () => {
    await emulator?.stop()
  })

  it("set_repository_policy, get_repository_policy, delete_repository_policy: the document as given", async () => {
    const repositoryName = "boto3/policy"
    const reply = { registryId: ACCOUNT, repositoryName, policyText: REPOSITORY_POLICY }
    const [, set, forced, got, deleted, missing, deletedAgain] = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName }),
      call("set_repository_policy", { repositoryName, policyText: REPOSITORY_POLICY }),
      call("set_repository_policy", { repositoryName, policyText: REPOSITORY_POLICY, force: true }),
      call("get_repository_policy", { repositoryName }),
      call("delete_repository_policy", { repositoryName }),
      call("get_repository_policy", { repositoryName }),
      call("delete_repository_policy", { repositoryName })
    ])
    for (const result of [set, forced, got, deleted]) expect(result).toEqual({ response: reply, http_status: 200 })
    const notFound = modelled(
      "RepositoryPolicyNotFoundException",
      `Repository policy does not exist for the repository with name '${repositoryName}' in the registry with id ` +
        `'${ACCOUNT}'`
    )
    expect(missing).toEqual(notFound)
    expect(deletedAgain).toEqual(notFound)
  })

  it("set_repository_policy refuses what ECR refuses, and a missing repository first", async () => {
    const repositoryName = "boto3/bad-policy"
    const withResource = JSON.stringify({
      Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*", Resource: "*" }]
    })
    const [, notJson, resource, got, missing] = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName }),
      call("set_repository_policy", { repositoryName, policyText: "{\"Version\": \"2012-10-17\"" }),
      call("set_repository_policy", { repositoryName, policyText: withResource }),
      call("get_repository_policy", { repositoryName }),
      call("set_repository_policy", { repositoryName: "boto3/nowhere", policyText: REPOSITORY_POLICY })
    ])
    const invalid = modelled(
      "InvalidParameterException",
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"
    )
    expect(notJson).toEqual(invalid)
    expect(resource).toEqual(invalid)
    expect(got.error.code).toBe("RepositoryPolicyNotFoundException")
    expect(missing).toEqual(
      modelled(
        "RepositoryNotFoundException",
        `The repository with name 'boto3/nowhere' does not exist in the registry with id '${ACCOUNT}'`
      )
    )
  })

  it("put_registry_policy, get_registry_policy, delete_registry_policy; a refused document changes nothing", async () => {
    const reply = { registryId: ACCOUNT, policyText: REGISTRY_POLICY }
    const notFound = modelled(
      "RegistryPolicyNotFoundException",
      `Registry policy does not exist in the registry with id '${ACCOUNT}'`
    )
    const [before, put, refused, got, deleted, after] = await scenario(emulator.endpoint, [
      call("get_registry_policy"),
      call("put_registry_policy", { policyText: REGISTRY_POLICY }),
      call("put_registry_policy", { policyText: "[]" }),
      call("get_registry_policy"),
      call("delete_registry_policy"),
      call("delete_registry_policy")
    ])
    expect(before).toEqual(notFound)
    expect(put).toEqual({ response: reply, http_status: 200 })
    expect(refused).toEqual(
      modelled(
        "InvalidParameterException",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'"
      )
    )
    expect(got).toEqual({ response: reply, http_status: 200 })
    expect(deleted).toEqual({ response: reply, http_status: 200 })
    expect(after).toEqual(notFound)
  })
})

describeWith(awsCli(), "the AWS CLI's policy commands against the emulator", () => {
  let emulator: RunningEmulator
  let dir: string

  beforeAll(async () => {
    emulator = await startEmulator()
    dir = await mkdtemp(join(tmpdir(), "ecr-scan-policies-"))
  })
  afterAll(async () => {
    await emulator?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  const aws = (args: ReadonlyArray<string>) => awsEcr(emulator.endpoint, args)

  it("set-repository-policy --policy-text file://, get-repository-policy; a refusal printed as CLI v1 prints it", async () => {
    const repositoryName = "cli/policy"
    await ecrCall(emulator.endpoint, "CreateRepository", { repositoryName })
    const file = join(dir, "policy.json")
    await writeFile(file, REPOSITORY_POLICY)
    const reply = { registryId: ACCOUNT, repositoryName, policyText: REPOSITORY_POLICY }
    for (
      const args of [
        ["set-repository-policy", "--repository-name", repositoryName, "--policy-text", `file://${file}`, "--force"],
        ["get-repository-policy", "--repository-name", repositoryName]
      ]
    ) {
      const finished = await aws(args)
      expect(finished.stderr).toBe("")
      expect(finished.code).toBe(0)
      expect(JSON.parse(finished.stdout)).toEqual(reply)
    }
    const refused = await aws(["put-registry-policy", "--policy-text", "not a policy"])
    expect(refused.stdout).toBe("")
    expect(refused.code).toBe(255)
    expect(refused.stderr.trim()).toBe(
      "An error occurred (InvalidParameterException) when calling the PutRegistryPolicy operation " +
        "(reached max retries: 0): Invalid parameter at 'PolicyText' failed to satisfy constraint: " +
        "'Invalid registry policy provided'"
    )
  })
})
