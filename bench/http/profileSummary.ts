/**
 * Where a process's CPU went during a measured window: reads a `.cpuprofile` written by
 * `node --cpu-prof` and sums the samples between two instants of the monotonic clock (the one
 * `process.hrtime` reads, which is also the profile's) by function (self time), by package, and
 * inclusively (a function and everything it called).
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** One line of a summary: a name and its share of the busy time. */
export interface Share {
  readonly name: string
  readonly percent: number
}

/** The summary of a window. */
export interface ProfileSummary {
  readonly busy_ms: number
  readonly idle_ms: number
  readonly self: ReadonlyArray<Share>
  readonly packages: ReadonlyArray<Share>
  readonly inclusive: ReadonlyArray<Share>
}

const shorten = (url: string) =>
  url.replace(/^file:\/\/.*?\/node_modules\//, "").replace(/^file:\/\/.*?\/packages\//, "").replace("/dist/esm/", "/")

const nameOf = (frame: CallFrame) =>
  `${frame.functionName === "" ? "(anonymous)" : frame.functionName}${
    frame.url === "" ? "" : ` ${shorten(frame.url)}:${frame.lineNumber + 1}`
  }`

const packageOf = (frame: CallFrame) => {
  const url = frame.url
  if (url === "") return frame.functionName.startsWith("(") ? frame.functionName : "(native)"
  if (url.startsWith("node:")) return "node (built-in)"
  const modules = url.lastIndexOf("/node_modules/")
  if (modules >= 0) {
    const parts = url.slice(modules + "/node_modules/".length).split("/")
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  const packages = url.lastIndexOf("/packages/")
  if (packages >= 0) return `@ecr-scan/${url.slice(packages + "/packages/".length).split("/")[0]}`
  return url
}

const top = (totals: Map<string, number>, busy: number, count: number): ReadonlyArray<Share> =>
  [...totals].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, time]) => ({
    name,
    percent: Number((100 * time / busy).toFixed(1))
  }))

/** Sums the samples of `file` taken between `fromMicros` and `toMicros` (monotonic clock, µs). */
export const summarize = (file: string, fromMicros: number, toMicros: number, count = 25): ProfileSummary => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const selfByNode = new Map<number, number>()
  let at = profile.startTime
  let busy = 0
  let idle = 0
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]
    if (at < fromMicros || at > toMicros) continue
    const id = profile.samples[i]
    const delta = profile.timeDeltas[i]
    if (nodes.get(id)!.callFrame.functionName === "(idle)") {
      idle += delta
      continue
    }
    busy += delta
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta)
  }
  const self = new Map<string, number>()
  const packages = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const [id, time] of selfByNode) {
    const frame = nodes.get(id)!.callFrame
    self.set(nameOf(frame), (self.get(nameOf(frame)) ?? 0) + time)
    packages.set(packageOf(frame), (packages.get(packageOf(frame)) ?? 0) + time)
    const seen = new Set<string>()
    for (let node: number | undefined = id; node !== undefined; node = parents.get(node)) {
      const name = nameOf(nodes.get(node)!.callFrame)
      if (seen.has(name)) continue
      seen.add(name)
      inclusive.set(name, (inclusive.get(name) ?? 0) + time)
    }
  }
  return {
    busy_ms: busy / 1000,
    idle_ms: idle / 1000,
    self: top(self, busy, count),
    packages: top(packages, busy, 12),
    inclusive: top(inclusive, busy, count * 2)
  }
}
