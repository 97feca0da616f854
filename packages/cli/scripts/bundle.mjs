// Bundles the `ecr-scan` bin for start-up: dist/main.js as tsc built it, and all it imports, into dist/bundle/
// (esbuild, ES modules), a chunk per dynamic import: a command line loads its share (the parser and its
// command's work; the AWS SDK for the AWS backend, the memory backend, the emulator for `serve`) in a few files,
// where the build is some 760 modules, most of them Effect's. bin/ecr-scan.js runs it; `npm run build` runs
// this after tsc.
//
// Beside the bundle: meta.json (esbuild's metafile: which modules each file holds) and stamp.json (the build
// info of each package bundled, as it was): a package rebuilt since (`tsc -b` alone) makes the bundle stale, and
// the bin then runs dist/main.js instead.
import * as esbuild from "esbuild"
import { rmSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const dist = fileURLToPath(new URL("../dist/", import.meta.url))
const outdir = path.join(dist, "bundle")
const repository = fileURLToPath(new URL("../../../", import.meta.url))

rmSync(outdir, { recursive: true, force: true })
const result = await esbuild.build({
  entryPoints: [path.join(dist, "main.js")],
  outdir,
  absWorkingDir: repository,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The AWS SDK's packages are CommonJS, and what they `require` of node's own modules needs a `require`.
  banner: {
    js: "import { createRequire as __ecrScanCreateRequire } from \"node:module\";\n" +
      "const require = __ecrScanCreateRequire(import.meta.url);"
  },
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: "warning"
})

writeFileSync(path.join(outdir, "meta.json"), JSON.stringify(result.metafile))

// The build info of each of this repository's packages the bundle holds modules of.
const packages = new Set()
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^packages\/([^/]+)\/dist\//.exec(input)
  if (match !== null) packages.add(match[1])
}
const stamp = [...packages].sort().map((name) => {
  const file = path.join(repository, "packages", name, "dist", ".tsbuildinfo")
  return { file: path.relative(outdir, file), mtimeMs: statSync(file).mtimeMs }
})
writeFileSync(path.join(outdir, "stamp.json"), JSON.stringify(stamp, null, 2) + "\n")
