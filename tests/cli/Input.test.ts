/**
 * How ecr-scan (run in-process) reads its input, as the AWS CLI does: `--generate-cli-skeleton` (the same bytes as
 * `aws ecr start-image-scan` prints, both run here), structures in shorthand or JSON, and
 * `--cli-input-json` inline or from `file://`, with flags over it. That the syntaxes mean the same
 * request is shown by the bodies the emulator received (through a recording proxy) and by the replies.
 */
import { describe, expect, it } from "vitest"
import { digestOf, imageManifest } from "../support/emulator.js"
import { awsCli, describeWith } from "../support/tools.js"
import { ACCOUNT, worlds } from "./support.js"

// Every suite of this file at once: the AWS CLI's subprocesses queue for their two slots.
describe.concurrent("ecr-scan's input, read as the AWS CLI reads it", () => {
  describeWith(awsCli(), "ecr-scan start-image-scan --generate-cli-skeleton, beside the AWS CLI", () => {
    const { world } = worlds()

    it.concurrent("input (the default, and named): the AWS CLI's bytes, exit 0, no request", async () => {
      const { aws, ecrScan, requests } = await world()
      const [theirs, ours, oursInput] = await Promise.all([
        aws(["start-image-scan", "--generate-cli-skeleton"]),
        ecrScan(["start-image-scan", "--generate-cli-skeleton"]),
        ecrScan(["start-image-scan", "--generate-cli-skeleton", "input"])
      ])
      for (const finished of [theirs, ours, oursInput]) expect(finished).toMatchObject({ code: 0, stderr: "" })
      expect(ours.stdout).toBe(theirs.stdout)
      expect(oursInput.stdout).toBe(theirs.stdout)
      expect(JSON.parse(ours.stdout)).toEqual({
        registryId: "",
        repositoryName: "",
        imageId: { imageDigest: "", imageTag: "" }
      })
      expect(requests).toEqual([])
    })

    it.concurrent("output, with the required members given: the AWS CLI's output skeleton, no request", async () => {
      const { aws, ecrScan, requests } = await world()
      const args = [
        "start-image-scan",
        "--repository-name",
        "rr",
        "--image-id",
        "imageTag=t",
        "--generate-cli-skeleton",
        "output",
        "--region",
        "us-east-1"
      ]
      const [theirs, ours] = await Promise.all([aws(args), ecrScan(args)])
      expect(theirs).toMatchObject({ code: 0, stderr: "" })
      expect(ours).toMatchObject({ code: 0, stderr: "" })
      expect(ours.stdout).toBe(theirs.stdout)
      expect(JSON.parse(ours.stdout)).toEqual({
        registryId: "registryId",
        repositoryName: "repositoryName",
        imageId: { imageDigest: "imageDigest", imageTag: "imageTag" },
        imageScanStatus: { status: "status", description: "description" }
      })
      // "It validates the command inputs and returns a sample output JSON": nothing is sent.
      expect(requests).toEqual([])
    })
  })

  describe("ecr-scan's shorthand, JSON and --cli-input-json", () => {
    const { file, world } = worlds()
    const manifest = imageManifest(1)
    const digest = digestOf(manifest)
    const imageId = { imageDigest: digest, imageTag: "v1" }

    it.concurrent("shorthand, JSON, --cli-input-json inline and from file:// send the same request", async () => {
      const input = { repositoryName: "syntax/app", imageId }
      const path = await file("start-image-scan.json", JSON.stringify(input, null, 2))
      const variants = [
        ["--repository-name", "syntax/app", "--image-id", `imageDigest=${digest},imageTag=v1`],
        ["--repository-name", "syntax/app", "--image-id", JSON.stringify(imageId)],
        ["--cli-input-json", JSON.stringify(input)],
        ["--cli-input-json", `file://${path}`]
      ]
      // Each on an emulator of its own in the same state: the same request must get the same reply.
      const runs = await Promise.all(variants.map(async (args) => {
        const w = await world()
        await w.given("syntax/app", [manifest])
        return { w, finished: await w.ecrScan(["start-image-scan", ...args]) }
      }))
      for (const { finished, w } of runs) {
        expect(finished).toMatchObject({ code: 0, stderr: "" })
        expect(w.sent("StartImageScan")).toEqual([input])
        expect(w.log.matching((line) => line.startsWith("POST StartImageScan 200"))).toHaveLength(1)
        expect(finished.stdout).toBe(runs[0].finished.stdout)
      }
      expect(JSON.parse(runs[0].finished.stdout)).toEqual({
        registryId: ACCOUNT,
        repositoryName: "syntax/app",
        imageId,
        imageScanStatus: { status: "IN_PROGRESS" }
      })
    })

    it.concurrent("flags given on the command line override the members of --cli-input-json", async () => {
      const { ecrScan, given, sent } = await world()
      await given("syntax/override", [manifest, imageManifest(2)])
      const path = await file(
        "override.json",
        JSON.stringify({ registryId: ACCOUNT, repositoryName: "syntax/elsewhere", imageId: { imageTag: "v2" } })
      )
      const finished = await ecrScan([
        "start-image-scan",
        "--cli-input-json",
        `file://${path}`,
        "--repository-name",
        "syntax/override",
        "--image-id",
        "imageTag=v1"
      ])
      expect(finished).toMatchObject({ code: 0, stderr: "" })
      // The flag's structure replaces the JSON's whole: no imageTag v2 is left in it.
      expect(sent("StartImageScan")).toEqual([
        { registryId: ACCOUNT, repositoryName: "syntax/override", imageId: { imageTag: "v1" } }
      ])
      expect(JSON.parse(finished.stdout).imageId).toEqual(imageId)
    })
  })

  describeWith(awsCli(), "a member the operation does not have, beside the AWS CLI", () => {
    const { world } = worlds()

    it.concurrent("is refused before sending in each syntax with the AWS CLI's words, exit 252", async () => {
      const { aws, ecrScan, requests } = await world()
      const bogus = JSON.stringify({ imageTag: "v1", bogus: "1" })
      const [shorthand, json, input, theirs] = await Promise.all([
        ecrScan(["start-image-scan", "--repository-name", "syntax/bogus", "--image-id", "imageTag=v1,bogus=1"]),
        ecrScan(["start-image-scan", "--repository-name", "syntax/bogus", "--image-id", bogus]),
        ecrScan([
          "start-image-scan",
          "--cli-input-json",
          JSON.stringify({ repositoryName: "syntax/bogus", imageId: JSON.parse(bogus) })
        ]),
        aws(["start-image-scan", "--repository-name", "syntax/bogus", "--image-id", bogus])
      ])
      const message = "Parameter validation failed:\n" +
        "Unknown parameter in imageId: \"bogus\", must be one of: imageDigest, imageTag"
      for (const finished of [shorthand, json, input]) {
        expect(finished).toMatchObject({ code: 252, stdout: "" })
        expect(finished.stderr.trim()).toBe(message)
      }
      // CLI v1 ends every failure with 255; v2 documents 252 for this one.
      expect(theirs).toMatchObject({ code: 255, stdout: "" })
      expect(theirs.stderr.trim()).toBe(message)
      expect(requests).toEqual([])
    })
  })
})
