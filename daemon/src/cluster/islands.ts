import { connectedComponents, UnionFind } from '../prepare/components.js'
import type { Csr } from '../prepare/prepared-mesh.js'

/**
 * Splits each part into islands, the pieces connected in `graph` through nodes of the same
 * label. Every island smaller than `minSize` nodes merges into the neighbouring island it shares
 * the most graph edges with. Ties go to the larger island, then to the one with the lower first
 * node. Islands are visited from the smallest, so slivers join their surroundings before small
 * parts are judged. An island with no neighbour keeps its label. Labels may disappear, so
 * callers renumber the returned labels afterwards.
 */
export function mergeSmallIslands(labels: Int32Array, graph: Csr, minSize: number): Int32Array {
  const { count, ofNode, first, size } = labelIslands(labels, graph)
  if (count <= 1 || minSize <= 1) return labels.slice()

  const neighbors = islandNeighbors(ofNode, count, graph)
  const labelOf = new Int32Array(count)
  for (let island = 0; island < count; island++) labelOf[island] = labels[first[island]]
  const sets = new UnionFind(count)
  const rootSize = Float64Array.from(size)
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => size[a] - size[b] || first[a] - first[b])

  for (const island of order) {
    const root = sets.find(island)
    if (rootSize[root] >= minSize) continue
    const target = strongestNeighbor(root, neighbors, sets, rootSize, first)
    if (target < 0) continue
    const merged = mergeNeighborMaps(neighbors, root, target)
    sets.union(root, target)
    const newRoot = sets.find(root)
    rootSize[newRoot] = rootSize[root] + rootSize[target]
    labelOf[newRoot] = labelOf[target]
    first[newRoot] = Math.min(first[root], first[target])
    neighbors[newRoot] = merged
  }

  const out = new Int32Array(labels.length)
  for (let node = 0; node < labels.length; node++) out[node] = labelOf[sets.find(ofNode[node])]
  return out
}

/** Connected pieces of equal label, numbered by lowest node, with first node and size of each. */
function labelIslands(labels: Int32Array, graph: Csr): { count: number; ofNode: Uint32Array; first: Uint32Array; size: Uint32Array } {
  const { count, ofNode } = connectedComponents(graph, labels)
  const first = new Uint32Array(count)
  const size = new Uint32Array(count)
  // Backwards, so the last write to first[island] is its lowest node.
  for (let node = ofNode.length - 1; node >= 0; node--) {
    first[ofNode[node]] = node
    size[ofNode[node]]++
  }
  return { count, ofNode, first, size }
}

/** For each island, the islands it touches and how many graph edges they share. */
function islandNeighbors(ofNode: Uint32Array, count: number, graph: Csr): Map<number, number>[] {
  const neighbors = Array.from({ length: count }, () => new Map<number, number>())
  for (let node = 0; node < ofNode.length; node++) {
    const island = ofNode[node]
    for (let p = graph.offsets[node]; p < graph.offsets[node + 1]; p++) {
      const other = ofNode[graph.neighbors[p]]
      if (other === island) continue
      const map = neighbors[island]
      map.set(other, (map.get(other) ?? 0) + 1)
    }
  }
  return neighbors
}

function strongestNeighbor(root: number, neighbors: Map<number, number>[], sets: UnionFind, rootSize: Float64Array, first: Uint32Array): number {
  const shared = new Map<number, number>()
  for (const [island, edges] of neighbors[root]) {
    const other = sets.find(island)
    if (other !== root) shared.set(other, (shared.get(other) ?? 0) + edges)
  }
  let best = -1
  let bestEdges = 0
  for (const [other, edges] of shared) {
    const better =
      best < 0 ||
      edges > bestEdges ||
      (edges === bestEdges && (rootSize[other] > rootSize[best] || (rootSize[other] === rootSize[best] && first[other] < first[best])))
    if (!better) continue
    best = other
    bestEdges = edges
  }
  return best
}

/** Union of two islands' neighbour maps; entries keep stale ids, which readers resolve with find. */
function mergeNeighborMaps(neighbors: Map<number, number>[], a: number, b: number): Map<number, number> {
  const [large, small] = neighbors[a].size >= neighbors[b].size ? [neighbors[a], neighbors[b]] : [neighbors[b], neighbors[a]]
  for (const [island, edges] of small) large.set(island, (large.get(island) ?? 0) + edges)
  return large
}

/**
 * Renumbers labels 0..count-1 in order of each label's lowest node index, so equal partitions
 * always get equal labels.
 */
export function renumberStable(labels: Int32Array): { labels: Int32Array; count: number } {
  const mapping = new Map<number, number>()
  const out = new Int32Array(labels.length)
  for (let i = 0; i < labels.length; i++) {
    let label = mapping.get(labels[i])
    if (label === undefined) {
      label = mapping.size
      mapping.set(labels[i], label)
    }
    out[i] = label
  }
  return { labels: out, count: mapping.size }
}
