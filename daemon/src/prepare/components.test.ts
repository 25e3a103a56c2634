import { describe, expect, it } from 'vitest'
import { connectedComponents } from './components.js'
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
