/**
 * ecr-scan (run in-process) when it is used wrongly, on the memory backend, without a region, and `simulate`:
 * clear messages on stderr with the AWS CLI v2's exit codes (252 usage, 253 configuration, 254
 * service), never a stack trace.
 */
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { ecrScan, expectNoTrace, json, linesOf, noRegion, SCENARIO, worlds } from "./support.js"

const README = fileURLToPath(new URL("../../README.md", import.meta.url))

describe.concurrent("ecr-scan used wrongly, and its other faces", () => {
  const { file, world } = worlds()

  const usageErrors: ReadonlyArray<readonly [string, ReadonlyArray<string>, string]> = [
    [
      "an unknown flag",
      ["start-image-scan", "--repository-name", "u/app", "--image-id", "imageTag=v1", "--bogus", "x"],
      "Received unknown argument: '--bogus'"
    ],
    [
      "malformed shorthand",
      ["start-image-scan", "--repository-name", "u/app", "--image-id", "imageDigest"],
      "Error parsing parameter '--image-id': Expected: '=', received: 'EOF' for input:\nimageDigest\n           ^"
    ],
    [
      "invalid JSON",
      ["start-image-scan", "--repository-name", "u/app", "--image-id", "{\"imageDigest\": 1"],
      "Error parsing parameter '--image-id': Invalid JSON: "
    ],
    [
      "a missing required option",
      ["start-image-scan", "--repository-name", "u/app"],
      "ecr-scan: error: the following arguments are required: --image-id"
    ],
    [
      "an unknown command",
      ["start-imag-scan", "--repository-name", "u/app", "--image-id", "imageTag=v1"],
      "Invalid subcommand for ecr-scan - use one of 'start-image-scan', 'describe-image-scan-findings'"
    ]
  ]

  for (const [what, args, message] of usageErrors) {
    it(`${what}: a clear message, exit 252, no stack trace, nothing sent`, async () => {
      const w = await world()
      const finished = await w.ecrScan(args)
      expect(finished).toMatchObject({ code: 252, stdout: "" })
      expect(finished.stderr).toContain(message)
      expect(linesOf(finished.stderr).length).toBeLessThanOrEqual(4)
      expectNoTrace(finished.stderr)
      expect(w.requests).toEqual([])
    })
  }

  it("--help: the commands, exit 0", async () => {
    const help = await ecrScan(["--help"])
    expect(help).toMatchObject({ code: 0, stderr: "" })
    for (
      const command of ["start-image-scan", "describe-image-scan-findings", "wait image-scan-complete", "simulate"]
    ) {
      expect(help.stdout).toContain(command)
    }
  })

  it("--backend memory: a registry that lives as long as the command, no region needed", async () => {
    const created = await ecrScan(["create-repository", "--repository-name", "u/mem", "--backend", "memory"], {
      env: noRegion()
    })
    expect(json(created).repository).toMatchObject({
      repositoryName: "u/mem",
      imageScanningConfiguration: { scanOnPush: false }
    })
    // The next run has a registry of its own: the repository is not there.
    const missing = await ecrScan(
      ["start-image-scan", "--repository-name", "u/mem", "--image-id", "imageTag=v1", "--backend", "memory"],
      { env: noRegion() }
    )
    expect(missing).toMatchObject({ code: 254, stdout: "" })
    expect(linesOf(missing.stderr)).toEqual([
      "An error occurred (RepositoryNotFoundException) when calling the StartImageScan operation: " +
      "The repository with name 'u/mem' does not exist in the registry with id '123456789012'"
    ])
  })

  it("the aws backend with no region and no endpoint: exit 253, saying so", async () => {
    const finished = await ecrScan(["start-image-scan", "--repository-name", "u/app", "--image-id", "imageTag=v1"], {
      env: noRegion()
    })
    expect(finished).toMatchObject({ code: 253, stdout: "" })
    expect(linesOf(finished.stderr)).toEqual([
      "You must specify a region. You can also configure your region with AWS_REGION or --region."
    ])
  })

  it("simulate: the same scenario prints the same bytes; another seed prints others", async () => {
    const [first, second, other] = await Promise.all([
      ecrScan(["simulate", SCENARIO]),
      ecrScan(["simulate", SCENARIO]),
      ecrScan(["simulate", SCENARIO, "--seed", "other"])
    ])
    for (const finished of [first, second, other]) expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(second.stdout).toBe(first.stdout)
    expect(first.stdout).toContain("summary after 027:02:00 (seed demo)")
    expect(first.stdout).toContain("start-image-scan shop/api:v1 -> LimitExceededException (per image)")
    expect(other.stdout).not.toBe(first.stdout)
    expect(other.stdout).toContain("(seed other)")
    // The README shows this run: it must stay what the bin prints.
    const readme = await readFile(README, "utf8")
    const shown = readme.split("$ ecr-scan simulate packages/cli/examples/scenario.json\n")[1]?.split("```")[0]
    expect(shown).toBe(first.stdout)
  })

  it("simulate a malformed scenario (bad JSON, an unknown step): a clear message, exit 252", async () => {
    const badJson = await file("bad.json", "{\"steps\": [")
    const unknownStep = await file(
      "unknown-step.json",
      JSON.stringify({ steps: [{ createRepository: { name: "a/b" } }, { explode: { repository: "a/b" } }] })
    )
    const [notJson, notAStep] = await Promise.all([
      ecrScan(["simulate", badJson]),
      ecrScan(["simulate", unknownStep])
    ])
    expect(notJson).toMatchObject({ code: 252, stdout: "" })
    expect(linesOf(notJson.stderr)).toEqual([expect.stringMatching(/is not valid JSON: \S/)])
    expect(notJson.stderr).toContain(`ecr-scan: error: scenario ${badJson} is not valid JSON: `)
    expect(notAStep).toMatchObject({ code: 252, stdout: "" })
    expect(linesOf(notAStep.stderr)).toEqual([
      `ecr-scan: error: scenario ${unknownStep} is not a valid scenario: steps[1]: unknown step "explode"; ` +
      "a step is one of: createRepository, push, scan, describe, archive, restore, advance, fault, outcome, " +
      "findings, registryScanning, expectEvent, repeat"
    ])
    expectNoTrace(notJson.stderr + notAStep.stderr)
  })
})
