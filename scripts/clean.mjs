// `npm run clean`: deletes every build output (each package's dist, with its build info; the examples' and
// the benchmarks'). `tsc -b --clean` deletes only what the current sources would emit, so a module since
// removed or renamed would stay in dist and be published; `npm run release` starts from here.
import { readdirSync, rmSync } from "node:fs"

const packages = readdirSync("packages", { withFileTypes: true }).filter((entry) => entry.isDirectory())
for (const dir of [...packages.map((entry) => `packages/${entry.name}/dist`), "examples/dist", "bench/dist"]) {
  rmSync(dir, { recursive: true, force: true })
}
