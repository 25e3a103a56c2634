import type { NormalizeTransform } from './prepared-mesh.js'

/** PartField's frame: the bounding box's longest side becomes this long. */
export const NORMALIZED_EXTENT = 1.8

/**
 * Moves the bounding-box centre to the origin and scales the longest side to 1.8, the frame
 * PartField was trained in. A box with no extent (one point) is only moved.
 */
export function normalizePositions(positions: Float32Array): {
  positions: Float32Array
  transform: NormalizeTransform
} {
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < positions.length; i += 3) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[i + axis]
      if (value < min[axis]) min[axis] = value
      if (value > max[axis]) max[axis] = value
    }
  }
  if (positions.length === 0) {
    return { positions: new Float32Array(0), transform: { center: [0, 0, 0], scale: 1 } }
  }

  const center: [number, number, number] = [
    (min[0] + max[0]) / 2,
    (min[1] + max[1]) / 2,
    (min[2] + max[2]) / 2,
  ]
  const extent = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2])
  const scale = extent > 0 ? NORMALIZED_EXTENT / extent : 1

  const out = new Float32Array(positions.length)
  for (let i = 0; i < positions.length; i += 3) {
    out[i] = (positions[i] - center[0]) * scale
    out[i + 1] = (positions[i + 1] - center[1]) * scale
    out[i + 2] = (positions[i + 2] - center[2]) * scale
  }
  return { positions: out, transform: { center, scale } }
}

/** Maps normalised coordinates back to the file's own (inverse of normalizePositions). */
export function denormalizePositions(positions: Float32Array, transform: NormalizeTransform): Float32Array {
  const { center, scale } = transform
  const out = new Float32Array(positions.length)
  for (let i = 0; i < positions.length; i += 3) {
    out[i] = positions[i] / scale + center[0]
    out[i + 1] = positions[i + 1] / scale + center[1]
    out[i + 2] = positions[i + 2] / scale + center[2]
  }
  return out
}
