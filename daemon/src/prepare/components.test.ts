import { describe, expect, it } from 'vitest'
import { connectedComponents, groupIndices } from './components.js'
import { csrFromEdges } from './csr.js'

describe('connectedComponents', () => {
  it('numbers components by their lowest node', () => {
    const graph = csrFromEdges(5, [3, 4, 1, 2])
    const { count, ofNode } = connectedComponents(graph)
    expect(count).toBe(3)
    expect(Array.from(ofNode)).toEqual([0, 1, 1, 2, 2])
  })

  it('follows only edges within a label', () => {
    // Chain 0-1-2-3-4: nodes 0, 1 and 4 share label 7, so 4 is its own component.
    const graph = csrFromEdges(5, [0, 1, 1, 2, 2, 3, 3, 4])
    const labels = Int32Array.from([7, 7, 8, 8, 7])
    const { count, ofNode } = connectedComponents(graph, labels)
    expect(count).toBe(3)
    expect(Array.from(ofNode)).toEqual([0, 0, 1, 1, 2])
  })
})

describe('groupIndices', () => {
  it('keeps file order within each group', () => {
    const { offsets, members } = groupIndices(Int32Array.from([2, 0, 2, 0, 2]), 4)
    expect(Array.from(offsets)).toEqual([0, 2, 2, 5, 5])
    expect(Array.from(members)).toEqual([1, 3, 0, 2, 4])
  })
})
