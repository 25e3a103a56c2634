import { describe, expect, it } from 'vitest'
import { weldVertices } from './weld.js'

describe('weldVertices', () => {
  it('merges vertices within the tolerance onto the first one', () => {
    const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0.0005, 0, 0, 1, 0.0004, 0, 2, 0, 0])
    const weld = weldVertices(positions, 0.001)
    expect(Array.from(weld.remap)).toEqual([0, 1, 0, 1, 2])
    expect(weld.count).toBe(3)
    expect(Array.from(weld.positions)).toEqual([0, 0, 0, 1, 0, 0, 2, 0, 0])
  })

  it('keeps vertices farther apart than the tolerance', () => {
    const weld = weldVertices(new Float32Array([0, 0, 0, 0.002, 0, 0]), 0.001)
    expect(weld.count).toBe(2)
  })

  it('merges only exact copies with tolerance 0', () => {
    const weld = weldVertices(new Float32Array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.50001]), 0)
    expect(Array.from(weld.remap)).toEqual([0, 0, 1])
  })

  it('finds neighbours across cell borders', () => {
    // 0.0999 and 0.1001 fall into different cells of width 0.1 but are 0.0002 apart.
    const weld = weldVertices(new Float32Array([0.0999, 0, 0, 0.1001, 0, 0]), 0.1)
    expect(weld.count).toBe(1)
  })
})
