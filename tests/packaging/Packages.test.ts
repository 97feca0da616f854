/**
 * Every workspace package is one a user can install: `effect` and `@effect/*` as peers (one copy in the
 * application), everything else it imports as a dependency, only its public modules exported (the index
 * and what the index re-exports), the metadata npm shows, a README and the root's LICENSE, and a tarball
 * (`npm pack --dry-run`, built first by `npm test`) of README, LICENSE, package.json and built files only:
 * no sources, tests, demo or build info.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8"))

const rootPackage = readJson("package.json")
const workspaces: ReadonlyArray<string> = rootPackage.workspaces
const license = readFileSync(join(root, "LICENSE"), "utf8")

/** The lowest Effect 3 release tested (the consumer test installs it): what every package accepts. */
const EFFECT_PEER_RANGE = "^3.22.2"

const isEffect = (name: string) => name === "effect" || name.startsWith("@effect/")

/** The package a module specifier names (`@effect/platform/HttpServer` -> `@effect/platform`). */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/")

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
      ? [join(dir, entry.name)]
      : []
  )

// Static imports and re-exports start a line; doc comments' examples do not (they start with " *").
const staticImport = /^(?:import|export)\s[\w*\s{},$]*?\bfrom\s+"([^"]+)"|^import\s+"([^"]+)"/gm
const dynamicImport = /^(?!\s*(?:\*|\/\/)).*\bimport\(\s*"([^"]+)"/gm

/** The packages a workspace's sources import, type-only imports included (its declarations name them). */
const importedPackages = (dir: string, self: string): Set<string> => {
  const found = new Set<string>()
  for (const file of sourceFiles(join(dir, "src"))) {
    const text = readFileSync(join(root, file), "utf8")
    const specifiers = [
      ...[...text.matchAll(staticImport)].map((match) => match[1] ?? match[2]!),
      ...[...text.matchAll(dynamicImport)].map((match) => match[1]!)
    ]
    for (const specifier of specifiers) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue
      const name = packageOf(specifier)
      if (name !== self) found.add(name)
    }
  }
  return found
}

interface PackResult {
  readonly name: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}

describe.each(workspaces)("%s", (dir) => {
  const pkg = readJson(join(dir, "package.json"))
  const imported = importedPackages(dir, pkg.name)
  const bins: ReadonlyArray<string> = Object.values(pkg.bin ?? {}).map((path) => String(path).replace(/^\.\//, ""))

  it("takes effect and @effect/* as peers from the lowest tested release, the rest it imports as dependencies", () => {
    const dependencies = pkg.dependencies ?? {}
    const peers = pkg.peerDependencies ?? {}
    const devDependencies = pkg.devDependencies ?? {}
    expect(peers.effect).toBe(EFFECT_PEER_RANGE)
    for (const name of imported) {
      if (isEffect(name)) {
        expect(peers, `${name} is a peer`).toHaveProperty([name])
        expect(devDependencies, `${name} is a dev dependency inside the workspace`).toHaveProperty([name])
        expect(dependencies, `${name} is not a dependency`).not.toHaveProperty([name])
        // The workspace's copy is the root's, so the repository holds one.
        expect(rootPackage.devDependencies[name]).toBe(devDependencies[name])
      } else {
        expect({ ...dependencies, ...peers }, `${name} is a dependency`).toHaveProperty([name])
      }
    }
    for (const name of Object.keys(dependencies)) {
      expect(imported.has(name), `${name} is imported by the sources`).toBe(true)
      expect(isEffect(name), `${name} is a peer, not a dependency`).toBe(false)
    }
    for (const [name, version] of Object.entries(dependencies)) {
      // Workspace packages depend on each other's current version exactly, as changesets keeps them.
      if (name.startsWith("@ecr-scan/")) {
        expect(version).toBe(readJson(`packages/${name.slice("@ecr-scan/".length)}/package.json`).version)
      }
    }
  })

  it("exports its index and the modules the index re-exports, each by name, never an internal module or a bin", () => {
    // `export * as Name from "./Name.js"` in the index makes Name public; its subpath lets TypeScript name
    // Name's types in a user's declarations (it cannot write `import("pkg").Name.Type`: TS2742).
    const index = readFileSync(join(root, dir, "src", "index.ts"), "utf8")
    const modules = [...index.matchAll(/^export \* as (\w+) from "\.\/(\w+)\.js"/gm)].map((match) => match[2]!)
    const expected: Record<string, unknown> = {
      "./package.json": "./package.json",
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" }
    }
    for (const name of modules) expected[`./${name}`] = { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` }
    expect(pkg.exports).toEqual(expected)
    expect(pkg.main).toBeUndefined()
    if (bins.length === 0) {
      expect(pkg.sideEffects).toBe(false)
    } else {
      // The bins' modules run on import; every other module may be dropped by a bundler when unused.
      expect(Array.isArray(pkg.sideEffects) && pkg.sideEffects.every((path: string) => !path.includes("index"))).toBe(
        true
      )
    }
  })

  it("has the metadata npm shows, a README that links the root README, and the root's LICENSE", () => {
    expect(pkg.license).toBe("MIT")
    expect(pkg.type).toBe("module")
    expect(pkg.repository).toEqual({
      type: "git",
      url: "git+https://github.com/ecr-scan/ecr-scan.git",
      directory: dir
    })
    expect(pkg.engines).toEqual(rootPackage.engines)
    expect(pkg.publishConfig).toEqual({ access: "public" })
    expect(pkg.private).toBeUndefined()
    const readme = readFileSync(join(root, dir, "README.md"), "utf8")
    expect(readme.startsWith(`# ${pkg.name}\n`)).toBe(true)
    expect(readme.split("\n").some((line) => line.startsWith("npm install ") && line.includes(pkg.name))).toBe(true)
    expect(readme).toContain("https://github.com/ecr-scan/ecr-scan#readme")
    expect(existsSync(join(root, dir, "LICENSE"))).toBe(true)
    expect(readFileSync(join(root, dir, "LICENSE"), "utf8")).toBe(license)
  })
})

describe("the tarballs", () => {
  let packed: ReadonlyArray<PackResult> = []
  beforeAll(() => {
    // One npm run for every workspace; no lifecycle scripts (what is packed is what `npm run build` made).
    const stdout = execFileSync(
      "npm",
      ["pack", "--dry-run", "--json", "--ignore-scripts", "--workspaces", "--no-audit", "--no-fund"],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }
    )
    packed = JSON.parse(stdout)
  })

  it.each(workspaces)("%s holds its README, LICENSE, package.json and built files, nothing else", (dir) => {
    const pkg = readJson(join(dir, "package.json"))
    const bins = Object.values(pkg.bin ?? {}).map((path) => String(path).replace(/^\.\//, ""))
    const files = packed.find((result) => result.name === pkg.name)!.files.map((file) => file.path)
    expect(files).toContain("README.md")
    expect(files).toContain("LICENSE")
    expect(files).toContain("package.json")
    expect(files).toContain("dist/index.js")
    expect(files).toContain("dist/index.d.ts")
    // Example files a package names one by one in `files` (the CLI's scenario, which `ecr-scan simulate` runs).
    const examples: ReadonlyArray<string> = (pkg.files ?? []).filter((entry: string) => entry.startsWith("examples/"))
    const unexpected = files.filter((path) =>
      !["README.md", "LICENSE", "package.json", ...bins, ...examples].includes(path) &&
      !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(path)
    )
    expect(unexpected).toEqual([])
    // Built files are tsc's output of the sources, which is what the exports load: nothing bundled, since a bundle
    // carries its own copy of effect. The one exception is a bins' bundle (dist/bundle/, for start-up time): a bin
    // runs in its own process, so its copy is never a second one in an application.
    const uncompiled = files.filter((path) =>
      path.startsWith("dist/") && !(bins.length > 0 && path.startsWith("dist/bundle/")) &&
      !existsSync(join(root, dir, path.replace(/^dist\//, "src/").replace(/\.(js|d\.ts|js\.map)$/, ".ts")))
    )
    expect(uncompiled).toEqual([])
    expect(files.filter((path) => /tsbuildinfo|demo|\.test\.|\/test\/|\/src\//.test(path))).toEqual([])
  })
})
