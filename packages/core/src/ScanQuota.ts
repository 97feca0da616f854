/**
 * The account quota: at most `limit` accepted scans in any rolling window of `windowMillis`, per
 * registry. A persistent queue of the start times of the scans still inside the window, so every
 * operation is a pure function of its inputs and `now`, and costs O(1) amortised: each time is
 * enqueued once and dequeued once, never scanned again (no walk over 100,000 timestamps per call).
 *
 * Times must be non-decreasing across calls; backends guarantee it by never letting their notion
 * of `now` run backwards.
 *
 * @since 0.1.0
 */

interface Cell {
  readonly time: number
  readonly next: Cell | undefined
}

/** The start times of the accepted scans still inside the window, oldest first. */
export interface ScanQuota {
  /** Oldest times first. */
  readonly front: Cell | undefined
  /** Newest times first (reversed into `front` when `front` runs out). */
  readonly back: Cell | undefined
  readonly size: number
}

/** No scans yet. */
export const empty: ScanQuota = { front: undefined, back: undefined, size: 0 }

const reverse = (cell: Cell | undefined): Cell | undefined => {
  let out: Cell | undefined = undefined
  for (let c = cell; c !== undefined; c = c.next) out = { time: c.time, next: out }
  return out
}

const normalise = (quota: ScanQuota): ScanQuota =>
  quota.front === undefined && quota.back !== undefined
    ? { front: reverse(quota.back), back: undefined, size: quota.size }
    : quota

/** The start time of the oldest scan still counted, if any. */
export const oldest = (quota: ScanQuota): number | undefined => normalise(quota).front?.time

/** Drops the scans that have left the window at `now` (a scan at `t` counts while `now < t + window`). */
export const prune = (quota: ScanQuota, now: number, windowMillis: number): ScanQuota => {
  let q = normalise(quota)
  while (q.front !== undefined && q.front.time + windowMillis <= now) {
    q = normalise({ front: q.front.next, back: q.back, size: q.size - 1 })
  }
  return q
}

/** Counts a scan accepted at `now`. */
export const record = (quota: ScanQuota, now: number): ScanQuota => ({
  front: quota.front,
  back: { time: now, next: quota.back },
  size: quota.size + 1
})

/** The outcome of asking the quota for a slot. */
export type Decision =
  | { readonly admitted: true; readonly quota: ScanQuota }
  | { readonly admitted: false; readonly quota: ScanQuota; readonly nextSlotAt: number }

/**
 * Asks for a slot at `now`. The returned quota is pruned but does not yet count the scan: call
 * `record` once the scan is actually accepted (a later check may still refuse it).
 */
export const check = (quota: ScanQuota, now: number, limit: number, windowMillis: number): Decision => {
  const q = prune(quota, now, windowMillis)
  if (q.size < limit) return { admitted: true, quota: q }
  // Full: the slot frees exactly when the oldest counted scan leaves the window.
  return { admitted: false, quota: q, nextSlotAt: q.front!.time + windowMillis }
}

/** The number of scans counted in the window ending at `now`. */
export const countAt = (quota: ScanQuota, now: number, windowMillis: number): number =>
  prune(quota, now, windowMillis).size

/** The counted start times, oldest first (for snapshots). */
export const toArray = (quota: ScanQuota): Array<number> => {
  const out: Array<number> = []
  for (let c = quota.front; c !== undefined; c = c.next) out.push(c.time)
  const back: Array<number> = []
  for (let c = quota.back; c !== undefined; c = c.next) back.push(c.time)
  for (let i = back.length - 1; i >= 0; i--) out.push(back[i])
  return out
}

/** Rebuilds a quota from start times, oldest first (from a snapshot). */
export const fromArray = (times: ReadonlyArray<number>): ScanQuota => {
  let front: Cell | undefined = undefined
  for (let i = times.length - 1; i >= 0; i--) front = { time: times[i], next: front }
  return { front, back: undefined, size: times.length }
}
