/** Sweeps after which cyclic Jacobi gives up; it converges in well under 20 for small matrices. */
const MAX_JACOBI_SWEEPS = 60

/**
 * Eigen-decomposition of a small symmetric matrix (row-major, size x size) by cyclic Jacobi
 * rotations. Returns eigenvalues in descending order and the matching unit eigenvectors as the
 * columns of a row-major matrix.
 */
export function jacobiEigen(matrix: Float64Array, size: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix)
  const v = new Float64Array(size * size)
  for (let i = 0; i < size; i++) v[i * size + i] = 1

  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let offDiagonal = 0
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) offDiagonal += a[p * size + q] ** 2
    if (offDiagonal < 1e-30) break
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) rotate(a, v, size, p, q)
    }
  }

  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => a[j * size + j] - a[i * size + i])
  const values = new Float64Array(size)
  const vectors = new Float64Array(size * size)
  order.forEach((column, rank) => {
    values[rank] = a[column * size + column]
    for (let row = 0; row < size; row++) vectors[row * size + rank] = v[row * size + column]
  })
  return { values, vectors }
}

/** Zeroes a[p][q] with one Jacobi rotation, applied to a (both sides) and accumulated in v. */
function rotate(a: Float64Array, v: Float64Array, size: number, p: number, q: number): void {
  const apq = a[p * size + q]
  if (Math.abs(apq) < 1e-300) return
  const theta = (a[q * size + q] - a[p * size + p]) / (2 * apq)
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
  const c = 1 / Math.sqrt(t * t + 1)
  const s = t * c
  for (let k = 0; k < size; k++) {
    const akp = a[k * size + p]
    const akq = a[k * size + q]
    a[k * size + p] = c * akp - s * akq
    a[k * size + q] = s * akp + c * akq
  }
  for (let k = 0; k < size; k++) {
    const apk = a[p * size + k]
    const aqk = a[q * size + k]
    a[p * size + k] = c * apk - s * aqk
    a[q * size + k] = s * apk + c * aqk
  }
  for (let k = 0; k < size; k++) {
    const vkp = v[k * size + p]
    const vkq = v[k * size + q]
    v[k * size + p] = c * vkp - s * vkq
    v[k * size + q] = s * vkp + c * vkq
  }
}
