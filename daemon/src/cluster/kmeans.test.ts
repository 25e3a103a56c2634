import { describe, expect, it } from 'vitest'
import { kmeans } from './kmeans.js'
import { SeededRandom } from './random.js'

/** `perBlob` points around each of the given centres, with uniform noise of width `spread`. */
function blobs(centers: number[][], perBlob: number, spread: number, seed: number): Float32Array {
  const random = new SeededRandom(seed)
  const dim = centers[0].length
  const out = new Float32Array(centers.length * perBlob * dim)
  centers.forEach((center, c) => {
    for (let i = 0; i < perBlob; i++) {
      for (let d = 0; d < dim; d++) out[(c * perBlob + i) * dim + d] = center[d] + spread * (random.next() - 0.5)
    }
  })
  return out
}

describe('kmeans', () => {
  const centers = [[0, 0, 0, 0], [5, 0, 0, 0], [0, 5, 0, 0], [0, 0, 5, 5]]
  const features = blobs(centers, 50, 1, 1)

  it('recovers well-separated blobs', () => {
    const labels = kmeans(features, 4, 4, { seed: 0 })
    for (let c = 0; c < 4; c++) {
      const blob = new Set(labels.subarray(c * 50, (c + 1) * 50))
      expect(blob.size).toBe(1)
    }
    expect(new Set(labels).size).toBe(4)
  })

  it('gives the same labels for the same seed', () => {
    const noisy = blobs(centers, 60, 6, 2)
    const first = kmeans(noisy, 4, 5, { seed: 42, restarts: 3 })
    const second = kmeans(noisy, 4, 5, { seed: 42, restarts: 3 })
    expect(Array.from(second)).toEqual(Array.from(first))
  })

  it('returns labels in 0..k-1', () => {
    const labels = kmeans(blobs(centers, 30, 8, 3), 4, 7, { seed: 1 })
    expect(Math.min(...labels)).toBe(0)
    expect(Math.max(...labels)).toBeLessThan(7)
  })

  it('gives each row a cluster when k >= rows', () => {
    expect(Array.from(kmeans(new Float32Array([1, 2, 3]), 1, 5, { seed: 0 }))).toEqual([0, 1, 2])
  })

  it('copes with identical rows', () => {
    const labels = kmeans(new Float32Array(40).fill(0.5), 2, 3, { seed: 0 })
    expect(labels.length).toBe(20)
  })

  it('rejects an invalid k', () => {
    expect(() => kmeans(features, 4, 0, { seed: 0 })).toThrow(/invalid k/)
  })
})
