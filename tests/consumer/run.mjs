#!/usr/bin/env node
// The consumer test: the packages as a user receives them. It packs every workspace package (`npm pack`, of the
// build `npm run build` made: building is not its job), creates a project outside the repository (a temporary
// directory), installs the tarballs there with `effect` and the other peers at the lowest versions the packages'
// peer ranges allow and, in a second project, at the newest they allow, and checks in each:
//
//   1. one copy of `effect` (`npm ls effect --all`, and one node_modules/effect on disk), the @ecr-scan packages
//      from the tarballs (one copy each), none of them listing `effect` or `@effect/*` as a dependency;
//   2. the README's examples (embedding, the simulation test on TestClock, the plain-JavaScript-tests one), taken
//      from README.md's ```ts blocks so that the README and this test cannot drift, compile with `tsc` (strict,
//      NodeNext, no skipLibCheck); the embedding example runs with node, and so does its `gate` on a registry
//      that holds the image;
//   3. vitest in the project: the exported conformance suite against `MemoryRegistry`, and the README's two
//      vitest examples;
//   4. a plain JavaScript test (node --test) that starts the emulator through its Promise API and drives it with
//      @aws-sdk/client-ecr;
//   5. the bins: `npx ecr-scan --version`, `npx ecr-scan simulate` on the scenario the CLI package ships (its
//      output is the README's, byte for byte; the CLI's unbundled build on the project's `effect` too), and
//      `npx ecr-scan-emulator --port 0`;
//   6. no "Executing an Effect versioned ..." warning (two copies of effect meeting at run time) in any output.
//
// Usage: node tests/consumer/run.mjs [lowest] [newest] [--keep]   (both by default; `npm run test:consumer`)
//   --keep   leave the temporary projects (and their logs/) in place; their paths are printed
// Exits 1 when any check fails. Needs the npm registry (the peers and the packages' dependencies).
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = fileURLToPath(new URL("../../", import.meta.url))
const templates = fileURLToPath(new URL("./project/", import.meta.url))
const args = process.argv.slice(2)
const keep = args.includes("--keep")
const unknown = args.filter((arg) => !["lowest", "newest", "--keep"].includes(arg))
if (unknown.length > 0) {
  console.error(`usage: node tests/consumer/run.mjs [lowest] [newest] [--keep] (unknown: ${unknown.join(" ")})`)
  process.exit(2)
}
const variants = ["lowest", "newest"].filter((name) => args.includes(name))
if (variants.length === 0) variants.push("lowest", "newest")

const EFFECT_WARNING = "Executing an Effect versioned"
const readJson = (path) => JSON.parse(Fs.readFileSync(path, "utf8"))
const rootPackage = readJson(Path.join(root, "package.json"))
const workspaces = rootPackage.workspaces.map((dir) => ({ dir, pkg: readJson(Path.join(root, dir, "package.json")) }))
const cliPackage = workspaces.find(({ pkg }) => pkg.name === "@ecr-scan/cli").pkg
const started = Date.now()
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`

// ---------------------------------------------------------------------------------------------------------------
// Child processes

// npm, run through `npm run`, hands its children npm_config_* variables naming this repository
// (npm_config_local_prefix, ...): the project's npm must see its own directory, so only these pass through.
const npmPassThrough = new Set([
  "npm_config_cache",
  "npm_config_registry",
  "npm_config_userconfig",
  "npm_config_globalconfig",
  "npm_config_cafile",
  "npm_config_proxy",
  "npm_config_https_proxy",
  "npm_config_noproxy",
  "npm_config_strict_ssl"
])
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) =>
    (!/^npm_/i.test(key) || npmPassThrough.has(key.toLowerCase())) && key !== "FORCE_COLOR"
  )
)
childEnv.NO_COLOR = "1"
childEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"

/**
 * Runs a command to its end (or kills its process group after `timeout` ms): its exit code, output and time.
 * Every output is kept in `transcript` (for the version-warning check) and, with `log`, in the project's logs/.
 */
const run = (command, commandArgs, { cwd, timeout = 120_000, log, transcript, input } = {}) =>
  new Promise((resolve) => {
    const begin = Date.now()
    const child = spawn(command, commandArgs, {
      cwd,
      env: childEnv,
      detached: true,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    child.stdout.on("data", (chunk) => stdout += chunk)
    child.stderr.on("data", (chunk) => stderr += chunk)
    if (input !== undefined) child.stdin.end(input)
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }, timeout)
    const finish = (code, signal, error) => {
      clearTimeout(timer)
      const result = { code, signal, timedOut, stdout, stderr: error ? `${stderr}${error.message}\n` : stderr }
      result.ms = Date.now() - begin
      transcript?.push(`$ ${command} ${commandArgs.join(" ")}\n${result.stdout}${result.stderr}`)
      if (log !== undefined && cwd !== undefined) {
        Fs.mkdirSync(Path.join(cwd, "logs"), { recursive: true })
        Fs.writeFileSync(
          Path.join(cwd, "logs", `${log}.log`),
          `$ ${command} ${commandArgs.join(" ")}\n(exit ${code}${signal ? ` ${signal}` : ""}${
            timedOut ? `, killed after ${seconds(timeout)}` : ""
          }, ${seconds(result.ms)})\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`
        )
      }
      resolve(result)
    }
    child.on("error", (error) => finish(null, null, error))
    child.on("close", (code, signal) => finish(code, signal))
  })

/** The end of a command's output, indented, for a FAIL line. */
const tail = (result, lines = 25) => {
  const text = `${result.stdout}${result.stderr}`.trimEnd().split("\n").slice(-lines).join("\n")
  const why = result.timedOut ? "timed out" : `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}`
  return `${why}\n${text.replace(/^/gm, "      | ")}`
}

// ---------------------------------------------------------------------------------------------------------------
// The README's examples

/** The fenced code blocks of a Markdown text under each heading (fences are skipped when looking for headings). */
const sections = (markdown) => {
  const result = []
  let current = { heading: "", blocks: [] }
  let fence
  markdown.split("\n").forEach((line, index) => {
    if (fence !== undefined) {
      if (/^```\s*$/.test(line)) {
        current.blocks.push(fence)
        fence = undefined
      } else {
        fence.lines.push(line)
      }
      return
    }
    const open = /^```(\w*)/.exec(line)
    if (open !== null) {
      fence = { lang: open[1], line: index + 2, lines: [] }
      return
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line)
    if (heading !== null) {
      current = { heading: heading[1].trim(), blocks: [] }
      result.push(current)
    }
  })
  return result
}

const readmeText = Fs.readFileSync(Path.join(root, "README.md"), "utf8")
const readme = sections(readmeText)

/** The first block of `lang` under `heading` (whose first line matches `first`, if given). */
const blockUnder = (heading, lang, first) => {
  const section = readme.find((candidate) => candidate.heading === heading)
  if (section === undefined) throw new Error(`README.md has no heading "${heading}"`)
  const block = section.blocks.find((candidate) =>
    candidate.lang === lang && (first === undefined || candidate.lines.some((line) => first.test(line)))
  )
  if (block === undefined) throw new Error(`README.md has no \`\`\`${lang} block under "${heading}"`)
  return block
}

const generated = (heading, block) =>
  `// Generated by tests/consumer/run.mjs from README.md ("${heading}", line ${block.line}): do not edit.\n`

/**
 * The project's files that come from the README: the embedding example as it stands; its declarations alone
 * (the program without its last lines, which run it), exported, for the tests that call `gate`; the simulation
 * test and the plain-JavaScript-tests example as they stand, with the imports of what the README leaves to
 * the reader (`gate` from the embedding example, a `manifest`).
 */
const readmeFiles = () => {
  const embeddingHeading = "Embedding it in an Effect program"
  const simulationHeading = "A simulation test on `TestClock`"
  const emulatorHeading = "From plain JavaScript tests"
  const cliHeading = "The `ecr-scan` CLI"
  const embedding = blockUnder(embeddingHeading, "ts")
  const simulation = blockUnder(simulationHeading, "ts")
  const emulator = blockUnder(emulatorHeading, "ts")
  const embeddingCode = embedding.lines.join("\n") + "\n"

  const source = ts.createSourceFile("embedding.ts", embeddingCode, ts.ScriptTarget.Latest, true)
  const declarations = source.statements.filter((statement) => !ts.isExpressionStatement(statement))
  const names = declarations.flatMap((statement) =>
    ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((declaration) => declaration.name.getText(source))
      : (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name
      ? [statement.name.text]
      : []
  )
  if (!names.includes("gate")) throw new Error("README.md's embedding example no longer declares `gate`")
  const gateCode = declarations.map((statement) => embeddingCode.slice(statement.getFullStart(), statement.getEnd()))
    .join("") + `\n\nexport { ${names.join(", ")} }\n`

  const simulate = blockUnder(cliHeading, "console", /^\$ ecr-scan simulate /)
  const command = simulate.lines.findIndex((line) => /^\$ ecr-scan simulate /.test(line))
  const rest = simulate.lines.slice(command + 1)
  const next = rest.findIndex((line) => line.startsWith("$ "))
  const simulateOutput = (next === -1 ? rest : rest.slice(0, next)).join("\n").trimEnd() + "\n"

  return {
    files: {
      "src/readme/embedding.ts": generated(embeddingHeading, embedding) + embeddingCode,
      "src/readme/gate.ts": generated(embeddingHeading, embedding) + gateCode,
      "src/embedding-run.ts": [
        "// The README's `gate` run by node on the real clock, against a registry that holds the image (the example",
        "// itself runs it on an empty one). Written by tests/consumer/run.mjs.",
        "import { ImageRegistry } from \"@ecr-scan/core\"",
        "import { MemoryRegistry, MemoryRegistryDriver } from \"@ecr-scan/memory-backend\"",
        "import { Effect } from \"effect\"",
        "import { manifest } from \"./manifest.js\"",
        "import { gate } from \"./readme/gate.js\"",
        "",
        "const program = Effect.gen(function*() {",
        "  yield* ImageRegistry.createRepository({ repositoryName: \"shop/api\" })",
        "  const pushed = yield* ImageRegistry.putImage({ repositoryName: \"shop/api\", imageManifest: manifest, imageTag: \"v1\" })",
        "  yield* (yield* MemoryRegistryDriver).setFindings({ imageDigest: pushed.image!.imageId!.imageDigest! }, [",
        "    { name: \"CVE-2099-0002\", severity: \"LOW\" }",
        "  ])",
        "  return yield* gate(\"shop/api\", \"v1\")",
        "})",
        "",
        "const layer = MemoryRegistry.layer({ seed: 42, rules: { scanDuration: { min: \"1 second\", max: \"2 seconds\" } } })",
        "console.log(`gate: ${await program.pipe(Effect.provide(layer), Effect.runPromise)}`)",
        ""
      ].join("\n"),
      "test/readme-simulation.test.ts": generated(simulationHeading, simulation) +
        "import { manifest } from \"../src/manifest.js\"\nimport { gate } from \"../src/readme/gate.js\"\n" +
        simulation.lines.join("\n") + "\n",
      "test/readme-emulator.test.ts": generated(emulatorHeading, emulator) + emulator.lines.join("\n") + "\n"
    },
    simulateOutput
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

/** The peer ranges the packages declare, one per name (they must agree). */
const peerRanges = () => {
  const ranges = {}
  for (const { pkg } of workspaces) {
    for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
      if (ranges[name] !== undefined && ranges[name] !== range) {
        throw new Error(`the packages disagree on the peer range of ${name}: ${ranges[name]} and ${range}`)
      }
      ranges[name] = range
    }
  }
  return ranges
}

const lowerBound = (name, range) => {
  const match = /^[\^~]?(\d+\.\d+\.\d+)$/.exec(range)
  if (match === null) throw new Error(`cannot tell the lowest version of ${name} ${range}`)
  return match[1]
}

const compareVersions = (a, b) => {
  const [x, y] = [a, b].map((version) => version.split(".").map(Number))
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

/** The newest release (no prerelease) of `name` within `range`, by `npm view`. */
const newestIn = async (name, range) => {
  const result = await run("npm", ["view", `${name}@${range}`, "version", "--json"], {
    cwd: Os.tmpdir(),
    timeout: 60_000
  })
  if (result.code !== 0) throw new Error(`npm view ${name}@${range} failed: ${tail(result, 5)}`)
  const versions = [JSON.parse(result.stdout)].flat().filter((version) => /^\d+\.\d+\.\d+$/.test(version))
  if (versions.length === 0) throw new Error(`no release of ${name} within ${range}`)
  return versions.sort(compareVersions).at(-1)
}

// ---------------------------------------------------------------------------------------------------------------
// One project

/** Every physical copy of `name` under `dir`'s node_modules trees: [{ path, version }]. */
const copiesOf = (dir, name) => {
  const found = []
  const walk = (modules) => {
    if (!Fs.existsSync(modules)) return
    const manifest = Path.join(modules, name, "package.json")
    if (Fs.existsSync(manifest)) {
      found.push({ path: Path.relative(dir, Path.dirname(manifest)), version: readJson(manifest).version })
    }
    for (const entry of Fs.readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".bin" || entry.name === ".cache") continue
      const packages = entry.name.startsWith("@")
        ? Fs.readdirSync(Path.join(modules, entry.name), { withFileTypes: true })
          .filter((inner) => inner.isDirectory()).map((inner) => Path.join(modules, entry.name, inner.name))
        : [Path.join(modules, entry.name)]
      for (const pkg of packages) walk(Path.join(pkg, "node_modules"))
    }
  }
  walk(Path.join(dir, "node_modules"))
  return found
}

/** The versions and paths under which `npm ls --all --json` shows `name`, deduplicated or not. */
const lsEntries = (tree, name) => {
  const entries = []
  const visit = (node, at) => {
    for (const [child, info] of Object.entries(node.dependencies ?? {})) {
      const path = [...at, child]
      if (child === name) entries.push({ path: path.join(" > "), version: info.version, resolved: info.resolved })
      visit(info, path)
    }
  }
  visit(tree, [])
  return entries
}

const runVariant = async (label, versions, tarballs, readmeProject) => {
  const results = []
  const transcript = []
  const check = (name, ok, detail = "", ms) => {
    results.push({ name, ok })
    const time = ms === undefined ? "" : ` (${seconds(ms)})`
    console.log(`  ${ok ? "PASS" : "FAIL"}  ${name}${time}${detail ? `: ${detail}` : ""}`)
    return ok
  }
  const project = Fs.mkdtempSync(Path.join(Fs.realpathSync(Os.tmpdir()), `ecr-scan-consumer-${label}-`))
  console.log(
    `\n== ${label}: effect ${versions.effect} (${
      Object.entries(versions).filter(([name]) => name !== "effect").map(([name, version]) => `${name} ${version}`)
        .join(", ")
    })\n   project: ${project}`
  )

  // The project: the tarballs, the peers at this variant's versions, what its tests use.
  const ecrScan = Object.fromEntries(tarballs.map(({ name, file }) => [name, `file:${file}`]))
  const awsBackend = workspaces.find(({ pkg }) => pkg.name === "@ecr-scan/aws-backend").pkg
  const dependencies = {
    ...ecrScan,
    effect: versions.effect,
    ...Object.fromEntries(
      Object.entries(versions).filter(([name]) => name.startsWith("@effect/") && name !== "@effect/vitest")
    ),
    "@aws-sdk/client-ecr": awsBackend.dependencies["@aws-sdk/client-ecr"]
  }
  const devDependencies = {
    "@effect/vitest": versions["@effect/vitest"],
    "@types/node": rootPackage.devDependencies["@types/node"],
    typescript: rootPackage.devDependencies.typescript,
    vitest: versions.vitest
  }
  Fs.writeFileSync(
    Path.join(project, "package.json"),
    JSON.stringify(
      { name: "ecr-scan-consumer", private: true, type: "module", dependencies, devDependencies },
      null,
      2
    ) + "\n"
  )
  Fs.cpSync(templates, project, { recursive: true })
  for (const [file, text] of Object.entries(readmeProject.files)) {
    Fs.mkdirSync(Path.dirname(Path.join(project, file)), { recursive: true })
    Fs.writeFileSync(Path.join(project, file), text)
  }

  const install = await run("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: project,
    timeout: 300_000,
    log: "npm-install",
    transcript
  })
  if (!check("npm install", install.code === 0, install.code === 0 ? "" : tail(install), install.ms)) {
    return { label, versions, project, results }
  }

  // 1. One copy of effect; the @ecr-scan packages are the tarballs, with effect and @effect/* as peers only.
  const ls = await run("npm", ["ls", "effect", "--all", "--json"], { cwd: project, timeout: 60_000, log: "npm-ls" })
  let tree = {}
  try {
    tree = JSON.parse(ls.stdout)
  } catch {
    // reported below
  }
  const entries = lsEntries(tree, "effect")
  const lsVersions = [...new Set(entries.map((entry) => entry.version))]
  const copies = copiesOf(project, "effect")
  const one = ls.code === 0 && lsVersions.length === 1 && lsVersions[0] === versions.effect && copies.length === 1 &&
    copies[0].path === Path.join("node_modules", "effect")
  check(
    "one copy of effect",
    one,
    one
      ? `npm ls: ${entries.length} entries, all effect@${lsVersions[0]}; on disk: ${copies[0].path}`
      : [
        `npm ls exit ${ls.code}${tree.problems ? ` (${tree.problems.join("; ")})` : ""}, versions ${
          lsVersions.join(", ") || "none"
        } (wanted ${versions.effect})`,
        ...entries.filter((entry) => entry.version !== versions.effect).map((entry) =>
          `npm ls: ${entry.path}@${entry.version}`
        ),
        ...copies.map((copy) => `on disk: ${copy.path} (${copy.version})`)
      ].join("\n      ")
  )
  const lock = readJson(Path.join(project, "package-lock.json"))
  const manifestProblems = []
  for (const { name } of tarballs) {
    const places = Object.entries(lock.packages).filter(([path, info]) =>
      path.endsWith(`node_modules/${name}`) || info.name === name
    )
    if (places.length !== 1 || places[0][0] !== `node_modules/${name}`) {
      manifestProblems.push(`${name}: installed at ${places.map(([path]) => path).join(", ") || "nowhere"}`)
    } else if (!String(places[0][1].resolved).startsWith("file:")) {
      manifestProblems.push(`${name}: resolved from ${places[0][1].resolved}, not the tarball`)
    }
    const installed = readJson(Path.join(project, "node_modules", name, "package.json"))
    for (const dependency of Object.keys(installed.dependencies ?? {})) {
      if (dependency === "effect" || dependency.startsWith("@effect/")) {
        manifestProblems.push(`${name} lists ${dependency} as a dependency (${installed.dependencies[dependency]})`)
      }
    }
  }
  check(
    "the @ecr-scan packages: the tarballs, one copy each, effect and @effect/* as peers only",
    manifestProblems.length === 0,
    manifestProblems.join("\n      ")
  )

  // 2. The README's examples compile (strict, NodeNext) and run.
  const tsc = await run("npx", ["--no", "--", "tsc", "-p", "."], {
    cwd: project,
    timeout: 240_000,
    log: "tsc",
    transcript
  })
  check(
    "tsc -p . (strict, NodeNext, skipLibCheck off): the README's examples and the tests compile",
    tsc.code === 0,
    tsc.code === 0 ? "" : tail(tsc, 40),
    tsc.ms
  )
  if (tsc.code === 0) {
    const verbatim = await run("node", ["dist/src/readme/embedding.js"], {
      cwd: project,
      timeout: 60_000,
      log: "embedding",
      transcript
    })
    // The example scans shop/api:v1 in a registry it never fills: it ends with the typed failure the registry
    // answers, RepositoryNotFoundException (or, should the README fill the registry one day, with success).
    const typedFailure = verbatim.code === 1 && !verbatim.timedOut &&
      /RepositoryNotFoundException: The repository with name 'shop\/api' does not exist/.test(verbatim.stderr) &&
      !/\bDie\b|defect/i.test(verbatim.stderr)
    check(
      "the README's embedding example runs with node, verbatim",
      verbatim.code === 0 || typedFailure,
      verbatim.code === 0
        ? "exit 0"
        : typedFailure
        ? "ends in its program's typed failure RepositoryNotFoundException (its registry holds no shop/api)"
        : tail(verbatim),
      verbatim.ms
    )
    const gateRun = await run("node", ["dist/src/embedding-run.js"], {
      cwd: project,
      timeout: 60_000,
      log: "embedding-run",
      transcript
    })
    check(
      "the README's gate, run with node on the real clock against a registry holding the image",
      gateRun.code === 0 && gateRun.stdout.trim() === "gate: deploy",
      gateRun.code === 0 ? gateRun.stdout.trim() : tail(gateRun),
      gateRun.ms
    )
  }

  // 3. vitest: the conformance suite against MemoryRegistry, the README's simulation test and emulator example.
  const vitest = await run(
    "npx",
    ["--no", "--", "vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=vitest-report.json"],
    { cwd: project, timeout: 240_000, log: "vitest", transcript }
  )
  let report
  try {
    report = readJson(Path.join(project, "vitest-report.json"))
  } catch {
    // reported below
  }
  const perFile = report?.testResults.map((file) => {
    const count = (status) => file.assertionResults.filter((test) => test.status === status).length
    return {
      file: Path.relative(project, file.name),
      passed: count("passed"),
      failed: count("failed"),
      skipped: file.assertionResults.length - count("passed") - count("failed"),
      status: file.status
    }
  }) ?? []
  const wantedFiles = [
    "test/conformance.test.ts",
    "test/events.test.ts",
    "test/gate.test.ts",
    "test/readme-emulator.test.ts",
    "test/readme-simulation.test.ts"
  ]
  const vitestOk = vitest.code === 0 && report !== undefined && report.numFailedTests === 0 &&
    report.numFailedTestSuites === 0 &&
    wantedFiles.every((file) =>
      perFile.some((result) => result.file === file && result.passed > 0 && result.failed === 0)
    )
  check(
    "vitest run: the conformance suites against MemoryRegistry, its events, ScanGate embedded, the README's simulation test and emulator example",
    vitestOk,
    perFile.map((result) =>
      `\n      ${result.file}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`
    ).join("") + (vitestOk ? "" : `\n      ${tail(vitest, 40)}`),
    vitest.ms
  )

  // 4. A plain JavaScript test: the emulator through its Promise API, driven by @aws-sdk/client-ecr.
  const plain = await run("node", ["--test", "plain/emulator.test.mjs"], {
    cwd: project,
    timeout: 60_000,
    log: "plain-js",
    transcript
  })
  const plainCounts = /^# pass (\d+)\n# fail (\d+)/m.exec(plain.stdout.replace(/\n# cancelled.*|\n# skipped.*/g, ""))
  check(
    "plain JavaScript (node --test): startEmulator and @aws-sdk/client-ecr",
    plain.code === 0 && plainCounts !== null && Number(plainCounts[2]) === 0,
    plain.code === 0 ? `${plainCounts?.[1] ?? "?"} passed` : tail(plain, 40),
    plain.ms
  )

  // 5. The bins.
  const version = await run("npx", ["--no", "--", "ecr-scan", "--version"], {
    cwd: project,
    timeout: 60_000,
    log: "cli-version",
    transcript
  })
  check(
    "npx ecr-scan --version",
    version.code === 0 && version.stdout.trim() === cliPackage.version,
    version.code === 0 ? `${version.stdout.trim()} (the package is ${cliPackage.version})` : tail(version),
    version.ms
  )
  const scenario = Path.join("node_modules", "@ecr-scan", "cli", "examples", "scenario.json")
  if (
    check(
      "the CLI package ships its example scenario",
      Fs.existsSync(Path.join(project, scenario)),
      Fs.existsSync(Path.join(project, scenario)) ? scenario : `${scenario} is not in the tarball (its "files")`
    )
  ) {
    const simulate = await run("npx", ["--no", "--", "ecr-scan", "simulate", scenario], {
      cwd: project,
      timeout: 60_000,
      log: "cli-simulate",
      transcript
    })
    check(
      `npx ecr-scan simulate ${scenario}: the README's recorded output, byte for byte`,
      simulate.code === 0 && simulate.stdout === readmeProject.simulateOutput,
      simulate.code === 0
        ? simulate.stdout === readmeProject.simulateOutput ? `${simulate.stdout.split("\n").length - 1} lines` : [
          "the output differs from the README's:",
          ...firstDifference(readmeProject.simulateOutput, simulate.stdout)
        ].join("\n      ")
        : tail(simulate),
      simulate.ms
    )
    // The bin runs the bundle the package ships, which holds its own effect; its build (dist/main.js) runs on the
    // project's effect, as the bin would were the bundle missing.
    const unbundled = await run("node", ["node_modules/@ecr-scan/cli/dist/main.js", "simulate", scenario], {
      cwd: project,
      timeout: 60_000,
      log: "cli-simulate-unbundled",
      transcript
    })
    check(
      `the CLI's unbundled build (dist/main.js) on effect ${versions.effect}: simulate, the same output`,
      unbundled.code === 0 && unbundled.stdout === readmeProject.simulateOutput,
      unbundled.code === 0
        ? unbundled.stdout === readmeProject.simulateOutput ? "" : firstDifference(
          readmeProject.simulateOutput,
          unbundled.stdout
        ).join("\n      ")
        : tail(unbundled),
      unbundled.ms
    )
  }
  const emulatorBin = await emulatorBinCheck(project, transcript)
  check(
    "ecr-scan-emulator --port 0 (node_modules/.bin): listens, answers health, stops on SIGTERM",
    emulatorBin.ok,
    emulatorBin.detail
  )

  // 6. No two copies of effect met at run time.
  const warned = transcript.filter((text) => text.includes(EFFECT_WARNING))
  check(
    `no "${EFFECT_WARNING} ..." warning in any output`,
    warned.length === 0,
    warned.map((text) => text.split("\n")[0]).join("\n      ")
  )
  return { label, versions, project, results }
}

/** The first differing line of two outputs, with a line of context. */
const firstDifference = (expected, actual) => {
  const [a, b] = [expected.split("\n"), actual.split("\n")]
  const index = a.findIndex((line, i) => line !== b[i])
  const at = index === -1 ? a.length : index
  return [`line ${at + 1}:`, `  README: ${JSON.stringify(a[at])}`, `  output: ${JSON.stringify(b[at])}`]
}

/** Starts the emulator's bin on a free port, asks its health endpoint, stops it with SIGTERM. */
const emulatorBinCheck = (project, transcript) =>
  new Promise((resolve) => {
    // The bin npm linked, run directly: npx runs it through `sh -c` and does not pass SIGTERM on.
    const child = spawn(Path.join(project, "node_modules", ".bin", "ecr-scan-emulator"), ["--port", "0", "--quiet"], {
      cwd: project,
      env: childEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let settled = false
    let health = ""
    const stopGroup = (signal) => {
      try {
        process.kill(-child.pid, signal)
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      stopGroup("SIGKILL")
      done(false, `no answer within 30s:\n${output.replace(/^/gm, "      | ")}`)
    }, 30_000)
    const done = (ok, detail) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      transcript.push(`$ ecr-scan-emulator --port 0 --quiet\n${output}`)
      Fs.mkdirSync(Path.join(project, "logs"), { recursive: true })
      Fs.writeFileSync(Path.join(project, "logs", "emulator-bin.log"), output)
      resolve({ ok, detail })
    }
    const onData = async (chunk) => {
      output += chunk
      const address = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (address === null || health !== "") return
      health = "asking"
      try {
        const response = await fetch(`${address[1]}/_ecr-scan/health`)
        health = `${response.status} ${await response.text()}`
      } catch (error) {
        health = `unreachable: ${error.message}`
      }
      // It must stop cleanly (exit 0) on SIGTERM.
      child.kill("SIGTERM")
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.on("close", (code, signal) => {
      const ok = health === "200 {\"status\":\"ok\"}" && code === 0
      done(
        ok,
        `${output.split("\n")[0]}\n      health: ${health || "never asked"}; exit ${code}${signal ? ` ${signal}` : ""}`
      )
    })
  })

// ---------------------------------------------------------------------------------------------------------------
// Main

const main = async () => {
  console.log(`consumer test: ${workspaces.map(({ pkg }) => pkg.name).join(", ")}`)
  const missing = workspaces.filter(({ dir }) => !Fs.existsSync(Path.join(root, dir, "dist", "index.js")))
  if (missing.length > 0) {
    console.log(`FAIL  not built (${missing.map(({ dir }) => dir).join(", ")}): run \`npm run build\` first`)
    return 1
  }
  const readmeProject = readmeFiles()

  // The tarballs, as `npm publish` would make them (the build as it is: no lifecycle scripts).
  const packs = Fs.mkdtempSync(Path.join(Fs.realpathSync(Os.tmpdir()), "ecr-scan-consumer-tarballs-"))
  const pack = await run(
    "npm",
    ["pack", "--workspaces", "--pack-destination", packs, "--ignore-scripts", "--json"],
    { cwd: root, timeout: 120_000 }
  )
  if (pack.code !== 0) {
    console.log(`FAIL  npm pack --workspaces: ${tail(pack)}`)
    return 1
  }
  const tarballs = JSON.parse(pack.stdout).map((packed) => ({
    name: packed.name,
    file: Path.join(packs, packed.filename)
  }))
  const unpacked = workspaces.filter(({ pkg }) => !tarballs.some((tarball) => tarball.name === pkg.name))
  if (unpacked.length > 0) {
    console.log(`FAIL  npm pack made no tarball of ${unpacked.map(({ pkg }) => pkg.name).join(", ")}`)
    return 1
  }
  console.log(`packed ${tarballs.length} tarballs into ${packs} (${seconds(pack.ms)})`)

  const ranges = peerRanges()
  const lowest = Object.fromEntries(Object.entries(ranges).map(([name, range]) => [name, lowerBound(name, range)]))
  const summaries = []
  for (const label of variants) {
    let versions = lowest
    if (label === "newest") {
      try {
        versions = Object.fromEntries(
          await Promise.all(Object.entries(ranges).map(async ([name, range]) => [name, await newestIn(name, range)]))
        )
      } catch (error) {
        console.log(`\n== newest\n  FAIL  the newest versions the peer ranges allow: ${error.message}`)
        summaries.push({ label, versions: {}, results: [{ name: "versions", ok: false }] })
        continue
      }
    }
    summaries.push(await runVariant(label, versions, tarballs, readmeProject))
  }

  console.log("\n== summary")
  let failed = 0
  for (const { label, versions, project, results } of summaries) {
    const bad = results.filter((result) => !result.ok)
    failed += bad.length
    console.log(
      `  ${bad.length === 0 ? "PASS" : "FAIL"}  ${label}: effect ${versions.effect ?? "?"}: ${
        results.length - bad.length
      } of ${results.length} checks passed${
        bad.length > 0 ? ` (failed: ${bad.map((result) => result.name).join("; ")})` : ""
      }`
    )
    if (project !== undefined) {
      if (keep || bad.length > 0) console.log(`        kept: ${project}`)
      else Fs.rmSync(project, { recursive: true, force: true })
    }
  }
  if (keep) console.log(`        tarballs: ${packs}`)
  else Fs.rmSync(packs, { recursive: true, force: true })
  console.log(`consumer test ${failed === 0 ? "passed" : "FAILED"} in ${seconds(Date.now() - started)}`)
  return failed === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`FAIL  consumer test: ${error.stack ?? error}`)
    process.exit(1)
  }
)
