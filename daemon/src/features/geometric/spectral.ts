import { coarsenGraph } from './coarsen.js'
import { smallestEigenpairs } from './lanczos.js'
import { factorShiftedLaplacian, solveFactored } from './envelope-cholesky.js'
import { smoothOnGraph, weightedDegrees, type WeightedGraph } from './weighted-graph.js'

/** Shift of the factored matrix, as a share of the mean degree per unit mass. */
const SHIFT_SHARE = 1e-4
/** Ritz pairs computed beyond those kept. */
const UNUSED_RITZ_PAIRS = 4

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
  const rootMass = coarse.masses.map((mass) => Math.sqrt(mass))
  const inverseRoot = rootMass.map((root) => 1 / root)

  // Shift-invert: the lowest eigenvalues of L x = lambda S x are the highest of
  // S^1/2 (L + shift S)^-1 S^1/2, where they are well separated, so Lanczos converges in a few
  // dozen steps. The shift only keeps the factored matrix definite.
  const shift = SHIFT_SHARE * sum(weightedDegrees(coarse.graph)) / sum(coarse.masses) || 1
  const factor = factorShiftedLaplacian(coarse.graph, coarse.masses, shift)
  const scaled = new Float64Array(m)
  const solved = new Float64Array(m)
  const apply = (x: Float64Array, y: Float64Array): void => {
    for (let i = 0; i < m; i++) scaled[i] = x[i] * rootMass[i]
    solveFactored(factor, scaled, solved)
    // Negated, so the smallest eigenvalues of this operator are the wanted ones.
    for (let i = 0; i < m; i++) y[i] = -solved[i] * rootMass[i]
  }
  // Lanczos settles the extreme Ritz pairs first, so a few more are computed than kept.
  const wanted = Math.min(options.vectors + 1 + UNUSED_RITZ_PAIRS, m)
  const inverted = smallestEigenpairs(apply, m, wanted, options.lanczosSteps, options.seed)
  const pairs = {
    values: inverted.values.map((value) => Math.max(0, 1 / Math.max(-value, 1e-300) - shift)),
    vectors: inverted.vectors,
  }
  const dim = Math.max(0, Math.min(options.vectors, pairs.vectors.length - 1))
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
  return { values, dim, eigenvalues: pairs.values.slice(1, dim + 1) }
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

function sum(values: Float64Array): number {
  let total = 0
  for (const value of values) total += value
  return total
}
