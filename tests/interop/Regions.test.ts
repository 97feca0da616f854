/**
 * One registry per account and region, seen by two real clients: the AWS CLI (botocore) configured with one
 * region and the JS SDK with another, against one emulator. Each sees a registry of its own: ARNs and URIs
 * naming its region, its own repositories and its own account quota; with `--auth sigv4` the CLI's scope of a
 * region other than the emulator's default is checked with that region; the state of both regions survives
 * a restart on the same state directory.
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, afterEach, expect, it } from "vitest"
import { awsEcr } from "../support/awsCli.js"
import { imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { type Finished, limiter } from "../support/subprocess.js"
import { awsCli, describeWith } from "../support/tools.js"
import { ecrCall } from "../support/wire.js"

const ACCOUNT = "123456789012"
const cliSlot = limiter(2)
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }

const started: Array<RunningEmulator> = []
const clients: Array<ECRClient> = []
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(async () => {
  await Promise.all(started.splice(0).map((e) => e.stop()))
})

const emulatorWith = async (options: Parameters<typeof startEmulator>[0] = {}) => {
  const emulator = await startEmulator(options)
  started.push(emulator)
  return emulator
}

/** `aws ecr <args> --region <region>` against the emulator. */
const aws = (
  emulator: RunningEmulator,
  region: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Promise<Finished> => cliSlot(() => awsEcr(emulator.endpoint, [...args, "--region", region], env))

const output = (finished: Finished): any => {
  expect(finished.stderr).toBe("")
  expect(finished.code).toBe(0)
  return JSON.parse(finished.stdout)
}

/** The JS SDK in `region`, with the CLI's credentials. */
const sdkIn = (emulator: RunningEmulator, region: string, credentials = CREDENTIALS) => {
  const client = new ECRClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 })
  clients.push(client)
  return client
}

const sdkNames = async (client: ECRClient) =>
  ((await client.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName).sort()

describeWith(awsCli(), "regions: the AWS CLI in one region and the JS SDK in another, against one emulator", () => {
  it.concurrent("see two registries: ARNs, URIs and repositories of their own", async () => {
    const emulator = await emulatorWith()
    const sdk = sdkIn(emulator, "us-east-1")
    const inEast = await sdk.send(new CreateRepositoryCommand({ repositoryName: "regions/app" }))
    const inWest = output(await aws(emulator, "eu-west-1", ["create-repository", "--repository-name", "regions/app"]))
    expect(inEast.repository?.repositoryArn).toBe(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/regions/app`)
    expect(inWest.repository.repositoryArn).toBe(`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/regions/app`)
    expect(inWest.repository.repositoryUri).toBe(`${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/regions/app`)
    output(await aws(emulator, "eu-west-1", ["create-repository", "--repository-name", "regions/west-only"]))
    const listed = output(await aws(emulator, "eu-west-1", ["describe-repositories"]))
    expect(listed.repositories.map((r: any) => r.repositoryName).sort()).toEqual(["regions/app", "regions/west-only"])
    expect(await sdkNames(sdk)).toEqual(["regions/app"])
    // An unsigned request is the default region's.
    expect(
      (await ecrCall(emulator.endpoint, "DescribeRepositories", {})).repositories.map((r: any) => r.repositoryName)
    )
      .toEqual(["regions/app"])
    // The control endpoints name the region.
    const state = await emulator.control("GET", "/state?region=eu-west-1")
    expect(state.region).toBe("eu-west-1")
    expect(state.repositories.map((r: any) => r.name).sort()).toEqual(["regions/app", "regions/west-only"])
  })

  it.concurrent("have separate account quotas: one region's full quota leaves the other's free", async () => {
    const emulator = await emulatorWith({ rules: { scanDuration: { min: 1_000, max: 3_000 }, accountQuotaLimit: 2 } })
    for (const region of ["us-east-1", "eu-west-1"]) {
      const sdk = sdkIn(emulator, region)
      await sdk.send(new CreateRepositoryCommand({ repositoryName: "regions/quota" }))
      for (const n of [1, 2, 3]) {
        await sdk.send(
          new PutImageCommand({ repositoryName: "regions/quota", imageManifest: imageManifest(n), imageTag: `v${n}` })
        )
      }
    }
    const scan = (region: string, n: number) =>
      aws(emulator, region, ["start-image-scan", "--repository-name", "regions/quota", "--image-id", `imageTag=v${n}`])
    output(await scan("eu-west-1", 1))
    output(await scan("eu-west-1", 2))
    const refused = await scan("eu-west-1", 3)
    expect(refused.code).toBe(255)
    expect(refused.stderr).toContain("An error occurred (LimitExceededException) when calling the StartImageScan")
    expect(output(await scan("us-east-1", 1)).imageScanStatus.status).toBe("IN_PROGRESS")
    expect(output(await scan("us-east-1", 2)).imageScanStatus.status).toBe("IN_PROGRESS")
    expect(await emulator.control("GET", "/quota?region=eu-west-1")).toMatchObject({ used: 2, limit: 2 })
    expect(await emulator.control("GET", "/quota?region=us-east-1")).toMatchObject({ used: 2, limit: 2 })
  })

  it.concurrent("with --auth sigv4, a CLI scoped to another region is checked with it", async () => {
    const credentials = [{ ...CREDENTIALS, accountId: "111111111111" }]
    const emulator = await emulatorWith({
      auth: { credentials, region: "us-east-1", adminToken: "an-admin-token-for-regions" }
    })
    const created = output(
      await aws(emulator, "ap-northeast-1", ["create-repository", "--repository-name", "regions/signed"])
    )
    expect(created.repository.repositoryArn).toBe("arn:aws:ecr:ap-northeast-1:111111111111:repository/regions/signed")
    expect(await sdkNames(sdkIn(emulator, "us-east-1"))).toEqual([])
    const forged = await aws(emulator, "ap-northeast-1", ["describe-repositories"], {
      AWS_SECRET_ACCESS_KEY: "not-the-secret-of-this-key"
    })
    expect(forged.code).toBe(255)
    expect(forged.stderr).toContain(
      "An error occurred (InvalidSignatureException) when calling the DescribeRepositories operation"
    )
    expect(forged.stderr).toContain("The request signature we calculated does not match the signature you provided.")
    const invalid = await aws(emulator, "moon", ["describe-repositories"])
    expect(invalid.code).toBe(255)
    expect(invalid.stderr).toContain("Credential should be scoped to a valid region, not 'moon'.")
  })

  it.concurrent("keep their durable state across a restart on the same state directory", async () => {
    const stateDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ecr-scan-interop-regions-"))
    try {
      const first = await emulatorWith({ stateDir })
      output(await aws(first, "eu-west-1", ["create-repository", "--repository-name", "regions/kept-west"]))
      await sdkIn(first, "us-east-1").send(new CreateRepositoryCommand({ repositoryName: "regions/kept-east" }))
      await first.stop()
      started.splice(started.indexOf(first), 1)
      const second = await emulatorWith({ stateDir })
      const listed = output(await aws(second, "eu-west-1", ["describe-repositories"]))
      expect(listed.repositories.map((r: any) => r.repositoryArn)).toEqual([
        `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/regions/kept-west`
      ])
      expect(await sdkNames(sdkIn(second, "us-east-1"))).toEqual(["regions/kept-east"])
    } finally {
      Fs.rmSync(stateDir, { recursive: true, force: true })
    }
  })
})
