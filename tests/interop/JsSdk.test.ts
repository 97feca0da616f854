/**
 * The real `@aws-sdk/client-ecr` against the in-process emulator: every StartImageScan error arrives
 * as the SDK's own exception class with AWS's message, fault and status; the 24 hour rule, scan on
 * push, the findings paginator and the `ImageScanComplete` waiter behave through the SDK; and every
 * other operation the emulator serves answers with a response the SDK parses (timestamps as Dates,
 * digests the sha256 of the manifest bytes).
 *
 * One emulator for the file, on a virtual clock that only ever moves forward; each test uses its own
 * repositories. Tests that change the registry's scanning configuration put the default back.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImageScanFindingsCommand,
  type DescribeImageScanFindingsCommandOutput,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetRegistryScanningConfigurationCommand,
  ImageArchivedException,
  type ImageIdentifier,
  ImageNotFoundException,
  InvalidParameterException,
  LimitExceededException,
  paginateDescribeImageScanFindings,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  ScanNotFoundException,
  ServerException,
  StartImageScanCommand,
  UnsupportedImageTypeException,
  UpdateImageStorageClassCommand,
  ValidationException,
  waitForImageScanComplete,
  waitUntilImageScanComplete
} from "@aws-sdk/client-ecr"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { digestOf, imageIndex, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"

const ACCOUNT = "123456789012"
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const DAY = 86_400_000
const COMPLETE = { status: "COMPLETE", description: "The scan was completed successfully." }

let emulator: RunningEmulator
const clients: Array<ECRClient> = []
const makeClient = () => {
  const made = new ECRClient({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1
  })
  clients.push(made)
  return made
}
let client: ECRClient

beforeAll(async () => {
  emulator = await startEmulator()
  client = makeClient()
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await emulator?.stop()
})

// -------------------------------------------------------------------------------------------------
// Helpers

/** The rejection of a call that must fail. */
const refusal = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`)
    },
    (error: unknown) => error
  )

/** The SDK's own exception, with AWS's message, fault, status and a request id, after one attempt. */
const expectSdkError = (
  error: any,
  Class: new(...args: Array<any>) => ECRServiceException,
  name: string,
  message: string
) => {
  const server = name === "ServerException"
  expect(error).toBeInstanceOf(Class)
  expect(error).toBeInstanceOf(ECRServiceException)
  expect(error.name).toBe(name)
  expect(error.message).toBe(message)
  expect(error.$fault).toBe(server ? "server" : "client")
  expect(error.$metadata.httpStatusCode).toBe(server ? 500 : 400)
  expect(error.$metadata.requestId).toMatch(UUID)
  expect(error.$metadata.attempts).toBe(1)
}

/** The emulator's virtual instant. */
const now = async (): Promise<number> => (await emulator.control("GET", "/clock")).epochMillis

const createRepository = (repositoryName: string, scanOnPush = false) =>
  client.send(new CreateRepositoryCommand({ repositoryName, imageScanningConfiguration: { scanOnPush } }))

/** Pushes a manifest and checks the digest ECR gives it: sha256 of the exact bytes. */
const push = async (repositoryName: string, manifest: string, imageTag?: string) => {
  const pushed = await client.send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag }))
  expect(pushed.image?.imageId?.imageDigest).toBe(digestOf(manifest))
  return digestOf(manifest)
}

const startScan = (repositoryName: string, imageId: ImageIdentifier) =>
  client.send(new StartImageScanCommand({ repositoryName, imageId }))

const describeFindings = (repositoryName: string, imageId: ImageIdentifier) =>
  client.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId }))

const basicRegistry = () => client.send(new PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules: [] }))

// -------------------------------------------------------------------------------------------------

describe("StartImageScan errors as the SDK's own exception classes", () => {
  beforeAll(async () => {
    await createRepository("js/errors")
    await push("js/errors", imageManifest(1), "v1")
  })

  it("ServerException (a planned fault): 500, fault server, not retried away", async () => {
    await emulator.control("POST", "/faults", { operation: "StartImageScan", error: "ServerException" })
    const error = await refusal(startScan("js/errors", { imageTag: "v1" }))
    expectSdkError(error, ServerException, "ServerException", "An internal error occurred.")
    // The fault was used up, and it did not use the image's slot.
    const started = await startScan("js/errors", { imageTag: "v1" })
    expect(started.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
  })

  it("InvalidParameterException: repository name pattern and length, registry id pattern", async () => {
    expectSdkError(
      await refusal(startScan("Bad_Name!", { imageTag: "v1" })),
      InvalidParameterException,
      "InvalidParameterException",
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: " +
        "'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''"
    )
    expectSdkError(
      await refusal(startScan("a", { imageTag: "v1" })),
      InvalidParameterException,
      "InvalidParameterException",
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'"
    )
    expectSdkError(
      await refusal(
        client.send(
          new StartImageScanCommand({ registryId: "abc", repositoryName: "js/errors", imageId: { imageTag: "v1" } })
        )
      ),
      InvalidParameterException,
      "InvalidParameterException",
      "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"
    )
  })

  it("UnsupportedImageTypeException: an OCI image index", async () => {
    await createRepository("js/index")
    const amd = await push("js/index", imageManifest(2))
    const arm = await push("js/index", imageManifest(3))
    const index = imageIndex([amd, arm])
    await push("js/index", index, "multi")
    const expected = "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned. " +
      "For more information, see the Amazon ECR documentation."
    for (const imageId of [{ imageTag: "multi" }, { imageDigest: digestOf(index) }]) {
      expectSdkError(
        await refusal(startScan("js/index", imageId)),
        UnsupportedImageTypeException,
        "UnsupportedImageTypeException",
        expected
      )
    }
    // The images it indexes can be scanned.
    expect((await startScan("js/index", { imageDigest: amd })).imageScanStatus?.status).toBe("IN_PROGRESS")
  })

  it("LimitExceededException: a second scan of the same image, by any of its names", async () => {
    await createRepository("js/twice")
    const digest = await push("js/twice", imageManifest(4), "v1")
    const started = await startScan("js/twice", { imageDigest: digest })
    // AWS echoes the identifier form used: digest only.
    expect(started).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: "js/twice",
      imageId: { imageDigest: digest },
      imageScanStatus: { status: "IN_PROGRESS" }
    })
    expect(started.imageId?.imageTag).toBeUndefined()
    for (const imageId of [{ imageDigest: digest }, { imageTag: "v1" }, { imageDigest: digest, imageTag: "v1" }]) {
      expectSdkError(
        await refusal(startScan("js/twice", imageId)),
        LimitExceededException,
        "LimitExceededException",
        "The scan quota per image has been exceeded. Wait and try again."
      )
    }
  })

  it("RepositoryNotFoundException", async () => {
    expectSdkError(
      await refusal(startScan("js/absent", { imageTag: "v1" })),
      RepositoryNotFoundException,
      "RepositoryNotFoundException",
      `The repository with name 'js/absent' does not exist in the registry with id '${ACCOUNT}'`
    )
  })

  it("ImageNotFoundException, by tag and by digest", async () => {
    expectSdkError(
      await refusal(startScan("js/errors", { imageTag: "missing" })),
      ImageNotFoundException,
      "ImageNotFoundException",
      "The image with imageId {imageDigest:'null', imageTag:'missing'} does not exist within the repository " +
        `with name 'js/errors' in the registry with id '${ACCOUNT}'`
    )
    const digest = `sha256:${"0".repeat(64)}`
    expectSdkError(
      await refusal(startScan("js/errors", { imageDigest: digest })),
      ImageNotFoundException,
      "ImageNotFoundException",
      `The image with imageId {imageDigest:'${digest}', imageTag:'null'} does not exist within the repository ` +
        `with name 'js/errors' in the registry with id '${ACCOUNT}'`
    )
  })

  it("ValidationException: a manual scan while the registry scan type is ENHANCED", async () => {
    await createRepository("js/enhanced")
    await push("js/enhanced", imageManifest(5), "v1")
    const put = await client.send(new PutRegistryScanningConfigurationCommand({ scanType: "ENHANCED" }))
    try {
      expect(put.registryScanningConfiguration?.scanType).toBe("ENHANCED")
      expectSdkError(
        await refusal(startScan("js/enhanced", { imageTag: "v1" })),
        ValidationException,
        "ValidationException",
        "Manual scans are not supported when the registry scan type is ENHANCED; images are scanned by Amazon Inspector."
      )
    } finally {
      await basicRegistry()
    }
    // Back on BASIC, and the refusal did not use the image's slot.
    expect((await startScan("js/enhanced", { imageTag: "v1" })).imageScanStatus?.status).toBe("IN_PROGRESS")
  })

  it("ImageArchivedException: an image in the ARCHIVE storage class", async () => {
    await createRepository("js/archived")
    const digest = await push("js/archived", imageManifest(6), "v1")
    const archived = await client.send(
      new UpdateImageStorageClassCommand({
        repositoryName: "js/archived",
        imageId: { imageTag: "v1" },
        targetStorageClass: "ARCHIVE"
      })
    )
    expect(archived).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: "js/archived",
      imageId: { imageTag: "v1", imageDigest: digest },
      imageStatus: "ARCHIVED"
    })
    expectSdkError(
      await refusal(startScan("js/archived", { imageTag: "v1" })),
      ImageArchivedException,
      "ImageArchivedException",
      "The specified image is archived and cannot be scanned."
    )
  })

  it("ScanNotFoundException from DescribeImageScanFindings for an image never scanned", async () => {
    await createRepository("js/unscanned")
    const digest = await push("js/unscanned", imageManifest(7), "v1")
    expectSdkError(
      await refusal(describeFindings("js/unscanned", { imageDigest: digest })),
      ScanNotFoundException,
      "ScanNotFoundException",
      `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' ` +
        `in the repository with name 'js/unscanned' in the registry with id '${ACCOUNT}'`
    )
  })
})

describe("the 24 hour rule through the SDK", () => {
  it("refuses at +24h-1ms and accepts at +24h (clock advanced by durations)", async () => {
    await createRepository("js/window")
    await push("js/window", imageManifest(10), "v1")
    await startScan("js/window", { imageTag: "v1" })
    await emulator.advance("86399999 millis")
    const refused = await refusal(startScan("js/window", { imageTag: "v1" }))
    expect(refused).toBeInstanceOf(LimitExceededException)
    await emulator.advance("1 millis")
    const again = await startScan("js/window", { imageTag: "v1" })
    expect(again.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    // The window restarts from the accepted scan.
    expect(await refusal(startScan("js/window", { imageTag: "v1" }))).toBeInstanceOf(LimitExceededException)
  })

  it("refuses at +24h-1ms and accepts at +24h (clock set to instants)", async () => {
    await createRepository("js/window-set")
    await push("js/window-set", imageManifest(11), "v1")
    const scannedAt = await now()
    await startScan("js/window-set", { imageTag: "v1" })
    await emulator.control("POST", "/clock/set", { time: scannedAt + DAY - 1 })
    expect(await now()).toBe(scannedAt + DAY - 1)
    expect(await refusal(startScan("js/window-set", { imageTag: "v1" }))).toBeInstanceOf(LimitExceededException)
    await emulator.control("POST", "/clock/set", { time: new Date(scannedAt + DAY).toISOString() })
    expect((await startScan("js/window-set", { imageTag: "v1" })).imageScanStatus?.status).toBe("IN_PROGRESS")
  })
})

describe("scan on push through the SDK", () => {
  it("a push into a scanOnPush repository starts a scan that holds the image's slot", async () => {
    const created = await createRepository("js/on-push", true)
    expect(created.repository?.imageScanningConfiguration).toEqual({ scanOnPush: true })
    const pushedAt = await now()
    const digest = await push("js/on-push", imageManifest(20), "v1")
    const during = await describeFindings("js/on-push", { imageTag: "v1" })
    expect(during.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    expect(during.imageScanFindings).toBeUndefined()
    expect(during.imageId).toEqual({ imageTag: "v1", imageDigest: digest })
    expectSdkError(
      await refusal(startScan("js/on-push", { imageTag: "v1" })),
      LimitExceededException,
      "LimitExceededException",
      "The scan quota per image has been exceeded. Wait and try again."
    )
    await emulator.advance("1 hour")
    const after = await describeFindings("js/on-push", { imageTag: "v1" })
    expect(after.imageScanStatus).toEqual(COMPLETE)
    const completedAt = after.imageScanFindings?.imageScanCompletedAt
    expect(completedAt).toBeInstanceOf(Date)
    // Scans take 1 to 3 virtual seconds in this emulator.
    expect(completedAt!.getTime()).toBeGreaterThanOrEqual(pushedAt + 1_000)
    expect(completedAt!.getTime()).toBeLessThanOrEqual(pushedAt + 3_000)
    expect(after.imageScanFindings?.vulnerabilitySourceUpdatedAt).toBeInstanceOf(Date)
  })
})

describe("DescribeImageScanFindings through the SDK paginator", () => {
  const severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"] as const
  const findings = Array.from({ length: 250 }, (_, i) => ({
    name: `CVE-2026-${String(i).padStart(5, "0")}`,
    description: `finding ${i}`,
    uri: `https://security.example/CVE-2026-${i}`,
    severity: severities[i % severities.length],
    attributes: [{ key: "package_name", value: `pkg-${i}` }, { key: "package_version", value: "1.0.0" }]
  }))

  beforeAll(async () => {
    await createRepository("js/paged")
    const digest = await push("js/paged", imageManifest(30), "v1")
    await emulator.control("POST", "/findings", { imageDigest: digest, repositoryName: "js/paged", findings })
    await startScan("js/paged", { imageTag: "v1" })
    await emulator.advance("1 hour")
  })

  const collect = async (pageSize?: number) => {
    const pages: Array<DescribeImageScanFindingsCommandOutput> = []
    for await (
      const page of paginateDescribeImageScanFindings(
        { client, ...(pageSize === undefined ? {} : { pageSize }) },
        { repositoryName: "js/paged", imageId: { imageTag: "v1" } }
      )
    ) {
      pages.push(page)
    }
    return pages
  }

  it("walks 250 findings in pages of the default 100", async () => {
    const pages = await collect()
    expect(pages.map((p) => p.imageScanFindings?.findings?.length)).toEqual([100, 100, 50])
    expect(pages.flatMap((p) => p.imageScanFindings?.findings ?? [])).toEqual(findings)
    expect(pages.map((p) => p.nextToken === undefined)).toEqual([false, false, true])
  })

  it("walks them in pages of maxResults, with the whole scan's counts on every page", async () => {
    const pages = await collect(40)
    expect(pages.map((p) => p.imageScanFindings?.findings?.length)).toEqual([40, 40, 40, 40, 40, 40, 10])
    expect(pages.flatMap((p) => p.imageScanFindings?.findings?.map((f) => f.name) ?? [])).toEqual(
      findings.map((f) => f.name)
    )
    for (const page of pages) {
      expect(page.imageScanStatus).toEqual(COMPLETE)
      expect(page.imageScanFindings?.findingSeverityCounts).toEqual({
        CRITICAL: 50,
        HIGH: 50,
        MEDIUM: 50,
        LOW: 50,
        INFORMATIONAL: 50
      })
      expect(page.imageScanFindings?.imageScanCompletedAt).toBeInstanceOf(Date)
    }
  })
})

describe("the SDK's ImageScanComplete waiter", () => {
  /** A client whose first DescribeImageScanFindings answer triggers `afterFirst`; it records every answer. */
  const observedClient = (afterFirst: () => Promise<void>) => {
    const observed: Array<string> = []
    const observing = makeClient()
    observing.middlewareStack.add(
      (next: any) => async (args: any) => {
        try {
          const result = await next(args)
          observed.push(result.output.imageScanStatus?.status ?? "?")
          return result
        } catch (error: any) {
          observed.push(error.name)
          throw error
        } finally {
          if (observed.length === 1) await afterFirst()
        }
      },
      { step: "initialize", name: "observeScanStatus" }
    )
    return { observing, observed }
  }

  it("returns SUCCESS at once for a scan that is already COMPLETE", async () => {
    await createRepository("js/wait-done")
    await push("js/wait-done", imageManifest(40), "v1")
    await startScan("js/wait-done", { imageTag: "v1" })
    await emulator.advance("1 hour")
    const result = await waitUntilImageScanComplete(
      { client, maxWaitTime: 30 },
      { repositoryName: "js/wait-done", imageId: { imageTag: "v1" } }
    )
    expect(result.state).toBe("SUCCESS")
    expect((result.reason as DescribeImageScanFindingsCommandOutput).imageScanStatus).toEqual(COMPLETE)
  })

  it("ends in FAILURE for a FAILED scan", async () => {
    await createRepository("js/wait-failed")
    const digest = await push("js/wait-failed", imageManifest(41), "v1")
    await emulator.control("POST", "/outcome", { imageDigest: digest, outcome: "FAILED" })
    await startScan("js/wait-failed", { imageTag: "v1" })
    await emulator.advance("1 hour")
    const input = { repositoryName: "js/wait-failed", imageId: { imageTag: "v1" } }
    const result = await waitForImageScanComplete({ client, maxWaitTime: 30 }, input)
    expect(result.state).toBe("FAILURE")
    expect((result.reason as DescribeImageScanFindingsCommandOutput).imageScanStatus).toEqual({
      status: "FAILED",
      description: "UnsupportedImageError: The operating system and/or package manager are not supported."
    })
    const thrown = await refusal(waitUntilImageScanComplete({ client, maxWaitTime: 30 }, input))
    expect(thrown).toBeInstanceOf(Error)
    expect(JSON.parse(thrown.message).state).toBe("FAILURE")
  })

  it("keeps polling an IN_PROGRESS scan with its default delay, until it is COMPLETE", async () => {
    await createRepository("js/wait-running")
    await push("js/wait-running", imageManifest(42), "v1")
    await startScan("js/wait-running", { imageTag: "v1" })
    // The scan finishes (in virtual time) right after the waiter's first look.
    const { observed, observing } = observedClient(() => emulator.advance("1 hour"))
    const result = await waitUntilImageScanComplete(
      { client: observing, maxWaitTime: 30 },
      { repositoryName: "js/wait-running", imageId: { imageTag: "v1" } }
    )
    expect(result.state).toBe("SUCCESS")
    expect(observed).toEqual(["IN_PROGRESS", "COMPLETE"])
  }, 15_000)

  it("retries through ScanNotFoundException (unlike botocore's waiter), until the scan is COMPLETE", async () => {
    await createRepository("js/wait-unscanned")
    await push("js/wait-unscanned", imageManifest(43), "v1")
    const { observed, observing } = observedClient(async () => {
      await startScan("js/wait-unscanned", { imageTag: "v1" })
      await emulator.advance("1 hour")
    })
    const result = await waitUntilImageScanComplete(
      { client: observing, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { repositoryName: "js/wait-unscanned", imageId: { imageTag: "v1" } }
    )
    expect(result.state).toBe("SUCCESS")
    expect(observed).toEqual(["ScanNotFoundException", "COMPLETE"])
  }, 15_000)
})

describe("the other operations, parsed by the SDK", () => {
  it("CreateRepository, DescribeRepositories, PutImageScanningConfiguration", async () => {
    const createdAt = await now()
    const created = await createRepository("js/ops-repo")
    expect(created.repository).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: "js/ops-repo",
      repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/js/ops-repo`,
      repositoryUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/js/ops-repo`,
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: "AES256" }
    })
    expect(created.repository?.createdAt).toEqual(new Date(createdAt))
    const put = await client.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: "js/ops-repo",
        imageScanningConfiguration: { scanOnPush: true }
      })
    )
    expect(put).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: "js/ops-repo",
      imageScanningConfiguration: { scanOnPush: true }
    })
    const described = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ["js/ops-repo"] }))
    expect(described.repositories).toHaveLength(1)
    expect(described.repositories![0].imageScanningConfiguration).toEqual({ scanOnPush: true })
    expect(described.repositories![0].createdAt).toBeInstanceOf(Date)
    const all = await client.send(new DescribeRepositoriesCommand({}))
    expect(all.repositories?.map((r) => r.repositoryName)).toContain("js/ops-repo")
    expectSdkError(
      await refusal(client.send(new DescribeRepositoriesCommand({ repositoryNames: ["js/ops-absent"] }))),
      RepositoryNotFoundException,
      "RepositoryNotFoundException",
      `The repository with name 'js/ops-absent' does not exist in the registry with id '${ACCOUNT}'`
    )
  })

  it("PutImage, DescribeImages, BatchGetImage, BatchDeleteImage", async () => {
    await createRepository("js/ops-images")
    const manifest = imageManifest(50, 2)
    const pushedAt = await now()
    const digest = await push("js/ops-images", manifest, "v1")
    const untagged = await push("js/ops-images", imageManifest(51))

    const images = await client.send(
      new DescribeImagesCommand({ repositoryName: "js/ops-images", imageIds: [{ imageTag: "v1" }] })
    )
    const detail = images.imageDetails![0]
    expect(detail).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: "js/ops-images",
      imageDigest: digest,
      imageTags: ["v1"],
      imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactMediaType: "application/vnd.oci.image.config.v1+json",
      imageStatus: "ACTIVE"
    })
    expect(detail.imagePushedAt).toEqual(new Date(pushedAt))
    expect(detail.imageSizeInBytes).toBeGreaterThan(0)
    // AWS-native basic scanning does not report scans in DescribeImages.
    expect(detail.imageScanStatus).toBeUndefined()
    expect(detail.imageScanFindingsSummary).toBeUndefined()
    const listed = await client.send(new DescribeImagesCommand({ repositoryName: "js/ops-images" }))
    expect(listed.imageDetails?.map((d) => d.imageDigest).sort()).toEqual([digest, untagged].sort())
    expect(listed.imageDetails?.find((d) => d.imageDigest === untagged)?.imageTags).toBeUndefined()

    const got = await client.send(
      new BatchGetImageCommand({
        repositoryName: "js/ops-images",
        imageIds: [{ imageTag: "v1" }, { imageTag: "missing" }]
      })
    )
    expect(got.images).toHaveLength(1)
    expect(got.images![0].imageManifest).toBe(manifest)
    expect(got.images![0].imageId).toEqual({ imageTag: "v1", imageDigest: digest })
    expect(digestOf(got.images![0].imageManifest!)).toBe(got.images![0].imageId?.imageDigest)
    expect(got.failures).toEqual([
      { imageId: { imageTag: "missing" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" }
    ])

    const deleted = await client.send(
      new BatchDeleteImageCommand({ repositoryName: "js/ops-images", imageIds: [{ imageTag: "v1" }] })
    )
    expect(deleted.imageIds).toEqual([{ imageDigest: digest, imageTag: "v1" }])
    expect(deleted.failures).toEqual([])
    const left = await client.send(new DescribeImagesCommand({ repositoryName: "js/ops-images" }))
    expect(left.imageDetails?.map((d) => d.imageDigest)).toEqual([untagged])
  })

  it("UpdateImageStorageClass: ARCHIVE, then STANDARD restores through ACTIVATING", async () => {
    await createRepository("js/ops-archive")
    const digest = await push("js/ops-archive", imageManifest(52), "v1")
    const archivedAt = await now()
    const archived = await client.send(
      new UpdateImageStorageClassCommand({
        repositoryName: "js/ops-archive",
        imageId: { imageDigest: digest },
        targetStorageClass: "ARCHIVE"
      })
    )
    expect(archived.imageStatus).toBe("ARCHIVED")
    expect(archived.imageId).toEqual({ imageDigest: digest })
    const listed = await client.send(
      new DescribeImagesCommand({ repositoryName: "js/ops-archive", filter: { imageStatus: "ARCHIVED" } })
    )
    expect(listed.imageDetails?.map((d) => d.imageStatus)).toEqual(["ARCHIVED"])
    expect(listed.imageDetails![0].lastArchivedAt).toEqual(new Date(archivedAt))
    const active = await client.send(new DescribeImagesCommand({ repositoryName: "js/ops-archive" }))
    expect(active.imageDetails).toEqual([])

    const restoring = await client.send(
      new UpdateImageStorageClassCommand({
        repositoryName: "js/ops-archive",
        imageId: { imageTag: "v1" },
        targetStorageClass: "STANDARD"
      })
    )
    expect(restoring.imageStatus).toBe("ACTIVATING")
    expect(await refusal(startScan("js/ops-archive", { imageTag: "v1" }))).toBeInstanceOf(ImageArchivedException)
    await emulator.advance("1 hour")
    const restored = await client.send(
      new DescribeImagesCommand({ repositoryName: "js/ops-archive", imageIds: [{ imageTag: "v1" }] })
    )
    expect(restored.imageDetails![0].imageStatus).toBe("ACTIVE")
    expect(restored.imageDetails![0].lastActivatedAt).toBeInstanceOf(Date)
    expect((await startScan("js/ops-archive", { imageTag: "v1" })).imageScanStatus?.status).toBe("IN_PROGRESS")
  })

  it("Put/GetRegistryScanningConfiguration and BatchGetRepositoryScanningConfiguration", async () => {
    const initial = await client.send(new GetRegistryScanningConfigurationCommand({}))
    expect(initial).toMatchObject({ registryId: ACCOUNT, scanningConfiguration: { scanType: "BASIC", rules: [] } })
    const rules = [{
      scanFrequency: "SCAN_ON_PUSH" as const,
      repositoryFilters: [{ filter: "js/ops-prod*", filterType: "WILDCARD" as const }]
    }]
    try {
      const put = await client.send(new PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules }))
      expect(put.registryScanningConfiguration).toEqual({ scanType: "BASIC", rules })
      const got = await client.send(new GetRegistryScanningConfigurationCommand({}))
      expect(got.scanningConfiguration).toEqual({ scanType: "BASIC", rules })

      await createRepository("js/ops-prod-api")
      await createRepository("js/ops-dev-api")
      const batch = await client.send(
        new BatchGetRepositoryScanningConfigurationCommand({
          repositoryNames: ["js/ops-prod-api", "js/ops-dev-api", "js/ops-nowhere"]
        })
      )
      expect(batch.scanningConfigurations).toEqual([
        {
          repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/js/ops-prod-api`,
          repositoryName: "js/ops-prod-api",
          // The repository's own (legacy) flag; the registry rule shows in the frequency and filters.
          scanOnPush: false,
          scanFrequency: "SCAN_ON_PUSH",
          appliedScanFilters: [{ filter: "js/ops-prod*", filterType: "WILDCARD" }]
        },
        {
          repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/js/ops-dev-api`,
          repositoryName: "js/ops-dev-api",
          scanOnPush: false,
          scanFrequency: "MANUAL",
          appliedScanFilters: []
        }
      ])
      expect(batch.failures).toEqual([
        { repositoryName: "js/ops-nowhere", failureCode: "REPOSITORY_NOT_FOUND", failureReason: "REPOSITORY_NOT_FOUND" }
      ])
      // The registry rule scans pushes into the matching repository, whatever its own flag says.
      await push("js/ops-prod-api", imageManifest(53), "v1")
      expect((await describeFindings("js/ops-prod-api", { imageTag: "v1" })).imageScanStatus?.status).toBe(
        "IN_PROGRESS"
      )
    } finally {
      await basicRegistry()
    }
    expect((await client.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration).toEqual({
      scanType: "BASIC",
      rules: []
    })
  })

  it("DeleteRepository: refused while it holds images, done with force", async () => {
    await createRepository("js/ops-delete")
    await push("js/ops-delete", imageManifest(54), "v1")
    expectSdkError(
      await refusal(client.send(new DeleteRepositoryCommand({ repositoryName: "js/ops-delete" }))),
      RepositoryNotEmptyException,
      "RepositoryNotEmptyException",
      `The repository with name 'js/ops-delete' in registry with id '${ACCOUNT}' ` +
        "cannot be deleted because it still contains images"
    )
    const deleted = await client.send(new DeleteRepositoryCommand({ repositoryName: "js/ops-delete", force: true }))
    expect(deleted.repository?.repositoryName).toBe("js/ops-delete")
    expect(deleted.repository?.createdAt).toBeInstanceOf(Date)
    expect(await refusal(client.send(new DescribeRepositoriesCommand({ repositoryNames: ["js/ops-delete"] }))))
      .toBeInstanceOf(RepositoryNotFoundException)
  })
})
