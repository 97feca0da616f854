/**
 * `ecr-scan gate` (run in-process) against the emulator: a passing and a blocked verdict, no findings to judge
 * (a FAILED scan, and the timeout while the scan is still in progress on the emulator's stopped virtual clock),
 * a usage error, the JSON report's shape and `--output-file`, a YAML ignore file (and its syntax error, 252), a
 * service error (254) and an endpoint that never answers (255).
 */
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { digestOf, imageManifest } from "../support/emulator.js"
import { freePort } from "../support/motoServer.js"
import { cliEnv, ecrScan, gate, linesOf, scannedWith, type World, worlds } from "./support.js"

const FINDINGS = [
  {
    name: "CVE-2026-0002",
    severity: "HIGH",
    uri: "https://example.com/CVE-2026-0002",
    attributes: [{ key: "package_name", value: "zlib" }, { key: "package_version", value: "1.2.11" }]
  },
  {
    name: "CVE-2026-0001",
    severity: "CRITICAL",
    attributes: [{ key: "package_name", value: "openssl" }, { key: "package_version", value: "3.0.1" }]
  },
  { name: "CVE-2026-0003", severity: "LOW", attributes: [{ key: "package_name", value: "bash" }] }
]

/** A completed scan of `<repositoryName>:v1` with this file's findings. */
const scanned = (world: World, repositoryName: string, n: number) => scannedWith(world, repositoryName, n, FINDINGS)

describe.concurrent("ecr-scan gate", () => {
  const { file, world } = worlds()

  it("exit 0: the findings at or above the threshold are ignored; the table on stdout", async () => {
    const w = await world()
    await scanned(w, "gate/pass", 51)
    const finished = await w.ecrScan(
      gate("gate/pass", "--fail-on", "HIGH", "--ignore", "CVE-2026-0001", "--ignore", "cve-2026-0002")
    )
    expect(finished.code).toBe(0)
    const lines = linesOf(finished.stdout)
    expect(lines[0]).toMatch(/^PASSED {2}gate\/pass:v1 \(sha256:/)
    expect(lines).toContain("CRITICAL           1        1         0")
    expect(lines).toContain("LOW                1        0         0")
    expect(finished.stdout).not.toContain("waiting")
    expect(finished.stderr).toContain("gate: waiting for the scan of gate/pass")
  })

  it("exit 1: blocking findings sorted by severity, then id, with package and version; unused ignores", async () => {
    const w = await world()
    await scanned(w, "gate/block", 52)
    const finished = await w.ecrScan(gate("gate/block", "--fail-on", "HIGH", "--ignore", "CVE-1999-0001"))
    expect(finished.code).toBe(1)
    const lines = linesOf(finished.stdout)
    expect(lines[0]).toMatch(/^BLOCKED {2}gate\/block:v1/)
    const blocking = lines.slice(lines.indexOf("Blocking findings:") + 1, lines.indexOf("Unused ignores:"))
    expect(blocking.map((l) => l.trim().split(/\s+/).slice(0, 4))).toEqual([
      ["CRITICAL", "CVE-2026-0001", "openssl", "3.0.1"],
      ["HIGH", "CVE-2026-0002", "zlib", "1.2.11"]
    ])
    expect(blocking[1]).toContain("https://example.com/CVE-2026-0002")
    expect(lines.at(-1)).toBe("  CVE-1999-0001")
  })

  it("--max: within the maximums passes; a bad --max is a usage error (252) before any call", async () => {
    const w = await world()
    await scanned(w, "gate/max", 53)
    const ok = await w.ecrScan(gate("gate/max", "--max", "CRITICAL=1,HIGH=1", "--output", "json"))
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).verdict).toBe("PASSED")
    const before = w.requests.length
    const bad = await w.ecrScan(gate("gate/max", "--max", "CRITICAL=lots"))
    expect(bad).toMatchObject({ code: 252, stdout: "" })
    expect(bad.stderr).toContain("Error parsing parameter '--max'")
    expect(w.requests.length).toBe(before)
  })

  it("--output json: one object with the verdict, the image, the scan, the counts and the lists", async () => {
    const w = await world()
    const digest = await scanned(w, "gate/json", 54)
    const ignoreFile = await file(
      "ignores.json",
      JSON.stringify([{ id: "CVE-2026-0003", reason: "shell only" }, { id: "CVE-2026-9999", until: "2025-06-01" }])
    )
    const finished = await w.ecrScan(gate("gate/json", "--output", "json", "--ignore-file", ignoreFile))
    expect(finished.code).toBe(1)
    const report = JSON.parse(finished.stdout)
    expect(report).toMatchObject({
      verdict: "BLOCKED",
      image: { repositoryName: "gate/json", imageDigest: digest, imageTags: ["v1"] },
      scan: { status: "COMPLETE" },
      counts: {
        found: { CRITICAL: 1, HIGH: 1, LOW: 1 },
        ignored: { LOW: 1 },
        blocking: { CRITICAL: 1, HIGH: 0 }
      },
      blocking: [{ id: "CVE-2026-0001", severity: "CRITICAL", package: "openssl", version: "3.0.1" }],
      ignored: [{ id: "CVE-2026-0003", severity: "LOW", package: "bash", entry: { id: "CVE-2026-0003" } }],
      expiredIgnores: [{ id: "CVE-2026-9999", until: "2025-06-01T00:00:00.000Z" }],
      unusedIgnores: []
    })
    expect(typeof report.scan.completedAt).toBe("string")
    expect(Object.keys(report.blocking[0])).not.toContain("fixedInVersion")
  })

  it("--output-file: the report goes to the file, the text summary to stdout", async () => {
    const w = await world()
    await scanned(w, "gate/file", 55)
    const path = await file("report.json", "")
    const finished = await w.ecrScan(gate("gate/file", "--output", "json", "--output-file", path))
    // The default threshold, CRITICAL, blocks: the report is written on exit 1 as well.
    expect(finished.code).toBe(1)
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ verdict: "BLOCKED" })
    expect(linesOf(finished.stdout)[0]).toMatch(/^BLOCKED {2}gate\/file:v1/)
    expect(finished.stdout).not.toContain("{")
  })

  it("exit 3: a FAILED scan, with NO_FINDINGS and the status in the JSON report", async () => {
    const w = await world()
    const manifest = imageManifest(56)
    await w.given("gate/failed", [manifest])
    await w.emulator.control("POST", "/outcome", {
      repositoryName: "gate/failed",
      imageDigest: digestOf(manifest),
      outcome: "FAILED"
    })
    await w.wire("StartImageScan", { repositoryName: "gate/failed", imageId: { imageTag: "v1" } })
    await w.emulator.advance("1 minute")
    const finished = await w.ecrScan(gate("gate/failed", "--output", "json"))
    expect(finished.code).toBe(3)
    expect(JSON.parse(finished.stdout)).toMatchObject({ verdict: "NO_FINDINGS", scan: { status: "FAILED" } })
    expect(finished.stderr).toContain("the scan failed")
  })

  it("exit 3: --no-start-scan on an image without a scan", async () => {
    const w = await world()
    await w.given("gate/noscan", [imageManifest(57)])
    const finished = await w.ecrScan(gate("gate/noscan", "--no-start-scan"))
    expect(finished.code).toBe(3)
    expect(w.sent("StartImageScan")).toEqual([])
    expect(finished.stdout).toContain("NO_FINDINGS")
  })

  it("exit 3: the timeout, while the scan the gate started waits on the emulator's stopped clock", async () => {
    const w = await world()
    await w.given("gate/slow", [imageManifest(58)])
    // The emulator's clock does not move: the scan stays IN_PROGRESS; the gate gives up after one second.
    const finished = await w.ecrScan(gate("gate/slow", "--timeout", "1s", "--output", "json"))
    expect(finished.code).toBe(3)
    expect(w.sent("StartImageScan")).toHaveLength(1)
    expect(JSON.parse(finished.stdout)).toMatchObject({ verdict: "NO_FINDINGS", scan: { status: "IN_PROGRESS" } })
    expect(finished.stderr).toContain("gave up waiting")
    // The progress, one line a read (not a terminal), on stderr alone.
    expect(linesOf(finished.stderr).filter((l) => l.startsWith("gate: scan of gate/slow")).length)
      .toBeGreaterThanOrEqual(2)
    expect(finished.stderr).toContain(": IN_PROGRESS (read 2)")
  })

  it("exit 0: a YAML ignore file, entries with until and reason, ignores the findings at the threshold", async () => {
    const w = await world()
    await scanned(w, "gate/yaml", 59)
    const ignoreFile = await file(
      "ignores.yaml",
      [
        "# Until the base image is rebuilt.",
        "- id: CVE-2026-0001",
        "  package: openssl",
        "  until: 2099-12-31",
        "  reason: not reachable from the service",
        "- id: CVE-2026-0002",
        "  reason: \"zlib: only inflate is used\""
      ].join("\n")
    )
    const finished = await w.ecrScan(
      gate("gate/yaml", "--fail-on", "HIGH", "--ignore-file", ignoreFile, "--output", "json")
    )
    expect(finished.code).toBe(0)
    const report = JSON.parse(finished.stdout)
    expect(report).toMatchObject({ verdict: "PASSED", counts: { ignored: { CRITICAL: 1, HIGH: 1 } } })
    expect(report.ignored.map((i: any) => i.entry).sort((a: any, b: any) => a.id.localeCompare(b.id))).toEqual([
      {
        id: "CVE-2026-0001",
        package: "openssl",
        until: "2099-12-31T00:00:00.000Z",
        reason: "not reachable from the service"
      },
      { id: "CVE-2026-0002", reason: "zlib: only inflate is used" }
    ])
  })

  it("exit 252: a YAML syntax error names the file and the line, before any call", async () => {
    const w = await world()
    const ignoreFile = await file("broken.yml", "- id: CVE-2026-0001\n  reason: [unclosed\n- id: CVE-2026-0002\n")
    const finished = await w.ecrScan(gate("gate/broken", "--ignore-file", ignoreFile))
    expect(finished).toMatchObject({ code: 252, stdout: "" })
    expect(finished.stderr).toContain(`Error parsing parameter '--ignore-file': Invalid YAML in ${ignoreFile}:`)
    expect(finished.stderr).toMatch(/at line \d+, column \d+/)
    expect(w.requests).toEqual([])
  })

  it("exit 252: a YAML ignore file is checked against the same schema as JSON", async () => {
    const w = await world()
    const ignoreFile = await file("unknown.yaml", "- id: CVE-2026-0001\n  expires: 2099-12-31\n")
    const finished = await w.ecrScan(gate("gate/schema", "--ignore-file", ignoreFile))
    expect(finished).toMatchObject({ code: 252, stdout: "" })
    expect(finished.stderr).toContain("Error parsing parameter '--ignore-file'")
    expect(finished.stderr).toContain("expires")
    expect(w.requests).toEqual([])
  })

  it("exit 254: a service error, a repository that does not exist", async () => {
    const w = await world()
    const finished = await w.ecrScan(gate("gate/missing"))
    expect(finished).toMatchObject({ code: 254, stdout: "" })
    expect(finished.stderr).toContain(
      "An error occurred (RepositoryNotFoundException) when calling the DescribeImageScanFindings operation"
    )
  })

  it("exit 254: a refused start names StartImageScan, the call that was refused", async () => {
    const w = await world()
    await w.given("gate/quota", [imageManifest(61)])
    await w.emulator.control("POST", "/faults", {
      operation: "StartImageScan",
      error: "LimitExceededException",
      message: "The scan quota per 24 hours has been exceeded."
    })
    const finished = await w.ecrScan(gate("gate/quota"))
    expect(finished).toMatchObject({ code: 254, stdout: "" })
    expect(finished.stderr).toContain(
      "An error occurred (LimitExceededException) when calling the StartImageScan operation: " +
        "The scan quota per 24 hours has been exceeded."
    )
    expect(w.requests.map((r) => r.operation)).toEqual(["DescribeImageScanFindings", "StartImageScan"])
  })

  it("exit 255: an endpoint that never answers (a closed loopback port), after one attempt", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`
    const finished = await ecrScan([...gate("gate/nowhere"), "--endpoint-url", endpoint], {
      env: cliEnv({ AWS_MAX_ATTEMPTS: "1" })
    })
    expect(finished).toMatchObject({ code: 255, stdout: "" })
    expect(finished.stderr).toContain(`Could not connect to the endpoint URL: "${endpoint}"`)
  })
})
