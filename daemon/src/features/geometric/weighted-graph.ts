import type { Csr } from '../../prepare/prepared-mesh.js'

/** A symmetric graph with one weight per stored neighbour entry (both directions stored). */
export interface WeightedGraph extends Csr {
  weights: Float64Array
}

/** Sums of each node's edge weights. */
export function weightedDegrees(graph: WeightedGraph): Float64Array {
  const count = graph.offsets.length - 1
  const degrees = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    let sum = 0
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) sum += graph.weights[p]
    degrees[i] = sum
  }
  return degrees
}

/**
 * Builds a symmetric weighted graph from undirected edges (pairs of nodes, one weight each).
 * Repeated edges add their weights; self-loops are dropped.
 */
export function weightedGraphFromEdges(
  nodeCount: number,
  pairs: ArrayLike<number>,
  edgeWeights: ArrayLike<number>,
): WeightedGraph {
  const edgeCount = edgeWeights.length
  const degree = new Uint32Array(nodeCount)
  for (let e = 0; e < edgeCount; e++) {
    if (pairs[2 * e] === pairs[2 * e + 1]) continue
    degree[pairs[2 * e]]++
    degree[pairs[2 * e + 1]]++
  }
  const offsets = new Uint32Array(nodeCount + 1)
  for (let i = 0; i < nodeCount; i++) offsets[i + 1] = offsets[i] + degree[i]
  const neighbors = new Uint32Array(offsets[nodeCount])
  const weights = new Float64Array(offsets[nodeCount])
  const fill = offsets.slice(0, nodeCount)
  for (let e = 0; e < edgeCount; e++) {
    const a = pairs[2 * e]
    const b = pairs[2 * e + 1]
    if (a === b) continue
    neighbors[fill[a]] = b
    weights[fill[a]++] = edgeWeights[e]
    neighbors[fill[b]] = a
    weights[fill[b]++] = edgeWeights[e]
  }
  return mergeRepeatedNeighbors({ offsets, neighbors, weights })
}

/** Sorts every row by neighbour and adds up the weights of repeated neighbours. */
export function mergeRepeatedNeighbors(graph: WeightedGraph): WeightedGraph {
  const count = graph.offsets.length - 1
  const offsets = new Uint32Array(count + 1)
  const neighbors = new Uint32Array(graph.neighbors.length)
  const weights = new Float64Array(graph.neighbors.length)
  let write = 0
  let order: number[] = []
  for (let i = 0; i < count; i++) {
    const start = graph.offsets[i]
    const end = graph.offsets[i + 1]
    order = []
    for (let p = start; p < end; p++) order.push(p)
    order.sort((a, b) => graph.neighbors[a] - graph.neighbors[b])
    for (const p of order) {
      const node = graph.neighbors[p]
      if (write > offsets[i] && neighbors[write - 1] === node) {
        weights[write - 1] += graph.weights[p]
        continue
      }
      neighbors[write] = node
      weights[write++] = graph.weights[p]
    }
    offsets[i + 1] = write
  }
  return { offsets, neighbors: neighbors.slice(0, write), weights: weights.slice(0, write) }
}

/**
 * Averages each node half and half with the weighted mean of its neighbours, `passes` times, in
 * place. Weak edges (creases) pass little, so values stay distinct on either side of them.
 */
export function smoothOnGraph(graph: WeightedGraph, column: Float64Array, passes: number): void {
  const n = column.length
  const next = new Float64Array(n)
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < n; i++) {
      let sum = 0
      let total = 0
      for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
        sum += graph.weights[p] * column[graph.neighbors[p]]
        total += graph.weights[p]
      }
      next[i] = total > 0 ? 0.5 * column[i] + (0.5 * sum) / total : column[i]
    }
    column.set(next)
  }
}
