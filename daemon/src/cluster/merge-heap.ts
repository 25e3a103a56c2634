/** Bytes per entry: a float64 cost, then the int32 higher and lower node ids. */
const ENTRY_BYTES = 16

/**
 * Min-heap of candidate merges keyed by (cost, higher node id, lower node id), the order in
 * which scikit-learn's ward_tree pops its (inertia, i, j) tuples, so ties resolve the same way.
 * It is 4-ary with each entry's three fields side by side in one buffer, so a sift touches about
 * one cache line per level; Ward on a million faces pushes some 17 million entries. Stale entries
 * are skipped by the caller when popped.
 */
export class MergeHeap {
  #costs: Float64Array
  #ids: Int32Array
  #size = 0

  constructor(capacity: number) {
    const buffer = new ArrayBuffer(Math.max(16, capacity) * ENTRY_BYTES)
    this.#costs = new Float64Array(buffer)
    this.#ids = new Int32Array(buffer)
  }

  get size(): number {
    return this.#size
  }

  /** The entry last removed by `pop`. */
  poppedCost = 0
  poppedHigh = 0
  poppedLow = 0

  push(cost: number, a: number, b: number): void {
    if (this.#size === this.#costs.length / 2) this.#grow()
    const high = a > b ? a : b
    const low = a > b ? b : a
    const costs = this.#costs
    const ids = this.#ids
    let index = this.#size++
    while (index > 0) {
      const parent = (index - 1) >> 2
      const pc = costs[2 * parent]
      const ph = ids[4 * parent + 2]
      if (pc < cost || (pc === cost && (ph < high || (ph === high && ids[4 * parent + 3] < low)))) break
      costs[2 * index] = pc
      ids[4 * index + 2] = ph
      ids[4 * index + 3] = ids[4 * parent + 3]
      index = parent
    }
    costs[2 * index] = cost
    ids[4 * index + 2] = high
    ids[4 * index + 3] = low
  }

  /** Appends an entry without ordering; call `heapify` before the next `pop`. */
  append(cost: number, a: number, b: number): void {
    if (this.#size === this.#costs.length / 2) this.#grow()
    const index = this.#size++
    this.#costs[2 * index] = cost
    this.#ids[4 * index + 2] = a > b ? a : b
    this.#ids[4 * index + 3] = a > b ? b : a
  }

  /** Restores heap order over all entries in linear time. */
  heapify(): void {
    for (let i = ((this.#size - 2) >> 2); i >= 0; i--) {
      this.#siftDown(i, this.#costs[2 * i], this.#ids[4 * i + 2], this.#ids[4 * i + 3])
    }
  }

  /** Removes the smallest entry into poppedCost/poppedHigh/poppedLow; false when empty. */
  pop(): boolean {
    if (this.#size === 0) return false
    const costs = this.#costs
    const ids = this.#ids
    this.poppedCost = costs[0]
    this.poppedHigh = ids[2]
    this.poppedLow = ids[3]
    const last = --this.#size
    if (last > 0) this.#siftDown(0, costs[2 * last], ids[4 * last + 2], ids[4 * last + 3])
    return true
  }

  /**
   * Keeps only entries for which `keep(high, low)` is true and restores heap order. Pop order
   * does not change because every key is unique.
   */
  compact(keep: (high: number, low: number) => boolean): void {
    const costs = this.#costs
    const ids = this.#ids
    let write = 0
    for (let i = 0; i < this.#size; i++) {
      if (!keep(ids[4 * i + 2], ids[4 * i + 3])) continue
      costs[2 * write] = costs[2 * i]
      ids[4 * write + 2] = ids[4 * i + 2]
      ids[4 * write + 3] = ids[4 * i + 3]
      write++
    }
    this.#size = write
    this.heapify()
  }

  #siftDown(index: number, cost: number, high: number, low: number): void {
    const costs = this.#costs
    const ids = this.#ids
    const size = this.#size
    for (;;) {
      const first = 4 * index + 1
      if (first >= size) break
      // Smallest of up to four children.
      let child = first
      let cc = costs[2 * first]
      let ch = ids[4 * first + 2]
      let cl = ids[4 * first + 3]
      const end = first + 4 < size ? first + 4 : size
      for (let c = first + 1; c < end; c++) {
        const value = costs[2 * c]
        if (value > cc) continue
        const h = ids[4 * c + 2]
        const l = ids[4 * c + 3]
        if (value === cc && (h > ch || (h === ch && l > cl))) continue
        child = c
        cc = value
        ch = h
        cl = l
      }
      if (cost < cc || (cost === cc && (high < ch || (high === ch && low < cl)))) break
      costs[2 * index] = cc
      ids[4 * index + 2] = ch
      ids[4 * index + 3] = cl
      index = child
    }
    costs[2 * index] = cost
    ids[4 * index + 2] = high
    ids[4 * index + 3] = low
  }

  #grow(): void {
    const buffer = new ArrayBuffer(this.#costs.length * 2 * ENTRY_BYTES)
    // Byte copy: the id halves of an entry must not pass through float64 conversion.
    new Uint8Array(buffer).set(new Uint8Array(this.#costs.buffer))
    this.#costs = new Float64Array(buffer)
    this.#ids = new Int32Array(buffer)
  }
}
