import { describe, expect, it } from 'vitest'

import { SeededRandom } from '../../cluster/random.js'
import { factorShiftedLaplacian, solveFactored } from './envelope-cholesky.js'
import { smallestEigenpairs } from './lanczos.js'
import { spectralEmbedding } from './spectral.js'
import { tridiagonalEigen } from './tridiagonal-eigen.js'
import { weightedGraphFromEdges } from './weighted-graph.js'

/** Path graph 0-1-...-(n-1) with unit weights. */
function pathGraph(n: number) {
  const pairs: number[] = []
  for (let i = 0; i + 1 < n; i++) pairs.push(i, i + 1)
  return weightedGraphFromEdges(n, pairs, new Float64Array(n - 1).fill(1))
}

/** Applies the Laplacian D - W of a graph. */
function laplacian(graph: ReturnType<typeof pathGraph>) {
  return (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < x.length; i++) {
      let sum = 0
      for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) sum += graph.weights[p] * (x[i] - x[graph.neighbors[p]])
      y[i] = sum
    }
  }
}

describe('tridiagonalEigen', () => {
  it('solves the 1-2-1 matrix exactly', () => {
    // Its eigenvalues are 2 - 2 cos(k pi / (n + 1)).
    const n = 30
    const { values, vectors } = tridiagonalEigen(new Float64Array(n).fill(2), new Float64Array(n - 1).fill(-1))

    for (let k = 1; k <= n; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 10)
    // Column 0 is a unit vector.
    let norm = 0
    for (let i = 0; i < n; i++) norm += vectors[i * n] ** 2
    expect(norm).toBeCloseTo(1, 10)
  })
})

describe('smallestEigenpairs', () => {
  it('solves a path Laplacian', () => {
    // Its eigenvalues are 2 - 2 cos(k pi / n). A path is the hardest case for Lanczos because its
    // low eigenvalues are packed tightly, so here the Krylov space spans everything. Meshes
    // converge in far fewer steps than they have nodes.
    const n = 150
    const graph = pathGraph(n)
    const { values, vectors } = smallestEigenpairs(laplacian(graph), n, 5, n, 1)

    for (let k = 0; k < 5; k++) expect(values[k]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / n), 7)
    // The first eigenvector is constant.
    const first = vectors[0]
    for (let i = 1; i < n; i++) expect(first[i]).toBeCloseTo(first[0], 6)
  })

  it('restarts when the graph falls apart into pieces', () => {
    // Two separate paths: the eigenvalue 0 appears twice.
    const pairs = [0, 1, 1, 2, 3, 4, 4, 5]
    const graph = weightedGraphFromEdges(6, pairs, new Float64Array(4).fill(1))
    const { values } = smallestEigenpairs(laplacian(graph), 6, 3, 6, 2)

    expect(values[0]).toBeCloseTo(0, 10)
    expect(values[1]).toBeCloseTo(0, 10)
    expect(values[2]).toBeCloseTo(1, 10)
  })
})

describe('spectralEmbedding', () => {
  it('orders the nodes of a path along its first coordinate, coarsened or not', () => {
    const n = 400
    const graph = pathGraph(n)
    for (const coarseNodes of [n, 60]) {
      const embedding = spectralEmbedding(graph, new Float64Array(n).fill(1), { vectors: 3, coarseNodes, lanczosSteps: coarseNodes, smoothingPasses: 2, power: 0.5, seed: 0 })
      const first = Array.from({ length: n }, (_, i) => embedding.values[i * embedding.dim])
      const direction = Math.sign(first[n - 1] - first[0])
      let monotone = 0
      for (let i = 1; i < n; i++) if (direction * (first[i] - first[i - 1]) >= -1e-9) monotone++

      expect(embedding.dim).toBe(3)
      expect(monotone / (n - 1)).toBeGreaterThan(0.99)
    }
  })
})

describe('factorShiftedLaplacian', () => {
  it('solves (L + shift S) x = b on a random graph', () => {
    const random = new SeededRandom(5)
    const n = 200
    const pairs: number[] = []
    const weights: number[] = []
    for (let i = 1; i < n; i++) {
      // A spanning tree plus random extra edges, with random weights.
      pairs.push(i, random.nextInt(i))
      weights.push(0.1 + random.next())
      pairs.push(random.nextInt(n), random.nextInt(n))
      weights.push(0.1 + random.next())
    }
    const graph = weightedGraphFromEdges(n, pairs, weights)
    const masses = Float64Array.from({ length: n }, () => 0.5 + random.next())
    const b = Float64Array.from({ length: n }, () => random.next() - 0.5)
    const x = new Float64Array(n)

    solveFactored(factorShiftedLaplacian(graph, masses, 0.01), b, x)

    const product = new Float64Array(n)
    laplacian(graph)(x, product)
    for (let i = 0; i < n; i++) expect(product[i] + 0.01 * masses[i] * x[i]).toBeCloseTo(b[i], 9)
  })
})
