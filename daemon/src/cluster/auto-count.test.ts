import { describe, expect, it } from 'vitest'
import { csrFromEdges } from '../prepare/csr.js'
import { choosePartCount } from './auto-count.js'
import { SeededRandom } from './random.js'
import { wardTree } from './ward.js'

describe('choosePartCount', () => {
  it('finds three clear groups on a chain', () => {
    const random = new SeededRandom(2)
    const n = 60
    const edges: number[] = []
    for (let i = 0; i + 1 < n; i++) edges.push(i, i + 1)
    const features = Float32Array.from({ length: n }, (_, i) => 10 * Math.floor(i / 20) + random.next())
    expect(choosePartCount(wardTree(features, 1, csrFromEdges(n, edges)), 10)).toBe(3)
  })

  it('stays within 2..maxParts', () => {
    const costs = Float32Array.from({ length: 9 }, (_, i) => i + 1)
    const merges = new Int32Array(18)
    const count = choosePartCount({ leafCount: 10, merges, costs }, 4)
    expect(count).toBeGreaterThanOrEqual(2)
    expect(count).toBeLessThanOrEqual(4)
  })

  it('prefers the component count of a disconnected tree', () => {
    // Four leaves in two components: two merges, so no cut has fewer than two parts.
    const tree = { leafCount: 4, merges: Int32Array.from([0, 1, 2, 3]), costs: Float32Array.from([1, 2]) }
    expect(choosePartCount(tree, 3)).toBe(2)
  })

  it('handles trees too small to choose from', () => {
    expect(choosePartCount({ leafCount: 2, merges: Int32Array.from([0, 1]), costs: Float32Array.from([1]) }, 5)).toBe(2)
  })
})
