import { describe, expect, it } from 'vitest'
import { csrFromEdges } from '../prepare/csr.js'
import { mergeSmallIslands, renumberStable } from './islands.js'

/** Builds the chain graph 0-1-2-...-(n-1). */
function chain(n: number) {
  const edges: number[] = []
  for (let i = 0; i + 1 < n; i++) edges.push(i, i + 1)
  return csrFromEdges(n, edges)
}

describe('mergeSmallIslands', () => {
  it('merges a small island into its only neighbour', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 0, 0, 2, 2, 2, 2])
    expect(Array.from(mergeSmallIslands(labels, chain(10), 2))).toEqual([0, 0, 0, 0, 0, 0, 2, 2, 2, 2])
  })

  it('splits a part into islands and merges only the small piece', () => {
    // Label 0 appears as an island of 4 and an island of 1 inside label 1.
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 0, 1, 1, 1])
    expect(Array.from(mergeSmallIslands(labels, chain(10), 2))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
  })

  it('picks the neighbour sharing the most edges', () => {
    // Node 4 (label 2) touches label 0 through two edges and label 1 through one.
    const graph = csrFromEdges(7, [0, 1, 1, 2, 2, 3, 4, 0, 4, 1, 4, 5, 5, 6])
    const labels = Int32Array.from([0, 0, 0, 0, 2, 1, 1])
    expect(mergeSmallIslands(labels, graph, 2)[4]).toBe(0)
  })

  it('leaves an island without neighbours alone', () => {
    const graph = csrFromEdges(4, [0, 1, 1, 2])
    expect(Array.from(mergeSmallIslands(Int32Array.from([0, 0, 0, 1]), graph, 3))).toEqual([0, 0, 0, 1])
  })

  it('does nothing with minSize 1', () => {
    const labels = Int32Array.from([0, 1, 0, 1])
    expect(Array.from(mergeSmallIslands(labels, chain(4), 1))).toEqual([0, 1, 0, 1])
  })
})

describe('renumberStable', () => {
  it('numbers labels by their lowest member', () => {
    const result = renumberStable(Int32Array.from([7, 7, 3, -1, 3, 7]))
    expect(Array.from(result.labels)).toEqual([0, 0, 1, 2, 1, 0])
    expect(result.count).toBe(3)
  })
})
