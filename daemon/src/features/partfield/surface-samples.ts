import { SeededRandom } from '../../cluster/random.js'

export interface SurfaceMesh {
  positions: Float32Array
  triangles: Uint32Array
  /** 1 for triangles that may be sampled. */
  kept: Uint8Array
  areas: Float32Array
}

/**
 * `count` points drawn uniformly over the surface of the kept triangles (a triangle is picked with
 * probability proportional to its area, then a uniform point in it), as xyz triples. When every
 * kept triangle has zero area, triangles are picked with equal probability.
 */
export function sampleSurface(mesh: SurfaceMesh, count: number, seed: number): Float32Array {
  const triangleCount = mesh.triangles.length / 3
  const cumulative = new Float64Array(triangleCount)
  let total = 0
  let keptCount = 0
  for (let t = 0; t < triangleCount; t++) {
    if (mesh.kept[t]) keptCount++
    total += mesh.kept[t] ? mesh.areas[t] : 0
    cumulative[t] = total
  }
  if (keptCount === 0) throw new Error('the mesh has no triangles to sample; expected at least one kept triangle')
  if (!(total > 0)) {
    total = 0
    for (let t = 0; t < triangleCount; t++) cumulative[t] = total += mesh.kept[t] ? 1 : 0
  }

  const random = new SeededRandom(seed)
  const points = new Float32Array(count * 3)
  for (let i = 0; i < count; i++) {
    const t = pickTriangle(cumulative, random.next() * total)
    const u = Math.sqrt(random.next())
    const v = random.next()
    const weights = [1 - u, u * (1 - v), u * v]
    for (let axis = 0; axis < 3; axis++) {
      let value = 0
      for (let k = 0; k < 3; k++) value += weights[k] * mesh.positions[3 * mesh.triangles[3 * t + k] + axis]
      points[3 * i + axis] = value
    }
  }
  return points
}

/** First triangle whose cumulative area exceeds `target`, skipping zero-width entries. */
function pickTriangle(cumulative: Float64Array, target: number): number {
  let low = 0
  let high = cumulative.length - 1
  while (low < high) {
    const middle = (low + high) >>> 1
    if (cumulative[middle] > target) high = middle
    else low = middle + 1
  }
  return low
}
