import type { Csr } from './prepared-mesh.js'

/** Rows at most this long are sorted by insertion sort in place; longer ones use TypedArray sort. */
const INSERTION_SORT_MAX = 24

/**
 * Builds a symmetric graph from undirected edges given as node pairs (two entries per edge).
 * Self-loops are dropped, repeated edges are kept once and every row is sorted ascending.
 */
export function csrFromEdges(nodeCount: number, edges: ArrayLike<number>, edgeCount?: number): Csr {
  const count = edgeCount ?? edges.length / 2
  const degree = new Uint32Array(nodeCount + 1)
  for (let e = 0; e < count; e++) {
    const a = edges[2 * e]
    const b = edges[2 * e + 1]
    if (a === b) continue
    degree[a]++
    degree[b]++
  }

  const offsets = new Uint32Array(nodeCount + 1)
  for (let i = 0; i < nodeCount; i++) offsets[i + 1] = offsets[i] + degree[i]
  const neighbors = new Uint32Array(offsets[nodeCount])
  const fill = offsets.slice(0, nodeCount)
  for (let e = 0; e < count; e++) {
    const a = edges[2 * e]
    const b = edges[2 * e + 1]
    if (a === b) continue
    neighbors[fill[a]++] = b
    neighbors[fill[b]++] = a
  }
  return sortAndDedupeRows({ offsets, neighbors })
}

/** Sorts each row and removes repeated neighbours, compacting the arrays. */
export function sortAndDedupeRows(graph: Csr): Csr {
  const { offsets, neighbors } = graph
  const nodeCount = offsets.length - 1
  const outOffsets = new Uint32Array(nodeCount + 1)
  let write = 0
  for (let i = 0; i < nodeCount; i++) {
    const start = offsets[i]
    const end = offsets[i + 1]
    sortRange(neighbors, start, end)
    outOffsets[i] = write
    let previous = -1
    for (let p = start; p < end; p++) {
      const value = neighbors[p]
      if (value === previous) continue
      neighbors[write++] = value
      previous = value
    }
  }
  outOffsets[nodeCount] = write
  const compact = write === neighbors.length ? neighbors : neighbors.slice(0, write)
  return { offsets: outOffsets, neighbors: compact }
}

function sortRange(values: Uint32Array, start: number, end: number): void {
  if (end - start > INSERTION_SORT_MAX) {
    values.subarray(start, end).sort()
    return
  }
  for (let i = start + 1; i < end; i++) {
    const value = values[i]
    let j = i - 1
    while (j >= start && values[j] > value) {
      values[j + 1] = values[j]
      j--
    }
    values[j + 1] = value
  }
}

/** Returns the graph's undirected edges as pairs (a, b) with a < b, each once. */
export function csrEdgePairs(graph: Csr): Uint32Array {
  const { offsets, neighbors } = graph
  let count = 0
  for (let i = 0; i + 1 < offsets.length; i++) {
    for (let p = offsets[i]; p < offsets[i + 1]; p++) if (neighbors[p] > i) count++
  }
  const pairs = new Uint32Array(2 * count)
  let write = 0
  for (let i = 0; i + 1 < offsets.length; i++) {
    for (let p = offsets[i]; p < offsets[i + 1]; p++) {
      if (neighbors[p] <= i) continue
      pairs[write++] = i
      pairs[write++] = neighbors[p]
    }
  }
  return pairs
}

/** Union of a graph and extra undirected edges (two entries per edge), deduplicated. */
export function addEdges(graph: Csr, extra: ArrayLike<number>): Csr {
  if (extra.length === 0) return graph
  const base = csrEdgePairs(graph)
  const all = new Uint32Array(base.length + extra.length)
  all.set(base)
  for (let i = 0; i < extra.length; i++) all[base.length + i] = extra[i]
  return csrFromEdges(graph.offsets.length - 1, all)
}
