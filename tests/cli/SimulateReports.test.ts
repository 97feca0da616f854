/**
 * `simulate` with a scanner's report in a findings step: `{ "findings": { "image", "trivy" } }` (or
 * `"grype"`) sets the report's findings, and a report of the wrong format is a clear usage error.
 */
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { ecrScan, expectNoTrace, linesOf, worlds } from "./support.js"

const report = async (name: string): Promise<unknown> =>
  JSON.parse(
    await readFile(fileURLToPath(new URL(`../../packages/core/test/fixtures/${name}`, import.meta.url)), "utf8")
  )

const scenario = (findings: Record<string, unknown>) =>
  JSON.stringify({
    seed: "reports",
    start: "2026-01-01T00:00:00Z",
    scanDuration: "30s",
    steps: [
      { createRepository: { name: "shop/api" } },
      { push: { repository: "shop/api", image: "api-1", tag: "v1" } },
      { findings: { image: "api-1", ...findings } },
      { scan: { repository: "shop/api", tag: "v1" } },
      { advance: "1m" },
      { describe: { repository: "shop/api", tag: "v1" } }
    ]
  })

describe.concurrent("simulate with a scanner's report", () => {
  const { file } = worlds()

  it("sets the findings of a Trivy report, and of a Grype report, for the image", async () => {
    const trivy = await file("trivy-scenario.json", scenario({ trivy: await report("trivy-report.json") }))
    const grype = await file("grype-scenario.json", scenario({ grype: await report("grype-report.json") }))
    const [fromTrivy, fromGrype] = await Promise.all([ecrScan(["simulate", trivy]), ecrScan(["simulate", grype])])
    expect(fromTrivy).toMatchObject({ code: 0, stderr: "" })
    expect(fromTrivy.stdout).toContain("set 5 findings of api-1")
    expect(fromTrivy.stdout).toContain("{\"UNDEFINED\":1,\"HIGH\":1,\"MEDIUM\":1,\"CRITICAL\":1,\"LOW\":1}")
    expect(fromGrype).toMatchObject({ code: 0, stderr: "" })
    expect(fromGrype.stdout).toContain("set 6 findings of api-1")
    expect(fromGrype.stdout).toContain("INFORMATIONAL")
  })

  it("refuses a report of the wrong format with a clear message, exit 252", async () => {
    const wrong = await file("wrong-report.json", scenario({ trivy: { matches: [] } }))
    const finished = await ecrScan(["simulate", wrong])
    expect(finished).toMatchObject({ code: 252, stdout: "" })
    expect(linesOf(finished.stderr)[0]).toBe(
      "ecr-scan: error: scenario: findings of api-1: Not a Trivy JSON report (SchemaVersion 2):"
    )
    expectNoTrace(finished.stderr)
  })
})
