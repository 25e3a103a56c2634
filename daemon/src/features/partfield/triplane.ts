/**
 * Part-feature planes and bilinear reads from them.
 *
 * A feature at point q (normalised coordinates) is the sum over the three planes of a bilinear
 * sample, as PyTorch's grid_sample takes it with align_corners=True and border padding: plane 0 at
 * (q.x, q.y), plane 1 at (q.y, q.z), plane 2 at (q.x, q.z), the first coordinate along the columns.
 */

/** Point axes that index each plane's columns and rows. */
export const PLANE_AXES: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 2],
  [0, 2],
]

export interface Triplane {
  /** Texels per side. */
  resolution: number
  channels: number
  /**
   * Channel-last values: the C-vector of plane p, row r, column c starts at
   * ((p * resolution + r) * resolution + c) * channels, so a bilinear read touches 4 runs.
   */
  texels: Float32Array
}

/** Converts the encoder output [1, 3, C, R, R] (channel-first) to a channel-last triplane. */
export function triplaneFromPlanes(planes: Float32Array, channels: number, resolution: number): Triplane {
  const area = resolution * resolution
  if (planes.length !== 3 * channels * area) {
    throw new Error(`part planes hold ${planes.length} values; expected 3 x ${channels} x ${resolution} x ${resolution}`)
  }
  const texels = new Float32Array(planes.length)
  for (let p = 0; p < 3; p++) {
    for (let c = 0; c < channels; c++) {
      const from = (p * channels + c) * area
      let to = p * area * channels + c
      for (let t = 0; t < area; t++, to += channels) texels[to] = planes[from + t]
    }
  }
  return { resolution, channels, texels }
}

/** Continuous texel coordinate of a normalised coordinate, clamped to the border. */
export function texelCoordinate(value: number, resolution: number): number {
  const x = ((value + 1) / 2) * (resolution - 1)
  return Math.min(Math.max(x, 0), resolution - 1)
}

/**
 * Receives bilinear corner weights: `texel` counts over all planes,
 * (plane * R + row) * R + column.
 */
export type TexelSink = (texel: number, weight: number) => void

/** Splits a unit of weight at normalised point (x, y, z) over 12 texels (4 per plane). */
export function splatPoint(x: number, y: number, z: number, resolution: number, weight: number, sink: TexelSink): void {
  const coords = [x, y, z]
  for (let p = 0; p < 3; p++) {
    const [a, b] = PLANE_AXES[p]
    splatPlanePoint(
      p,
      texelCoordinate(coords[a], resolution),
      texelCoordinate(coords[b], resolution),
      resolution,
      weight,
      sink,
    )
  }
}

/** Splits `weight` at texel coordinate (u, v) of plane `p` over its 4 bilinear corners. */
export function splatPlanePoint(p: number, u: number, v: number, resolution: number, weight: number, sink: TexelSink): void {
  // The cell's lower corner stays below the last texel, so u = R - 1 puts all weight on the upper one.
  const column = Math.min(Math.floor(u), resolution - 2)
  const row = Math.min(Math.floor(v), resolution - 2)
  const fu = u - column
  const fv = v - row
  const base = (p * resolution + row) * resolution + column
  sink(base, weight * (1 - fu) * (1 - fv))
  sink(base + 1, weight * fu * (1 - fv))
  sink(base + resolution, weight * (1 - fu) * fv)
  sink(base + resolution + 1, weight * fu * fv)
}

/** Features at points [N, 3]: the summed bilinear samples of the three planes, [N, C]. */
export function samplePoints(triplane: Triplane, points: Float32Array): Float32Array {
  const { channels, texels, resolution } = triplane
  const count = points.length / 3
  const out = new Float32Array(count * channels)
  for (let i = 0; i < count; i++) {
    const offset = i * channels
    splatPoint(points[3 * i], points[3 * i + 1], points[3 * i + 2], resolution, 1, (texel, weight) => {
      if (weight === 0) return
      const from = texel * channels
      for (let c = 0; c < channels; c++) out[offset + c] += weight * texels[from + c]
    })
  }
  return out
}
