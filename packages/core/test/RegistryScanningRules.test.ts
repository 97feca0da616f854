import { RegistryScanningRules, type ScanningConfiguration } from "@ecr-scan/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const { matchesFilter } = RegistryScanningRules

/** The table of the AWS docs ("Filters for repositories"), reproduced in spec section 8.3. */
const REPOSITORIES = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"] as const
const TABLE: ReadonlyArray<readonly [string, ReadonlyArray<boolean>]> = [
  ["prod", [true, true, true, true, true]],
  ["*prod", [true, true, false, false, false]],
  ["prod*", [true, false, true, false, true]],
  ["*prod*", [true, true, true, true, true]],
  ["prod*repo", [false, false, true, false, true]]
]

const filter = (f: string): ScanningConfiguration.ScanningRepositoryFilter => ({ filter: f, filterType: "WILDCARD" })
const rule = (
  scanFrequency: ScanningConfiguration.ScanFrequency,
  ...filters: ReadonlyArray<string>
): ScanningConfiguration.RegistryScanningRule => ({ scanFrequency, repositoryFilters: filters.map(filter) })

const repo = (name: string, scanOnPush = false) => ({ name, scanOnPush })

/** A reference matcher: `*` is `.*`, everything else literal, whole-string match. */
const reference = (f: string, name: string) =>
  new RegExp(`^${f.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join(".*")}$`).test(name)

const letters = fc.constantFrom("a", "b", "-", "/")
const smallString = (max: number) => fc.array(letters, { maxLength: max }).map((cs) => cs.join(""))

describe("RegistryScanningRules", () => {
  describe("matchesFilter", () => {
    for (const [f, row] of TABLE) {
      REPOSITORIES.forEach((name, i) => {
        it(`filter ${f} ${row[i] ? "matches" : "does not match"} ${name}`, () => {
          expect(matchesFilter(f, name)).toBe(row[i])
        })
      })
    }

    it.prop("a filter without '*' matches every name that contains it", [
      fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,10}$/),
      fc.stringMatching(/^[a-z0-9._/-]{0,10}$/),
      fc.stringMatching(/^[a-z0-9._/-]{0,10}$/)
    ], ([f, before, after]) => {
      expect(matchesFilter(f, before + f + after)).toBe(true)
    })

    it.prop("a filter without '*' matches exactly the names that contain it", [
      smallString(4).filter((s) => s.length > 0),
      smallString(8)
    ], ([f, name]) => {
      expect(matchesFilter(f, name)).toBe(name.includes(f))
    }, { fastCheck: { numRuns: 1000 } })

    it.prop("a filter with '*' matches the whole name, '*' standing for any run of characters", [
      fc.array(smallString(3), { minLength: 2, maxLength: 4 }).map((parts) => parts.join("*")),
      smallString(10)
    ], ([f, name]) => {
      expect(matchesFilter(f, name)).toBe(reference(f, name))
    }, { fastCheck: { numRuns: 2000 } })

    it("does not treat '.' in a filter as a wildcard", () => {
      expect(matchesFilter("a.b*", "axb")).toBe(false)
      expect(matchesFilter("a.b", "axb")).toBe(false)
      expect(matchesFilter("a.b*", "a.bc")).toBe(true)
    })

    it("a lone '*' matches every name", () => {
      for (const name of ["a", "prod", "team/app"]) expect(matchesFilter("*", name)).toBe(true)
    })
  })

  describe("effectiveScanning and onPush", () => {
    it("BASIC with a matching SCAN_ON_PUSH filter scans on push and reports the filter", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "BASIC", rules: [rule("SCAN_ON_PUSH", "prod*")] },
        repo("prod-api")
      )
      expect(scanning).toEqual({
        scanType: "BASIC",
        scanFrequency: "SCAN_ON_PUSH",
        scanOnPush: false,
        appliedScanFilters: [filter("prod*")]
      })
      expect(RegistryScanningRules.onPush(scanning)).toBe("BASIC")
    })

    it("BASIC without a matching filter scans on push when the repository's own flag is set", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "BASIC", rules: [rule("SCAN_ON_PUSH", "prod*")] },
        repo("dev-api", true)
      )
      expect(scanning).toEqual({
        scanType: "BASIC",
        scanFrequency: "SCAN_ON_PUSH",
        scanOnPush: true,
        appliedScanFilters: []
      })
      expect(RegistryScanningRules.onPush(scanning)).toBe("BASIC")
    })

    it("BASIC with neither a matching filter nor the flag is MANUAL and starts nothing on push", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "BASIC", rules: [rule("SCAN_ON_PUSH", "prod*")] },
        repo("dev-api")
      )
      expect(scanning.scanFrequency).toBe("MANUAL")
      expect(scanning.appliedScanFilters).toEqual([])
      expect(RegistryScanningRules.onPush(scanning)).toBe("NONE")
    })

    it("a registry never configured is BASIC and MANUAL", () => {
      const scanning = RegistryScanningRules.effectiveScanning(RegistryScanningRules.defaultConfiguration, repo("app"))
      expect(scanning).toMatchObject({ scanType: "BASIC", scanFrequency: "MANUAL" })
      expect(RegistryScanningRules.effectiveScanning({}, repo("app")).scanType).toBe("BASIC")
    })

    it("ENHANCED: CONTINUOUS_SCAN wins over SCAN_ON_PUSH when both match", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "ENHANCED", rules: [rule("SCAN_ON_PUSH", "*"), rule("CONTINUOUS_SCAN", "prod")] },
        repo("prod-api")
      )
      expect(scanning).toMatchObject({ scanFrequency: "CONTINUOUS_SCAN", appliedScanFilters: [filter("prod")] })
      expect(RegistryScanningRules.onPush(scanning)).toBe("ENHANCED_CONTINUOUS")
    })

    it("ENHANCED with only a SCAN_ON_PUSH match scans once on push", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "ENHANCED", rules: [rule("SCAN_ON_PUSH", "*"), rule("CONTINUOUS_SCAN", "prod")] },
        repo("dev-api")
      )
      expect(scanning).toMatchObject({ scanFrequency: "SCAN_ON_PUSH", appliedScanFilters: [filter("*")] })
      expect(RegistryScanningRules.onPush(scanning)).toBe("ENHANCED_ON_PUSH")
    })

    it("ENHANCED without a match is reported MANUAL and starts nothing, whatever the repository flag", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "ENHANCED", rules: [rule("CONTINUOUS_SCAN", "prod")] },
        repo("dev-api", true)
      )
      expect(scanning).toMatchObject({ scanFrequency: "MANUAL", appliedScanFilters: [] })
      expect(RegistryScanningRules.onPush(scanning)).toBe("NONE")
    })

    it("reports every matching filter of the winning rule", () => {
      const scanning = RegistryScanningRules.effectiveScanning(
        { scanType: "BASIC", rules: [rule("SCAN_ON_PUSH", "prod", "*api", "dev")] },
        repo("prod-api")
      )
      expect(scanning.appliedScanFilters).toEqual([filter("prod"), filter("*api")])
    })
  })

  describe("configurationProblem", () => {
    it("rejects CONTINUOUS_SCAN under BASIC, also when the scan type is left to its default", () => {
      const problem = "Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC."
      expect(RegistryScanningRules.configurationProblem({ scanType: "BASIC", rules: [rule("CONTINUOUS_SCAN", "*")] }))
        .toBe(problem)
      expect(RegistryScanningRules.configurationProblem({ rules: [rule("CONTINUOUS_SCAN", "*")] })).toBe(problem)
    })

    it("rejects two rules with the same frequency", () => {
      expect(
        RegistryScanningRules.configurationProblem({
          scanType: "ENHANCED",
          rules: [rule("SCAN_ON_PUSH", "a"), rule("SCAN_ON_PUSH", "b")]
        })
      ).toBe("Only one rule with scan frequency SCAN_ON_PUSH is allowed.")
    })

    it("accepts what each scan type supports", () => {
      for (
        const configuration of [
          {},
          { scanType: "BASIC", rules: [rule("SCAN_ON_PUSH", "*")] },
          { scanType: "ENHANCED", rules: [rule("SCAN_ON_PUSH", "*"), rule("CONTINUOUS_SCAN", "prod")] }
        ] as const
      ) {
        expect(RegistryScanningRules.configurationProblem(configuration)).toBeUndefined()
      }
    })
  })
})
