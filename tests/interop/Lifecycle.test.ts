/**
 * Lifecycle policies through boto3 (botocore's own model and parser) against the emulator on its virtual
 * clock (which starts at 2026-01-01T00:00:00Z): each scenario runs in a Python subprocess
 * (tests/interop/boto3_client.py), one attempt per call. Asserted: the policy kept as given, the epoch as the
 * `lastEvaluatedAt` of a policy never applied, the preview IN_PROGRESS then COMPLETE, the errors as botocore's
 * modelled exceptions with AWS's texts, and the policy applied at the next midnight of the virtual clock.
 */
import { afterAll, beforeAll, expect, it } from "vitest"
import { advance, call, modelled, scenario } from "../support/boto3Scenario.js"
import { imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { boto3, describeWith } from "../support/tools.js"

const ACCOUNT = "123456789012"

/** Keeps the newest image, whatever its tags. */
const KEEP_ONE = JSON.stringify({
  rules: [{
    rulePriority: 1,
    description: "keep only the most recently pushed image",
    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 },
    action: { type: "expire" }
  }]
})

const instant = (iso: string) => Date.parse(iso)

describeWith(boto3(), "boto3: lifecycle policies against the emulator", () => {
  let emulator: RunningEmulator

  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(async () => {
    await emulator?.stop()
  })

  it("put, get, preview, apply at midnight, delete", async () => {
    const repositoryName = "boto3/lifecycle"
    const results = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName }),
      advance("1 hour"),
      call("put_image", { repositoryName, imageManifest: imageManifest(101), imageTag: "v1" }),
      advance("1 hour"),
      call("put_image", { repositoryName, imageManifest: imageManifest(102), imageTag: "v2" }),
      advance("1 hour"),
      call("put_image", { repositoryName, imageManifest: imageManifest(103), imageTag: "v3" }),
      call("put_lifecycle_policy", { repositoryName, lifecyclePolicyText: KEEP_ONE }), // 7
      call("get_lifecycle_policy", { repositoryName }),
      call("start_lifecycle_policy_preview", { repositoryName }),
      call("start_lifecycle_policy_preview", { repositoryName }), // 10
      call("get_lifecycle_policy_preview", { repositoryName }),
      advance("5 seconds"),
      call("get_lifecycle_policy_preview", { repositoryName }), // 13
      call("put_lifecycle_policy", {
        repositoryName,
        lifecyclePolicyText: KEEP_ONE.replace("\"expire\"", "\"delete\"")
      }),
      advance("1 day"),
      call("describe_images", { repositoryName }), // 16
      call("get_lifecycle_policy", { repositoryName }),
      call("delete_lifecycle_policy", { repositoryName }),
      call("get_lifecycle_policy", { repositoryName }) // 19
    ])
    const put = results[7]
    expect(put.response).toEqual({ registryId: ACCOUNT, repositoryName, lifecyclePolicyText: KEEP_ONE })
    const got = results[8].response
    expect(got.lifecyclePolicyText).toBe(KEEP_ONE)
    expect(instant(got.lastEvaluatedAt)).toBe(0)
    expect(results[9].response).toEqual({
      registryId: ACCOUNT,
      repositoryName,
      lifecyclePolicyText: KEEP_ONE,
      status: "IN_PROGRESS"
    })
    expect(results[10]).toEqual(modelled(
      "LifecyclePolicyPreviewInProgressException",
      `Lifecycle policy preview is already in progress for the repository with name '${repositoryName}' ` +
        `in the registry with id '${ACCOUNT}'`
    ))
    expect(results[11].response.status).toBe("IN_PROGRESS")
    const preview = results[13].response
    expect(preview.status).toBe("COMPLETE")
    expect(preview.summary).toEqual({ expiringImageTotalCount: 2 })
    expect(
      preview.previewResults.map((r: any) => [r.imageTags, instant(r.imagePushedAt), r.action, r.appliedRulePriority])
    ).toEqual([
      [["v1"], instant("2026-01-01T01:00:00Z"), { type: "EXPIRE" }, 1],
      [["v2"], instant("2026-01-01T02:00:00Z"), { type: "EXPIRE" }, 1]
    ])
    expect(results[14]).toEqual(modelled(
      "InvalidParameterException",
      "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation " +
        "failure: instance value (\"delete\") not found in enum (possible values: [\"expire\"])'"
    ))
    // Applied at the next midnight: only v3 is left, and the policy says when.
    expect(results[16].response.imageDetails.map((d: any) => d.imageTags)).toEqual([["v3"]])
    expect(instant(results[17].response.lastEvaluatedAt)).toBe(instant("2026-01-02T00:00:00Z"))
    expect(results[18].response).toMatchObject({ registryId: ACCOUNT, repositoryName, lifecyclePolicyText: KEEP_ONE })
    expect(results[19]).toEqual(modelled(
      "LifecyclePolicyNotFoundException",
      `Lifecycle policy does not exist for the repository with name '${repositoryName}' ` +
        `in the registry with id '${ACCOUNT}'`
    ))
  })

  it("a preview with no policy, and the preview of a repository that has none", async () => {
    const repositoryName = "boto3/lifecycle-none"
    const [, start, get] = await scenario(emulator.endpoint, [
      call("create_repository", { repositoryName }),
      call("start_lifecycle_policy_preview", { repositoryName }),
      call("get_lifecycle_policy_preview", { repositoryName })
    ])
    expect(start).toEqual(modelled(
      "LifecyclePolicyNotFoundException",
      `Lifecycle policy does not exist for the repository with name '${repositoryName}' ` +
        `in the registry with id '${ACCOUNT}'`
    ))
    expect(get).toEqual(modelled(
      "LifecyclePolicyPreviewNotFoundException",
      `Lifecycle policy preview does not exist for the repository with name '${repositoryName}' ` +
        `in the registry with id '${ACCOUNT}'`
    ))
  })
})
