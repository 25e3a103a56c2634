/**
 * Exact mean of the triplane field over a triangle: the value full sampling converges to as the
 * number of points per face grows, without the sampling noise.
 *
 * Inside one texel cell a plane's bilinear field is a + b fu + c fv + d fu fv, so its mean over a
 * triangle needs only the triangle's first moments and the mean of fu fv. A triangle that spans
 * several cells is clipped cell by cell. Clipping happens in the triangle's own barycentric
 * parameters (s, t), where uniform area on the 3D face is uniform area in (s, t). The texel
 * coordinates (u, v) are affine in (s, t), so this also works for faces seen edge-on by a plane.
 */

import type { Corners } from './face-sampling.js'
import type { TexelWeights } from './texel-weights.js'
import { PLANE_AXES, texelCoordinate } from './triplane.js'

// A polygon vertex: parameters s, t and texel coordinates u, v, interleaved.
const STRIDE = 4
// A triangle clipped by 4 lines has at most 7 vertices; one spare slot each way.
const MAX_VERTICES = 9

/** Scratch polygons reused across faces, so clipping allocates nothing per face. */
export class FaceIntegrator {
  readonly #resolution: number
  readonly #triangle = new Float64Array(3 * STRIDE)
  readonly #strip = new Float64Array(MAX_VERTICES * STRIDE)
  readonly #cell = new Float64Array(MAX_VERTICES * STRIDE)
  readonly #scratch = new Float64Array(MAX_VERTICES * STRIDE)

  constructor(resolution: number) {
    this.#resolution = resolution
  }

  /**
   * Adds the exact mean bilinear weights of the triangle `corners` (normalised coordinates) to
   * `weights`, for all three planes. The weights of each plane sum to 1.
   */
  integrate(corners: Corners, weights: TexelWeights): void {
    const r = this.#resolution
    const triangle = this.#triangle
    for (let p = 0; p < 3; p++) {
      const [a, b] = PLANE_AXES[p]
      for (let k = 0; k < 3; k++) {
        triangle[k * STRIDE] = k === 1 ? 1 : 0
        triangle[k * STRIDE + 1] = k === 2 ? 1 : 0
        triangle[k * STRIDE + 2] = texelCoordinate(corners[3 * k + a], r)
        triangle[k * STRIDE + 3] = texelCoordinate(corners[3 * k + b], r)
      }
      this.#integratePlane(p, weights)
    }
  }

  #integratePlane(plane: number, weights: TexelWeights): void {
    const triangle = this.#triangle
    const [columnLow, columnHigh] = cellRange(triangle, 3, 2, this.#resolution)
    const [rowLow, rowHigh] = cellRange(triangle, 3, 3, this.#resolution)

    // Most faces of a detailed mesh fit in one cell: no clipping.
    if (columnLow === columnHigh && rowLow === rowHigh) {
      addPiece(triangle, 3, plane, columnLow, rowLow, this.#resolution, weights)
      return
    }

    for (let column = columnLow; column <= columnHigh; column++) {
      let count = copyPolygon(triangle, 3, this.#strip)
      if (column > columnLow) count = clip(this.#strip, count, 2, column, 1, this.#scratch)
      if (column < columnHigh) count = clip(this.#strip, count, 2, column + 1, -1, this.#scratch)
      if (count < 3) continue

      const [low, high] = cellRange(this.#strip, count, 3, this.#resolution)
      for (let row = low; row <= high; row++) {
        let cellCount = copyPolygon(this.#strip, count, this.#cell)
        if (row > low) cellCount = clip(this.#cell, cellCount, 3, row, 1, this.#scratch)
        if (row < high) cellCount = clip(this.#cell, cellCount, 3, row + 1, -1, this.#scratch)
        if (cellCount >= 3) addPiece(this.#cell, cellCount, plane, column, row, this.#resolution, weights)
      }
    }
  }
}

/** First and last cell index the polygon's coordinate `field` reaches, within 0 .. R - 2. */
function cellRange(polygon: Float64Array, count: number, field: number, resolution: number): [number, number] {
  let low = Infinity
  let high = -Infinity
  for (let k = 0; k < count; k++) {
    const value = polygon[k * STRIDE + field]
    if (value < low) low = value
    if (value > high) high = value
  }
  const last = resolution - 2
  return [Math.min(Math.floor(low), last), Math.min(Math.floor(high), last)]
}

function copyPolygon(from: Float64Array, count: number, to: Float64Array): number {
  to.set(from.subarray(0, count * STRIDE))
  return count
}

/**
 * Sutherland-Hodgman clip of `polygon` (in place) to the half-plane where
 * sign * (polygon[field] - bound) >= 0. Returns the new vertex count.
 */
function clip(
  polygon: Float64Array,
  count: number,
  field: number,
  bound: number,
  sign: number,
  scratch: Float64Array,
): number {
  let out = 0
  for (let k = 0; k < count; k++) {
    const current = k * STRIDE
    const next = ((k + 1) % count) * STRIDE
    const dc = sign * (polygon[current + field] - bound)
    const dn = sign * (polygon[next + field] - bound)
    if (dc >= 0) {
      for (let f = 0; f < STRIDE; f++) scratch[out * STRIDE + f] = polygon[current + f]
      out++
    }
    if ((dc >= 0) !== (dn >= 0)) {
      const t = dc / (dc - dn)
      for (let f = 0; f < STRIDE; f++) {
        scratch[out * STRIDE + f] = polygon[current + f] + t * (polygon[next + f] - polygon[current + f])
      }
      // The crossing lies on the line exactly, whatever the rounding of t.
      scratch[out * STRIDE + field] = bound
      out++
    }
  }
  polygon.set(scratch.subarray(0, out * STRIDE))
  return out
}

/**
 * Adds the weights of one convex piece lying in cell (column, row): the integral of each
 * bilinear corner weight over the piece, divided by the whole triangle's parameter area (1/2).
 */
function addPiece(
  polygon: Float64Array,
  count: number,
  plane: number,
  column: number,
  row: number,
  resolution: number,
  weights: TexelWeights,
): void {
  let area = 0
  let sumU = 0
  let sumV = 0
  let sumUV = 0
  const s0 = polygon[0]
  const t0 = polygon[1]
  const u0 = polygon[2] - column
  const v0 = polygon[3] - row
  for (let k = 1; k + 1 < count; k++) {
    const i = k * STRIDE
    const j = (k + 1) * STRIDE
    const u1 = polygon[i + 2] - column
    const v1 = polygon[i + 3] - row
    const u2 = polygon[j + 2] - column
    const v2 = polygon[j + 3] - row
    const a = Math.abs((polygon[i] - s0) * (polygon[j + 1] - t0) - (polygon[j] - s0) * (polygon[i + 1] - t0)) / 2
    const su = u0 + u1 + u2
    const sv = v0 + v1 + v2
    area += a
    sumU += (a * su) / 3
    sumV += (a * sv) / 3
    // Mean of u v over a triangle: (sum of u_k v_k + (sum u_k)(sum v_k)) / 12.
    sumUV += (a * (u0 * v0 + u1 * v1 + u2 * v2 + su * sv)) / 12
  }

  const scale = 2
  const base = (plane * resolution + row) * resolution + column
  weights.add(base, scale * (area - sumU - sumV + sumUV))
  weights.add(base + 1, scale * (sumU - sumUV))
  weights.add(base + resolution, scale * (sumV - sumUV))
  weights.add(base + resolution + 1, scale * sumUV)
}
