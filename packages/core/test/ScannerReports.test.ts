import { ScanModel, ScannerReports } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const fixture = (name: string): unknown =>
  JSON.parse(Fs.readFileSync(Path.join(Path.dirname(fileURLToPath(import.meta.url)), "fixtures", name), "utf8"))

const trivy = fixture("trivy-report.json")
const grype = fixture("grype-report.json")

const right = <A>(either: Either.Either<A, string>): A => {
  if (Either.isLeft(either)) throw new Error(either.left)
  return either.right
}

const left = <A>(either: Either.Either<A, string>): string => {
  if (Either.isRight(either)) throw new Error(`expected a failure, got ${JSON.stringify(either.right)}`)
  return either.left
}

const attributes = (finding: ScanModel.ImageScanFinding) =>
  Object.fromEntries((finding.attributes ?? []).map((a) => [a.key, a.value]))

const byName = (findings: ReadonlyArray<ScanModel.ImageScanFinding>, name: string) => {
  const found = findings.find((f) => f.name === name)
  if (found === undefined) throw new Error(`no finding ${name}`)
  return found
}

const isValidFindings = Schema.is(Schema.Array(ScanModel.ImageScanFinding))

describe("ScannerReports.fromTrivy", () => {
  const findings = right(ScannerReports.decodeTrivy(trivy))

  it("makes one finding per vulnerability of every result, in the report's order", () => {
    expect(findings.map((f) => f.name)).toEqual([
      "CVE-2024-2511",
      "CVE-2023-5363",
      "CVE-2023-42363",
      "CVE-2021-44906",
      "CVE-2022-25883"
    ])
  })

  it("maps UNKNOWN to UNDEFINED and keeps the other severities", () => {
    expect(findings.map((f) => f.severity)).toEqual(["UNDEFINED", "HIGH", "MEDIUM", "CRITICAL", "LOW"])
  })

  it("carries the primary URL, the description and the package as ECR's basic scanning does", () => {
    const finding = byName(findings, "CVE-2023-5363")
    expect(finding.uri).toBe("https://avd.aquasec.com/nvd/cve-2023-5363")
    expect(finding.description).toMatch(/^Issue summary: A bug has been identified/)
    expect(finding.attributes).toEqual([
      { key: "package_name", value: "libcrypto3" },
      { key: "package_version", value: "3.1.4-r5" },
      { key: "CVSS3_SCORE", value: "7.5" },
      { key: "CVSS3_VECTOR", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" },
      { key: "fixed_in_version", value: "3.1.4-r6, 3.2.0-r0" }
    ])
  })

  it("takes the scores of the severity's source first, and CVSS v2 scores when the report has them", () => {
    const minimist = attributes(byName(findings, "CVE-2021-44906"))
    expect(minimist.CVSS3_SCORE).toBe("9.8")
    expect(minimist.CVSS2_SCORE).toBe("7.5")
    expect(minimist.CVSS2_VECTOR).toBe("AV:N/AC:L/Au:N/C:P/I:P/A:P")
    expect(attributes(byName(findings, "CVE-2022-25883")).CVSS3_SCORE).toBe("7.5")
  })

  it("leaves out the fixed-in version of an unfixed vulnerability and the score of an unscored one", () => {
    expect(attributes(byName(findings, "CVE-2023-42363"))).toEqual({
      package_name: "busybox",
      package_version: "1.36.1-r15",
      CVSS3_SCORE: "5.5",
      CVSS3_VECTOR: "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"
    })
    expect(attributes(byName(findings, "CVE-2024-2511"))).toEqual({
      package_name: "libssl3",
      package_version: "3.1.4-r5",
      fixed_in_version: "3.1.4-r6"
    })
  })

  it("makes findings the ECR finding schema accepts", () => {
    expect(isValidFindings(findings)).toBe(true)
  })

  it("makes no findings from a report without Results (Trivy's report of a clean image)", () => {
    expect(right(ScannerReports.decodeReport({ SchemaVersion: 2, ArtifactName: "clean:1" }))).toEqual([])
  })
})

describe("ScannerReports.fromGrype", () => {
  const findings = right(ScannerReports.decodeGrype(grype))

  it("makes one finding per match, in the report's order", () => {
    expect(findings.map((f) => f.name)).toEqual([
      "CVE-2023-45853",
      "CVE-2024-2961",
      "GHSA-952p-6rrq-rcjv",
      "CVE-2024-26461",
      "CVE-2023-4911",
      "CVE-2022-3715"
    ])
  })

  it("maps Negligible to INFORMATIONAL, Unknown to UNDEFINED and upper-cases the others", () => {
    expect(findings.map((f) => f.severity)).toEqual(["INFORMATIONAL", "HIGH", "MEDIUM", "UNDEFINED", "CRITICAL", "LOW"])
  })

  it("carries the data source as URI, the artifact as package and the first fix version", () => {
    const finding = byName(findings, "CVE-2023-4911")
    expect(finding.uri).toBe("https://security-tracker.debian.org/tracker/CVE-2023-4911")
    expect(finding.attributes).toEqual([
      { key: "package_name", value: "libc6" },
      { key: "package_version", value: "2.36-9+deb12u2" },
      { key: "CVSS3_SCORE", value: "7.8" },
      { key: "CVSS3_VECTOR", value: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H" },
      { key: "fixed_in_version", value: "2.36-9+deb12u3" }
    ])
  })

  it("borrows the description and the scores of a related vulnerability when the match has none", () => {
    const zlib = byName(findings, "CVE-2023-45853")
    expect(zlib.description).toMatch(/^MiniZip in zlib through 1.3/)
    expect(attributes(zlib)).toEqual({
      package_name: "zlib1g",
      package_version: "1:1.2.13.dfsg-1",
      CVSS3_SCORE: "9.8",
      CVSS3_VECTOR: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    })
  })

  it("reports CVSS v2 scores as CVSS2 attributes and no fixed-in version for a not-fixed match", () => {
    expect(attributes(byName(findings, "CVE-2022-3715"))).toEqual({
      package_name: "bash",
      package_version: "5.2.15-2+b2",
      CVSS2_SCORE: "4.6",
      CVSS2_VECTOR: "AV:L/AC:L/Au:N/C:P/I:P/A:P"
    })
  })

  it("makes findings the ECR finding schema accepts", () => {
    expect(isValidFindings(findings)).toBe(true)
  })
})

describe("ScannerReports.decodeReport", () => {
  it("recognizes a Trivy report, a Grype report and an array of ECR findings", () => {
    expect(right(ScannerReports.decodeReport(trivy))).toHaveLength(5)
    expect(right(ScannerReports.decodeReport(grype))).toHaveLength(6)
    const ecr = [{ name: "CVE-2099-10001", severity: "HIGH", attributes: [{ key: "package_name", value: "zlib" }] }]
    expect(right(ScannerReports.decodeReport(ecr))).toEqual(ecr)
  })

  it("ignores members it does not read and accepts reports missing optional members", () => {
    const minimal = { matches: [{ vulnerability: { id: "CVE-2024-0001" }, artifact: {} }] }
    expect(right(ScannerReports.decodeReport(minimal))).toEqual([
      { name: "CVE-2024-0001", severity: "UNDEFINED", attributes: [] }
    ])
  })

  it("refuses a Trivy report of another SchemaVersion, saying which format it recognized", () => {
    expect(left(ScannerReports.decodeReport({ SchemaVersion: 1, Results: [] }))).toMatch(
      /^Not a Trivy JSON report \(SchemaVersion 2\):\n/
    )
  })

  it("refuses a Trivy report from before SchemaVersion 2, a bare array of results", () => {
    expect(left(ScannerReports.decodeReport([{ Target: "app (alpine 3.7.1)", Vulnerabilities: [] }]))).toMatch(
      /from before SchemaVersion 2/
    )
  })

  it("refuses a Grype match without a vulnerability id", () => {
    expect(left(ScannerReports.decodeReport({ matches: [{ vulnerability: {}, artifact: {} }] }))).toMatch(
      /^Not a Grype JSON report:\n[\s\S]*id/
    )
  })

  it("refuses anything else, naming what it accepts", () => {
    for (const json of [null, "report", 42, { findings: [] }]) {
      expect(left(ScannerReports.decodeReport(json))).toBe(
        "Not a scanner report: expected a Trivy JSON report (SchemaVersion 2, Results), a Grype JSON report " +
          "(matches) or an array of ECR findings ({ name, severity, uri, description, attributes })"
      )
    }
  })

  it("refuses an array of findings the ECR finding schema does not accept", () => {
    expect(left(ScannerReports.decodeReport([{ name: "CVE-1", severity: "SEVERE" }]))).toMatch(
      /^Not an array of ECR findings:\n/
    )
  })
})
