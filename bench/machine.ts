/**
 * What every benchmark records of the machine it ran on, and the statistic they all report.
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
