import { describe, expect, it } from 'vitest'
import type { PartTree } from '../../../protocol/src/part-tree.js'
import { csrFromEdges } from '../prepare/csr.js'
import { choosePartCount } from './auto-count.js'
import { SeededRandom } from './random.js'
import { wardTree } from './ward.js'

/** Builds the Ward tree of one feature per leaf, with the leaves joined in a chain. */
function chainTree(values: number[]): PartTree {
  const edges: number[] = []
  for (let i = 0; i + 1 < values.length; i++) edges.push(i, i + 1)
  return wardTree(Float32Array.from(values), 1, csrFromEdges(values.length, edges))
}

/** Builds a tree whose every merge adds one leaf to the cluster grown so far, at the given costs. */
function caterpillar(costs: number[]): PartTree {
  const leafCount = costs.length + 1
  const merges = [0, 1]
  for (let m = 1; m < costs.length; m++) merges.push(leafCount + m - 1, m + 1)
  return { leafCount, merges: Int32Array.from(merges), costs: Float32Array.from(costs) }
}

describe('choosePartCount', () => {
  it('finds three clear groups on a chain', () => {
    const random = new SeededRandom(2)
    const values = Array.from({ length: 60 }, (_, i) => 10 * Math.floor(i / 20) + random.next())
    expect(choosePartCount(chainTree(values), 10)).toBe(3)
  })

  it('prefers the finest clear level', () => {
    // Two far groups of three subgroups each. Joining the two groups costs several hundred times
    // the merge below it, and the subgroups cost about a hundred times the noise merges below
    // them. The largest jump would give 2, as it did for a toy figure of head, torso and limbs.
    for (const seed of [1, 2, 3]) {
      const random = new SeededRandom(seed)
      const values = Array.from({ length: 120 }, (_, i) => {
        const subgroup = Math.floor(i / 20)
        return 300 * Math.floor(subgroup / 3) + 10 * (subgroup % 3) + 4 * random.next()
      })
      expect(choosePartCount(chainTree(values), 20)).toBe(6)
      // With at most 3 parts, the only clear level left is the split into the two groups.
      expect(choosePartCount(chainTree(values), 3)).toBe(2)
    }
  })

  it('does not count a sliver as a part', () => {
    // Three groups of 100 leaves, and one leaf at the end of the chain that joins the last group
    // at a cost well above the noise merges: a clear jump, but below 1 % of the leaves.
    const random = new SeededRandom(3)
    const values = Array.from({ length: 301 }, (_, i) => (i === 300 ? 25 : 10 * Math.floor(i / 100) + random.next()))
    expect(choosePartCount(chainTree(values), 20)).toBe(3)
  })

  it('takes the largest jump when no level is clear', () => {
    // Costs grow by half at each merge, and double once: from 4 to 3 parts.
    const costs = [1, 1.5, 2.25, 3.4, 5, 7.6, 11.4, 17, 34, 51, 77]
    expect(choosePartCount(caterpillar(costs), 10)).toBe(4)
  })

  it('counts every merge when the top ones all join slivers', () => {
    // 300 leaves added one by one: every merge joins a single leaf, under 1 % of them.
    const costs = Array.from({ length: 299 }, (_, m) => (m < 296 ? 1 + m / 1000 : 10 * (m - 295)))
    expect(choosePartCount(caterpillar(costs), 20)).toBe(4)
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
