import { UnionFind } from './components.js'
import { KdTree, LabelFilter } from './kd-tree.js'
import { Uint32Builder } from './uint32-builder.js'

/**
 * Minimum spanning tree over groups of points, where two groups are as far apart as their
 * closest pair of points (Borůvka's algorithm). Each round, every group finds its nearest point
 * in another group with one k-d tree query per point, bounded by the best distance the group
 * has found so far. Every group joins another each round, so the number of groups at least
 * halves.
 *
 * Returns the tree's edges as point pairs (two entries per edge), groupCount - 1 of them.
 */
export function groupSpanningTree(
  tree: KdTree,
  groupOfPoint: Uint32Array,
  groupCount: number,
  signal?: AbortSignal,
): Uint32Array {
  const sets = new UnionFind(groupCount)
  const edges = new Uint32Builder(2 * Math.max(1, groupCount))
  const labelOfPoint = new Uint32Array(groupOfPoint.length)
  const bestDistance = new Float64Array(groupCount)
  const bestFrom = new Int32Array(groupCount)
  const bestTo = new Int32Array(groupCount)
  const points = tree.points
  let remaining = groupCount

  while (remaining > 1) {
    signal?.throwIfAborted()
    for (let i = 0; i < tree.size; i++) {
      const p = tree.order[i]
      labelOfPoint[p] = sets.find(groupOfPoint[p])
    }
    const labels = tree.labelNodes(labelOfPoint)
    bestDistance.fill(Infinity)
    bestTo.fill(-1)

    // Tree order puts nearby points next to each other, so bounds tighten early.
    for (let i = 0; i < tree.size; i++) {
      const p = tree.order[i]
      const group = labelOfPoint[p]
      const x = points[3 * p], y = points[3 * p + 1], z = points[3 * p + 2]
      const q = tree.nearest(x, y, z, bestDistance[group], labels, group, LabelFilter.Exclude)
      if (q < 0) continue
      bestDistance[group] = tree.lastDistanceSquared
      bestFrom[group] = p
      bestTo[group] = q
    }

    const before = remaining
    for (let group = 0; group < groupCount; group++) {
      if (bestTo[group] < 0) continue
      if (!sets.union(labelOfPoint[bestFrom[group]], labelOfPoint[bestTo[group]])) continue
      edges.pushPair(bestFrom[group], bestTo[group])
      remaining--
    }
    // Only possible when the tree lacks the points of some group; stop rather than loop forever.
    if (remaining === before) break
  }
  return edges.toArray()
}
