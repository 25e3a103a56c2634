import { describe, expect, it } from 'vitest'
import type { Adjacency } from '../../../protocol/src/params.js'
import { connectedComponents } from './components.js'
import { addEdges } from './csr.js'
import { prepareMesh } from './prepare.js'
import type { Csr, PreparedMesh } from './prepared-mesh.js'
import { gridMesh, joinMeshes, meshFromArrays } from './synthetic-meshes.js'

const CLEAN = { cleanup: true, weldTolerance: 1e-6, adjacency: 'component_mst' as Adjacency, knn: 0 }

function neighborsOf(graph: Csr, node: number): number[] {
  return Array.from(graph.neighbors.subarray(graph.offsets[node], graph.offsets[node + 1]))
}

function centroidDistance(mesh: PreparedMesh, a: number, b: number): number {
  const c = mesh.centroids
  return Math.hypot(c[3 * a] - c[3 * b], c[3 * a + 1] - c[3 * b + 1], c[3 * a + 2] - c[3 * b + 2])
}

/** Smallest centroid distance between triangles of two components, by brute force. */
function closestBetween(mesh: PreparedMesh, a: number, b: number): number {
  let best = Infinity
  const of = mesh.components.ofTriangle
  for (let s = 0; s < of.length; s++) {
    if (of[s] !== a) continue
    for (let t = 0; t < of.length; t++) if (of[t] === b) best = Math.min(best, centroidDistance(mesh, s, t))
  }
  return best
}

describe('prepareMesh cleanup', () => {
  // Two triangles meeting along an edge whose vertices are stored twice.
  const split = meshFromArrays([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0], [0, 1, 2, 3, 5, 4])

  it('welds duplicate vertices so the triangles become neighbours', () => {
    const prepared = prepareMesh(split, CLEAN)
    expect(prepared.positions.length / 3).toBe(4)
    expect(neighborsOf(prepared.adjacency, 0)).toEqual([1])
    expect(prepared.components.count).toBe(1)
    expect(prepared.cleanupReport).toMatchObject({ sourceVertexCount: 6, vertexCount: 4 })
  })

  it('keeps duplicate vertices apart without cleanup', () => {
    const prepared = prepareMesh(split, { ...CLEAN, cleanup: false })
    expect(prepared.positions.length / 3).toBe(6)
    expect(neighborsOf(prepared.adjacency, 0)).toEqual([])
    expect(prepared.components.count).toBe(2)
  })

  it('marks degenerate and duplicate triangles but keeps their indices', () => {
    const positions = [0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0, 1e-9, 0, 0]
    const triangles = [
      0, 1, 2, // good
      0, 1, 3, // collinear: zero area
      0, 0, 2, // repeated vertex
      2, 1, 0, // same three vertices as triangle 0, reversed winding
      4, 1, 2, // vertex 4 welds onto vertex 0: a copy of triangle 0
    ]
    const prepared = prepareMesh(meshFromArrays(positions, triangles), CLEAN)
    expect(Array.from(prepared.kept)).toEqual([1, 0, 0, 0, 0])
    expect(prepared.areas.length).toBe(5)
    expect(prepared.cleanupReport).toMatchObject({ degenerateCount: 2, duplicateCount: 2 })
    expect(Array.from(prepared.normals.subarray(3, 6))).toEqual([0, 0, 0])
  })

  it('computes areas, unit normals and centroids in the normalised frame', () => {
    const prepared = prepareMesh(meshFromArrays([0, 0, 0, 2, 0, 0, 0, 2, 0], [0, 1, 2]), CLEAN)
    // The bounding box's longest side (2) becomes 1.8, so both legs are 1.8 long.
    expect(prepared.areas[0]).toBeCloseTo((1.8 * 1.8) / 2, 5)
    expect(Array.from(prepared.normals)).toEqual([0, 0, 1])
    expect(prepared.centroids[0]).toBeCloseTo(-0.9 + 0.6, 5)
  })
})

describe('prepareMesh adjacency', () => {
  it('links every triangle around a non-manifold edge', () => {
    // Three fins share the edge from vertex 0 to vertex 1.
    const positions = [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, -1, -1, 0]
    const prepared = prepareMesh(meshFromArrays(positions, [0, 1, 2, 0, 1, 3, 1, 0, 4]), CLEAN)
    expect(neighborsOf(prepared.adjacency, 0)).toEqual([1, 2])
    expect(neighborsOf(prepared.adjacency, 1)).toEqual([0, 2])
    expect(neighborsOf(prepared.adjacency, 2)).toEqual([0, 1])
  })

  it('links grid triangles across shared edges only', () => {
    const prepared = prepareMesh(gridMesh(3), CLEAN)
    // Interior triangles have three neighbours; a corner triangle has one.
    expect(neighborsOf(prepared.adjacency, 8).length).toBe(3)
    expect(neighborsOf(prepared.adjacency, 0).length).toBe(1)
    expect(prepared.components.count).toBe(1)
    expect(prepared.bridges.length).toBe(0)
  })
})

describe('prepareMesh bridging', () => {
  // Three 4 x 4 grids along x: A at 0..1, B at 2..3, C at 5..6.
  const pieces = joinMeshes([gridMesh(4, 0), gridMesh(4, 2), gridMesh(4, 5)])
  const perPiece = 32

  function prepared(adjacency: Adjacency, knn = 0): PreparedMesh {
    return prepareMesh(pieces, { ...CLEAN, adjacency, knn })
  }

  function isConnected(mesh: PreparedMesh): boolean {
    return connectedComponents(addEdges(mesh.adjacency, mesh.bridges)).count === 1
  }

  it('numbers components by their lowest triangle', () => {
    const mesh = prepared('naive')
    expect(mesh.components.count).toBe(3)
    expect(mesh.components.ofTriangle[0]).toBe(0)
    expect(mesh.components.ofTriangle[perPiece]).toBe(1)
    expect(mesh.components.ofTriangle[2 * perPiece]).toBe(2)
  })

  it('chains the first triangles of consecutive components in naive mode', () => {
    const mesh = prepared('naive')
    expect(Array.from(mesh.bridges)).toEqual([0, perPiece, perPiece, 2 * perPiece])
    expect(isConnected(mesh)).toBe(true)
  })

  it('joins components along their closest triangles in face_mst mode', () => {
    const mesh = prepared('face_mst')
    expect(mesh.bridges.length).toBe(4)
    expect(isConnected(mesh)).toBe(true)
    const lengths = [centroidDistance(mesh, mesh.bridges[0], mesh.bridges[1]), centroidDistance(mesh, mesh.bridges[2], mesh.bridges[3])].sort()
    const expected = [closestBetween(mesh, 0, 1), closestBetween(mesh, 1, 2)].sort()
    expect(lengths[0]).toBeCloseTo(expected[0], 5)
    expect(lengths[1]).toBeCloseTo(expected[1], 5)
  })

  it('realises the centroid tree between closest triangles in component_mst mode', () => {
    const mesh = prepared('component_mst')
    expect(mesh.bridges.length).toBe(4)
    expect(isConnected(mesh)).toBe(true)
    const of = mesh.components.ofTriangle
    const pairs = [0, 2].map((i) => [of[mesh.bridges[i]], of[mesh.bridges[i + 1]]].sort().join('-')).sort()
    expect(pairs).toEqual(['0-1', '1-2'])
    for (let i = 0; i < 4; i += 2) {
      const [a, b] = [of[mesh.bridges[i]], of[mesh.bridges[i + 1]]]
      expect(centroidDistance(mesh, mesh.bridges[i], mesh.bridges[i + 1])).toBeCloseTo(closestBetween(mesh, a, b), 5)
    }
  })

  it('adds knn links only between different components', () => {
    const plain = prepared('face_mst')
    const mesh = prepared('face_mst', 2)
    expect(mesh.bridges.length).toBeGreaterThan(plain.bridges.length)
    const of = mesh.components.ofTriangle
    const linked = new Uint32Array(of.length)
    for (let i = 0; i < mesh.bridges.length; i += 2) {
      expect(of[mesh.bridges[i]]).not.toBe(of[mesh.bridges[i + 1]])
      expect(mesh.bridges[i]).toBeLessThan(mesh.bridges[i + 1])
      linked[mesh.bridges[i]]++
      linked[mesh.bridges[i + 1]]++
    }
    expect(Math.min(...linked)).toBeGreaterThanOrEqual(2)
  })

  it('connects a collapsed triangle that has no edges', () => {
    const mesh = prepareMesh(meshFromArrays([0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5], [0, 1, 2, 3, 3, 3]), CLEAN)
    expect(Array.from(mesh.kept)).toEqual([1, 0])
    expect(mesh.components.count).toBe(2)
    expect(Array.from(mesh.bridges)).toEqual([0, 1])
  })
})
