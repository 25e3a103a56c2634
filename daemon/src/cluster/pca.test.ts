import { describe, expect, it } from 'vitest'
import { pca } from './pca.js'
import { SeededRandom } from './random.js'

/** Rows spread mostly along `axis` (unit), a little along the rest. */
function elongated(count: number, dim: number, axis: number[], seed: number): Float32Array {
  const random = new SeededRandom(seed)
  const out = new Float32Array(count * dim)
  for (let i = 0; i < count; i++) {
    const t = 10 * (random.next() - 0.5)
    for (let d = 0; d < dim; d++) out[i * dim + d] = t * axis[d] + 0.1 * (random.next() - 0.5) + 3
  }
  return out
}

function firstAxisProjection(values: Float32Array, components: number, row: number): number {
  return values[row * components]
}

describe('pca', () => {
  for (const dim of [4, 64]) {
    it(`finds the dominant axis in ${dim} dimensions`, () => {
      const axis = new Array<number>(dim).fill(0)
      axis[1] = 0.6
      axis[2] = 0.8
      const features = elongated(500, dim, axis, dim)
      const { values } = pca(features, dim, 3)
      // The first component is the centred projection on the axis, up to the fixed sign.
      for (const row of [0, 17, 250]) {
        let expected = 0
        for (let d = 0; d < dim; d++) expected += (features[row * dim + d] - 3) * axis[d]
        expect(Math.abs(firstAxisProjection(values, 3, row))).toBeCloseTo(Math.abs(expected), 0)
      }
    })
  }

  it('fixes the sign so the largest loading is positive', () => {
    const features = elongated(300, 5, [0, 0, -1, 0, 0], 9)
    const { values } = pca(features, 5, 2)
    // Loading on dimension 2 is positive, so projections grow with that column.
    const low = features[2] < features[5 * 10 + 2] ? 0 : 10
    const high = low === 0 ? 10 : 0
    expect(values[high * 2]).toBeGreaterThan(values[low * 2])
  })

  it('scales colours over the three components together', () => {
    const { colors, values } = pca(elongated(200, 6, [1, 0, 0, 0, 0, 0], 4), 6, 3)
    expect(colors.length).toBe(600)
    expect(Math.max(...colors)).toBe(255)
    expect(Math.min(...colors)).toBe(0)
    expect(values.length).toBe(600)
  })

  it('repeats exactly', () => {
    const features = elongated(400, 80, Array.from({ length: 80 }, (_, d) => (d % 7 === 0 ? 1 / Math.sqrt(12) : 0)), 5)
    expect(Array.from(pca(features, 80, 4).values)).toEqual(Array.from(pca(features, 80, 4).values))
  })

  it('returns no values for zero components but still colours', () => {
    const result = pca(elongated(10, 3, [1, 0, 0], 1), 3, 0)
    expect(result.values.length).toBe(0)
    expect(result.colors.length).toBe(30)
  })
})
