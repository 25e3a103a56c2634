/**
 * The merge tree of agglomerative clustering, in SciPy's linkage convention: leaves are
 * 0..leafCount-1, merge i creates node leafCount + i from the two nodes it joins. Cutting it at
 * any part count is linear time, so clients re-cut without asking the server.
 */
export interface PartTree {
  /** Number of leaves: source faces (or points for a point cloud). */
  leafCount: number
  /** Two node ids per merge, in merge order. Length 2 * (leafCount - 1) for a connected graph. */
  merges: Int32Array
  /** Cost of each merge (Ward: increase of within-part variance), non-decreasing in practice. */
  costs: Float32Array
}

/**
 * Cuts the tree into `k` parts by undoing its last k - 1 merges. Returns one label per leaf,
 * numbered 0..parts-1 in order of each part's lowest leaf index, so labels are stable across runs.
 * A tree with fewer merges than leafCount - 1 (a disconnected graph) cannot go below its
 * component count, so the result then has more than `k` parts.
 */
export function cutTree(tree: PartTree, k: number): Int32Array {
  if (Number.isNaN(k)) throw new RangeError('cutTree: part count is NaN; expected a number from 1 to leafCount')
  const { leafCount, merges } = tree
  const mergeCount = merges.length / 2
  const applied = Math.max(0, Math.min(mergeCount, leafCount - Math.max(1, Math.floor(k))))

  // Union-find over the leaves; node ids above leafCount resolve to a representative leaf.
  const parent = new Int32Array(leafCount)
  for (let i = 0; i < leafCount; i++) parent[i] = i
  const nodeLeaf = new Int32Array(mergeCount)
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
  const leafOf = (node: number): number => (node < leafCount ? node : nodeLeaf[node - leafCount])

  for (let m = 0; m < mergeCount; m++) {
    const a = find(leafOf(merges[2 * m]))
    const b = find(leafOf(merges[2 * m + 1]))
    nodeLeaf[m] = a
    if (m < applied) parent[b] = a
  }

  const labels = new Int32Array(leafCount)
  const labelOfRoot = new Int32Array(leafCount).fill(-1)
  let next = 0
  for (let i = 0; i < leafCount; i++) {
    const root = find(i)
    if (labelOfRoot[root] < 0) labelOfRoot[root] = next++
    labels[i] = labelOfRoot[root]
  }
  return labels
}
