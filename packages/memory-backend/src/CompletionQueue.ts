/**
 * The scans whose completion a subscriber still has to publish, earliest first: a binary heap (a burst of
 * calls at one instant schedules thousands of completions, and a busy registry has tens of thousands in
 * flight), with entries cancelled in place and dropped when they reach the top.
 *
 * @since 0.1.0
 */

/** An entry: cancelled ones stay in the heap, marked, until they reach the top. */
export interface Entry {
  cancelled: boolean
}

/** A min-heap of entries under `before` (true when `a` comes before `b`). */
export class CompletionQueue<A extends Entry> {
  private heap: Array<A> = []
  private live = 0

  constructor(private readonly before: (a: A, b: A) => boolean) {}

  /** How many entries are not cancelled. */
  get size(): number {
    return this.live
  }

  /** Adds an entry; answers whether it is now the earliest. */
  push(entry: A): boolean {
    const heap = this.heap
    heap.push(entry)
    this.live++
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
    return i === 0
  }

  /** The earliest entry not cancelled, if any. */
  peek(): A | undefined {
    this.dropCancelled()
    return this.heap[0]
  }

  /** Removes and answers the earliest entry not cancelled, if any. */
  pop(): A | undefined {
    this.dropCancelled()
    const top = this.heap[0]
    if (top === undefined) return undefined
    this.removeTop()
    this.live--
    return top
  }

  /** Marks an entry cancelled (it must be in the queue and not cancelled yet). */
  cancel(entry: A): void {
    if (entry.cancelled) return
    entry.cancelled = true
    this.live--
  }

  /** Forgets every entry. */
  clear(): void {
    this.heap = []
    this.live = 0
  }

  private dropCancelled() {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.removeTop()
  }

  private removeTop() {
    const heap = this.heap
    const last = heap.pop()!
    if (heap.length === 0) return
    heap[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === i) return
      ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
      i = smallest
    }
  }
}
