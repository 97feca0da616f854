import { ScannerReports } from "@ecr-scan/core"
import { SyntheticFindings } from "@ecr-scan/memory-backend"
import { describe, expect, it } from "@effect/vitest"

const context: SyntheticFindings.EnhancedFindingContext = {
  accountId: "123456789012",
  region: "eu-west-1",
  repositoryName: "shop/api",
  imageDigest: "sha256:8f2a6c1d3e4b5a69788766554433221100ffeeddccbbaa998877665544332211",
  pushedAt: new Date("2026-03-01T12:00:00Z"),
  observedAt: new Date("2026-03-01T12:00:07Z")
}

const report = (FixedVersion?: string) => ({
  SchemaVersion: 2 as const,
  Results: [{
    Vulnerabilities: [{
      VulnerabilityID: "CVE-2023-5363",
      PkgName: "libcrypto3",
      InstalledVersion: "3.1.4-r5",
      Severity: "HIGH",
      CVSS: { nvd: { V3Score: 7.5 } },
      ...(FixedVersion === undefined ? {} : { FixedVersion })
    }]
  }]
})

describe("SyntheticFindings.enhancedFinding", () => {
  it("gives the vulnerable package the fixed-in version of a finding made from a scanner's report", () => {
    const [finding] = ScannerReports.fromTrivy(report("3.1.4-r6"))
    const enhanced = SyntheticFindings.enhancedFinding(finding, context)
    expect(enhanced.packageVulnerabilityDetails.vulnerablePackages).toEqual([
      { name: "libcrypto3", version: "3.1.4-r5", fixedInVersion: "3.1.4-r6" }
    ])
    expect(enhanced.score).toBe(7.5)
    expect(enhanced.severity).toBe("HIGH")
  })

  it("leaves fixedInVersion out when the finding has no fixed_in_version attribute", () => {
    const [finding] = ScannerReports.fromTrivy(report())
    const [pkg] = SyntheticFindings.enhancedFinding(finding, context).packageVulnerabilityDetails.vulnerablePackages
    expect(Object.keys(pkg)).toEqual(["name", "version"])
  })
})
