/**
 * What every benchmark records of the machine it ran on, the statistic they all report, the wait for a quiet
 * machine before measuring, and the tables they print.
 *
 * @since 0.1.0
 */
import * as os from "node:os"

/** The load averages (1, 5, 15 minutes), to two decimals. */
export const loadAverage = (): Array<number> => os.loadavg().map((l) => Number(l.toFixed(2)))

/** The machine, as the result files record it. */
export const describe = () => ({
  cpu: os.cpus()[0]?.model ?? "unknown",
  cpus: os.cpus().length,
  platform: `${os.platform()} ${os.release()}`,
  total_memory_gb: Math.round(os.totalmem() / 2 ** 30),
  load_average_at_start: loadAverage()
})

/** The line a benchmark logs about the machine as it starts. */
export const summary = (machine: ReturnType<typeof describe>): string =>
  `node ${process.version}, ${machine.cpu} x ${machine.cpus}, load ${machine.load_average_at_start.join(" ")}`

/** The median of some values (the mean of the middle two for an even count). */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Waits (at most `maxWaitMs`) for the one-minute load average to fall to `limit`, saying so through `log`: how
 * long it waited, and the load averages when measuring started (the result files record both).
 */
export const waitForQuiet = async (limit: number, maxWaitMs: number, log: (text: string) => void) => {
  const start = performance.now()
  let load = os.loadavg()[0]
  while (load > limit && performance.now() - start < maxWaitMs) {
    log(`load average ${load.toFixed(2)} > ${limit}: waiting for a quieter moment (at most ${maxWaitMs / 1000} s)`)
    await new Promise<void>((resolve) => setTimeout(resolve, 5_000))
    load = os.loadavg()[0]
  }
  if (load > limit) log(`load average still ${load.toFixed(2)}: measuring anyway`)
  return { waited_ms: Math.round(performance.now() - start), load_average_when_started: loadAverage() }
}

/** A text table: the first column left-aligned, the others right-aligned, two spaces apart. */
export const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "))
    .join("\n")
}
