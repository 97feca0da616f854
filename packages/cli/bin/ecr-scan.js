#!/usr/bin/env node
// The `ecr-scan` bin. npm links a bin when it installs, before anything is built, so the bin is this committed
// file; `npm ci` at the repository's root then builds (its `prepare` runs `npm run build`).
//
// It runs the bundle of the build (dist/bundle/main.js, made by `npm run build` after tsc; see
// scripts/bundle.mjs), which starts in a fraction of the time of the 760 modules it is made of; or, when a
// package has been rebuilt since the bundle was made (`tsc -b` alone), the build itself (dist/main.js).
import { existsSync, readFileSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"

const bundle = new URL("../dist/bundle/main.js", import.meta.url)
const build = new URL("../dist/main.js", import.meta.url)

/** Whether every package's build info is as it was when the bundle was made (stamp.json; none: as published). */
const bundleIsCurrent = () => {
  const stamp = new URL("../dist/bundle/stamp.json", import.meta.url)
  if (!existsSync(stamp)) return true
  return JSON.parse(readFileSync(stamp, "utf8")).every(({ file, mtimeMs }) => {
    const info = statSync(new URL(file, stamp), { throwIfNoEntry: false })
    return info === undefined || info.mtimeMs === mtimeMs
  })
}

if (existsSync(bundle) && bundleIsCurrent()) {
  await import(bundle.href)
} else if (existsSync(build)) {
  await import(build.href)
} else {
  process.stderr.write(
    `ecr-scan: ${fileURLToPath(build)} is missing: the CLI is not built.\n` +
      "Build it with `npm run build` at the repository's root (`npm ci` builds it too, unless scripts are off).\n"
  )
  process.exitCode = 1
}
