import { SeededRandom } from '../../cluster/random.js'
import { tridiagonalEigen } from './tridiagonal-eigen.js'

/** Applies a symmetric matrix: writes A x into y. */
export type SymmetricOperator = (x: Float64Array, y: Float64Array) => void

/** Relative size below which a new Lanczos vector counts as lying in the space already spanned. */
const BREAKDOWN = 1e-10
/** A second Gram-Schmidt pass runs when the first one shrank the vector below this share. */
const REORTHOGONALIZE_SHARE = 0.7

/**
 * Computes the `count` smallest eigenpairs of a symmetric n x n operator by Lanczos iteration
 * with full reorthogonalisation over `steps` Krylov vectors. When the space closes, as it does on
 * a disconnected graph, the iteration restarts with a fresh random vector. Returns eigenvalues
 * ascending and unit eigenvectors.
 */
export function smallestEigenpairs(
  apply: SymmetricOperator,
  n: number,
  count: number,
  steps: number,
  seed: number,
): { values: Float64Array; vectors: Float64Array[] } {
  const size = Math.min(n, Math.max(steps, count))
  const random = new SeededRandom(seed)
  // Krylov basis, one vector of length n per row.
  const basis = new Float64Array(size * n)
  const alpha = new Float64Array(size)
  const beta = new Float64Array(size)
  const w = new Float64Array(n)
  const projections = new Float64Array(size)
  randomUnit(basis, 0, n, random, projections)

  for (let j = 0; j < size; j++) {
    const q = basis.subarray(j * n, (j + 1) * n)
    apply(q, w)
    alpha[j] = dot(w, q)
    if (j === size - 1) break
    // The three-term recurrence first, so the full pass only removes rounding drift.
    for (let i = 0; i < n; i++) w[i] -= alpha[j] * q[i]
    if (j > 0) {
      const previous = basis.subarray((j - 1) * n, j * n)
      for (let i = 0; i < n; i++) w[i] -= beta[j - 1] * previous[i]
    }
    orthogonalize(w, basis, j + 1, projections)
    const norm = Math.sqrt(dot(w, w))
    if (norm <= BREAKDOWN * (Math.abs(alpha[j]) + 1)) {
      beta[j] = 0
      randomUnit(basis, j + 1, n, random, projections)
      continue
    }
    beta[j] = norm
    const next = basis.subarray((j + 1) * n, (j + 2) * n)
    for (let i = 0; i < n; i++) next[i] = w[i] / norm
  }

  const ritz = tridiagonalEigen(alpha, beta.subarray(0, size - 1))
  const wanted = Math.min(count, size)
  const vectors: Float64Array[] = []
  for (let k = 0; k < wanted; k++) {
    const v = new Float64Array(n)
    for (let j = 0; j < size; j++) {
      const coefficient = ritz.vectors[j * size + k]
      const offset = j * n
      for (let i = 0; i < n; i++) v[i] += coefficient * basis[offset + i]
    }
    vectors.push(v)
  }
  return { values: ritz.values.slice(0, wanted), vectors }
}

/** Fills basis row `row` with a random unit vector orthogonal to the rows before it. */
function randomUnit(basis: Float64Array, row: number, n: number, random: SeededRandom, projections: Float64Array): void {
  const v = basis.subarray(row * n, (row + 1) * n)
  for (let i = 0; i < n; i++) v[i] = random.next() - 0.5
  orthogonalize(v, basis, row, projections)
  const norm = Math.sqrt(dot(v, v)) || 1
  for (let i = 0; i < n; i++) v[i] /= norm
}

/**
 * Removes from v its components along the first `rows` (orthonormal) basis rows by classical
 * Gram-Schmidt, repeated once when cancellation made the first pass inexact.
 */
function orthogonalize(v: Float64Array, basis: Float64Array, rows: number, projections: Float64Array): void {
  const n = v.length
  for (let pass = 0; pass < 2; pass++) {
    const before = dot(v, v)
    for (let j = 0; j < rows; j++) {
      const offset = j * n
      let sum = 0
      for (let i = 0; i < n; i++) sum += v[i] * basis[offset + i]
      projections[j] = sum
    }
    for (let j = 0; j < rows; j++) {
      const offset = j * n
      const projection = projections[j]
      for (let i = 0; i < n; i++) v[i] -= projection * basis[offset + i]
    }
    if (dot(v, v) > REORTHOGONALIZE_SHARE ** 2 * before) return
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i]
  return sum
}
