/**
 * boto3 (botocore's own model, parser, paginator and waiter) against the emulator. Each test runs
 * one scenario in a Python subprocess (tests/interop/boto3_client.py): client calls with
 * `endpoint_url`, one attempt per call, and control calls that move the virtual clock or plan a
 * fault in between. The messages asserted are AWS's (spec section 4), written out here rather than
 * imported, so the emulator is checked against the spec and not against itself.
 *
 * One attempt means `retries={"total_max_attempts": 1}`: in a client `Config`, botocore's
 * `max_attempts` counts retries, so `max_attempts: 1` makes two attempts and a ServerException is
 * retried away (the ServerException test below would see two requests).
 */
import { afterAll, beforeAll, expect, it } from "vitest"
import { advance, call, control, modelled, scenario, type Step } from "../support/boto3Scenario.js"
import { digestOf, imageIndex, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { type RequestLog, requestLog } from "../support/requestLog.js"
import { boto3, describeWith } from "../support/tools.js"

const ACCOUNT = "123456789012"
const LIMIT_MESSAGE = "The scan quota per image has been exceeded. Wait and try again."

/** Creates the repository and puts the manifests (tagged `v<i+1>`) in it. */
const setup = (repositoryName: string, manifests: ReadonlyArray<string>, scanOnPush = false): Array<Step> => [
  call("create_repository", { repositoryName, imageScanningConfiguration: { scanOnPush } }),
  ...manifests.map((imageManifest, i) => call("put_image", { repositoryName, imageManifest, imageTag: `v${i + 1}` }))
]

const count = (log: RequestLog, prefix: string) => log.matching((line) => line.startsWith(prefix)).length

describeWith(boto3(), "boto3 against the emulator", () => {
  let emulator: RunningEmulator
  let log: RequestLog
  const extra: Array<RunningEmulator> = []

  beforeAll(async () => {
    log = requestLog()
    emulator = await startEmulator({ log: log.push })
  })
  afterAll(async () => {
    await Promise.all([emulator, ...extra].filter((e) => e !== undefined).map((e) => e.stop()))
  })

  it("put_image: the digest is the sha256 of the exact manifest bytes", async () => {
    // Indented by three spaces: re-serialising the JSON would change the bytes and the digest.
    const manifest = JSON.stringify(JSON.parse(imageManifest(1)), null, 3)
    const [, put, got] = await scenario(emulator.endpoint, [
      ...setup("boto3/digest", [manifest]),
      call("batch_get_image", { repositoryName: "boto3/digest", imageIds: [{ imageTag: "v1" }] })
    ])
    expect(put.http_status).toBe(200)
    expect(put.response.image.imageId).toEqual({ imageDigest: digestOf(manifest), imageTag: "v1" })
    expect(put.response.image.imageManifest).toBe(manifest)
    expect(put.response.image.registryId).toBe(ACCOUNT)
    expect(got.response.images[0].imageId.imageDigest).toBe(digestOf(manifest))
    expect(got.response.images[0].imageManifest).toBe(manifest)
  })

  it("start_image_scan answers IN_PROGRESS and echoes the imageId in the form it was given", async () => {
    const manifest = imageManifest(2)
    const [, , , byTag, byDigest] = await scenario(emulator.endpoint, [
      ...setup("boto3/start", [manifest, imageManifest(3)]),
      call("start_image_scan", { repositoryName: "boto3/start", imageId: { imageTag: "v1" } }),
      call("start_image_scan", { repositoryName: "boto3/start", imageId: { imageDigest: digestOf(imageManifest(3)) } })
    ])
    expect(byTag.response).toEqual({
      registryId: ACCOUNT,
      repositoryName: "boto3/start",
      imageId: { imageDigest: digestOf(manifest), imageTag: "v1" },
      imageScanStatus: { status: "IN_PROGRESS" }
    })
    expect(byDigest.response.imageId).toEqual({ imageDigest: digestOf(imageManifest(3)) })
  })

  it("ServerException: a planned fault arrives as botocore's ServerException, status 500, not retried", async () => {
    const before = count(log, "POST StartImageScan")
    const results = await scenario(emulator.endpoint, [
      ...setup("boto3/server", [imageManifest(10)]),
      control("POST", "/faults", { operation: "StartImageScan", error: "ServerException" }),
      call("start_image_scan", { repositoryName: "boto3/server", imageId: { imageTag: "v1" } }),
      call("start_image_scan", { repositoryName: "boto3/server", imageId: { imageTag: "v1" } })
    ])
    expect(results[2]).toEqual({ control: { ok: true } })
    expect(results[3]).toEqual(modelled("ServerException", "An internal error occurred.", 500))
    // The fault was planned for one call, and one attempt was made: the next call goes through.
    expect(results[4].response.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    const lines = log.matching((line) => line.startsWith("POST StartImageScan")).slice(before).map((e) => e.line)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^POST StartImageScan 500 ServerException /)
    expect(lines[1]).toMatch(/^POST StartImageScan 200 /)
  })

  it("InvalidParameterException: a pattern botocore leaves unchecked reaches the server, a length not", async () => {
    const before = count(log, "POST StartImageScan")
    const [, , badName, badRegistry, short] = await scenario(emulator.endpoint, [
      ...setup("boto3/invalid", [imageManifest(11)]),
      call("start_image_scan", { repositoryName: "Bad_Name!", imageId: { imageTag: "v1" } }),
      call("start_image_scan", { registryId: "abc", repositoryName: "boto3/invalid", imageId: { imageTag: "v1" } }),
      call("start_image_scan", { repositoryName: "a", imageId: { imageTag: "v1" } })
    ])
    expect(badName).toEqual(modelled(
      "InvalidParameterException",
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: " +
        "'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''"
    ))
    expect(badRegistry).toEqual(modelled(
      "InvalidParameterException",
      "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"
    ))
    // Spec 1.2: botocore checks min length itself (ParamValidationError) and sends nothing.
    expect(short.client_side.exception_class).toBe("ParamValidationError")
    expect(short.client_side.message).toContain("valid min length: 2")
    expect(count(log, "POST StartImageScan") - before).toBe(2)
  })

  it("UnsupportedImageTypeException: an OCI image index cannot be scanned", async () => {
    const children = [imageManifest(12), imageManifest(13)]
    const index = imageIndex(children.map(digestOf))
    const results = await scenario(emulator.endpoint, [
      ...setup("boto3/index", [...children, index]),
      call("start_image_scan", { repositoryName: "boto3/index", imageId: { imageTag: "v3" } })
    ])
    expect(results[3].response.image.imageId.imageDigest).toBe(digestOf(index))
    expect(results[4]).toEqual(modelled(
      "UnsupportedImageTypeException",
      "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned. " +
        "For more information, see the Amazon ECR documentation."
    ))
  })

  it("LimitExceededException: a second scan of the same image, even through its digest", async () => {
    const manifest = imageManifest(14)
    const [, , first, again] = await scenario(emulator.endpoint, [
      ...setup("boto3/limit", [manifest]),
      call("start_image_scan", { repositoryName: "boto3/limit", imageId: { imageTag: "v1" } }),
      call("start_image_scan", { repositoryName: "boto3/limit", imageId: { imageDigest: digestOf(manifest) } })
    ])
    expect(first.response.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    expect(again).toEqual(modelled("LimitExceededException", LIMIT_MESSAGE))
  })

  it("RepositoryNotFoundException: AWS's text with the default registry id", async () => {
    const [missing] = await scenario(emulator.endpoint, [
      call("start_image_scan", { repositoryName: "boto3/missing", imageId: { imageTag: "v1" } })
    ])
    expect(missing).toEqual(modelled(
      "RepositoryNotFoundException",
      `The repository with name 'boto3/missing' does not exist in the registry with id '${ACCOUNT}'`
    ))
  })

  it("ImageNotFoundException: AWS's text, digest first and null for the part not given", async () => {
    const absent = digestOf(imageManifest(16))
    const [, , byTag, byDigest] = await scenario(emulator.endpoint, [
      ...setup("boto3/noimage", [imageManifest(15)]),
      call("start_image_scan", { repositoryName: "boto3/noimage", imageId: { imageTag: "nope" } }),
      call("start_image_scan", { repositoryName: "boto3/noimage", imageId: { imageDigest: absent } })
    ])
    expect(byTag).toEqual(modelled(
      "ImageNotFoundException",
      "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository " +
        `with name 'boto3/noimage' in the registry with id '${ACCOUNT}'`
    ))
    expect(byDigest).toEqual(modelled(
      "ImageNotFoundException",
      `The image with imageId {imageDigest:'${absent}', imageTag:'null'} does not exist within the repository ` +
        `with name 'boto3/noimage' in the registry with id '${ACCOUNT}'`
    ))
  })

  it("ValidationException: no manual scan once the registry scans ENHANCED", async () => {
    // The registry's scan type is global: this test has an emulator of its own.
    const own = await startEmulator()
    extra.push(own)
    const [, , configured, refused] = await scenario(own.endpoint, [
      ...setup("boto3/enhanced", [imageManifest(17)]),
      call("put_registry_scanning_configuration", {
        scanType: "ENHANCED",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "other", filterType: "WILDCARD" }] }]
      }),
      call("start_image_scan", { repositoryName: "boto3/enhanced", imageId: { imageTag: "v1" } })
    ])
    expect(configured.response.registryScanningConfiguration.scanType).toBe("ENHANCED")
    expect(refused).toEqual(modelled(
      "ValidationException",
      "Manual scans are not supported when the registry scan type is ENHANCED; images are scanned by Amazon Inspector."
    ))
  })

  it("ImageArchivedException: an image moved to the ARCHIVE storage class cannot be scanned", async () => {
    const [, , archived, refused] = await scenario(emulator.endpoint, [
      ...setup("boto3/archived", [imageManifest(18)]),
      call("update_image_storage_class", {
        repositoryName: "boto3/archived",
        imageId: { imageTag: "v1" },
        targetStorageClass: "ARCHIVE"
      }),
      call("start_image_scan", { repositoryName: "boto3/archived", imageId: { imageTag: "v1" } })
    ])
    expect(archived.response.imageStatus).toBe("ARCHIVED")
    expect(refused).toEqual(
      modelled("ImageArchivedException", "The specified image is archived and cannot be scanned.")
    )
  })

  it("the 24 hour rule: refused until 24 hours after the scan started, on the virtual clock", async () => {
    const id = { repositoryName: "boto3/window", imageId: { imageTag: "v1" } }
    const results = await scenario(emulator.endpoint, [
      ...setup("boto3/window", [imageManifest(20)]),
      call("start_image_scan", id),
      call("start_image_scan", id),
      advance("23 hours"),
      call("describe_image_scan_findings", id),
      call("start_image_scan", id),
      advance("59 minutes"),
      call("start_image_scan", id),
      advance("1 minute"),
      call("start_image_scan", id),
      call("start_image_scan", id)
    ])
    const [, , first, second, , described, at23h, , at23h59m, , at24h, after] = results
    expect(first.response.imageScanStatus.status).toBe("IN_PROGRESS")
    expect(second).toEqual(modelled("LimitExceededException", LIMIT_MESSAGE))
    expect(described.response.imageScanStatus).toEqual({
      status: "COMPLETE",
      description: "The scan was completed successfully."
    })
    expect(at23h).toEqual(modelled("LimitExceededException", LIMIT_MESSAGE))
    expect(at23h59m).toEqual(modelled("LimitExceededException", LIMIT_MESSAGE))
    expect(at24h.response.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    expect(after).toEqual(modelled("LimitExceededException", LIMIT_MESSAGE))
  })

  it("scan on push: the pushed image is IN_PROGRESS at once and its slot is used", async () => {
    const manifest = imageManifest(21)
    const id = { repositoryName: "boto3/onpush", imageId: { imageTag: "v1" } }
    const [created, , described, refused] = await scenario(emulator.endpoint, [
      ...setup("boto3/onpush", [manifest], true),
      call("describe_image_scan_findings", id),
      call("start_image_scan", id)
    ])
    expect(created.response.repository.imageScanningConfiguration).toEqual({ scanOnPush: true })
    expect(described.response.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    expect(described.response.imageId).toEqual({ imageDigest: digestOf(manifest), imageTag: "v1" })
    expect(described.response.imageScanFindings).toBeUndefined()
    expect(refused).toEqual(modelled("LimitExceededException", LIMIT_MESSAGE))
  })

  it("image_scan_complete waiter: succeeds on its first poll when the scan is already complete", async () => {
    const id = { repositoryName: "boto3/waitok", imageId: { imageTag: "v1" } }
    const before = count(log, "POST DescribeImageScanFindings")
    const [, , , , waited] = await scenario(emulator.endpoint, [
      ...setup("boto3/waitok", [imageManifest(22)]),
      call("start_image_scan", id),
      advance("1 minute"),
      { wait: "image_scan_complete", params: id }
    ])
    expect(waited).toEqual({ waited: {} })
    expect(count(log, "POST DescribeImageScanFindings 200") - before).toBe(1)
  })

  it("image_scan_complete waiter: a FAILED scan is a terminal failure (WaiterError)", async () => {
    const manifest = imageManifest(23)
    const id = { repositoryName: "boto3/waitfail", imageId: { imageTag: "v1" } }
    const before = count(log, "POST DescribeImageScanFindings")
    const [, , outcome, , , failed] = await scenario(emulator.endpoint, [
      ...setup("boto3/waitfail", [manifest]),
      control("POST", "/outcome", {
        repositoryName: "boto3/waitfail",
        imageDigest: digestOf(manifest),
        outcome: "FAILED"
      }),
      call("start_image_scan", id),
      advance("1 minute"),
      { wait: "image_scan_complete", params: id }
    ])
    expect(outcome).toEqual({ control: { ok: true } })
    expect(failed.waiter_error.reason).toBe(
      "Waiter encountered a terminal failure state: " +
        "For expression \"imageScanStatus.status\" we matched expected path: \"FAILED\""
    )
    expect(failed.waiter_error.message).toMatch(/^Waiter ImageScanComplete failed: /)
    expect(failed.waiter_error.last_response.imageScanStatus.status).toBe("FAILED")
    expect(failed.waiter_error.last_response.imageScanFindings).toBeUndefined()
    expect(count(log, "POST DescribeImageScanFindings") - before).toBe(1)
  })

  it("image_scan_complete waiter: an error (ScanNotFoundException) fails it at once, unlike the JS SDK's", async () => {
    const manifest = imageManifest(24)
    const id = { repositoryName: "boto3/waitnoscan", imageId: { imageTag: "v1" } }
    const before = count(log, "POST DescribeImageScanFindings")
    const [, , failed] = await scenario(emulator.endpoint, [
      ...setup("boto3/waitnoscan", [manifest]),
      { wait: "image_scan_complete", params: id }
    ])
    expect(failed.waiter_error.reason).toBe(
      "An error occurred (ScanNotFoundException): Image scan does not exist for the image with " +
        "'{imageDigest:'null', imageTag:'v1'}' in the repository with name 'boto3/waitnoscan' " +
        `in the registry with id '${ACCOUNT}'`
    )
    expect(
      log.matching((line) => line.startsWith("POST DescribeImageScanFindings")).slice(before).map((e) =>
        e.line.split(" ").slice(0, 4).join(" ")
      )
    ).toEqual(["POST DescribeImageScanFindings 400 ScanNotFoundException"])
  })

  it("describe_image_scan_findings paginator: 250 findings in pages of 100 (or PageSize), counts on each", async () => {
    const manifest = imageManifest(25)
    const severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"] as const
    const findings = Array.from({ length: 250 }, (_, i) => ({
      name: `CVE-2026-${String(i).padStart(5, "0")}`,
      description: `finding ${i}`,
      uri: `https://security-tracker.example/CVE-2026-${i}`,
      severity: severities[i % severities.length],
      attributes: [{ key: "package_name", value: `pkg-${i}` }, { key: "package_version", value: "1.0.0" }]
    }))
    const id = { repositoryName: "boto3/pages", imageId: { imageTag: "v1" } }
    const [, , set, , , byDefault, by120] = await scenario(emulator.endpoint, [
      ...setup("boto3/pages", [manifest]),
      control("POST", "/findings", { repositoryName: "boto3/pages", imageDigest: digestOf(manifest), findings }),
      call("start_image_scan", id),
      advance("1 minute"),
      { paginate: "describe_image_scan_findings", params: id },
      { paginate: "describe_image_scan_findings", params: id, pagination: { PageSize: 120 } }
    ])
    expect(set).toEqual({ control: { ok: true } })
    const counts = { CRITICAL: 50, HIGH: 50, MEDIUM: 50, LOW: 50, INFORMATIONAL: 50 }
    const sizes = (pages: Array<any>) => pages.map((p) => p.imageScanFindings.findings.length)
    expect(sizes(byDefault.pages)).toEqual([100, 100, 50])
    expect(sizes(by120.pages)).toEqual([120, 120, 10])
    for (const page of [...byDefault.pages, ...by120.pages]) {
      expect(page.imageScanStatus.status).toBe("COMPLETE")
      expect(page.imageScanFindings.findingSeverityCounts).toEqual(counts)
    }
    expect(byDefault.pages.map((p: any) => typeof p.nextToken)).toEqual(["string", "string", "undefined"])
    // botocore's build_full_result concatenates imageScanFindings.findings across the pages.
    expect(byDefault.full.imageScanFindings.findings).toEqual(findings)
    expect(by120.full.imageScanFindings.findings).toEqual(findings)
    expect(byDefault.full.imageScanFindings.findingSeverityCounts).toEqual(counts)
    expect(byDefault.full.nextToken).toBeUndefined()
  })
})
