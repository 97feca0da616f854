/**
 * The bins as npm links them (committed launchers of the build; ecr-scan's runs the bundle of its build unless a
 * package was rebuilt since), and what a command line loads: `ecr-scan --version` nothing but the CLI's own
 * two modules; an AWS-backed command the AWS backend, and neither the memory backend nor the emulator; a
 * `--backend memory` command the memory backend, and neither the AWS SDK nor the emulator; `events tail` its
 * own module and no backend; `simulate` the memory backend and not the AWS SDK; in the bundle as in the build. (bench:cli measures what that is worth beside the AWS CLI.) Every module a process resolves is
 * recorded by module hooks (fixtures/record-loads.mjs); a file of the bundle stands for the modules it holds
 * (its metafile says which).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run } from "../support/subprocess.js"
import { BIN, BUILT, ecrScan, ecrScanBin, EMULATOR_BIN, expectNoTrace, noRegion, SCENARIO } from "./support.js"

const HOOKS = fileURLToPath(new URL("./fixtures/record-loads.mjs", import.meta.url))

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ecr-scan-startup-"))
})
afterAll(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true })
})

describe.concurrent("the bins", () => {
  for (const [name, launcher] of [["ecr-scan", BIN], ["ecr-scan-emulator", EMULATOR_BIN]] as const) {
    it(`${name}'s launcher, without a build beside it, says what to do`, async () => {
      // The launcher alone, as in a fresh clone installed without its build (`npm ci --ignore-scripts`).
      const copy = join(dir, name, "bin", `${name}.js`)
      await mkdir(join(dir, name, "bin"), { recursive: true })
      await copyFile(launcher, copy)
      await writeFile(join(dir, name, "package.json"), JSON.stringify({ type: "module" }))
      const finished = await run(process.execPath, [copy, "--version"], { env: noRegion() })
      expect(finished).toMatchObject({ code: 1, stdout: "" })
      expect(finished.stderr).toBe(
        `${name}: ${join(dir, name, "dist", "main.js")} is missing: the ${
          name === "ecr-scan" ? "CLI" : "emulator"
        } is not built.\n` +
          "Build it with `npm run build` at the repository's root (`npm ci` builds it too, unless scripts are off).\n"
      )
    })
  }

  it("ecr-scan's launcher runs the bundle while every package's build info is as the bundle's stamp has it", async () => {
    // A package of stand-ins: a build and a bundle that each say which they are.
    const cli = join(dir, "stand-ins")
    await mkdir(join(cli, "bin"), { recursive: true })
    await mkdir(join(cli, "dist", "bundle"), { recursive: true })
    await copyFile(BIN, join(cli, "bin", "ecr-scan.js"))
    await writeFile(join(cli, "package.json"), JSON.stringify({ type: "module" }))
    await writeFile(join(cli, "dist", "main.js"), "process.stdout.write(\"build\\n\")\n")
    await writeFile(join(cli, "dist", "bundle", "main.js"), "process.stdout.write(\"bundle\\n\")\n")
    const info = join(cli, "dist", ".tsbuildinfo")
    await writeFile(info, "{}")
    await utimes(info, new Date(2026, 0, 1), new Date(2026, 0, 1))
    const stamp = [{ file: "../.tsbuildinfo", mtimeMs: (await stat(info)).mtimeMs }]
    await writeFile(join(cli, "dist", "bundle", "stamp.json"), JSON.stringify(stamp))
    const ran = async () => (await run(process.execPath, [join(cli, "bin", "ecr-scan.js")], { env: noRegion() })).stdout
    expect(await ran()).toBe("bundle\n")
    // `tsc -b` rebuilt the package since: the build, not the stale bundle.
    await utimes(info, new Date(2026, 0, 2), new Date(2026, 0, 2))
    expect(await ran()).toBe("build\n")
    // No stamp (an installed package, whose tarball holds none): the bundle.
    await rm(join(cli, "dist", "bundle", "stamp.json"))
    expect(await ran()).toBe("bundle\n")
  })

  it("ecr-scan-emulator --version prints the version", async () => {
    const finished = await run(process.execPath, [EMULATOR_BIN, "--version"], { env: noRegion() })
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(finished.stdout).toMatch(/^\d+\.\d+\.\d+\n/)
  })
})

const ROOT = new URL("../../", import.meta.url)
const BUNDLE = "packages/cli/dist/bundle/"

/** The modules each file of the bundle holds (esbuild's metafile, written beside it; none without a bundle). */
const bundled = async (): Promise<Record<string, ReadonlyArray<string>>> => {
  const text = await readFile(new URL(`${BUNDLE}meta.json`, ROOT), "utf8").catch(() => "{\"outputs\":{}}")
  const meta = JSON.parse(text) as { outputs: Record<string, { inputs: Record<string, unknown> }> }
  return Object.fromEntries(Object.entries(meta.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]))
}

/**
 * The modules of this repository and of node_modules that a run of `entry` loaded, as paths from the root; a
 * file of the bundle stands for the modules it holds.
 */
const loadsOf = async (entry: string, name: string, args: ReadonlyArray<string>) => {
  const file = join(dir, `loads-${name}`)
  await writeFile(file, "")
  const finished = await run(process.execPath, ["--import", HOOKS, entry, ...args], {
    env: { ...noRegion(), ECR_SCAN_LOADS: file }
  })
  const inBundle = await bundled()
  const modules = (await readFile(file, "utf8")).split("\n").filter((url) => url.startsWith(ROOT.href))
    .map((url) => url.slice(ROOT.href.length))
    .flatMap((path) => path.startsWith(BUNDLE) ? inBundle[path] ?? [`${path} (not in the metafile)`] : [path])
  return { finished, modules: [...new Set(modules)].sort() }
}

const awsBackend = /^(packages\/aws-backend|node_modules\/@ecr-scan\/aws-backend)\//
const memoryBackend = /^(packages\/memory-backend|node_modules\/@ecr-scan\/memory-backend)\//
const emulator = /^(packages\/emulator|node_modules\/@ecr-scan\/emulator)\//
const sdk = /^node_modules\/@aws-sdk\//
const gateModule = /^packages\/cli\/(dist|src)\/Gate\.(js|ts)$/
const tailModule = /^packages\/cli\/(dist|src)\/EventsTail\.(js|ts)$/
const simulateModule = /^packages\/cli\/(dist|src)\/Simulate\.(js|ts)$/

// The bin runs the bundle; the build it is made of loads the same way, module by module.
const entries = [["the bin (the bundle)", BIN], ["the build (dist/main.js)", BUILT]] as const

describe.concurrent.each(entries)("what a command line loads: %s", (label, entry) => {
  const key = label.includes("bundle") ? "bundle" : "build"

  it("--version: main.js and the version, nothing else", async () => {
    const { finished, modules } = await loadsOf(entry, `${key}-version`, ["--version"])
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(modules.filter((m) => m !== "packages/cli/bin/ecr-scan.js")).toEqual([
      "packages/cli/dist/Version.js",
      "packages/cli/dist/main.js"
    ])
  })

  it("a command on the AWS backend: the AWS backend and the SDK, neither the memory backend nor the emulator", async () => {
    // No region: it stops, as the AWS CLI does, once the backend's configuration has been read.
    const { finished, modules } = await loadsOf(entry, `${key}-aws`, ["describe-images", "--repository-name", "app"])
    expect(finished.code).toBe(253)
    expectNoTrace(finished.stderr)
    expect(modules.some((m) => awsBackend.test(m))).toBe(true)
    expect(modules.some((m) => sdk.test(m))).toBe(true)
    expect(modules.filter((m) => memoryBackend.test(m) || emulator.test(m))).toEqual([])
  })

  it("a command on the memory backend: the memory backend, neither the AWS SDK nor the emulator", async () => {
    const args = ["start-image-scan", "--repository-name", "app", "--image-id", "imageTag=v1", "--backend", "memory"]
    const { finished, modules } = await loadsOf(entry, `${key}-memory`, args)
    expect(finished.code).toBe(254)
    expect(finished.stderr).toContain("RepositoryNotFoundException")
    expect(modules.some((m) => memoryBackend.test(m))).toBe(true)
    expect(modules.filter((m) => awsBackend.test(m) || sdk.test(m) || emulator.test(m))).toEqual([])
  })

  it("gate on the memory backend: the gate's module and the memory backend, neither the SDK nor the emulator", async () => {
    const args = ["gate", "--repository-name", "app", "--image-id", "imageTag=v1", "--backend", "memory"]
    const [gated, other] = await Promise.all([
      loadsOf(entry, `${key}-gate`, args),
      loadsOf(entry, `${key}-not-gate`, ["describe-images", "--repository-name", "app", "--backend", "memory"])
    ])
    expect(gated.finished.code).toBe(254)
    expect(gated.finished.stderr).toContain("RepositoryNotFoundException")
    expect(gated.modules.some((m) => gateModule.test(m))).toBe(true)
    expect(gated.modules.some((m) => memoryBackend.test(m))).toBe(true)
    expect(gated.modules.filter((m) => awsBackend.test(m) || sdk.test(m) || emulator.test(m))).toEqual([])
    // In the bundle, yaml is loaded only for a YAML ignore file (the build's @effect/cli imports it in any case).
    if (key === "bundle") expect(gated.modules.filter((m) => m.startsWith("node_modules/yaml/"))).toEqual([])
    // Another command never loads the gate.
    expect(other.modules.filter((m) => gateModule.test(m))).toEqual([])
  })

  it("gate with a YAML ignore file loads yaml, and reads the file", async () => {
    const ignoreFile = join(dir, `${key}-ignores.yaml`)
    await writeFile(ignoreFile, "- id: CVE-2026-0001\n  until: 2099-12-31\n  reason: not reachable\n")
    const args = ["gate", "--repository-name", "app", "--image-id", "imageTag=v1", "--backend", "memory"]
    const { finished, modules } = await loadsOf(entry, `${key}-gate-yaml`, [...args, "--ignore-file", ignoreFile])
    // Past the ignore file: the memory registry has no such repository.
    expect(finished.code).toBe(254)
    expect(finished.stderr).toContain("RepositoryNotFoundException")
    expect(modules.some((m) => m.startsWith("node_modules/yaml/"))).toBe(true)
  })

  it("events tail: its module, and neither a backend, the SDK, the emulator, the gate nor the simulation", async () => {
    // --max-events 0 is refused by the tail's module, before it connects.
    const args = ["events", "tail", "--endpoint-url", "http://127.0.0.1:9", "--max-events", "0"]
    const [tailed, other] = await Promise.all([
      loadsOf(entry, `${key}-tail`, args),
      loadsOf(entry, `${key}-not-tail`, ["describe-images", "--repository-name", "app", "--backend", "memory"])
    ])
    expect(tailed.finished.code).toBe(252)
    expect(tailed.finished.stderr).toContain("--max-events: must be at least 1, got 0")
    expect(tailed.modules.some((m) => tailModule.test(m))).toBe(true)
    expect(
      tailed.modules.filter((m) =>
        [awsBackend, sdk, memoryBackend, emulator, gateModule, simulateModule].some((re) => re.test(m))
      )
    ).toEqual([])
    // Another command never loads the tail.
    expect(other.modules.filter((m) => tailModule.test(m))).toEqual([])
  })

  it("simulate: the simulation and the memory backend, neither the AWS SDK, the gate nor the tail", async () => {
    const { finished, modules } = await loadsOf(entry, `${key}-simulate`, ["simulate", SCENARIO])
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(modules.some((m) => simulateModule.test(m))).toBe(true)
    expect(modules.some((m) => memoryBackend.test(m))).toBe(true)
    expect(modules.filter((m) => [awsBackend, sdk, gateModule, tailModule].some((re) => re.test(m)))).toEqual([])
  })

  it("--help, which lists serve's options, loads the emulator", async () => {
    const [help, bin] = await Promise.all([loadsOf(entry, `${key}-help`, ["--help"]), ecrScanBin(["--help"])])
    expect(help.finished).toMatchObject({ code: 0, stdout: bin.stdout })
    expect(help.finished.stdout).toContain("serve [--host text]")
    expect(help.modules.some((m) => emulator.test(m))).toBe(true)
  })
})

describe.concurrent("serve, loaded only where a command line can reach it", () => {
  it("a completion script asked for after another command still names serve's flags", async () => {
    // `serve` stands in by its name alone after another command's name, but a completion script reads the tree.
    const [after, alone] = await Promise.all([
      ecrScan(["describe-images", "--completions", "bash"]),
      ecrScan(["--completions", "bash"])
    ])
    expect(alone).toMatchObject({ code: 0, stderr: "" })
    expect(alone.stdout).toContain("--state-dir")
    expect(after).toEqual({ ...alone, ms: after.ms })
  })
})
