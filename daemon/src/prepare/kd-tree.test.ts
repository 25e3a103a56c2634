import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../cluster/random.js'
import { KdTree, LabelFilter } from './kd-tree.js'

function randomPoints(count: number, seed: number): Float32Array {
  const random = new SeededRandom(seed)
  return Float32Array.from({ length: 3 * count }, () => random.next())
}

function bruteNearest(points: Float32Array, x: number, y: number, z: number, accept: (p: number) => boolean): number[] {
  const distances: [number, number][] = []
  for (let p = 0; p < points.length / 3; p++) {
    if (!accept(p)) continue
    distances.push([(points[3 * p] - x) ** 2 + (points[3 * p + 1] - y) ** 2 + (points[3 * p + 2] - z) ** 2, p])
  }
  return distances.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([distance]) => distance)
}

describe('KdTree', () => {
  const points = randomPoints(2000, 1)
  const tree = new KdTree(points)
  const labels = Uint32Array.from({ length: 2000 }, (_, i) => (points[3 * i] < 0.5 ? 0 : 1 + (i % 3)))
  const treeLabels = tree.labelNodes(labels)
  const queries = randomPoints(50, 2)

  it('finds the nearest point as brute force does', () => {
    for (let q = 0; q < 50; q++) {
      const [x, y, z] = [queries[3 * q], queries[3 * q + 1], queries[3 * q + 2]]
      tree.nearest(x, y, z)
      expect(tree.lastDistanceSquared).toBeCloseTo(bruteNearest(points, x, y, z, () => true)[0], 10)
    }
  })

  it('finds the k nearest points in order', () => {
    const indices = new Int32Array(7)
    const distances = new Float64Array(7)
    for (let q = 0; q < 50; q++) {
      const [x, y, z] = [queries[3 * q], queries[3 * q + 1], queries[3 * q + 2]]
      expect(tree.knn(x, y, z, 7, indices, distances)).toBe(7)
      const expected = bruteNearest(points, x, y, z, () => true).slice(0, 7)
      expected.forEach((distance, j) => expect(distances[j]).toBeCloseTo(distance, 10))
    }
  })

  it('skips points of an excluded label', () => {
    for (let q = 0; q < 50; q++) {
      const [x, y, z] = [queries[3 * q], queries[3 * q + 1], queries[3 * q + 2]]
      const found = tree.nearest(x, y, z, Infinity, treeLabels, 0, LabelFilter.Exclude)
      expect(labels[found]).not.toBe(0)
      expect(tree.lastDistanceSquared).toBeCloseTo(bruteNearest(points, x, y, z, (p) => labels[p] !== 0)[0], 10)
    }
  })

  it('considers only points of a required label', () => {
    for (let q = 0; q < 50; q++) {
      const [x, y, z] = [queries[3 * q], queries[3 * q + 1], queries[3 * q + 2]]
      const found = tree.nearest(x, y, z, Infinity, treeLabels, 2, LabelFilter.Only)
      expect(labels[found]).toBe(2)
      expect(tree.lastDistanceSquared).toBeCloseTo(bruteNearest(points, x, y, z, (p) => labels[p] === 2)[0], 10)
    }
  })

  it('returns -1 when nothing is within the bound', () => {
    expect(tree.nearest(10, 10, 10, 1)).toBe(-1)
  })

  it('builds over a subset of points', () => {
    const subset = Uint32Array.from([5, 17, 99])
    const small = new KdTree(points, subset)
    const found = small.nearest(points[3 * 17], points[3 * 17 + 1], points[3 * 17 + 2])
    expect(found).toBe(17)
  })
})
