import { ScanModel, ScanPolicy } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"

const now = Date.UTC(2026, 2, 1, 12)

const finding = (
  id: string,
  severity: ScanPolicy.Severity,
  more: Partial<Omit<ScanPolicy.Finding, "id" | "severity">> = {}
): ScanPolicy.Finding => ({ id, severity, kind: "basic", ...more })

const many = (n: number, severity: ScanPolicy.Severity, prefix = severity) =>
  Array.from({ length: n }, (_, i) => finding(`CVE-${prefix}-${i}`, severity))

const decodePolicy = Schema.decodeUnknownSync(ScanPolicy.ScanPolicy)

describe("ScanPolicy", () => {
  describe("severity order", () => {
    it("ranks CRITICAL > HIGH > MEDIUM > LOW > INFORMATIONAL > UNDEFINED", () => {
      const ranks = ScanPolicy.SEVERITIES_DESCENDING.map(ScanPolicy.rank)
      expect(ranks).toEqual([5, 4, 3, 2, 1, 0])
      expect([...ScanModel.FINDING_SEVERITIES].sort(ScanPolicy.SeverityOrder)).toEqual(
        [...ScanPolicy.SEVERITIES_DESCENDING].reverse()
      )
    })

    it("failOn INFORMATIONAL blocks every finding with a severity but not an UNDEFINED one", () => {
      const verdict = ScanPolicy.evaluate(
        { failOn: "INFORMATIONAL" },
        [finding("CVE-1", "INFORMATIONAL"), finding("CVE-2", "UNDEFINED")],
        now
      )
      expect(verdict.blocking.map((f) => f.id)).toEqual(["CVE-1"])
      expect(verdict.counts.blocking.UNDEFINED).toBe(0)
    })

    it("failOn UNDEFINED blocks every finding, UNDEFINED included", () => {
      const findings = ScanModel.FINDING_SEVERITIES.map((severity) => finding(`CVE-${severity}`, severity))
      const verdict = ScanPolicy.evaluate({ failOn: "UNDEFINED" }, findings, now)
      expect(verdict.blocking).toHaveLength(6)
      expect(verdict.reasons).toContain("1 UNDEFINED finding at or above UNDEFINED")
    })
  })

  describe("threshold", () => {
    it("blocks findings at or above failOn and tolerates those below", () => {
      const verdict = ScanPolicy.evaluate(
        { failOn: "HIGH" },
        [...many(2, "CRITICAL"), finding("CVE-H", "HIGH"), ...many(3, "MEDIUM")],
        now
      )
      expect(verdict.verdict).toBe("BLOCKED")
      expect(verdict.reasons).toEqual(["2 CRITICAL findings at or above HIGH", "1 HIGH finding at or above HIGH"])
      expect(verdict.counts.blocking).toEqual({
        CRITICAL: 2,
        HIGH: 1,
        MEDIUM: 0,
        LOW: 0,
        INFORMATIONAL: 0,
        UNDEFINED: 0
      })
      expect(verdict.counts.found.MEDIUM).toBe(3)
    })

    it("passes when nothing reaches failOn", () => {
      const verdict = ScanPolicy.evaluate({ failOn: "CRITICAL" }, many(4, "HIGH"), now)
      expect(verdict.verdict).toBe("PASSED")
      expect(verdict.reasons).toEqual([])
      expect(verdict.blocking).toEqual([])
    })

    it("a policy with neither failOn nor maxCounts fails on CRITICAL only", () => {
      expect(ScanPolicy.evaluate({}, many(3, "HIGH"), now).verdict).toBe("PASSED")
      expect(ScanPolicy.evaluate({}, many(1, "CRITICAL"), now).reasons).toEqual([
        "1 CRITICAL finding at or above CRITICAL"
      ])
    })

    it("no findings pass any policy, with every count zero", () => {
      const verdict = ScanPolicy.evaluate({ failOn: "UNDEFINED" }, [], now)
      expect(verdict.verdict).toBe("PASSED")
      expect(verdict.counts.found).toEqual(ScanPolicy.zeroCounts())
    })

    it("sorts blocking findings by severity, most severe first, then by id", () => {
      const verdict = ScanPolicy.evaluate(
        { failOn: "LOW" },
        [finding("CVE-B", "LOW"), finding("CVE-Z", "CRITICAL"), finding("CVE-A", "LOW"), finding("CVE-M", "HIGH")],
        now
      )
      expect(verdict.blocking.map((f) => f.id)).toEqual(["CVE-Z", "CVE-M", "CVE-A", "CVE-B"])
    })
  })

  describe("maximum counts", () => {
    it("allows up to the maximum and blocks every finding of the severity past it", () => {
      expect(ScanPolicy.evaluate({ maxCounts: { HIGH: 5 } }, many(5, "HIGH"), now).verdict).toBe("PASSED")
      const verdict = ScanPolicy.evaluate({ maxCounts: { HIGH: 5 } }, many(6, "HIGH"), now)
      expect(verdict.verdict).toBe("BLOCKED")
      expect(verdict.reasons).toEqual(["HIGH: 6 over the maximum 5"])
      expect(verdict.blocking).toHaveLength(6)
    })

    it("maxima alone leave the other severities unlimited, CRITICAL included", () => {
      const verdict = ScanPolicy.evaluate({ maxCounts: { HIGH: 0 } }, many(9, "CRITICAL"), now)
      expect(verdict.verdict).toBe("PASSED")
    })

    it("an empty maxCounts passes everything", () => {
      expect(ScanPolicy.evaluate({ maxCounts: {} }, many(3, "CRITICAL"), now).verdict).toBe("PASSED")
    })

    it("with both, a maximum replaces the threshold's zero for its severity; the threshold holds elsewhere", () => {
      const policy: ScanPolicy.ScanPolicy = { failOn: "HIGH", maxCounts: { HIGH: 2 } }
      expect(ScanPolicy.evaluate(policy, many(2, "HIGH"), now).verdict).toBe("PASSED")
      expect(ScanPolicy.evaluate(policy, many(3, "HIGH"), now).reasons).toEqual(["HIGH: 3 over the maximum 2"])
      expect(ScanPolicy.evaluate(policy, [...many(1, "CRITICAL"), ...many(1, "HIGH")], now).reasons).toEqual([
        "1 CRITICAL finding at or above HIGH"
      ])
    })

    it("with both, a maximum below the threshold adds to it", () => {
      const policy: ScanPolicy.ScanPolicy = { failOn: "HIGH", maxCounts: { LOW: 1 } }
      const verdict = ScanPolicy.evaluate(policy, [...many(2, "LOW"), ...many(1, "CRITICAL")], now)
      expect(verdict.reasons).toEqual(["1 CRITICAL finding at or above HIGH", "LOW: 2 over the maximum 1"])
      expect(verdict.counts.blocking.LOW).toBe(2)
    })
  })

  describe("ignores", () => {
    it("an entry ignores the findings with its id, whatever the case, and says which entry did", () => {
      const entry: ScanPolicy.IgnoreEntry = { id: "cve-2024-0001", reason: "not reachable" }
      const verdict = ScanPolicy.evaluate(
        { failOn: "HIGH", ignore: [entry] },
        [finding("CVE-2024-0001", "CRITICAL"), finding("CVE-2024-0002", "MEDIUM")],
        now
      )
      expect(verdict.verdict).toBe("PASSED")
      expect(verdict.ignored).toEqual([{ finding: finding("CVE-2024-0001", "CRITICAL"), entry }])
      expect(verdict.counts.ignored.CRITICAL).toBe(1)
      expect(verdict.counts.found.CRITICAL).toBe(1)
      expect(verdict.appliedIgnores).toEqual([entry])
      expect(verdict.unusedIgnores).toEqual([])
    })

    it("an entry with a package ignores the finding in that package only", () => {
      const entry: ScanPolicy.IgnoreEntry = { id: "CVE-1", package: "openssl" }
      const verdict = ScanPolicy.evaluate(
        { failOn: "HIGH", ignore: [entry] },
        [finding("CVE-1", "HIGH", { package: "openssl" }), finding("CVE-1", "HIGH", { package: "libssl" })],
        now
      )
      expect(verdict.ignored.map((i) => i.finding.package)).toEqual(["openssl"])
      expect(verdict.blocking.map((f) => f.package)).toEqual(["libssl"])
      expect(verdict.reasons).toEqual(["1 HIGH finding at or above HIGH"])
    })

    it("an entry with a package does not ignore a finding that names no package", () => {
      const verdict = ScanPolicy.evaluate(
        { failOn: "HIGH", ignore: [{ id: "CVE-1", package: "openssl" }] },
        [finding("CVE-1", "HIGH")],
        now
      )
      expect(verdict.verdict).toBe("BLOCKED")
      expect(verdict.unusedIgnores).toHaveLength(1)
    })

    it("an entry ignores until the instant before its until; from then on it is expired and the finding blocks", () => {
      const until = new Date(now)
      const entry: ScanPolicy.IgnoreEntry = { id: "CVE-1", until, reason: "fix due" }
      const policy: ScanPolicy.ScanPolicy = { failOn: "HIGH", ignore: [entry] }
      const findings = [finding("CVE-1", "CRITICAL")]

      const before = ScanPolicy.evaluate(policy, findings, now - 1)
      expect(before.verdict).toBe("PASSED")
      expect(before.appliedIgnores).toEqual([entry])
      expect(before.expiredIgnores).toEqual([])

      for (const at of [now, new Date(now), now + 86_400_000]) {
        const after = ScanPolicy.evaluate(policy, findings, at)
        expect(after.verdict).toBe("BLOCKED")
        expect(after.reasons).toEqual(["1 CRITICAL finding at or above HIGH"])
        expect(after.expiredIgnores).toEqual([entry])
        expect(after.appliedIgnores).toEqual([])
        expect(after.unusedIgnores).toEqual([])
        expect(after.ignored).toEqual([])
      }
    })

    it("an unused entry is reported and, by default, does not block", () => {
      const entry: ScanPolicy.IgnoreEntry = { id: "CVE-GONE" }
      const verdict = ScanPolicy.evaluate({ failOn: "HIGH", ignore: [entry] }, many(1, "LOW"), now)
      expect(verdict.verdict).toBe("PASSED")
      expect(verdict.unusedIgnores).toEqual([entry])
    })

    it("with errorOnUnusedIgnores an unused entry blocks and says so", () => {
      const verdict = ScanPolicy.evaluate(
        {
          failOn: "HIGH",
          errorOnUnusedIgnores: true,
          ignore: [{ id: "CVE-GONE" }, { id: "CVE-OLD", package: "zlib" }, { id: "CVE-USED" }]
        },
        [finding("CVE-USED", "LOW")],
        now
      )
      expect(verdict.verdict).toBe("BLOCKED")
      expect(verdict.blocking).toEqual([])
      expect(verdict.reasons).toEqual([
        "unused ignore CVE-GONE (errorOnUnusedIgnores)",
        "unused ignore CVE-OLD in zlib (errorOnUnusedIgnores)"
      ])
    })

    it("an expired entry that matches nothing is expired, not unused, so errorOnUnusedIgnores passes it", () => {
      const entry: ScanPolicy.IgnoreEntry = { id: "CVE-GONE", until: new Date(now - 1) }
      const verdict = ScanPolicy.evaluate({ ignore: [entry], errorOnUnusedIgnores: true }, [], now)
      expect(verdict.verdict).toBe("PASSED")
      expect(verdict.expiredIgnores).toEqual([entry])
      expect(verdict.unusedIgnores).toEqual([])
    })

    it("two entries matching one finding are both applied; the first is the one recorded", () => {
      const first: ScanPolicy.IgnoreEntry = { id: "CVE-1" }
      const second: ScanPolicy.IgnoreEntry = { id: "CVE-1", package: "zlib" }
      const verdict = ScanPolicy.evaluate(
        { ignore: [first, second], errorOnUnusedIgnores: true },
        [finding("CVE-1", "CRITICAL", { package: "zlib" })],
        now
      )
      expect(verdict.verdict).toBe("PASSED")
      expect(verdict.ignored.map((i) => i.entry)).toEqual([first])
      expect(verdict.appliedIgnores).toEqual([first, second])
    })
  })

  describe("findingsOf", () => {
    it("normalizes a basic finding: package and version from attributes, CVSS3 score over CVSS2, uri", () => {
      const findings = ScanPolicy.findingsOf({
        findings: [{
          name: "CVE-2019-5188",
          uri: "https://security-tracker.debian.org/tracker/CVE-2019-5188",
          severity: "MEDIUM",
          attributes: [
            { key: "package_version", value: "1.44.5-1+deb10u2" },
            { key: "package_name", value: "e2fsprogs" },
            { key: "CVSS2_SCORE", value: "4.6" },
            { key: "CVSS3_SCORE", value: "6.7" }
          ]
        }, { name: "CVE-2020-1", attributes: [{ key: "CVSS2_SCORE", value: "5" }] }]
      })
      expect(findings).toEqual([
        {
          id: "CVE-2019-5188",
          severity: "MEDIUM",
          package: "e2fsprogs",
          version: "1.44.5-1+deb10u2",
          uri: "https://security-tracker.debian.org/tracker/CVE-2019-5188",
          score: 6.7,
          kind: "basic"
        },
        { id: "CVE-2020-1", severity: "UNDEFINED", score: 5, kind: "basic" }
      ])
    })

    it("normalizes an enhanced finding: first vulnerable package, fixed-in version, score, source URL, ARN", () => {
      const arn = "arn:aws:inspector2:us-east-1:123456789012:finding/abc"
      const findings = ScanPolicy.findingsOf({
        findings: [],
        enhancedFindings: [{
          findingArn: arn,
          severity: "HIGH",
          score: 7.5,
          packageVulnerabilityDetails: {
            vulnerabilityId: "CVE-2023-0286",
            sourceUrl: "https://nvd.nist.gov/vuln/detail/CVE-2023-0286",
            referenceUrls: ["https://example.com/advisory"],
            vulnerablePackages: [
              { name: "openssl", version: "3.0.7", fixedInVersion: "3.0.8" },
              { name: "libssl3", version: "3.0.7" }
            ]
          }
        }]
      })
      expect(findings).toEqual([{
        id: "CVE-2023-0286",
        severity: "HIGH",
        package: "openssl",
        version: "3.0.7",
        fixedInVersion: "3.0.8",
        uri: "https://nvd.nist.gov/vuln/detail/CVE-2023-0286",
        score: 7.5,
        arn,
        kind: "enhanced"
      }])
    })

    it("an enhanced severity outside ECR's six (UNTRIAGED) is UNDEFINED; the score falls back to CVSS's", () => {
      const [f] = ScanPolicy.findingsOf({
        enhancedFindings: [{
          severity: "UNTRIAGED",
          scoreDetails: { cvss: { score: 3.1 } },
          packageVulnerabilityDetails: { vulnerabilityId: "GHSA-xxxx", referenceUrls: ["https://example.com/a"] }
        }]
      })
      expect(f).toEqual({
        id: "GHSA-xxxx",
        severity: "UNDEFINED",
        uri: "https://example.com/a",
        score: 3.1,
        kind: "enhanced"
      })
    })

    it("reads every page, basic findings then enhanced ones per page, and takes no findings from an empty scan", () => {
      const pages: ReadonlyArray<ScanModel.ImageScanFindings | undefined> = [
        {
          findings: [{ name: "A", severity: "LOW" }],
          enhancedFindings: [{ packageVulnerabilityDetails: { vulnerabilityId: "B" } }]
        },
        undefined,
        { findings: [] },
        { findings: [{ name: "C", severity: "HIGH" }] }
      ]
      expect(ScanPolicy.findingsOf(pages).map((f) => [f.id, f.kind])).toEqual([
        ["A", "basic"],
        ["B", "enhanced"],
        ["C", "basic"]
      ])
      expect(ScanPolicy.findingsOf(undefined)).toEqual([])
      expect(ScanPolicy.findingsOf({ findings: [] })).toEqual([])
    })

    it("enhanced findings count like basic ones, and an entry may name one by its finding ARN", () => {
      const findings = ScanPolicy.findingsOf({
        enhancedFindings: [
          { findingArn: "arn:f1", severity: "CRITICAL", packageVulnerabilityDetails: { vulnerabilityId: "CVE-1" } },
          { findingArn: "arn:f2", severity: "CRITICAL", packageVulnerabilityDetails: { vulnerabilityId: "CVE-2" } },
          { findingArn: "arn:f3", severity: "HIGH", packageVulnerabilityDetails: { vulnerabilityId: "CVE-3" } }
        ]
      })
      const verdict = ScanPolicy.evaluate({ failOn: "HIGH", ignore: [{ id: "arn:f1" }] }, findings, now)
      expect(verdict.counts.found).toMatchObject({ CRITICAL: 2, HIGH: 1 })
      expect(verdict.counts.ignored).toMatchObject({ CRITICAL: 1 })
      expect(verdict.blocking.map((f) => f.id)).toEqual(["CVE-2", "CVE-3"])
    })
  })

  describe("schemas", () => {
    it("a policy decodes until from ISO 8601 (a date alone: midnight UTC) and encodes back to what was written", () => {
      const policy = decodePolicy({
        failOn: "HIGH",
        ignore: [{ id: "CVE-1", until: "2026-04-01", reason: "vendor fix pending" }, { id: "CVE-2" }]
      })
      expect(policy.ignore?.[0]?.until).toEqual(new Date(Date.UTC(2026, 3, 1)))
      expect(decodePolicy({})).toEqual({})
      expect(Schema.encodeSync(ScanPolicy.ScanPolicy)(policy)).toEqual({
        failOn: "HIGH",
        ignore: [{ id: "CVE-1", until: "2026-04-01T00:00:00.000Z", reason: "vendor fix pending" }, { id: "CVE-2" }]
      })
    })

    it("a policy refuses unknown severities and keys, bad maxima, an empty id and an invalid until", () => {
      const decode = Schema.decodeUnknownEither(ScanPolicy.ScanPolicy)
      for (
        const input of [
          { failOn: "SEVERE" },
          { maxCounts: { HIGH: -1 } },
          { maxCounts: { HIGH: 1.5 } },
          { maxCounts: { BAD: 1 } },
          { ignore: [{ id: "" }] },
          { ignore: [{ id: "CVE-1", until: "next tuesday" }] },
          { ignore: [{ id: "CVE-1", unitl: "2026-04-01" }] },
          { failOn: "HIGH", maxCount: { HIGH: 1 } }
        ]
      ) {
        expect(Either.isLeft(decode(input)), JSON.stringify(input)).toBe(true)
      }
    })

    it("a verdict encodes to JSON, expiry instants as ISO strings", () => {
      const verdict = ScanPolicy.evaluate(
        { failOn: "HIGH", ignore: [{ id: "CVE-1", until: new Date(now) }] },
        [finding("CVE-1", "HIGH")],
        now
      )
      const encoded = Schema.encodeSync(ScanPolicy.Verdict)(verdict)
      expect(encoded.expiredIgnores).toEqual([{ id: "CVE-1", until: new Date(now).toISOString() }])
      expect(Schema.decodeUnknownSync(ScanPolicy.Verdict)(JSON.parse(JSON.stringify(encoded)))).toEqual(verdict)
    })
  })

  describe("properties", () => {
    const severity = fc.constantFrom(...ScanModel.FINDING_SEVERITIES)
    const ids = ["CVE-1", "CVE-2", "CVE-3", "CVE-4", "CVE-5"]
    const packages = ["openssl", "zlib", "glibc"]
    const findingArb = fc.record({
      id: fc.constantFrom(...ids),
      severity,
      package: fc.constantFrom(...packages),
      kind: fc.constantFrom("basic" as const, "enhanced" as const)
    }, { requiredKeys: ["id", "severity", "kind"] }) as fc.Arbitrary<ScanPolicy.Finding>
    const findingsArb = fc.array(findingArb, { maxLength: 30 })
    const entryArb = fc.record({
      id: fc.constantFrom(...ids, "CVE-9"),
      package: fc.constantFrom(...packages),
      until: fc.integer({ min: now - 10, max: now + 10 }).map((t) => new Date(t))
    }, { requiredKeys: ["id"] }) as fc.Arbitrary<ScanPolicy.IgnoreEntry>
    const maxCountsArb = fc.dictionary(severity, fc.nat({ max: 6 })) as fc.Arbitrary<ScanPolicy.MaxCounts>
    const policyArb = fc.record({
      failOn: severity,
      maxCounts: maxCountsArb,
      ignore: fc.array(entryArb, { maxLength: 4 }),
      errorOnUnusedIgnores: fc.boolean()
    }, { requiredKeys: [] }) as fc.Arbitrary<ScanPolicy.ScanPolicy>
    const atArb = fc.integer({ min: now - 20, max: now + 20 })
    const sum = (counts: ScanPolicy.SeverityCounts) => Object.values(counts).reduce((a, b) => a + b, 0)

    it("adding an ignore entry never turns PASSED into BLOCKED", () => {
      fc.assert(
        fc.property(policyArb, findingsArb, entryArb, atArb, (policy, findings, entry, at) => {
          const before = ScanPolicy.evaluate(policy, findings, at)
          const after = ScanPolicy.evaluate({ ...policy, ignore: [...(policy.ignore ?? []), entry] }, findings, at)
          // Under errorOnUnusedIgnores an entry that matches nothing blocks by design: that is what it is for.
          const unusedByDesign = policy.errorOnUnusedIgnores === true && after.unusedIgnores.includes(entry)
          if (before.verdict === "PASSED" && !unusedByDesign) expect(after.verdict).toBe("PASSED")
          expect(after.blocking.length).toBeLessThanOrEqual(before.blocking.length)
        }),
        { numRuns: 500 }
      )
    })

    it("lowering the threshold never unblocks a finding", () => {
      fc.assert(
        fc.property(policyArb, severity, severity, findingsArb, atArb, (policy, a, b, findings, at) => {
          const [low, high] = ScanPolicy.rank(a) <= ScanPolicy.rank(b) ? [a, b] : [b, a]
          const atHigh = ScanPolicy.evaluate({ ...policy, failOn: high }, findings, at)
          const atLow = ScanPolicy.evaluate({ ...policy, failOn: low }, findings, at)
          for (const f of atHigh.blocking) expect(atLow.blocking).toContain(f)
          if (atHigh.verdict === "BLOCKED") expect(atLow.verdict).toBe("BLOCKED")
        }),
        { numRuns: 500 }
      )
    })

    it("with a threshold alone, found = ignored + blocking + findings below the threshold, per severity", () => {
      fc.assert(
        fc.property(severity, fc.array(entryArb, { maxLength: 4 }), findingsArb, atArb, (failOn, ignore, fs, at) => {
          const verdict = ScanPolicy.evaluate({ failOn, ignore }, fs, at)
          const isIgnored = (f: ScanPolicy.Finding) =>
            ignore.some((entry) => !ScanPolicy.isExpired(entry, at) && ScanPolicy.matches(entry, f))
          for (const s of ScanModel.FINDING_SEVERITIES) {
            const ofSeverity = fs.filter((f) => f.severity === s)
            const below = ScanPolicy.isAtOrAbove(s, failOn) ? 0 : ofSeverity.filter((f) => !isIgnored(f)).length
            expect(verdict.counts.found[s]).toBe(ofSeverity.length)
            expect(verdict.counts.ignored[s]).toBe(ofSeverity.filter(isIgnored).length)
            expect(verdict.counts.found[s]).toBe(verdict.counts.ignored[s] + verdict.counts.blocking[s] + below)
          }
        }),
        { numRuns: 500 }
      )
    })

    it("every finding is ignored, blocking or tolerated once, every entry applied, expired or unused once", () => {
      fc.assert(
        fc.property(policyArb, findingsArb, atArb, (policy, findings, at) => {
          const verdict = ScanPolicy.evaluate(policy, findings, at)
          expect(sum(verdict.counts.found)).toBe(findings.length)
          expect(sum(verdict.counts.ignored)).toBe(verdict.ignored.length)
          expect(sum(verdict.counts.blocking)).toBe(verdict.blocking.length)
          expect(verdict.ignored.length + verdict.blocking.length).toBeLessThanOrEqual(findings.length)
          const entries = [...verdict.appliedIgnores, ...verdict.expiredIgnores, ...verdict.unusedIgnores]
          expect(entries).toHaveLength(policy.ignore?.length ?? 0)
          expect(new Set(entries).size).toBe(new Set(policy.ignore ?? []).size)
          expect(verdict.verdict === "PASSED").toBe(verdict.reasons.length === 0)
          expect(Schema.is(ScanPolicy.Verdict)(verdict)).toBe(true)
        }),
        { numRuns: 300 }
      )
    })
  })
})
