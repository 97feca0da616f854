/**
 * The bin itself, for what only a process shows (every other CLI test runs ecr-scan in-process):
 * that it starts, and that for each way a run ends it exits with the code the in-process run returns
 * (0, 252 usage, 253 configuration, 254 service error, 255 a waiter's failure), having printed the same
 * bytes on each stream before exiting. On the memory backend or with no region: no emulator needed.
 */
import { describe, expect, it } from "vitest"
import { ecrScan, ecrScanBin, expectNoTrace, noRegion, SCENARIO } from "./support.js"

const ends: ReadonlyArray<readonly [string, number, ReadonlyArray<string>]> = [
  ["--help (the bin starts)", 0, ["--help"]],
  ["--version (answered before anything is loaded, as @effect/cli answers it)", 0, ["--version"]],
  ["a simulation (a long stdout)", 0, ["simulate", SCENARIO]],
  ["an unknown flag (@effect/cli's report)", 252, ["start-image-scan", "--bogus", "x"]],
  ["malformed shorthand", 252, ["start-image-scan", "--repository-name", "b/app", "--image-id", "imageDigest"]],
  ["no region", 253, ["start-image-scan", "--repository-name", "b/app", "--image-id", "imageTag=v1"]],
  [
    "a service error",
    254,
    ["start-image-scan", "--repository-name", "b/app", "--image-id", "imageTag=v1", "--backend", "memory"]
  ],
  [
    "a waiter's failure",
    255,
    ["wait", "image-scan-complete", "--repository-name", "b/app", "--image-id", "imageTag=v1", "--backend", "memory"]
  ]
]

describe.concurrent("the ecr-scan bin, as a process", () => {
  for (const [what, code, args] of ends) {
    it(`${what}: exits ${code}, printing what the in-process run prints`, async () => {
      const env = noRegion()
      const [bin, inProcess] = await Promise.all([ecrScanBin(args, { env }), ecrScan(args, { env })])
      expect(inProcess.code).toBe(code)
      expect(bin).toMatchObject({ code, signal: null, stdout: inProcess.stdout, stderr: inProcess.stderr })
      expectNoTrace(bin.stderr)
    })
  }
})
