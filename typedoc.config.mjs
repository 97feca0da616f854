// The API reference: TypeDoc over every package's `index.ts`, found under packages/ (a new package is
// picked up by itself). `npm run docs` writes it to docs/api/; `npm run docs:check` only validates: every
// export reachable from an index.ts must carry a doc comment (and each index.ts a `@module` comment).
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.dirname(fileURLToPath(import.meta.url))

const packages = Fs.readdirSync(Path.join(root, "packages"), { withFileTypes: true })
  .map((entry) => Path.join(root, "packages", entry.name))
  .filter((dir) => Fs.existsSync(Path.join(dir, "package.json")) && Fs.existsSync(Path.join(dir, "src", "index.ts")))
  .sort()

const manifests = packages.map((dir) => JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8")))

// "Defined in" links to the repository the packages name (a clone's own remote may be a local path).
const repository = manifests.map((manifest) => manifest.repository?.url).find((url) => url !== undefined)
const github = repository === undefined ? null : /github\.com[/:]([^/]+\/[^/]+?)(\.git)?$/.exec(repository)

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "ecr-scan",
  entryPoints: packages.map((dir) => Path.join(dir, "src", "index.ts")),
  tsconfig: Path.join(root, "tsconfig.docs.json"),
  out: Path.join(root, "docs", "api"),
  readme: Path.join(root, "README.md"),
  // TypeDoc's languages, and the README's python.
  highlightLanguages: [
    "bash",
    "console",
    "css",
    "html",
    "javascript",
    "json",
    "jsonc",
    "json5",
    "yaml",
    "tsx",
    "typescript",
    "python"
  ],
  // `npm run build` type-checks the sources; here they are only read.
  skipErrorChecking: true,
  excludePrivate: true,
  validation: {
    notExported: true,
    invalidLink: true,
    invalidPath: true,
    rewrittenLink: true,
    notDocumented: true
  },
  // The exports themselves. Their members (an interface's fields, a class's methods) may go without, except
  // function-valued ones: TypeDoc checks every call signature of a required kind.
  requiredToBeDocumented: ["Module", "Namespace", "Enum", "Variable", "Function", "Class", "Interface", "TypeAlias"],
  // A comment of tags alone counts as none, and a schema's type shares its schema's comment.
  plugin: [Path.join(root, "scripts", "typedoc-doc-comments.mjs")],
  // Symbols belong to the package of their nearest package.json: ours, not the root's.
  packagesRequiringDocumentation: manifests.map((manifest) => manifest.name),
  ...(github === null
    ? {}
    : { sourceLinkTemplate: `https://github.com/${github[1]}/blob/{gitRevision}/{path}#L{line}` })
}
