/**
 * Scales each row of a row-major matrix to unit Euclidean length in place, as PartField does
 * before clustering; rows of zero length stay zero. Returns `values`.
 */
export function l2NormalizeRows(values: Float32Array, dim: number): Float32Array {
  for (let start = 0; start < values.length; start += dim) {
    let squared = 0
    for (let d = 0; d < dim; d++) squared += values[start + d] * values[start + d]
    if (!(squared > 0)) continue
    const scale = 1 / Math.sqrt(squared)
    for (let d = 0; d < dim; d++) values[start + d] *= scale
  }
  return values
}
