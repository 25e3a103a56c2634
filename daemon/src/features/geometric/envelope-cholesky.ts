import type { WeightedGraph } from './weighted-graph.js'

/**
 * Cholesky factor of a sparse symmetric positive definite matrix stored by envelope (each row
 * from its first non-zero column to the diagonal), after reverse Cuthill-McKee reordering keeps
 * the envelope narrow. On mesh-like graphs the envelope grows roughly as n^1.5 (an estimate for
 * near-planar graphs), so a few thousand nodes factor and solve quickly.
 */
export interface EnvelopeCholesky {
  /** Per row of the reordered matrix: its first stored column. */
  first: Uint32Array
  /** Per row: offset of its first stored entry in `values`; the diagonal is at rowStart[i + 1] - 1. */
  rowStart: Uint32Array
  values: Float64Array
  /** order[newIndex] = original index. */
  order: Uint32Array
}

/**
 * Factors K = L + shift * diag(masses), where L = D - W is the Laplacian of `graph`, as
 * K = R R^T in reverse Cuthill-McKee order. `shift` must be positive so K is definite.
 */
export function factorShiftedLaplacian(graph: WeightedGraph, masses: Float64Array, shift: number): EnvelopeCholesky {
  const n = masses.length
  const order = reverseCuthillMcKee(graph)
  const position = new Uint32Array(n)
  for (let i = 0; i < n; i++) position[order[i]] = i

  const first = new Uint32Array(n)
  const rowStart = new Uint32Array(n + 1)
  for (let i = 0; i < n; i++) {
    const node = order[i]
    let low = i
    for (let p = graph.offsets[node]; p < graph.offsets[node + 1]; p++) low = Math.min(low, position[graph.neighbors[p]])
    first[i] = low
    rowStart[i + 1] = rowStart[i] + (i - low + 1)
  }
  const values = new Float64Array(rowStart[n])
  for (let i = 0; i < n; i++) {
    const node = order[i]
    let degree = 0
    for (let p = graph.offsets[node]; p < graph.offsets[node + 1]; p++) {
      const j = position[graph.neighbors[p]]
      degree += graph.weights[p]
      if (j < i) values[rowStart[i] + j - first[i]] -= graph.weights[p]
    }
    values[rowStart[i + 1] - 1] = degree + shift * masses[node]
  }

  factorInPlace(values, first, rowStart)
  return { first, rowStart, values, order }
}

/** Overwrites the lower envelope of a symmetric matrix with its Cholesky factor. */
function factorInPlace(values: Float64Array, first: Uint32Array, rowStart: Uint32Array): void {
  const n = first.length
  for (let i = 0; i < n; i++) {
    const fi = first[i]
    const ri = rowStart[i] - fi
    for (let j = fi; j <= i; j++) {
      const fj = first[j]
      const rj = rowStart[j] - fj
      let sum = values[ri + j]
      for (let k = Math.max(fi, fj); k < j; k++) sum -= values[ri + k] * values[rj + k]
      if (j < i) {
        values[ri + j] = sum / values[rj + j]
      } else {
        // Rounding can leave a tiny non-positive pivot on an almost singular matrix.
        values[ri + i] = Math.sqrt(Math.max(sum, 1e-300))
      }
    }
  }
}

/** Solves K x = b with a factor from factorShiftedLaplacian; x and b are in original order. */
export function solveFactored(factor: EnvelopeCholesky, b: Float64Array, x: Float64Array): void {
  const { first, rowStart, values, order } = factor
  const n = first.length
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) y[i] = b[order[i]]

  // Forward: R y' = y.
  for (let i = 0; i < n; i++) {
    const ri = rowStart[i] - first[i]
    let sum = y[i]
    for (let k = first[i]; k < i; k++) sum -= values[ri + k] * y[k]
    y[i] = sum / values[ri + i]
  }
  // Backward: R^T x' = y', by columns.
  for (let i = n - 1; i >= 0; i--) {
    const ri = rowStart[i] - first[i]
    y[i] /= values[ri + i]
    const yi = y[i]
    for (let k = first[i]; k < i; k++) y[k] -= values[ri + k] * yi
  }
  for (let i = 0; i < n; i++) x[order[i]] = y[i]
}

/**
 * Computes the reverse Cuthill-McKee order: breadth-first from a low-degree node of each
 * component, visiting neighbours by increasing degree, then reversed. Returns order[newIndex] = node.
 */
export function reverseCuthillMcKee(graph: WeightedGraph): Uint32Array {
  const n = graph.offsets.length - 1
  const degree = new Uint32Array(n)
  for (let i = 0; i < n; i++) degree[i] = graph.offsets[i + 1] - graph.offsets[i]
  const byDegree = Array.from({ length: n }, (_, i) => i).sort((a, b) => degree[a] - degree[b] || a - b)
  const visited = new Uint8Array(n)
  const order = new Uint32Array(n)
  let tail = 0
  const neighbours: number[] = []

  for (const start of byDegree) {
    if (visited[start]) continue
    visited[start] = 1
    let head = tail
    order[tail++] = start
    while (head < tail) {
      const node = order[head++]
      neighbours.length = 0
      for (let p = graph.offsets[node]; p < graph.offsets[node + 1]; p++) {
        const other = graph.neighbors[p]
        if (visited[other]) continue
        visited[other] = 1
        neighbours.push(other)
      }
      neighbours.sort((a, b) => degree[a] - degree[b] || a - b)
      for (const other of neighbours) order[tail++] = other
    }
  }
  return order.reverse()
}
