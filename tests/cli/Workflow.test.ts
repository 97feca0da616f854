/**
 * ecr-scan (run in-process) through a whole workflow against the emulator: create-repository, put-image from
 * `file://`, start-image-scan, a refused second scan, wait image-scan-complete, describe-images, and
 * describe-image-scan-findings over 250 findings with the AWS CLI's paging flags; the three output
 * formats, text compared byte for byte with the AWS CLI's for the same response.
 */
import { describe, expect, it } from "vitest"
import { digestOf, imageManifest } from "../support/emulator.js"
import { awsCli, describeWith } from "../support/tools.js"
import { ACCOUNT, json, linesOf, printedInstant, type World, worlds } from "./support.js"

const START = Date.parse("2026-01-01T00:00:00Z")

/** 250 findings, enough for three of the service's pages of 100. */
const FINDINGS = Array.from({ length: 250 }, (_, i) => ({
  name: `CVE-2026-${String(i).padStart(5, "0")}`,
  severity: i % 2 === 0 ? "HIGH" : "LOW",
  attributes: [{ key: "package_name", value: `pkg-${i}` }]
}))

/** A completed scan of `wf/pages:v1` that reports the 250 findings (set up on the wire). */
const withFindings = async (world: World) => {
  const manifest = imageManifest(30)
  await world.given("wf/pages", [manifest])
  await world.emulator.control("POST", "/findings", {
    repositoryName: "wf/pages",
    imageDigest: digestOf(manifest),
    findings: FINDINGS
  })
  await world.wire("StartImageScan", { repositoryName: "wf/pages", imageId: { imageTag: "v1" } })
  await world.emulator.advance("1 minute")
}

const describeFindings = ["describe-image-scan-findings", "--repository-name", "wf/pages", "--image-id", "imageTag=v1"]

// Every suite of this file at once: the AWS CLI's subprocesses queue for their two slots.
describe.concurrent("ecr-scan through a workflow, and its output formats", () => {
  describe("ecr-scan through a workflow against the emulator", () => {
    const { file, world } = worlds()

    it.concurrent(
      "create-repository with and without scan on push, put-image from file://, start-image-scan, a refused " +
        "second scan, wait image-scan-complete at the first poll, describe-images as json and as a table",
      async () => {
        const { ecrScan, emulator, sent, wire } = await world()
        const [plain, onPush] = await Promise.all([
          ecrScan(["create-repository", "--repository-name", "wf/plain"]),
          ecrScan([
            "create-repository",
            "--repository-name",
            "wf/onpush",
            "--image-scanning-configuration",
            "scanOnPush=true"
          ])
        ])
        expect(json(plain).repository).toMatchObject({
          registryId: ACCOUNT,
          repositoryName: "wf/plain",
          repositoryUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/wf/plain`,
          imageScanningConfiguration: { scanOnPush: false }
        })
        expect(json(onPush).repository.imageScanningConfiguration).toEqual({ scanOnPush: true })

        // Indented, so that only the file's exact bytes give the digest.
        const manifests = [imageManifest(31), imageManifest(32)].map((m) => JSON.stringify(JSON.parse(m), null, 2))
        const paths = await Promise.all(manifests.map((m, i) => file(`manifest-${i}.json`, m)))
        const pushed = await Promise.all(["wf/plain", "wf/onpush"].map((repositoryName, i) =>
          ecrScan([
            "put-image",
            "--repository-name",
            repositoryName,
            "--image-tag",
            "v1",
            "--image-manifest",
            `file://${paths[i]}`
          ])
        ))
        for (const [i, put] of pushed.entries()) {
          expect(json(put).image.imageId).toEqual({ imageDigest: digestOf(manifests[i]), imageTag: "v1" })
        }
        // A second image beside the one pushed on the command line.
        await wire("PutImage", { repositoryName: "wf/onpush", imageManifest: imageManifest(33), imageTag: "v2" })

        const [started, refused] = await Promise.all([
          ecrScan(["start-image-scan", "--repository-name", "wf/plain", "--image-id", "imageTag=v1"]),
          ecrScan(["start-image-scan", "--repository-name", "wf/onpush", "--image-id", "imageTag=v1"])
        ])
        expect(json(started)).toEqual({
          registryId: ACCOUNT,
          repositoryName: "wf/plain",
          imageId: { imageDigest: digestOf(manifests[0]), imageTag: "v1" },
          imageScanStatus: { status: "IN_PROGRESS" }
        })
        // Scanned on push a moment ago: a manual scan waits for 24 hours.
        expect(refused).toMatchObject({ code: 254, stdout: "" })
        expect(linesOf(refused.stderr)).toEqual([
          "An error occurred (LimitExceededException) when calling the StartImageScan operation: " +
          "The scan quota per image has been exceeded. Wait and try again.",
          "Limit: one basic scan per image per 24 hours (scans on push count)",
          `Next eligible at: ${printedInstant(START + 24 * 3_600_000)}`
        ])

        await emulator.advance("1 minute")
        const [waited, described, table] = await Promise.all([
          ecrScan(["wait", "image-scan-complete", "--repository-name", "wf/plain", "--image-id", "imageTag=v1"]),
          ecrScan(["describe-images", "--repository-name", "wf/plain", "--output", "json"]),
          ecrScan(["describe-images", "--repository-name", "wf/onpush", "--output", "table"])
        ])
        // COMPLETE at the first poll: exit 0, nothing on stdout, one poll reported on stderr.
        expect(waited).toMatchObject({ code: 0, stdout: "" })
        expect(linesOf(waited.stderr)).toEqual([
          "waiting for the scan of wf/plain {\"imageTag\":\"v1\"}: COMPLETE (poll 1 of 60)"
        ])
        expect(sent("DescribeImageScanFindings")).toEqual([
          { repositoryName: "wf/plain", imageId: { imageTag: "v1" } }
        ])

        const [detail] = json(described).imageDetails
        expect(detail).toMatchObject({
          registryId: ACCOUNT,
          repositoryName: "wf/plain",
          imageDigest: digestOf(manifests[0]),
          imageTags: ["v1"],
          imagePushedAt: printedInstant(START),
          imageStatus: "ACTIVE"
        })

        expect(table).toMatchObject({ code: 0, stderr: "" })
        // The AWS CLI's layout (compared byte for byte with the AWS CLI's in Table.test.ts).
        const rows = table.stdout.split("\n")
        expect(rows[0]).toMatch(/^-+$/)
        expect(rows[1]).toMatch(/^\|\s+DescribeImages\s+\|$/)
        expect(rows[2]).toMatch(/^\+-+\+$/)
        expect(table.stdout).toMatch(/\+\|+\n$/)
        // Each image under a title of its own, with its digest and its tags, one `|` deeper.
        expect(rows.filter((row) => /^\|\|\s+imageDetails\s+\|\|$/.test(row))).toHaveLength(2)
        expect(rows.filter((row) => /^\|\|  imageDigest\s+\|  sha256:[0-9a-f]{64}\s+\|\|$/.test(row))).toHaveLength(2)
        expect(rows.filter((row) => /^\|\|\|\s+imageTags\s+\|\|\|$/.test(row))).toHaveLength(2)
      }
    )

    it.concurrent("describe-image-scan-findings merges every page of 100 into one list", async () => {
      const w = await world()
      await withFindings(w)
      const all = json(await w.ecrScan([...describeFindings, "--output", "json"]))
      expect(all.imageScanFindings.findings).toEqual(FINDINGS)
      expect(all.imageScanFindings.findingSeverityCounts).toEqual({ HIGH: 125, LOW: 125 })
      expect(all.imageScanStatus.status).toBe("COMPLETE")
      expect(all.NextToken).toBeUndefined()
      expect(all.nextToken).toBeUndefined()
      expect(w.sent("DescribeImageScanFindings").map((body) => body.nextToken === undefined)).toEqual([
        true,
        false,
        false
      ])
    })

    it.concurrent("--page-size sets maxResults on every request", async () => {
      const w = await world()
      await withFindings(w)
      const all = json(await w.ecrScan([...describeFindings, "--page-size", "50"]))
      expect(all.imageScanFindings.findings).toEqual(FINDINGS)
      const requests = w.sent("DescribeImageScanFindings")
      expect(requests).toHaveLength(5)
      expect(requests.every((body) => body.maxResults === 50)).toBe(true)
    })

    it.concurrent("--no-paginate: the service's first page and its nextToken, one request", async () => {
      const w = await world()
      await withFindings(w)
      const page = json(await w.ecrScan([...describeFindings, "--no-paginate"]))
      expect(page.imageScanFindings.findings).toEqual(FINDINGS.slice(0, 100))
      expect(typeof page.nextToken).toBe("string")
      expect(page.NextToken).toBeUndefined()
      expect(w.sent("DescribeImageScanFindings")).toHaveLength(1)
    })

    it.concurrent("--max-items stops with a NextToken (text: a NEXTTOKEN line), --starting-token goes on", async () => {
      const w = await world()
      await withFindings(w)
      const first = await w.ecrScan([...describeFindings, "--max-items", "120", "--output", "text"])
      expect(first).toMatchObject({ code: 0, stderr: "" })
      const lines = linesOf(first.stdout)
      expect(lines.filter((line) => line.startsWith("FINDINGS\t")).map((line) => line.split("\t")[1])).toEqual(
        FINDINGS.slice(0, 120).map((finding) => finding.name)
      )
      // As the AWS CLI's text format ends a truncated listing.
      const last = lines[lines.length - 1].split("\t")
      expect(last[0]).toBe("NEXTTOKEN")
      expect(w.sent("DescribeImageScanFindings")).toHaveLength(2)
      const rest = json(await w.ecrScan([...describeFindings, "--starting-token", last[1], "--max-items", "200"]))
      expect(rest.imageScanFindings.findings).toEqual(FINDINGS.slice(120))
      expect(rest.NextToken).toBeUndefined()
    })
  })

  describeWith(awsCli(), "ecr-scan's output beside the AWS CLI's, for the same responses", () => {
    const { file, world } = worlds()

    it.concurrent("start-image-scan --output text: the same bytes", async () => {
      // Two emulators in the same state: the same scan starts in each, so the responses are the same.
      const [ours, theirs] = await Promise.all([world(), world()])
      const manifest = imageManifest(40)
      await Promise.all([ours.given("wf/text", [manifest]), theirs.given("wf/text", [manifest])])
      const args = ["start-image-scan", "--repository-name", "wf/text", "--image-id", "imageTag=v1", "--output", "text"]
      const [a, b] = await Promise.all([ours.ecrScan(args), theirs.aws(args)])
      expect(b).toMatchObject({ code: 0, stderr: "" })
      expect(a).toMatchObject({ code: 0, stderr: "" })
      expect(a.stdout).toBe(b.stdout)
      expect(a.stdout).toBe(
        `${ACCOUNT}\twf/text\n` +
          `IMAGEID\t${digestOf(manifest)}\tv1\n` +
          "IMAGESCANSTATUS\tIN_PROGRESS\n"
      )
    })

    it.concurrent("describe-image-scan-findings --output text over three pages: the same bytes", async () => {
      const w = await world()
      await withFindings(w)
      // CLI v1 prints timestamps as the wire's epoch seconds unless told otherwise; ISO 8601 is v2's
      // default, and ecr-scan's.
      const config = await file("aws-config", "[default]\ncli_timestamp_format = iso8601\n")
      const [ours, theirs] = await Promise.all([
        w.ecrScan([...describeFindings, "--output", "text"]),
        w.aws([...describeFindings, "--output", "text"], { AWS_CONFIG_FILE: config })
      ])
      expect(theirs).toMatchObject({ code: 0, stderr: "" })
      expect(ours).toMatchObject({ code: 0, stderr: "" })
      expect(ours.stdout).toBe(theirs.stdout)
      const lines = ours.stdout.split("\n")
      // Page by page, as the AWS CLI's text formatter prints it: the first page whole, then each further
      // page's findings under its own IMAGESCANFINDINGS line (the absent enhancedFindings as None).
      expect(lines.filter((line) => line.startsWith("IMAGESCANFINDINGS\t"))).toEqual([
        expect.stringMatching(/^IMAGESCANFINDINGS\tNone\t\S+\+00:00\t\S+\+00:00$/),
        "IMAGESCANFINDINGS\tNone",
        "IMAGESCANFINDINGS\tNone"
      ])
      expect(lines.filter((line) => line.startsWith("FINDINGS\t"))).toHaveLength(250)
      expect(lines).toContain("FINDINGSEVERITYCOUNTS\t125\t125")
      expect(lines.every((line) => line === "" || line.includes("\t"))).toBe(true)
    })

    it.concurrent("wait image-scan-complete on a FAILED scan: exit 255 and the AWS CLI's waiter message", async () => {
      const { aws, ecrScan, emulator, given, sent, wire } = await world()
      const manifest = imageManifest(41)
      await given("wf/failed", [manifest])
      await emulator.control("POST", "/outcome", {
        repositoryName: "wf/failed",
        imageDigest: digestOf(manifest),
        outcome: "FAILED"
      })
      await wire("StartImageScan", { repositoryName: "wf/failed", imageId: { imageTag: "v1" } })
      await emulator.advance("1 minute")
      const args = ["wait", "image-scan-complete", "--repository-name", "wf/failed", "--image-id", "imageTag=v1"]
      const [ours, theirs] = await Promise.all([ecrScan(args), aws(args)])
      const message = "Waiter ImageScanComplete failed: Waiter encountered a terminal failure state: " +
        "For expression \"imageScanStatus.status\" we matched expected path: \"FAILED\""
      expect(theirs).toMatchObject({ code: 255, stdout: "" })
      expect(theirs.stderr.trim()).toBe(message)
      expect(ours).toMatchObject({ code: 255, stdout: "" })
      expect(linesOf(ours.stderr)).toContain(message)
      // One poll each: FAILED is terminal at once.
      expect(sent("DescribeImageScanFindings")).toHaveLength(2)
    })
  })
})
