import { describe, expect, it } from 'vitest'

import { TriangulationScratch, triangulatePolygon } from './triangulate.js'

/** Triangulates one polygon given as xyz corners; returns corner triples and whether ears were found. */
function triangulate(corners: number[][]): { triangles: number[][]; clean: boolean } {
  const positions = new Float32Array(corners.flat())
  const cornerVertices = Uint32Array.from(corners.keys())
  const out = new Uint32Array((corners.length - 2) * 3)
  const clean = triangulatePolygon(positions, cornerVertices, 0, corners.length, out, 0, new TriangulationScratch())
  const triangles: number[][] = []
  for (let i = 0; i < out.length; i += 3) triangles.push([out[i], out[i + 1], out[i + 2]])
  return { triangles, clean }
}

/** Signed area of a triangle in the plane with normal `axis` (0 x, 1 y, 2 z). */
function signedArea(corners: number[][], [a, b, c]: number[], axis = 2): number {
  const [u, v] = axis === 2 ? [0, 1] : axis === 0 ? [1, 2] : [2, 0]
  return ((corners[b][u] - corners[a][u]) * (corners[c][v] - corners[a][v]) -
    (corners[b][v] - corners[a][v]) * (corners[c][u] - corners[a][u])) / 2
}

describe('triangulatePolygon', () => {
  it('clips the notched pentagon as the diagram shows', () => {
    const pentagon = [[0, 0, 0], [2, 1, 0], [4, 0, 0], [4, 3, 0], [0, 3, 0]]
    const { triangles, clean } = triangulate(pentagon)
    expect(clean).toBe(true)
    expect(triangles).toEqual([[4, 0, 1], [4, 1, 2], [4, 2, 3]])
  })

  it('keeps every triangle of a concave comb inside and counter-clockwise', () => {
    // A comb with 5 teeth of 1 x 2 on a 9 x 1 base: 20 corners, area 9 + 5 * 2 = 19.
    const comb: number[][] = [[0, 0, 0], [9, 0, 0], [9, 3, 0]]
    for (let x = 8; x > 0; x -= 2) comb.push([x, 3, 0], [x, 1, 0], [x - 1, 1, 0], [x - 1, 3, 0])
    comb.push([0, 3, 0])
    expect(comb.length).toBe(20)
    const { triangles, clean } = triangulate(comb)
    expect(clean).toBe(true)
    expect(triangles.length).toBe(comb.length - 2)
    let area = 0
    for (const triangle of triangles) {
      expect(signedArea(comb, triangle)).toBeGreaterThan(0)
      area += signedArea(comb, triangle)
    }
    expect(area).toBeCloseTo(19, 9)
  })

  it('follows the winding of a clockwise polygon on a tilted plane', () => {
    // An L shape in the x = y plane wound the other way: every triangle must keep that winding.
    const flat = [[0, 0], [0, 2], [1, 2], [1, 1], [2, 1], [2, 0]]
    const corners = flat.map(([s, t]) => [s, s, t])
    const { triangles, clean } = triangulate(corners)
    expect(clean).toBe(true)
    for (const triangle of triangles) {
      const [a, b, c] = triangle.map((index) => flat[index])
      const cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
      expect(cross).toBeLessThan(0)
    }
  })

  it('fans a polygon with no area', () => {
    const { triangles, clean } = triangulate([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]])
    expect(clean).toBe(false)
    expect(triangles).toEqual([[0, 1, 2], [0, 2, 3]])
  })

  it('fans the rest of a self-crossing polygon', () => {
    // A bow tie has no valid ear once its crossing is reached.
    const { triangles } = triangulate([[0, 0, 0], [2, 2, 0], [2, 0, 0], [0, 2, 0], [-1, 1, 0]])
    expect(triangles.length).toBe(3)
    const used = new Set(triangles.flat())
    expect(used.size).toBe(5)
  })

  it('handles repeated vertices without dropping corners', () => {
    const corners = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 0], [0, 1, 0]]
    const { triangles } = triangulate(corners)
    expect(triangles.length).toBe(3)
    const area = triangles.reduce((sum, triangle) => sum + Math.abs(signedArea(corners, triangle)), 0)
    expect(area).toBeCloseTo(1, 9)
  })

  it('triangulates a 10000-gon circle quickly', () => {
    const corners = Array.from({ length: 10_000 }, (_, k) => [Math.cos(k / 10_000 * 2 * Math.PI), Math.sin(k / 10_000 * 2 * Math.PI), 0])
    const start = performance.now()
    const { triangles, clean } = triangulate(corners)
    expect(clean).toBe(true)
    expect(triangles.length).toBe(9_998)
    expect(performance.now() - start).toBeLessThan(10_000)
  })
})
