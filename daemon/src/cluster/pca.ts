import { SeededRandom } from './random.js'
import { jacobiEigen } from './symmetric-eigen.js'

/**
 * Multiply-adds (rows x dim^2 / 2) spent on the covariance, which is estimated from as many
 * evenly spaced rows as fit, but at least MIN_COVARIANCE_ROWS. That is every row of a
 * low-dimensional field and about 5,000 rows of PartField's 448 dimensions, plenty for three
 * colour axes.
 */
const COVARIANCE_BUDGET = 5e8
const MIN_COVARIANCE_ROWS = 2000
/** Up to this dimension the whole covariance matrix is diagonalised by Jacobi rotations. */
const FULL_EIGEN_MAX_DIM = 48
/** Extra columns carried by subspace iteration so the wanted ones converge faster. */
const OVERSAMPLING = 8
const MAX_SUBSPACE_ITERATIONS = 200
/** Subspace iteration stops when no leading eigenvalue changes by more than this fraction. */
const EIGENVALUE_TOLERANCE = 1e-9

/**
 * Projects row-major features on their principal axes. `values` contains `components`
 * projections per row. `colors` contains RGB bytes per row from the first three projections,
 * min-max scaled to 0..255 over all values of those three together, as PartField colours its
 * feature view. Each axis's sign makes its largest-magnitude loading positive, so reruns give
 * the same colours. Missing colour channels (dim < 3) are 0.
 */
export function pca(features: Float32Array, dim: number, components: number): { values: Float32Array; colors: Uint8Array } {
  const count = dim > 0 ? features.length / dim : 0
  const wanted = Math.max(0, Math.min(Math.floor(components), dim))
  const axesCount = Math.max(wanted, Math.min(3, dim))
  const mean = columnMeans(features, dim, count)
  const axes = count > 0 && axesCount > 0 ? principalAxes(covariance(features, dim, count, mean), dim, axesCount) : new Float64Array(0)

  const projected = new Float64Array(count * axesCount)
  const centered = new Float64Array(dim)
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) centered[d] = features[i * dim + d] - mean[d]
    for (let c = 0; c < axesCount; c++) {
      let sum = 0
      for (let d = 0; d < dim; d++) sum += centered[d] * axes[d * axesCount + c]
      projected[i * axesCount + c] = sum
    }
  }

  const values = new Float32Array(count * wanted)
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < wanted; c++) values[i * wanted + c] = projected[i * axesCount + c]
  }
  return { values, colors: colorsFrom(projected, count, axesCount) }
}

function columnMeans(features: Float32Array, dim: number, count: number): Float64Array {
  const mean = new Float64Array(dim)
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d] += features[i * dim + d]
  for (let d = 0; d < dim; d++) mean[d] /= Math.max(1, count)
  return mean
}

/** Covariance (row-major dim x dim) from evenly spaced rows (see COVARIANCE_BUDGET). */
function covariance(features: Float32Array, dim: number, count: number, mean: Float64Array): Float64Array {
  const rows = Math.max(MIN_COVARIANCE_ROWS, Math.floor(COVARIANCE_BUDGET / ((dim * dim) / 2)))
  const step = Math.max(1, count / rows)
  const picked: number[] = []
  for (let position = 0; Math.floor(position) < count; position += step) picked.push(Math.floor(position))

  // Four rows at a time: each matrix entry is read and written once per four rows.
  const matrix = new Float64Array(dim * dim)
  const block = new Float64Array(4 * dim)
  for (let first = 0; first < picked.length; first += 4) {
    block.fill(0)
    for (let r = 0; r < 4 && first + r < picked.length; r++) {
      const row = picked[first + r]
      for (let d = 0; d < dim; d++) block[r * dim + d] = features[row * dim + d] - mean[d]
    }
    for (let a = 0; a < dim; a++) {
      const a0 = block[a], a1 = block[dim + a], a2 = block[2 * dim + a], a3 = block[3 * dim + a]
      const base = a * dim
      for (let b = a; b < dim; b++) {
        matrix[base + b] += a0 * block[b] + a1 * block[dim + b] + a2 * block[2 * dim + b] + a3 * block[3 * dim + b]
      }
    }
  }

  const used = Math.max(1, picked.length)
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const value = matrix[a * dim + b] / used
      matrix[a * dim + b] = value
      matrix[b * dim + a] = value
    }
  }
  return matrix
}

/** Returns the top `count` eigenvectors of a covariance matrix as columns (dim x count, row-major), signs fixed. */
function principalAxes(matrix: Float64Array, dim: number, count: number): Float64Array {
  const axes = dim <= FULL_EIGEN_MAX_DIM ? leadingColumns(jacobiEigen(matrix, dim).vectors, dim, dim, count) : subspaceIteration(matrix, dim, count)
  for (let c = 0; c < count; c++) {
    let largest = 0
    for (let d = 0; d < dim; d++) if (Math.abs(axes[d * count + c]) > Math.abs(axes[largest * count + c])) largest = d
    if (axes[largest * count + c] >= 0) continue
    for (let d = 0; d < dim; d++) axes[d * count + c] = -axes[d * count + c]
  }
  return axes
}

function leadingColumns(vectors: Float64Array, rows: number, columns: number, keep: number): Float64Array {
  const out = new Float64Array(rows * keep)
  for (let r = 0; r < rows; r++) for (let c = 0; c < keep; c++) out[r * keep + c] = vectors[r * columns + c]
  return out
}

/**
 * Block power iteration with Rayleigh-Ritz rotation: multiplies a block of orthonormal columns
 * by the matrix until the leading eigenvalues stop changing.
 */
function subspaceIteration(matrix: Float64Array, dim: number, count: number): Float64Array {
  const width = Math.min(dim, count + OVERSAMPLING)
  const random = new SeededRandom(0x5eed)
  let block: Float64Array = new Float64Array(dim * width)
  for (let i = 0; i < block.length; i++) block[i] = random.next() - 0.5
  orthonormalizeColumns(block, dim, width)
  let previous: Float64Array = new Float64Array(count).fill(Infinity)

  for (let iteration = 0; iteration < MAX_SUBSPACE_ITERATIONS; iteration++) {
    const product = multiply(matrix, block, dim, width)
    orthonormalizeColumns(product, dim, width)
    const { rotated, values } = rayleighRitz(matrix, product, dim, width)
    block = rotated
    let change = 0
    for (let c = 0; c < count; c++) change = Math.max(change, Math.abs(values[c] - previous[c]) / Math.max(Math.abs(values[c]), 1e-300))
    previous = values.slice(0, count)
    if (change < EIGENVALUE_TOLERANCE) break
  }
  return leadingColumns(block, dim, width, count)
}

function multiply(matrix: Float64Array, block: Float64Array, dim: number, width: number): Float64Array {
  const out = new Float64Array(dim * width)
  for (let r = 0; r < dim; r++) {
    for (let k = 0; k < dim; k++) {
      const m = matrix[r * dim + k]
      if (m === 0) continue
      for (let c = 0; c < width; c++) out[r * width + c] += m * block[k * width + c]
    }
  }
  return out
}

/** Rotates the block onto the eigenvectors of its projection of the matrix, largest first. */
function rayleighRitz(matrix: Float64Array, block: Float64Array, dim: number, width: number): { rotated: Float64Array; values: Float64Array } {
  const applied = multiply(matrix, block, dim, width)
  const small = new Float64Array(width * width)
  for (let a = 0; a < width; a++) {
    for (let b = 0; b < width; b++) {
      let sum = 0
      for (let r = 0; r < dim; r++) sum += block[r * width + a] * applied[r * width + b]
      small[a * width + b] = sum
    }
  }
  const { values, vectors } = jacobiEigen(small, width)
  const rotated = new Float64Array(dim * width)
  for (let r = 0; r < dim; r++) {
    for (let c = 0; c < width; c++) {
      let sum = 0
      for (let k = 0; k < width; k++) sum += block[r * width + k] * vectors[k * width + c]
      rotated[r * width + c] = sum
    }
  }
  return { rotated, values }
}

/**
 * Modified Gram-Schmidt on the columns of a row-major rows x width matrix. A column that
 * collapses (the matrix has lower rank) is replaced by the first unit axis independent of the
 * columns before it.
 */
function orthonormalizeColumns(block: Float64Array, rows: number, width: number): void {
  for (let c = 0; c < width; c++) {
    for (let axis = 0; axis <= rows; axis++) {
      if (orthogonalizeColumn(block, rows, width, c)) break
      if (axis === rows) break
      for (let r = 0; r < rows; r++) block[r * width + c] = r === axis ? 1 : 0
    }
  }
}

/** Removes earlier columns' directions from column c and normalises it; false when nothing is left. */
function orthogonalizeColumn(block: Float64Array, rows: number, width: number, c: number): boolean {
  let original = 0
  for (let r = 0; r < rows; r++) original += block[r * width + c] ** 2
  for (let prior = 0; prior < c; prior++) {
    let dot = 0
    for (let r = 0; r < rows; r++) dot += block[r * width + c] * block[r * width + prior]
    for (let r = 0; r < rows; r++) block[r * width + c] -= dot * block[r * width + prior]
  }
  let norm = 0
  for (let r = 0; r < rows; r++) norm += block[r * width + c] ** 2
  if (!(norm > 1e-20 * original) || norm === 0) return false
  norm = Math.sqrt(norm)
  for (let r = 0; r < rows; r++) block[r * width + c] /= norm
  return true
}

function colorsFrom(projected: Float64Array, count: number, axesCount: number): Uint8Array {
  const channels = Math.min(3, axesCount)
  let low = Infinity
  let high = -Infinity
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < channels; c++) {
      const value = projected[i * axesCount + c]
      low = Math.min(low, value)
      high = Math.max(high, value)
    }
  }
  const colors = new Uint8Array(3 * count)
  const range = high - low
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < channels; c++) {
      const scaled = range > 0 ? (projected[i * axesCount + c] - low) / range : 0.5
      colors[3 * i + c] = Math.round(255 * scaled)
    }
  }
  return colors
}
