import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../cluster/random.js'
import { connectedComponents } from './components.js'
import { knnGraph } from './point-graph.js'

describe('knnGraph', () => {
  const random = new SeededRandom(3)
  // Two clouds of 100 points far apart.
  const positions = Float32Array.from({ length: 600 }, (_, i) => random.next() + (i < 300 ? 0 : 10 * ((i % 3) === 0 ? 1 : 0)))

  it('is symmetric without self-loops', () => {
    const graph = knnGraph(positions, 5)
    for (let p = 0; p < 200; p++) {
      for (let i = graph.offsets[p]; i < graph.offsets[p + 1]; i++) {
        const q = graph.neighbors[i]
        expect(q).not.toBe(p)
        const back = graph.neighbors.subarray(graph.offsets[q], graph.offsets[q + 1])
        expect(back.includes(p)).toBe(true)
      }
    }
  })

  it('links each point to at least k others', () => {
    const graph = knnGraph(positions, 5)
    for (let p = 0; p < 200; p++) expect(graph.offsets[p + 1] - graph.offsets[p]).toBeGreaterThanOrEqual(5)
  })

  it('joins separate clouds into one component', () => {
    expect(connectedComponents(knnGraph(positions, 5)).count).toBe(1)
  })

  it('links nearest neighbours and bridges the gap at its closest points', () => {
    // k = 1 pairs 0-1 and 2-3; the spanning link joins the pairs between points 1 and 2.
    const line = new Float32Array([0, 0, 0, 1, 0, 0, 3, 0, 0, 3.5, 0, 0])
    const graph = knnGraph(line, 1)
    const row = (p: number) => Array.from(graph.neighbors.subarray(graph.offsets[p], graph.offsets[p + 1]))
    expect(row(0)).toEqual([1])
    expect(row(1)).toEqual([0, 2])
    expect(row(2)).toEqual([1, 3])
  })
})
