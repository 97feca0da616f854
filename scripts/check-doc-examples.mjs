// Type-checks the code of every `@example` in the doc comments of packages/*/src (`npm run docs:check`).
//
// An example is a fenced ```ts block under an `@example` tag. Each one is compiled as a module of its own, as a
// user would write it: it imports the packages by name (resolved to their sources by tsconfig.docs.json's
// `paths`, so nothing needs building first) and whatever else it needs. The files are virtual, placed beside the
// source file so that module resolution sees what that package sees; nothing is written. An error is reported at
// its line in the source file. Unused locals are allowed: an example may only define a program.
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** Every .ts file under packages/<name>/src. */
const sourceFiles = () => {
  const files = []
  const walk = (dir) => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(path)
    }
  }
  for (const pkg of Fs.readdirSync(Path.join(root, "packages"), { withFileTypes: true })) {
    const src = Path.join(root, "packages", pkg.name, "src")
    if (pkg.isDirectory() && Fs.existsSync(src)) walk(src)
  }
  return files.sort()
}

/** The doc comments of a file (`/** ... *\/` in trivia only, never inside strings), each with its start line. */
const docComments = (file, text) => {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const seen = new Set()
  const comments = []
  const visit = (node) => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      if (seen.has(range.pos) || !text.startsWith("/**", range.pos)) continue
      seen.add(range.pos)
      comments.push({ text: text.slice(range.pos, range.end), line: sf.getLineAndCharacterOfPosition(range.pos).line })
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return comments
}

/**
 * The examples of one doc comment: the ```ts blocks of its `@example` sections, each with the 0-based line of
 * its first code line. An `@example` without such a block is an error: it would be shown but never checked.
 */
const examplesOf = (comment, problems, where) => {
  const lines = comment.text.split("\n").map((line) => line.replace(/^\s*\/\*\*\s?/, "").replace(/\s*\*\/\s*$/, ""))
    .map((line) => line.replace(/^\s*\* ?/, ""))
  const examples = []
  let inExample = false
  let sectionLine = 0
  let sectionBlocks = 0
  let fence
  const endSection = () => {
    if (inExample && sectionBlocks === 0) problems.push(`${where(sectionLine)}: @example without a \`\`\`ts block`)
    inExample = false
  }
  lines.forEach((line, index) => {
    if (fence !== undefined) {
      if (/^\s*```\s*$/.test(line)) {
        if (fence.checked) examples.push({ code: fence.code.join("\n"), line: fence.line })
        fence = undefined
      } else {
        fence.code.push(line)
      }
      return
    }
    const tag = /^\s*(@\w+)/.exec(line)
    if (tag !== null) {
      endSection()
      if (tag[1] === "@example") {
        inExample = true
        sectionLine = comment.line + index
        sectionBlocks = 0
      }
      return
    }
    const open = /^\s*```\s*(\w*)/.exec(line)
    if (open !== null) {
      const checked = inExample && ["ts", "typescript"].includes(open[1])
      if (checked) sectionBlocks++
      fence = { checked, code: [], line: comment.line + index + 1 }
    }
  })
  if (fence !== undefined) problems.push(`${where(fence.line - 1)}: unclosed code block`)
  endSection()
  return examples
}

const start = Date.now()
const problems = []
const virtual = new Map()
const origins = new Map()
for (const file of sourceFiles()) {
  const relative = Path.relative(root, file)
  const where = (line) => `${relative}:${line + 1}`
  let n = 0
  for (const comment of docComments(file, Fs.readFileSync(file, "utf8"))) {
    for (const example of examplesOf(comment, problems, where)) {
      n++
      const path = file.replace(/\.ts$/, `.example-${n}.ts`)
      virtual.set(path, example.code)
      origins.set(path, { relative, line: example.line })
    }
  }
}

const config = ts.getParsedCommandLineOfConfigFile(Path.join(root, "tsconfig.docs.json"), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
  }
})
for (const error of config.errors) {
  problems.push(`tsconfig.docs.json: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`)
}
const options = { ...config.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false }
const host = ts.createCompilerHost(options, true)
const { fileExists, getSourceFile, readFile } = host
host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path)
host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path)
host.getSourceFile = (path, languageVersion, onError, shouldCreate) =>
  virtual.has(path)
    ? ts.createSourceFile(path, virtual.get(path), languageVersion, true)
    : getSourceFile.call(host, path, languageVersion, onError, shouldCreate)

const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host })
const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
for (const path of virtual.keys()) {
  const sf = program.getSourceFile(path)
  diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf))
}
for (const diagnostic of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")
  const origin = diagnostic.file === undefined ? undefined : origins.get(diagnostic.file.fileName)
  if (origin === undefined) {
    const at = diagnostic.file === undefined ? "" : `${Path.relative(root, diagnostic.file.fileName)}: `
    problems.push(`${at}error TS${diagnostic.code}: ${message}`)
  } else {
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    problems.push(`${origin.relative}:${origin.line + line + 1} (example) error TS${diagnostic.code}: ${message}`)
  }
}

const files = new Set([...origins.values()].map((origin) => origin.relative)).size
const counted = `${virtual.size} example(s) in ${files} file(s), ${((Date.now() - start) / 1000).toFixed(1)}s`
if (problems.length > 0) {
  for (const problem of problems) console.error(problem)
  console.error(`Doc examples: ${problems.length} problem(s) (${counted})`)
  process.exit(1)
}
console.log(`Doc examples: all type-check (${counted})`)
