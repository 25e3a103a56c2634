import type { SampleRandom } from './random.js'
import type { TexelWeights } from './texel-weights.js'
import { PLANE_AXES, splatPlanePoint, texelCoordinate } from './triplane.js'

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
  random: SampleRandom,
  weights: TexelWeights,
): void {
  const point = [0, 0, 0]
  for (let s = 0; s < count; s++) {
    const u = Math.sqrt(random.next())
    const v = random.next()
    const w0 = 1 - u
    const w1 = u * (1 - v)
    const w2 = u * v
    for (let axis = 0; axis < 3; axis++) {
      point[axis] = w0 * corners[axis] + w1 * corners[3 + axis] + w2 * corners[6 + axis]
    }
    for (let p = 0; p < 3; p++) {
      const [a, b] = PLANE_AXES[p]
      splatPlanePoint(
        p,
        texelCoordinate(point[a], resolution),
        texelCoordinate(point[b], resolution),
        resolution,
        1,
        weights.add,
      )
    }
  }
}
