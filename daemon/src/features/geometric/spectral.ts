import { coarsenGraph } from './coarsen.js'
import { smallestEigenpairs } from './lanczos.js'
import { smoothOnGraph, weightedDegrees, type WeightedGraph } from './weighted-graph.js'

export interface SpectralOptions {
  /** Eigenvectors kept, after the constant one. */
  vectors: number
  /** The eigenproblem is solved on a graph coarsened to at most this many aggregates. */
  coarseNodes: number
  /** Krylov vectors of the Lanczos iteration on the coarse graph. */
  lanczosSteps: number
  /** Passes of neighbour averaging that smooth the interpolated vectors on the full graph. */
  smoothingPasses: number
  /** Eigenvector k is scaled by lambda_k^-power: 0.5 is the commute-time embedding. */
  power: number
  seed: number
}

/** Per-node spectral coordinates, row-major `dim` values per node, and the eigenvalues used. */
export interface SpectralEmbedding {
  values: Float64Array
  dim: number
  eigenvalues: Float64Array
}

/**
 * Embeds the nodes of a weighted graph with the low eigenvectors of its Laplacian L = D - W
 * against the node masses S (L x = lambda S x), each divided by sqrt(lambda) as in a commute-time
 * embedding, so that nodes a random walk moves between easily land close together.
 * The eigenproblem is solved on a coarsened graph and interpolated back, which keeps the cost
 * near linear in the node count.
 */
export function spectralEmbedding(graph: WeightedGraph, masses: Float64Array, options: SpectralOptions): SpectralEmbedding {
  const n = masses.length
  const coarse = coarsenGraph(graph, masses, options.coarseNodes)
  const m = coarse.count
  const degrees = weightedDegrees(coarse.graph)
  const inverseRoot = coarse.masses.map((mass) => 1 / Math.sqrt(mass))
  const { offsets, neighbors, weights } = coarse.graph

  // Symmetric form S^-1/2 L S^-1/2 of the generalised problem.
  const apply = (x: Float64Array, y: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      let sum = degrees[i] * x[i] * inverseRoot[i]
      for (let p = offsets[i]; p < offsets[i + 1]; p++) sum -= weights[p] * x[neighbors[p]] * inverseRoot[neighbors[p]]
      y[i] = sum * inverseRoot[i]
    }
  }
  const wanted = Math.min(options.vectors + 1, m)
  const pairs = smallestEigenpairs(apply, m, wanted, options.lanczosSteps, options.seed)
  const dim = Math.max(0, pairs.vectors.length - 1)
  const floor = firstSignificant(pairs.values)

  const values = new Float64Array(n * dim)
  const column = new Float64Array(n)
  for (let k = 0; k < dim; k++) {
    const coarseVector = pairs.vectors[k + 1]
    const scale = Math.max(pairs.values[k + 1], floor) ** -options.power
    for (let i = 0; i < n; i++) column[i] = coarseVector[coarse.aggregateOf[i]] * inverseRoot[coarse.aggregateOf[i]]
    smoothOnGraph(graph, column, options.smoothingPasses)
    for (let i = 0; i < n; i++) values[i * dim + k] = column[i] * scale
  }
  return { values, dim, eigenvalues: pairs.values.slice(1) }
}

/**
 * Smallest eigenvalue that is clearly above zero. Eigenvalues of (almost) zero belong to
 * separate pieces of the graph; dividing by their root would blow those vectors up.
 */
function firstSignificant(values: Float64Array): number {
  const top = values[values.length - 1] || 1
  for (let k = 1; k < values.length; k++) if (values[k] > 1e-6 * top) return values[k]
  return top
}
