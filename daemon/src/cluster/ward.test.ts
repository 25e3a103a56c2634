import { describe, expect, it } from 'vitest'
import { cutTree, type PartTree } from '../../../protocol/src/part-tree.js'
import { csrFromEdges } from '../prepare/csr.js'
import type { Csr } from '../prepare/prepared-mesh.js'
import { SeededRandom } from './random.js'
import { wardTree } from './ward.js'

/**
 * O(n^3) reference: at every step scans all pairs of live clusters that touch in the graph and
 * merges the cheapest by (cost, higher id, lower id), with the same float64 sums as wardTree.
 */
function bruteForceWard(features: Float32Array, dim: number, graph: Csr, sizes?: Float64Array): number[][] {
  const n = graph.offsets.length - 1
  const clusters = new Map<number, { members: number[]; sum: Float64Array; size: number }>()
  for (let i = 0; i < n; i++) {
    const size = sizes ? sizes[i] : 1
    clusters.set(i, { members: [i], sum: Float64Array.from(features.subarray(i * dim, (i + 1) * dim), (v) => v * size), size })
  }
  const clusterOf = Int32Array.from({ length: n }, (_, i) => i)
  const merges: number[][] = []
  for (let next = n; clusters.size > 1; next++) {
    let best: [number, number, number] | undefined
    for (const [a, ca] of clusters) {
      const touching = new Set<number>()
      for (const m of ca.members) {
        for (let p = graph.offsets[m]; p < graph.offsets[m + 1]; p++) touching.add(clusterOf[graph.neighbors[p]])
      }
      for (const b of touching) {
        if (b >= a) continue
        const cb = clusters.get(b)!
        let squared = 0
        for (let d = 0; d < dim; d++) {
          const diff = ca.sum[d] / ca.size - cb.sum[d] / cb.size
          squared += diff * diff
        }
        const cost = squared * ((ca.size * cb.size) / (ca.size + cb.size))
        if (!best || cost < best[0] || (cost === best[0] && (a < best[1] || (a === best[1] && b < best[2])))) best = [cost, a, b]
      }
    }
    if (!best) break
    const [, a, b] = best
    const ca = clusters.get(a)!
    const cb = clusters.get(b)!
    const sum = ca.sum.map((v, d) => v + cb.sum[d])
    const members = [...ca.members, ...cb.members]
    for (const m of members) clusterOf[m] = next
    clusters.delete(a)
    clusters.delete(b)
    clusters.set(next, { members, sum, size: ca.size + cb.size })
    merges.push([b, a])
  }
  return merges
}

function mergePairs(tree: PartTree): number[][] {
  const pairs: number[][] = []
  for (let m = 0; m < tree.merges.length; m += 2) pairs.push([tree.merges[m], tree.merges[m + 1]])
  return pairs
}

/** Builds a random connected graph: a random spanning tree plus extra random edges. */
function randomGraph(n: number, extra: number, random: SeededRandom): Csr {
  const edges: number[] = []
  for (let i = 1; i < n; i++) edges.push(i, random.nextInt(i))
  for (let e = 0; e < extra; e++) edges.push(random.nextInt(n), random.nextInt(n))
  return csrFromEdges(n, edges)
}

function randomFeatures(count: number, random: SeededRandom, quantize: boolean): Float32Array {
  return Float32Array.from({ length: count }, () => (quantize ? Math.round(random.next() * 3) / 3 : random.next()))
}

describe('wardTree', () => {
  it('merges exactly as a brute-force reference', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const random = new SeededRandom(seed)
      const n = 30 + seed * 5
      const graph = randomGraph(n, n, random)
      const features = randomFeatures(n * 3, random, false)
      expect(mergePairs(wardTree(features, 3, graph)), `seed ${seed}`).toEqual(bruteForceWard(features, 3, graph))
    }
  })

  it('matches the reference on a larger graph', () => {
    // Enough leaves that the pool of merged clusters has to grow past its first 64 rows.
    const random = new SeededRandom(21)
    const graph = randomGraph(400, 300, random)
    const features = randomFeatures(400 * 5, random, false)
    expect(mergePairs(wardTree(features, 5, graph))).toEqual(bruteForceWard(features, 5, graph))
  })

  it('matches the reference with long feature rows', () => {
    // 24 dimensions take the batched distance path.
    for (const quantize of [false, true]) {
      const random = new SeededRandom(quantize ? 31 : 32)
      const graph = randomGraph(150, 200, random)
      const features = randomFeatures(150 * 24, random, quantize)
      expect(mergePairs(wardTree(features, 24, graph)), `quantize ${quantize}`).toEqual(bruteForceWard(features, 24, graph))
    }
  })

  it('breaks cost ties as the reference does', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const random = new SeededRandom(100 + seed)
      const graph = randomGraph(40, 30, random)
      const features = randomFeatures(40 * 2, random, true)
      expect(mergePairs(wardTree(features, 2, graph)), `seed ${seed}`).toEqual(bruteForceWard(features, 2, graph))
    }
  })

  it('weights leaves by their initial sizes', () => {
    const random = new SeededRandom(7)
    const graph = randomGraph(35, 40, random)
    const features = randomFeatures(35 * 4, random, false)
    const sizes = Float64Array.from({ length: 35 }, () => 1 + random.nextInt(5))
    expect(mergePairs(wardTree(features, 4, graph, { sizes }))).toEqual(bruteForceWard(features, 4, graph, sizes))
  })

  it('splits two feature clusters joined by one bridge', () => {
    // Two chains of 10 nodes with features near 0 and near 5, linked between nodes 9 and 10.
    const edges: number[] = []
    for (let i = 0; i < 19; i++) edges.push(i, i + 1)
    const random = new SeededRandom(11)
    const features = Float32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 5) + 0.1 * random.next())
    const labels = cutTree(wardTree(features, 2, csrFromEdges(20, edges)), 2)
    expect(Array.from(labels)).toEqual([...new Array(10).fill(0), ...new Array(10).fill(1)])
  })

  it('merges only graph neighbours', () => {
    // Nodes 0 and 2 are identical but not adjacent, so the first merge joins 1 and 2.
    const tree = wardTree(new Float32Array([0, 10, 0.1]), 1, csrFromEdges(3, [0, 1, 1, 2]))
    expect(mergePairs(tree)[0]).toEqual([1, 2])
    expect(tree.costs[0]).toBeCloseTo(0.5 * 9.9 * 9.9, 4)
  })

  it('stops at the component count of a disconnected graph', () => {
    const tree = wardTree(new Float32Array([0, 1, 2, 3, 4]), 1, csrFromEdges(5, [0, 1, 1, 2, 3, 4]))
    expect(tree.merges.length / 2).toBe(3)
    expect(new Set(cutTree(tree, 1)).size).toBe(2)
  })

  it('reports progress up to 1', () => {
    const fractions: number[] = []
    const random = new SeededRandom(5)
    wardTree(randomFeatures(600, random, false), 3, randomGraph(200, 100, random), { onProgress: (f) => fractions.push(f) })
    expect(fractions.length).toBeGreaterThan(10)
    expect(fractions.at(-1)).toBe(1)
  })

  it('throws when aborted', () => {
    const controller = new AbortController()
    controller.abort()
    expect(() => wardTree(new Float32Array([0, 1]), 1, csrFromEdges(2, [0, 1]), { signal: controller.signal })).toThrow()
  })

  it('rejects non-finite features with the row', () => {
    expect(() => wardTree(new Float32Array([0, NaN]), 1, csrFromEdges(2, [0, 1]))).toThrow(/row 1/)
  })
})
