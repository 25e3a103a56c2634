/**
 * Size, feature sum and mean of every live cluster, for Ward distances. A leaf reads its row of
 * the input features directly. Merged clusters keep their float64 sums and means in a pool that
 * grows on demand and reuses freed rows. On the meshes measured, at most about an eighth of the
 * leaves were merged clusters alive at once, so this needs far less memory than float64 rows
 * for every leaf.
 */
export class ClusterMoments {
  readonly #features: Float32Array
  readonly #dim: number
  /** Per slot: total weight of the cluster. */
  readonly #sizes: Float64Array
  /** Per slot: row in the pool, or -1 while the slot is still a leaf. */
  readonly #poolRow: Int32Array
  #sums: Float64Array
  #means: Float64Array
  #freeRows: Int32Array
  #freeCount = 0
  #rowsUsed = 0
  /** Scratch for distancesTo: positions of leaf and merged neighbours, and four sums. */
  #leafPositions = new Int32Array(64)
  #mergedPositions = new Int32Array(64)
  readonly #fourSums = new Float64Array(4)

  constructor(features: Float32Array, dim: number, leafCount: number, sizes?: Float64Array) {
    this.#features = features
    this.#dim = dim
    this.#sizes = sizes ? Float64Array.from(sizes) : new Float64Array(leafCount).fill(1)
    this.#poolRow = new Int32Array(leafCount).fill(-1)
    const rows = Math.max(64, Math.ceil(leafCount * INITIAL_POOL_SHARE))
    this.#sums = new Float64Array(rows * dim)
    this.#means = new Float64Array(rows * dim)
    this.#freeRows = new Int32Array(rows)
  }

  /**
   * Returns the Ward cost of merging two clusters: sizeA * sizeB / (sizeA + sizeB) * |meanA - meanB|^2, with
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
    return squared * wardFactor(this.#sizes[slotA], this.#sizes[slotB])
  }

  /**
   * Writes distance(slot, others[i]) to out[i - from] for every i in from..to. Four distances
   * run side by side, each summing its dimensions in order, so every result is bitwise the one
   * `distance` gives while the CPU overlaps four addition chains. Leaf and merged neighbours are
   * batched separately so each batch reads one array type.
   */
  distancesTo(slot: number, others: Uint32Array, from: number, to: number, out: Float64Array): void {
    const dim = this.#dim
    const row = this.#poolRow[slot]
    if (dim < BATCH_MIN_DIM || row < 0) {
      for (let i = from; i < to; i++) out[i - from] = this.distance(slot, others[i])
      return
    }
    if (this.#leafPositions.length < to - from) {
      this.#leafPositions = new Int32Array(2 * (to - from))
      this.#mergedPositions = new Int32Array(2 * (to - from))
    }
    let leaves = 0
    let merged = 0
    for (let i = from; i < to; i++) {
      if (this.#poolRow[others[i]] < 0) this.#leafPositions[leaves++] = i
      else this.#mergedPositions[merged++] = i
    }
    this.#batch(slot, others, from, this.#leafPositions, leaves, false, out)
    this.#batch(slot, others, from, this.#mergedPositions, merged, true, out)
  }

  /** Computes distances from `slot` (a merged cluster) to others[positions[0..count)], four at a time. */
  #batch(slot: number, others: Uint32Array, from: number, positions: Int32Array, count: number, pooled: boolean, out: Float64Array): void {
    const dim = this.#dim
    const own = this.#poolRow[slot] * dim
    const sums = this.#fourSums
    const poolRow = this.#poolRow
    let p = 0
    for (; p + 3 < count; p += 4) {
      let b0 = others[positions[p]]
      let b1 = others[positions[p + 1]]
      let b2 = others[positions[p + 2]]
      let b3 = others[positions[p + 3]]
      if (pooled) {
        b0 = poolRow[b0]
        b1 = poolRow[b1]
        b2 = poolRow[b2]
        b3 = poolRow[b3]
      }
      b0 *= dim
      b1 *= dim
      b2 *= dim
      b3 *= dim
      if (pooled) fourDistancesToMeans(this.#means, own, b0, b1, b2, b3, dim, sums)
      else fourDistancesToLeaves(this.#means, own, this.#features, b0, b1, b2, b3, dim, sums)
      for (let j = 0; j < 4; j++) {
        const position = positions[p + j]
        out[position - from] = sums[j] * wardFactor(this.#sizes[slot], this.#sizes[others[position]])
      }
    }
    for (; p < count; p++) out[positions[p] - from] = this.distance(slot, others[positions[p]])
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
    const out = target * dim
    if (rowSlot >= 0 && rowAbsorbed >= 0) {
      const a = rowSlot * dim
      const b = rowAbsorbed * dim
      for (let d = 0; d < dim; d++) {
        const sum = sums[a + d] + sums[b + d]
        sums[out + d] = sum
        means[out + d] = sum / size
      }
    } else if (rowSlot >= 0 || rowAbsorbed >= 0) {
      const pooled = (rowSlot >= 0 ? rowSlot : rowAbsorbed) * dim
      const leaf = (rowSlot >= 0 ? absorbed : slot) * dim
      const leafSize = rowSlot >= 0 ? sizeAbsorbed : sizeSlot
      for (let d = 0; d < dim; d++) {
        const sum = sums[pooled + d] + features[leaf + d] * leafSize
        sums[out + d] = sum
        means[out + d] = sum / size
      }
    } else {
      const a = slot * dim
      const b = absorbed * dim
      for (let d = 0; d < dim; d++) {
        const sum = features[a + d] * sizeSlot + features[b + d] * sizeAbsorbed
        sums[out + d] = sum
        means[out + d] = sum / size
      }
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

/**
 * Merged clusters alive at once, as a share of the leaves, that the pool is first sized for.
 * The peak measured on meshes was 0.11 to 0.12; a larger peak grows the pool by doubling.
 */
const INITIAL_POOL_SHARE = 0.15

/** Below this many dimensions batching four distances gains nothing. */
const BATCH_MIN_DIM = 16

/** sizeA * sizeB / (sizeA + sizeB), in scikit-learn's order of operations. */
function wardFactor(sizeA: number, sizeB: number): number {
  return (sizeA * sizeB) / (sizeA + sizeB)
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

/*
 * The two functions below differ only in the type of the neighbours' rows. Keeping them apart
 * keeps each element access monomorphic, which V8 compiles to plain loads.
 */

/** Computes squared distances from means[own..] to four leaf rows of `features`, each summed in order. */
function fourDistancesToLeaves(means: Float64Array, own: number, features: Float32Array, b0: number, b1: number, b2: number, b3: number, dim: number, out: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0
  for (let d = 0; d < dim; d++) {
    const m = means[own + d]
    const e0 = m - features[b0 + d]
    const e1 = m - features[b1 + d]
    const e2 = m - features[b2 + d]
    const e3 = m - features[b3 + d]
    s0 += e0 * e0
    s1 += e1 * e1
    s2 += e2 * e2
    s3 += e3 * e3
  }
  out[0] = s0
  out[1] = s1
  out[2] = s2
  out[3] = s3
}

/** Computes squared distances from means[own..] to four other rows of `means`, each summed in order. */
function fourDistancesToMeans(means: Float64Array, own: number, b0: number, b1: number, b2: number, b3: number, dim: number, out: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0
  for (let d = 0; d < dim; d++) {
    const m = means[own + d]
    const e0 = m - means[b0 + d]
    const e1 = m - means[b1 + d]
    const e2 = m - means[b2 + d]
    const e3 = m - means[b3 + d]
    s0 += e0 * e0
    s1 += e1 * e1
    s2 += e2 * e2
    s3 += e3 * e3
  }
  out[0] = s0
  out[1] = s1
  out[2] = s2
  out[3] = s3
}
