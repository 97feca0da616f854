/**
 * The version `ecr-scan --version` prints: its package's, read from the package.json the build ships beside
 * it (`changeset version` moves it there), so it never drifts from what npm installed.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"

const PACKAGE = "@ecr-scan/cli"

const versionAt = (relative: string): string | undefined => {
  try {
    const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as {
      readonly name?: unknown
      readonly version?: unknown
    }
    return manifest.name === PACKAGE && typeof manifest.version === "string" ? manifest.version : undefined
  } catch {
    return undefined
  }
}

/** The version: from `dist/Version.js` the package.json is one folder up, from the bundle's chunks two. */
export const VERSION: string = versionAt("../package.json") ?? versionAt("../../package.json") ?? "unknown"
