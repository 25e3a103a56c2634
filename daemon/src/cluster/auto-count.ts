import type { PartTree } from '../../../protocol/src/part-tree.js'

/**
 * Share of the leaves below which the smaller side of a merge is a sliver. A sliver is a few
 * faces that no user would call a part, so its merge neither makes nor hides a level of the tree.
 */
const SLIVER_SHARE = 0.01

/** A cut is a clear level when the merges above it cost at least this many times those below. */
const CLEAR_JUMP = 3

/**
 * Chooses a part count from a merge tree: the finest clear level. That is the largest k in
 * 2..maxParts where the merge that would go from k to k - 1 parts costs at least CLEAR_JUMP times
 * the next merge below it. Merges that join a sliver are skipped on both sides of that ratio.
 * When no level is clear, it takes the largest ratio, and ties go to the smaller k.
 *
 * It takes the finest level rather than the largest jump because Ward's top merges join the
 * largest clusters and so cost the most. Their jump often beats that of the limbs below, so the
 * largest jump gave 2 parts for figures, chairs and animals. Costs are first made non-decreasing
 * (a running maximum), because connectivity constraints let a later merge cost less than an
 * earlier one. A tree from a disconnected graph cannot go below its component count, which is a
 * clear level when it is 2 or more. Trees with fewer than 3 leaves give min(leafCount, maxParts).
 */
export function choosePartCount(tree: PartTree, maxParts: number): number {
  const mergeCount = tree.costs.length
  const minParts = Math.max(1, tree.leafCount - mergeCount)
  const low = Math.max(2, minParts)
  const high = Math.min(Math.floor(maxParts), tree.leafCount - 1)
  if (tree.leafCount < 3 || high < low) return Math.max(minParts, Math.min(tree.leafCount, Math.max(1, Math.floor(maxParts))))

  const heights = new Float64Array(mergeCount)
  let running = 0
  for (let m = 0; m < mergeCount; m++) {
    running = Math.max(running, tree.costs[m])
    heights[m] = running
  }
  // Guards ratios of zero costs (identical features) without changing those of real ones.
  const epsilon = Math.max(running * 1e-12, Number.MIN_VALUE)
  // With k parts the merges before index leafCount - k are applied. A disconnected tree has no
  // merge that goes below its component count, so the jump there is infinite.
  const heightAbove = (k: number): number => (tree.leafCount - k < mergeCount ? heights[tree.leafCount - k] : Infinity)

  const smaller = smallerSides(tree)
  let levels = levelsFrom(smaller, tree.leafCount, low, high, SLIVER_SHARE * tree.leafCount)
  // A tree whose top merges all join slivers has no level by that measure, so count every merge.
  if (levels.length === 0 || levels[0] > high) levels = levelsFrom(smaller, tree.leafCount, low, high, 0)

  let finestClear = 0
  let best = low
  let bestRatio = -Infinity
  for (let i = 0; i < levels.length && levels[i] <= high; i++) {
    // Without a level below, the rest of the tree only adds slivers, so this level is clear.
    const below = i + 1 < levels.length ? heightAbove(levels[i + 1]) : 0
    const ratio = (heightAbove(levels[i]) + epsilon) / (below + epsilon)
    if (ratio >= CLEAR_JUMP) finestClear = levels[i]
    if (ratio > bestRatio) {
      best = levels[i]
      bestRatio = ratio
    }
  }
  return finestClear > 0 ? finestClear : best
}

/** Leaf count of the smaller of the two nodes that each merge joins. */
function smallerSides(tree: PartTree): Int32Array {
  const { leafCount, merges } = tree
  const mergeCount = merges.length / 2
  const nodeSizes = new Int32Array(mergeCount)
  const smaller = new Int32Array(mergeCount)
  const sizeOf = (node: number): number => (node < leafCount ? 1 : nodeSizes[node - leafCount])
  for (let m = 0; m < mergeCount; m++) {
    const a = sizeOf(merges[2 * m])
    const b = sizeOf(merges[2 * m + 1])
    nodeSizes[m] = a + b
    smaller[m] = Math.min(a, b)
  }
  return smaller
}

/**
 * Lists the part counts from `low` up whose cut undoes a merge that joins no sliver, or that is
 * a disconnected tree's component count. The list ends with the first such count above `high`,
 * which gives the height below the last level in range, or earlier when the tree runs out.
 */
function levelsFrom(smaller: Int32Array, leafCount: number, low: number, high: number, minSize: number): number[] {
  const levels: number[] = []
  for (let k = low; k <= leafCount; k++) {
    const m = leafCount - k
    if (m >= smaller.length || smaller[m] >= minSize) {
      levels.push(k)
      if (k > high) break
    }
  }
  return levels
}
