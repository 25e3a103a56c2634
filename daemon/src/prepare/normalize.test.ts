import { describe, expect, it } from 'vitest'
import { denormalizePositions, normalizePositions } from './normalize.js'

describe('normalizePositions', () => {
  it('centres the box and scales the longest side to 1.8', () => {
    const { positions, transform } = normalizePositions(new Float32Array([2, 10, -1, 6, 11, 1, 4, 12, 0]))
    const xs = [positions[0], positions[3], positions[6]]
    const ys = [positions[1], positions[4], positions[7]]
    expect(Math.min(...xs)).toBeCloseTo(-0.9, 6)
    expect(Math.max(...xs)).toBeCloseTo(0.9, 6)
    expect(Math.min(...ys) + Math.max(...ys)).toBeCloseTo(0, 6)
    expect(transform.center).toEqual([4, 11, 0])
    expect(transform.scale).toBeCloseTo(1.8 / 4, 12)
  })

  it('round-trips through the transform', () => {
    const original = new Float32Array([0.5, -3, 7, 1.25, 4, -2, 9, 0, 1])
    const { positions, transform } = normalizePositions(original)
    const back = denormalizePositions(positions, transform)
    for (let i = 0; i < original.length; i++) expect(back[i]).toBeCloseTo(original[i], 4)
  })

  it('only moves a single point', () => {
    const { positions, transform } = normalizePositions(new Float32Array([3, 3, 3, 3, 3, 3]))
    expect(Array.from(positions)).toEqual([0, 0, 0, 0, 0, 0])
    expect(transform.scale).toBe(1)
  })
})
