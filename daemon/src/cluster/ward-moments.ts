/**
 * Size, feature sum and mean of every live cluster, for Ward distances. A leaf reads its row of
 * the input features directly. Merged clusters keep their float64 sums and means in a pool that
 * grows on demand and reuses freed rows; on meshes at most about an eighth of the leaves are
 * merged clusters alive at once, so this needs far less memory than float64 rows for every leaf.
 */
export class ClusterMoments {
  readonly #features: Float32Array
  readonly #dim: number
  /** Per slot: total weight of the cluster. */
  readonly #sizes: Float64Array
  /** Per slot: row in the pool, or -1 while the slot still holds its leaf. */
  readonly #poolRow: Int32Array
  #sums: Float64Array
  #means: Float64Array
  #freeRows: Int32Array
  #freeCount = 0
  #rowsUsed = 0

  constructor(features: Float32Array, dim: number, leafCount: number, sizes?: Float64Array) {
    this.#features = features
    this.#dim = dim
    this.#sizes = sizes ? Float64Array.from(sizes) : new Float64Array(leafCount).fill(1)
    this.#poolRow = new Int32Array(leafCount).fill(-1)
    const rows = Math.max(64, leafCount >> 3)
    this.#sums = new Float64Array(rows * dim)
    this.#means = new Float64Array(rows * dim)
    this.#freeRows = new Int32Array(rows)
  }

  /**
   * Ward cost of merging two clusters: sizeA * sizeB / (sizeA + sizeB) * |meanA - meanB|^2, with
   * the operations in scikit-learn's order so the float64 result is the same. A leaf's mean is
   * its feature row, exactly as scikit-learn's sum / 1.
   */
  distance(slotA: number, slotB: number): number {
    const rowA = this.#poolRow[slotA]
    const rowB = this.#poolRow[slotB]
    const dim = this.#dim
    let squared: number
    if (rowA < 0 && rowB < 0) squared = distanceLeafLeaf(this.#features, slotA * dim, slotB * dim, dim)
    else if (rowA < 0) squared = distanceMeanLeaf(this.#means, rowB * dim, this.#features, slotA * dim, dim)
    else if (rowB < 0) squared = distanceMeanLeaf(this.#means, rowA * dim, this.#features, slotB * dim, dim)
    else squared = distanceMeanMean(this.#means, rowA * dim, rowB * dim, dim)
    const sizeA = this.#sizes[slotA]
    const sizeB = this.#sizes[slotB]
    return squared * ((sizeA * sizeB) / (sizeA + sizeB))
  }

  /** Stores the union of the clusters in `slot` and `absorbed` in `slot`. */
  merge(slot: number, absorbed: number): void {
    const dim = this.#dim
    const rowSlot = this.#poolRow[slot]
    const rowAbsorbed = this.#poolRow[absorbed]
    let target = rowSlot >= 0 ? rowSlot : rowAbsorbed
    if (target < 0) target = this.#allocateRow()
    const sizeSlot = this.#sizes[slot]
    const sizeAbsorbed = this.#sizes[absorbed]
    const size = sizeSlot + sizeAbsorbed

    // Each element is read before it is written, so target may be either input's row.
    const sums = this.#sums
    const means = this.#means
    const features = this.#features
    for (let d = 0; d < dim; d++) {
      const a = rowSlot >= 0 ? sums[rowSlot * dim + d] : features[slot * dim + d] * sizeSlot
      const b = rowAbsorbed >= 0 ? sums[rowAbsorbed * dim + d] : features[absorbed * dim + d] * sizeAbsorbed
      const sum = a + b
      sums[target * dim + d] = sum
      means[target * dim + d] = sum / size
    }

    if (rowSlot >= 0 && rowAbsorbed >= 0) this.#freeRows[this.#freeCount++] = rowAbsorbed
    this.#poolRow[slot] = target
    this.#poolRow[absorbed] = -1
    this.#sizes[slot] = size
  }

  #allocateRow(): number {
    if (this.#freeCount > 0) return this.#freeRows[--this.#freeCount]
    const capacity = this.#sums.length / this.#dim
    if (this.#rowsUsed === capacity) {
      const sums = new Float64Array(2 * capacity * this.#dim)
      sums.set(this.#sums)
      this.#sums = sums
      const means = new Float64Array(2 * capacity * this.#dim)
      means.set(this.#means)
      this.#means = means
      const free = new Int32Array(2 * capacity)
      free.set(this.#freeRows)
      this.#freeRows = free
    }
    return this.#rowsUsed++
  }
}

function distanceLeafLeaf(features: Float32Array, a: number, b: number, dim: number): number {
  let squared = 0
  for (let d = 0; d < dim; d++) {
    const diff = features[a + d] - features[b + d]
    squared += diff * diff
  }
  return squared
}

function distanceMeanLeaf(means: Float64Array, a: number, features: Float32Array, b: number, dim: number): number {
  let squared = 0
  for (let d = 0; d < dim; d++) {
    const diff = means[a + d] - features[b + d]
    squared += diff * diff
  }
  return squared
}

function distanceMeanMean(means: Float64Array, a: number, b: number, dim: number): number {
  let squared = 0
  for (let d = 0; d < dim; d++) {
    const diff = means[a + d] - means[b + d]
    squared += diff * diff
  }
  return squared
}
