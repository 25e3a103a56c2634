import type { PartTree } from '../../../protocol/src/part-tree.js'

/**
 * Chooses a part count from a merge tree: the k in 2..maxParts where the merge that would go
 * from k to k - 1 parts costs the most relative to the merge that went from k + 1 to k. Costs
 * are first made non-decreasing (a running maximum), because connectivity constraints let a
 * later merge cost less than an earlier one. Ties go to the smaller k. A tree from a disconnected
 * graph cannot go below its component count, so it picks that count when it is 2 or more.
 * Trees with fewer than 3 leaves give min(leafCount, maxParts).
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

  let best = low
  let bestRatio = -Infinity
  for (let k = low; k <= high; k++) {
    // With k parts the merges before index leafCount - k are applied.
    // A disconnected tree has no merge below its component count: an infinite jump.
    const next = tree.leafCount - k < mergeCount ? heights[tree.leafCount - k] : Infinity
    const previous = heights[tree.leafCount - k - 1]
    const ratio = (next + epsilon) / (previous + epsilon)
    if (ratio > bestRatio) {
      best = k
      bestRatio = ratio
    }
  }
  return best
}
