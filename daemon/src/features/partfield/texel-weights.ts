import type { Triplane } from './triplane.js'

/**
 * Collects the bilinear weight that one face puts on each texel, then turns it into the face's
 * feature with one pass over the touched texels.
 *
 * Bilinear sampling is linear in the texel values, so the mean feature of a face's samples equals
 * the texel values weighted by the samples' summed corner weights. Summing weights costs a few
 * operations per sample instead of 3 x 4 x C multiply-adds, and a small face touches only a few
 * dozen texels however many samples it has.
 */
export class TexelWeights {
  readonly #weights: Float64Array
  readonly #touched: Int32Array
  readonly #marked: Uint8Array
  readonly #row: Float64Array
  readonly #resolution: number
  #count = 0

  constructor(resolution: number, channels: number) {
    this.#resolution = resolution
    this.#weights = new Float64Array(3 * resolution * resolution)
    this.#touched = new Int32Array(3 * resolution * resolution)
    this.#marked = new Uint8Array(3 * resolution * resolution)
    this.#row = new Float64Array(channels)
  }

  /** Adds `weight` to `texel` ((plane * R + row) * R + column). */
  readonly add = (texel: number, weight: number): void => {
    if (this.#marked[texel] === 0) {
      if (weight === 0) return
      this.#marked[texel] = 1
      this.#touched[this.#count++] = texel
    }
    this.#weights[texel] += weight
  }

  /**
   * Adds a unit bilinear sample at texel coordinate (u, v) of `plane` (each in 0 .. R - 1),
   * times `weight`, to its 4 corners; the same split as `splatPlanePoint`, inlined for the
   * per-sample loop.
   */
  addBilinear(plane: number, u: number, v: number, weight: number): void {
    const resolution = this.#resolution
    const last = resolution - 2
    const column = u >= last ? last : Math.floor(u)
    const row = v >= last ? last : Math.floor(v)
    const fu = u - column
    const fv = v - row
    const base = (plane * resolution + row) * resolution + column
    const below = weight * (1 - fv)
    const above = weight * fv
    this.#addOne(base, below * (1 - fu))
    this.#addOne(base + 1, below * fu)
    this.#addOne(base + resolution, above * (1 - fu))
    this.#addOne(base + resolution + 1, above * fu)
  }

  #addOne(texel: number, weight: number): void {
    if (this.#marked[texel] === 0) {
      this.#marked[texel] = 1
      this.#touched[this.#count++] = texel
    }
    this.#weights[texel] += weight
  }

  /** Number of texels with weight. */
  get size(): number {
    return this.#count
  }

  /**
   * Writes the weighted sum of the touched texels, times `scale`, into out[offset .. offset + C)
   * and clears the weights for the next face.
   */
  flush(triplane: Triplane, out: Float32Array, offset: number, scale: number): void {
    const { channels, texels } = triplane
    const row = this.#row
    row.fill(0)
    for (let i = 0; i < this.#count; i++) {
      const texel = this.#touched[i]
      const weight = this.#weights[texel]
      this.#weights[texel] = 0
      this.#marked[texel] = 0
      const from = texel * channels
      for (let c = 0; c < channels; c++) row[c] += weight * texels[from + c]
    }
    for (let c = 0; c < channels; c++) out[offset + c] = row[c] * scale
    this.#count = 0
  }
}
