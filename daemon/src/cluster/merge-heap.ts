/**
 * Binary min-heap of candidate merges keyed by (cost, higher node id, lower node id), the order
 * in which scikit-learn's ward_tree pops its (inertia, i, j) tuples, so ties resolve the same way.
 * Entries live in parallel typed arrays; stale entries are skipped by the caller when popped.
 */
export class MergeHeap {
  #costs: Float64Array
  #high: Int32Array
  #low: Int32Array
  #size = 0

  constructor(capacity: number) {
    const initial = Math.max(16, capacity)
    this.#costs = new Float64Array(initial)
    this.#high = new Int32Array(initial)
    this.#low = new Int32Array(initial)
  }

  get size(): number {
    return this.#size
  }

  /** Cost of the entry last removed by `pop`. */
  poppedCost = 0
  poppedHigh = 0
  poppedLow = 0

  push(cost: number, a: number, b: number): void {
    if (this.#size === this.#costs.length) this.#grow()
    const high = a > b ? a : b
    const low = a > b ? b : a
    let index = this.#size++
    const costs = this.#costs
    const highs = this.#high
    const lows = this.#low
    while (index > 0) {
      const parent = (index - 1) >> 1
      const pc = costs[parent]
      if (pc < cost || (pc === cost && (highs[parent] < high || (highs[parent] === high && lows[parent] < low)))) {
        break
      }
      costs[index] = pc
      highs[index] = highs[parent]
      lows[index] = lows[parent]
      index = parent
    }
    costs[index] = cost
    highs[index] = high
    lows[index] = low
  }

  /** Removes the smallest entry into poppedCost/poppedHigh/poppedLow; false when empty. */
  pop(): boolean {
    if (this.#size === 0) return false
    const costs = this.#costs
    const highs = this.#high
    const lows = this.#low
    this.poppedCost = costs[0]
    this.poppedHigh = highs[0]
    this.poppedLow = lows[0]
    const last = --this.#size
    if (last > 0) this.#siftDown(0, costs[last], highs[last], lows[last])
    return true
  }

  /**
   * Keeps only entries for which `keep(high, low)` is true and restores heap order. Pop order
   * does not change because every key is unique.
   */
  compact(keep: (high: number, low: number) => boolean): void {
    let write = 0
    for (let i = 0; i < this.#size; i++) {
      if (!keep(this.#high[i], this.#low[i])) continue
      this.#costs[write] = this.#costs[i]
      this.#high[write] = this.#high[i]
      this.#low[write] = this.#low[i]
      write++
    }
    this.#size = write
    for (let i = (write >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, this.#costs[i], this.#high[i], this.#low[i])
    }
  }

  #siftDown(index: number, cost: number, high: number, low: number): void {
    const costs = this.#costs
    const highs = this.#high
    const lows = this.#low
    const size = this.#size
    for (;;) {
      let child = 2 * index + 1
      if (child >= size) break
      const right = child + 1
      if (right < size && lessThan(costs, highs, lows, right, child)) child = right
      const cc = costs[child]
      if (cost < cc || (cost === cc && (high < highs[child] || (high === highs[child] && low < lows[child])))) {
        break
      }
      costs[index] = cc
      highs[index] = highs[child]
      lows[index] = lows[child]
      index = child
    }
    costs[index] = cost
    highs[index] = high
    lows[index] = low
  }

  #grow(): void {
    const capacity = this.#costs.length * 2
    const costs = new Float64Array(capacity)
    costs.set(this.#costs)
    this.#costs = costs
    const highs = new Int32Array(capacity)
    highs.set(this.#high)
    this.#high = highs
    const lows = new Int32Array(capacity)
    lows.set(this.#low)
    this.#low = lows
  }
}

function lessThan(costs: Float64Array, highs: Int32Array, lows: Int32Array, a: number, b: number): boolean {
  if (costs[a] !== costs[b]) return costs[a] < costs[b]
  if (highs[a] !== highs[b]) return highs[a] < highs[b]
  return lows[a] < lows[b]
}
