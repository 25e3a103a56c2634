import { describe, expect, it } from 'vitest'
import { cutTree, type PartTree } from './part-tree.js'

/** A tree over 8 leaves: pairs first, then pairs of pairs, then the two halves. */
const BALANCED: PartTree = {
  leafCount: 8,
  merges: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
  costs: Float32Array.from([1, 1, 1, 1, 2, 2, 3]),
}

/** Builds a caterpillar tree that adds the leaves one by one in the given order. */
function caterpillar(order: number[]): PartTree {
  const n = order.length
  const merges: number[] = [order[0], order[1]]
  for (let i = 2; i < n; i++) merges.push(n + i - 2, order[i])
  return { leafCount: n, merges: Int32Array.from(merges), costs: Float32Array.from({ length: n - 1 }, (_, i) => i) }
}

/** Applies the first `applied` merges with an independent union-find and returns each leaf's set. */
function referencePartition(tree: PartTree, applied: number): string[] {
  const members: number[][] = Array.from({ length: tree.leafCount }, (_, i) => [i])
  for (let m = 0; m < applied; m++) members.push([...members[tree.merges[2 * m]], ...members[tree.merges[2 * m + 1]]])
  const setOf = new Array<string>(tree.leafCount)
  const used = new Set<number>()
  for (let m = 0; m < applied; m++) {
    used.add(tree.merges[2 * m])
    used.add(tree.merges[2 * m + 1])
  }
  members.forEach((leaves, node) => {
    if (used.has(node)) return
    const key = [...leaves].sort((a, b) => a - b).join(',')
    for (const leaf of leaves) setOf[leaf] = key
  })
  return setOf
}

function partitionOf(labels: Int32Array): string[] {
  const groups = new Map<number, number[]>()
  labels.forEach((label, leaf) => groups.set(label, [...(groups.get(label) ?? []), leaf]))
  return Array.from(labels, (label) => groups.get(label)!.join(','))
}

describe('cutTree', () => {
  it('cuts a balanced tree at every level', () => {
    expect(Array.from(cutTree(BALANCED, 1))).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
    expect(Array.from(cutTree(BALANCED, 2))).toEqual([0, 0, 0, 0, 1, 1, 1, 1])
    expect(Array.from(cutTree(BALANCED, 4))).toEqual([0, 0, 1, 1, 2, 2, 3, 3])
    expect(Array.from(cutTree(BALANCED, 8))).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('gives exactly k parts for every k', () => {
    const tree = caterpillar([5, 2, 9, 0, 7, 1, 8, 3, 6, 4])
    for (let k = 1; k <= 10; k++) expect(new Set(cutTree(tree, k)).size).toBe(k)
  })

  it('matches applying the first n - k merges', () => {
    const tree = caterpillar([3, 11, 0, 7, 5, 1, 10, 2, 8, 6, 4, 9])
    for (let k = 1; k <= 12; k++) expect(partitionOf(cutTree(tree, k))).toEqual(referencePartition(tree, 12 - k))
  })

  it('numbers parts by their lowest leaf', () => {
    const labels = cutTree(caterpillar([6, 4, 2, 0, 1, 3, 5, 7]), 5)
    const firstSeen: number[] = []
    labels.forEach((label) => {
      if (!firstSeen.includes(label)) firstSeen.push(label)
    })
    expect(firstSeen).toEqual([0, 1, 2, 3, 4])
  })

  it('nests successive cuts', () => {
    // Each part at k + 1 lies inside one part at k.
    const tree = caterpillar([4, 8, 1, 6, 0, 3, 9, 2, 7, 5])
    for (let k = 1; k < 10; k++) {
      const coarse = cutTree(tree, k)
      const fine = cutTree(tree, k + 1)
      const parentOf = new Map<number, number>()
      fine.forEach((label, leaf) => {
        expect(parentOf.get(label) ?? coarse[leaf]).toBe(coarse[leaf])
        parentOf.set(label, coarse[leaf])
      })
    }
  })

  it('cannot go below the component count of a partial tree', () => {
    // Leaves 0-1 and 2-3 merge; no merge joins the two pairs.
    const partial: PartTree = { leafCount: 4, merges: Int32Array.from([0, 1, 2, 3]), costs: Float32Array.from([1, 1]) }
    expect(Array.from(cutTree(partial, 1))).toEqual([0, 0, 1, 1])
    expect(Array.from(cutTree(partial, 3))).toEqual([0, 0, 1, 2])
  })

  it('clamps k to 1..leafCount', () => {
    expect(new Set(cutTree(BALANCED, 0)).size).toBe(1)
    expect(new Set(cutTree(BALANCED, 50)).size).toBe(8)
    expect(new Set(cutTree(BALANCED, 2.7)).size).toBe(2)
  })

  it('rejects a part count that is not a number', () => {
    expect(() => cutTree(BALANCED, Number.NaN)).toThrow(RangeError)
  })

  it('handles an empty tree', () => {
    expect(cutTree({ leafCount: 0, merges: new Int32Array(0), costs: new Float32Array(0) }, 3).length).toBe(0)
  })
})
