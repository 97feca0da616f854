/**
 * The AWS CLI (v1, botocore underneath) against the emulator, run as a subprocess with
 * `--endpoint-url`, `--output json` and `awsEnv()` (dummy credentials, standard retry mode, one
 * attempt). Where the CLI itself is not the point, state is set up with bare wire calls: each CLI
 * process costs about a second. The messages asserted are AWS's (spec section 4), written out here.
 *
 * What CLI v1 prints for a service error is `An error occurred (<Code>) when calling the <Op>
 * operation<retry info>: <message>` on stderr, exit status 255 (v1 has no 254: every exception
 * ends in `clidriver.main`'s catch-all). The retry info is botocore's: in standard mode an error
 * that used up the attempts says `(reached max retries: 0)`; legacy mode says so only for errors it
 * would retry.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { awsEcr } from "../support/awsCli.js"
import { digestOf, imageIndex, imageManifest, type RunningEmulator, startEmulator } from "../support/emulator.js"
import { type RequestLog, requestLog } from "../support/requestLog.js"
import { type Finished, limiter } from "../support/subprocess.js"
import { awsCli, describeWith } from "../support/tools.js"
import { ecrCall } from "../support/wire.js"

const ACCOUNT = "123456789012"
const LIMIT_MESSAGE = "The scan quota per image has been exceeded. Wait and try again."
const ENHANCED_MESSAGE =
  "Manual scans are not supported when the registry scan type is ENHANCED; images are scanned by Amazon Inspector."
const REPOSITORY_PATTERN = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"
/** Two CLI processes at a time, across the concurrent tests. */
const cliSlot = limiter(2)

/** The line CLI v1 prints for a StartImageScan error under `awsEnv()` (standard mode, one attempt). */
const printed = (code: string, message: string) =>
  `An error occurred (${code}) when calling the StartImageScan operation (reached max retries: 0): ${message}`

/** One emulator of a test's own, with its request log and the helpers bound to it. */
interface World {
  readonly emulator: RunningEmulator
  readonly log: RequestLog
  /** `aws ecr <args> --endpoint-url <this emulator> --output json`. */
  readonly aws: (args: ReadonlyArray<string>, env?: Record<string, string>, timeoutMs?: number) => Promise<Finished>
  readonly startScan: (repositoryName: string, imageId: string, env?: Record<string, string>) => Promise<Finished>
  /** A repository with the manifests in it, tagged `v1`, `v2`, ... (set up on the wire). */
  readonly given: (repositoryName: string, manifests: ReadonlyArray<string>) => Promise<void>
  /** A bare wire call. */
  readonly wire: (operation: string, input: unknown) => Promise<any>
  /** How many logged requests start with `prefix`. */
  readonly count: (prefix: string) => number
}

/** The JSON a successful command printed. */
const output = (finished: Finished): any => {
  expect(finished.stderr).toBe("")
  expect(finished.code).toBe(0)
  return JSON.parse(finished.stdout)
}

/** A failed command: nothing on stdout, exit 255, and exactly `line` on stderr. */
const failedWith = (finished: Finished, line: string) => {
  expect(finished.stdout).toBe("")
  expect(finished.stderr.trim()).toBe(line)
  expect(finished.code).toBe(255)
}

// The tests run concurrently, each on an emulator of its own: a CLI process costs a second or more of
// CPU, and one test's clock moves, faults and registry settings must not reach another's.
describeWith(awsCli(), "the AWS CLI against the emulator", () => {
  let dir: string
  const started: Array<RunningEmulator> = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ecr-scan-cli-"))
  })
  afterAll(async () => {
    await Promise.all(started.map((e) => e.stop()))
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  const world = async (): Promise<World> => {
    const log = requestLog()
    const emulator = await startEmulator({ log: log.push })
    started.push(emulator)
    const aws: World["aws"] = (args, env, timeoutMs = 30_000) =>
      cliSlot(() => awsEcr(emulator.endpoint, args, env, timeoutMs))
    const wire: World["wire"] = (operation, input) => ecrCall(emulator.endpoint, operation, input)
    return {
      emulator,
      log,
      aws,
      startScan: (repositoryName, imageId, env) =>
        aws(["start-image-scan", "--repository-name", repositoryName, "--image-id", imageId], env),
      given: async (repositoryName, manifests) => {
        await wire("CreateRepository", { repositoryName })
        for (const [i, imageManifest] of manifests.entries()) {
          await wire("PutImage", { repositoryName, imageManifest, imageTag: `v${i + 1}` })
        }
      },
      wire,
      count: (prefix) => log.matching((line) => line.startsWith(prefix)).length
    }
  }

  it.concurrent(
    "create-repository, put-image from file://, start-image-scan (shorthand and JSON), describe-image-scan-findings",
    async () => {
      const { aws, emulator, startScan } = await world()
      const created = output(await aws(["create-repository", "--repository-name", "cli/basics"]))
      expect(created.repository).toMatchObject({
        registryId: ACCOUNT,
        repositoryName: "cli/basics",
        repositoryUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/cli/basics`,
        imageScanningConfiguration: { scanOnPush: false }
      })
      // Indented, so that only the exact bytes give the digest; the CLI sends the file as it is.
      const manifests = [1, 2].map((n) => JSON.stringify(JSON.parse(imageManifest(n)), null, 2))
      const files = manifests.map((_, i) => join(dir, `basics-${i + 1}.json`))
      await Promise.all(files.map((file, i) => writeFile(file, manifests[i])))
      const puts = await Promise.all(files.map((file, i) =>
        aws([
          "put-image",
          "--repository-name",
          "cli/basics",
          "--image-tag",
          `v${i + 1}`,
          "--image-manifest",
          `file://${file}`
        ])
      ))
      for (const [i, put] of puts.entries()) {
        const { image } = output(put)
        expect(image.imageId).toEqual({ imageDigest: digestOf(manifests[i]), imageTag: `v${i + 1}` })
        expect(image.imageManifest).toBe(manifests[i])
      }

      const [byTag, byDigest] = await Promise.all([
        startScan("cli/basics", "imageTag=v1"),
        startScan("cli/basics", JSON.stringify({ imageDigest: digestOf(manifests[1]) }))
      ])
      expect(output(byTag)).toEqual({
        registryId: ACCOUNT,
        repositoryName: "cli/basics",
        imageId: { imageDigest: digestOf(manifests[0]), imageTag: "v1" },
        imageScanStatus: { status: "IN_PROGRESS" }
      })
      // As in the CLI's own example: asked by digest, the answer names the digest only.
      expect(output(byDigest)).toEqual({
        registryId: ACCOUNT,
        repositoryName: "cli/basics",
        imageId: { imageDigest: digestOf(manifests[1]) },
        imageScanStatus: { status: "IN_PROGRESS" }
      })

      await emulator.advance("1 minute")
      const described = output(
        await aws(["describe-image-scan-findings", "--repository-name", "cli/basics", "--image-id", "imageTag=v1"])
      )
      expect(described.imageId).toEqual({ imageDigest: digestOf(manifests[0]), imageTag: "v1" })
      expect(described.imageScanStatus).toEqual({
        status: "COMPLETE",
        description: "The scan was completed successfully."
      })
      expect(Array.isArray(described.imageScanFindings.findings)).toBe(true)
      expect(typeof described.imageScanFindings.imageScanCompletedAt).toBe("number")
    }
  )

  it.concurrent("describe-image-scan-findings pages through 250 findings itself and prints one list", async () => {
    const { aws, count, emulator, given, wire } = await world()
    const manifest = imageManifest(3)
    await given("cli/pages", [manifest])
    const findings = Array.from({ length: 250 }, (_, i) => ({
      name: `CVE-2026-${String(i).padStart(5, "0")}`,
      severity: i % 2 === 0 ? "HIGH" : "LOW",
      attributes: [{ key: "package_name", value: `pkg-${i}` }]
    }))
    await emulator.control("POST", "/findings", {
      repositoryName: "cli/pages",
      imageDigest: digestOf(manifest),
      findings
    })
    await wire("StartImageScan", { repositoryName: "cli/pages", imageId: { imageTag: "v1" } })
    await emulator.advance("1 minute")
    const described = output(
      await aws(["describe-image-scan-findings", "--repository-name", "cli/pages", "--image-id", "imageTag=v1"])
    )
    // Three requests of 100, 100 and 50, merged by the CLI's paginator.
    expect(count("POST DescribeImageScanFindings 200")).toBe(3)
    expect(described.imageScanFindings.findings).toEqual(findings)
    expect(described.imageScanFindings.findingSeverityCounts).toEqual({ HIGH: 125, LOW: 125 })
    expect(described.nextToken).toBeUndefined()
  })

  // Each of the eight errors StartImageScan can raise, as the CLI prints it.

  it.concurrent("ServerException (a planned fault): exit 255, one request only", async () => {
    const { emulator, given, log, startScan } = await world()
    await given("cli/server", [imageManifest(10)])
    await emulator.control("POST", "/faults", { operation: "StartImageScan", error: "ServerException" })
    failedWith(await startScan("cli/server", "imageTag=v1"), printed("ServerException", "An internal error occurred."))
    const lines = log.matching((line) => line.startsWith("POST StartImageScan"))
    expect(lines.map((e) => e.line.split(" ").slice(0, 4).join(" "))).toEqual([
      "POST StartImageScan 500 ServerException"
    ])
  })

  it.concurrent(
    "InvalidParameterException: a pattern botocore does not check; a length it does check never leaves",
    async () => {
      const { aws, count, given, startScan } = await world()
      await given("cli/invalid", [imageManifest(11)])
      const [badName, badRegistry, short] = await Promise.all([
        startScan("Bad_Name!", "imageTag=v1"),
        aws([
          "start-image-scan",
          "--registry-id",
          "abc",
          "--repository-name",
          "cli/invalid",
          "--image-id",
          "imageTag=v1"
        ]),
        startScan("a", "imageTag=v1")
      ])
      failedWith(
        badName,
        printed(
          "InvalidParameterException",
          "Invalid parameter at 'repositoryName' failed to satisfy constraint: " +
            `'must satisfy regular expression '${REPOSITORY_PATTERN}''`
        )
      )
      failedWith(
        badRegistry,
        printed(
          "InvalidParameterException",
          "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"
        )
      )
      failedWith(
        short,
        "Parameter validation failed:\nInvalid length for parameter repositoryName, value: 1, valid min length: 2"
      )
      expect(count("POST StartImageScan")).toBe(2)
    }
  )

  it.concurrent("UnsupportedImageTypeException: an OCI image index", async () => {
    const { given, startScan } = await world()
    const children = [imageManifest(12), imageManifest(13)]
    await given("cli/index", [...children, imageIndex(children.map(digestOf))])
    failedWith(
      await startScan("cli/index", "imageTag=v3"),
      printed(
        "UnsupportedImageTypeException",
        "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned. " +
          "For more information, see the Amazon ECR documentation."
      )
    )
  })

  it.concurrent("LimitExceededException: the second scan of an image", async () => {
    const { given, startScan, wire } = await world()
    await given("cli/limit", [imageManifest(14)])
    await wire("StartImageScan", { repositoryName: "cli/limit", imageId: { imageTag: "v1" } })
    failedWith(await startScan("cli/limit", "imageTag=v1"), printed("LimitExceededException", LIMIT_MESSAGE))
  })

  it.concurrent("RepositoryNotFoundException", async () => {
    const { startScan } = await world()
    failedWith(
      await startScan("cli/missing", "imageTag=v1"),
      printed(
        "RepositoryNotFoundException",
        `The repository with name 'cli/missing' does not exist in the registry with id '${ACCOUNT}'`
      )
    )
  })

  it.concurrent("ImageNotFoundException", async () => {
    const { given, startScan } = await world()
    await given("cli/noimage", [imageManifest(15)])
    failedWith(
      await startScan("cli/noimage", "imageTag=nope"),
      printed(
        "ImageNotFoundException",
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository " +
          `with name 'cli/noimage' in the registry with id '${ACCOUNT}'`
      )
    )
  })

  it.concurrent("ValidationException: the registry scans ENHANCED", async () => {
    const { given, startScan, wire } = await world()
    await given("cli/enhanced", [imageManifest(16)])
    await wire("PutRegistryScanningConfiguration", { scanType: "ENHANCED", rules: [] })
    failedWith(
      await startScan("cli/enhanced", "imageTag=v1"),
      printed("ValidationException", ENHANCED_MESSAGE)
    )
  })

  it.concurrent("ImageArchivedException: the image was archived", async () => {
    const { given, startScan, wire } = await world()
    await given("cli/archived", [imageManifest(17)])
    await wire("UpdateImageStorageClass", {
      repositoryName: "cli/archived",
      imageId: { imageTag: "v1" },
      targetStorageClass: "ARCHIVE"
    })
    failedWith(
      await startScan("cli/archived", "imageTag=v1"),
      printed("ImageArchivedException", "The specified image is archived and cannot be scanned.")
    )
  })

  it.concurrent(
    "LimitExceededException is a throttling code to botocore's standard retry mode, not to legacy (CLI v1's default)",
    async () => {
      const { count, given, startScan, wire } = await world()
      await given("cli/retry", [imageManifest(18)])
      await wire("StartImageScan", { repositoryName: "cli/retry", imageId: { imageTag: "v1" } })
      const limited = "POST StartImageScan 400 LimitExceededException"
      const legacy = await startScan("cli/retry", "imageTag=v1", { AWS_RETRY_MODE: "legacy", AWS_MAX_ATTEMPTS: "2" })
      // Legacy mode does not retry it, and prints the line the spec quotes from real transcripts.
      failedWith(
        legacy,
        `An error occurred (LimitExceededException) when calling the StartImageScan operation: ${LIMIT_MESSAGE}`
      )
      expect(count(limited)).toBe(1)
      const standard = await startScan("cli/retry", "imageTag=v1", {
        AWS_RETRY_MODE: "standard",
        AWS_MAX_ATTEMPTS: "2"
      })
      failedWith(
        standard,
        "An error occurred (LimitExceededException) when calling the StartImageScan operation " +
          `(reached max retries: 1): ${LIMIT_MESSAGE}`
      )
      expect(count(limited)).toBe(3)
    }
  )

  it.concurrent("the 24 hour rule: refused until 24 hours of virtual time have passed", async () => {
    const { emulator, given, startScan } = await world()
    await given("cli/window", [imageManifest(20)])
    expect(output(await startScan("cli/window", "imageTag=v1")).imageScanStatus).toEqual({ status: "IN_PROGRESS" })
    failedWith(await startScan("cli/window", "imageTag=v1"), printed("LimitExceededException", LIMIT_MESSAGE))
    await emulator.advance("1439 minutes") // 23 h 59 min
    failedWith(await startScan("cli/window", "imageTag=v1"), printed("LimitExceededException", LIMIT_MESSAGE))
    await emulator.advance("1 minute")
    expect(output(await startScan("cli/window", "imageTag=v1")).imageScanStatus).toEqual({ status: "IN_PROGRESS" })
  })

  it.concurrent("scan on push: the pushed image is being scanned, and a manual scan is refused", async () => {
    const { aws, startScan } = await world()
    const manifest = imageManifest(21)
    const file = join(dir, "onpush.json")
    await writeFile(file, manifest)
    const created = output(
      await aws([
        "create-repository",
        "--repository-name",
        "cli/onpush",
        "--image-scanning-configuration",
        "scanOnPush=true"
      ])
    )
    expect(created.repository.imageScanningConfiguration).toEqual({ scanOnPush: true })
    output(
      await aws([
        "put-image",
        "--repository-name",
        "cli/onpush",
        "--image-tag",
        "v1",
        "--image-manifest",
        `file://${file}`
      ])
    )
    const [described, refused] = await Promise.all([
      aws(["describe-image-scan-findings", "--repository-name", "cli/onpush", "--image-id", "imageTag=v1"]),
      startScan("cli/onpush", "imageTag=v1")
    ])
    // The CLI's paginator prints the absent imageScanFindings as null.
    expect(output(described)).toEqual({
      registryId: ACCOUNT,
      repositoryName: "cli/onpush",
      imageId: { imageDigest: digestOf(manifest), imageTag: "v1" },
      imageScanStatus: { status: "IN_PROGRESS" },
      imageScanFindings: null
    })
    failedWith(refused, printed("LimitExceededException", LIMIT_MESSAGE))
  })

  const waitArgs = (repositoryName: string) => [
    "wait",
    "image-scan-complete",
    "--repository-name",
    repositoryName,
    "--image-id",
    "imageTag=v1"
  ]

  it.concurrent("wait image-scan-complete: exit 0 at the first poll when the scan is already complete", async () => {
    const { aws, count, emulator, given, wire } = await world()
    await given("cli/waitdone", [imageManifest(22)])
    await wire("StartImageScan", { repositoryName: "cli/waitdone", imageId: { imageTag: "v1" } })
    await emulator.advance("1 minute")
    const waited = await aws(waitArgs("cli/waitdone"))
    expect(waited).toMatchObject({ code: 0, stdout: "", stderr: "" })
    // One poll: had it seen anything but COMPLETE it would have slept 5 s and polled again.
    expect(count("POST DescribeImageScanFindings")).toBe(1)
  })

  it.concurrent(
    "wait image-scan-complete: polls an IN_PROGRESS scan every 5 s until the virtual clock completes it",
    async () => {
      const { aws, emulator, given, log, wire } = await world()
      await given("cli/waitpoll", [imageManifest(23)])
      await wire("StartImageScan", { repositoryName: "cli/waitpoll", imageId: { imageTag: "v1" } })
      const isPoll = (line: string) => line.startsWith("POST DescribeImageScanFindings ")
      const firstPoll = log.next(isPoll, { timeoutMs: 25_000 })
      const waiting = aws(waitArgs("cli/waitpoll"), {}, 25_000)
      const first = await firstPoll
      // The scan takes 1 to 3 s of virtual time, which has not moved: the first poll saw IN_PROGRESS.
      const scan = await wire("DescribeImageScanFindings", {
        repositoryName: "cli/waitpoll",
        imageId: { imageTag: "v1" }
      })
      expect(scan.imageScanStatus).toEqual({ status: "IN_PROGRESS" })
      const secondPoll = log.next(isPoll, { timeoutMs: 25_000 })
      await emulator.advance("1 minute")
      const [second, waited] = await Promise.all([secondPoll, waiting])
      expect(waited).toMatchObject({ code: 0, stdout: "", stderr: "" })
      expect(first.line).toMatch(/^POST DescribeImageScanFindings 200 /)
      expect(second.line).toMatch(/^POST DescribeImageScanFindings 200 /)
      // The CLI's two polls and this test's own look in between; nothing after the second poll.
      expect(log.matching(isPoll)).toHaveLength(3)
    },
    30_000
  )

  it.concurrent("wait image-scan-complete: a FAILED scan fails the waiter at its first poll, exit 255", async () => {
    const { aws, count, emulator, given, wire } = await world()
    const manifest = imageManifest(24)
    await given("cli/waitfail", [manifest])
    await emulator.control("POST", "/outcome", {
      repositoryName: "cli/waitfail",
      imageDigest: digestOf(manifest),
      outcome: "FAILED"
    })
    await wire("StartImageScan", { repositoryName: "cli/waitfail", imageId: { imageTag: "v1" } })
    await emulator.advance("1 minute")
    failedWith(
      await aws(waitArgs("cli/waitfail")),
      "Waiter ImageScanComplete failed: Waiter encountered a terminal failure state: " +
        "For expression \"imageScanStatus.status\" we matched expected path: \"FAILED\""
    )
    expect(count("POST DescribeImageScanFindings")).toBe(1)
  })
})
