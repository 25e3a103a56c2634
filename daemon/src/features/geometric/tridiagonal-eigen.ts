/** Iterations of implicit QL per eigenvalue before giving up on a stubborn matrix. */
const MAX_QL_ITERATIONS = 60

/**
 * Eigen-decomposition of a symmetric tridiagonal matrix by implicit QL with Wilkinson shifts.
 * `diagonal` (length n) and `offDiagonal` (length n - 1, entry i couples rows i and i + 1) are
 * not modified. Returns eigenvalues in ascending order and the eigenvectors as the columns of a
 * row-major n x n matrix, in the same order.
 */
export function tridiagonalEigen(
  diagonal: Float64Array,
  offDiagonal: Float64Array,
): { values: Float64Array; vectors: Float64Array } {
  const n = diagonal.length
  const d = Float64Array.from(diagonal)
  const e = new Float64Array(n)
  e.set(offDiagonal.subarray(0, Math.max(0, n - 1)))
  const z = new Float64Array(n * n)
  for (let i = 0; i < n; i++) z[i * n + i] = 1

  for (let l = 0; l < n; l++) {
    for (let iteration = 0; iteration < MAX_QL_ITERATIONS; iteration++) {
      let m = l
      for (; m < n - 1; m++) {
        const scale = Math.abs(d[m]) + Math.abs(d[m + 1])
        if (Math.abs(e[m]) <= Number.EPSILON * scale) break
      }
      if (m === l) break
      qlStep(d, e, z, n, l, m)
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b])
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  order.forEach((column, rank) => {
    values[rank] = d[column]
    for (let row = 0; row < n; row++) vectors[row * n + rank] = z[row * n + column]
  })
  return { values, vectors }
}

/** Applies one implicit QL sweep over rows l..m with a Wilkinson shift, accumulating rotations in z. */
function qlStep(d: Float64Array, e: Float64Array, z: Float64Array, n: number, l: number, m: number): void {
  let g = (d[l + 1] - d[l]) / (2 * e[l])
  let r = Math.hypot(g, 1)
  g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
  let s = 1
  let c = 1
  let p = 0
  let i = m - 1
  for (; i >= l; i--) {
    const f = s * e[i]
    const b = c * e[i]
    r = Math.hypot(f, g)
    e[i + 1] = r
    if (r === 0) {
      d[i + 1] -= p
      e[m] = 0
      return
    }
    s = f / r
    c = g / r
    g = d[i + 1] - p
    r = (d[i] - g) * s + 2 * c * b
    p = s * r
    d[i + 1] = g + p
    g = c * r - b
    for (let k = 0; k < n; k++) {
      const row = k * n
      const zi1 = z[row + i + 1]
      z[row + i + 1] = s * z[row + i] + c * zi1
      z[row + i] = c * z[row + i] - s * zi1
    }
  }
  d[l] -= p
  e[l] = g
  e[m] = 0
}
