#!/usr/bin/env node
// The `ecr-scan-emulator` bin: loads the build (../dist/main.js). npm links a bin when it installs, before
// anything is built, so the bin is this committed file; `npm ci` at the repository's root then builds (its
// `prepare`).
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const main = new URL("../dist/main.js", import.meta.url)
if (existsSync(main)) {
  await import(main.href)
} else {
  process.stderr.write(
    `ecr-scan-emulator: ${fileURLToPath(main)} is missing: the emulator is not built.\n` +
      "Build it with `npm run build` at the repository's root (`npm ci` builds it too, unless scripts are off).\n"
  )
  process.exitCode = 1
}
