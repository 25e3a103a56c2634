import type { SeededRandom } from '../../cluster/random.js'
import type { TexelWeights } from './texel-weights.js'
import { texelCoordinate } from './triplane.js'

/** Triangle corners in normalised coordinates, 9 floats: v0, v1, v2. */
export type Corners = Float64Array

/**
 * Adds the bilinear weights of `count` random points of one triangle to `weights`, each with
 * weight 1, drawn as PartField draws them: u = sqrt(r1), v = r2, barycentric weights 1 - u,
 * u (1 - v), u v.
 */
export function splatRandomSamples(
  corners: Corners,
  count: number,
  resolution: number,
  random: SeededRandom,
  weights: TexelWeights,
): void {
  const [x0, y0, z0, x1, y1, z1, x2, y2, z2] = corners
  for (let s = 0; s < count; s++) {
    const u = Math.sqrt(random.next())
    const v = random.next()
    const w0 = 1 - u
    const w1 = u * (1 - v)
    const w2 = u * v
    const x = texelCoordinate(w0 * x0 + w1 * x1 + w2 * x2, resolution)
    const y = texelCoordinate(w0 * y0 + w1 * y1 + w2 * y2, resolution)
    const z = texelCoordinate(w0 * z0 + w1 * z1 + w2 * z2, resolution)
    // Planes xy, yz and xz, as PLANE_AXES orders them.
    weights.addBilinear(0, x, y, 1)
    weights.addBilinear(1, y, z, 1)
    weights.addBilinear(2, x, z, 1)
  }
}
