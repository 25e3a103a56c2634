import { SeededRandom } from '../../cluster/random.js'
import { tridiagonalEigen } from './tridiagonal-eigen.js'

/** Applies a symmetric matrix: writes A x into y. */
export type SymmetricOperator = (x: Float64Array, y: Float64Array) => void

/** Relative size below which a new Lanczos vector counts as lying in the space already spanned. */
const BREAKDOWN = 1e-10

/**
 * The `count` smallest eigenpairs of a symmetric n x n operator by Lanczos iteration with full
 * reorthogonalisation (`steps` Krylov vectors, restarted with a fresh random vector when the
 * space closes, as it does on a disconnected graph). Returns eigenvalues ascending and unit
 * eigenvectors.
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
  const basis: Float64Array[] = []
  const alpha = new Float64Array(size)
  const beta = new Float64Array(size)
  const w = new Float64Array(n)
  let q = randomUnit(n, random, basis)

  for (let j = 0; j < size; j++) {
    basis.push(q)
    apply(q, w)
    alpha[j] = dot(w, q)
    orthogonalize(w, basis)
    orthogonalize(w, basis)
    if (j === size - 1) break
    const norm = Math.sqrt(dot(w, w))
    const scale = Math.sqrt(Math.abs(alpha[j])) + 1
    if (norm <= BREAKDOWN * scale) {
      beta[j] = 0
      q = randomUnit(n, random, basis)
      continue
    }
    beta[j] = norm
    q = new Float64Array(n)
    for (let i = 0; i < n; i++) q[i] = w[i] / norm
  }

  const ritz = tridiagonalEigen(alpha, beta.subarray(0, size - 1))
  const wanted = Math.min(count, size)
  const vectors: Float64Array[] = []
  for (let k = 0; k < wanted; k++) {
    const v = new Float64Array(n)
    for (let j = 0; j < size; j++) {
      const coefficient = ritz.vectors[j * size + k]
      if (coefficient === 0) continue
      const b = basis[j]
      for (let i = 0; i < n; i++) v[i] += coefficient * b[i]
    }
    vectors.push(v)
  }
  return { values: ritz.values.slice(0, wanted), vectors }
}

function randomUnit(n: number, random: SeededRandom, basis: Float64Array[]): Float64Array {
  const v = new Float64Array(n)
  for (let i = 0; i < n; i++) v[i] = random.next() - 0.5
  orthogonalize(v, basis)
  orthogonalize(v, basis)
  const norm = Math.sqrt(dot(v, v)) || 1
  for (let i = 0; i < n; i++) v[i] /= norm
  return v
}

/** Removes the components along every (orthonormal) basis vector, in place. */
function orthogonalize(v: Float64Array, basis: Float64Array[]): void {
  for (const b of basis) {
    const projection = dot(v, b)
    for (let i = 0; i < v.length; i++) v[i] -= projection * b[i]
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i]
  return sum
}
