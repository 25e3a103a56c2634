import type { MeshData } from '../mesh/mesh-data.js'
import { bridgeComponents } from './bridges.js'
import { connectedComponents } from './components.js'
import { edgeAdjacency } from './edge-adjacency.js'
import { markKeptTriangles } from './kept-triangles.js'
import { normalizePositions } from './normalize.js'
import type { PreparedMesh, PrepareOptions } from './prepared-mesh.js'
import { triangleGeometry } from './triangle-geometry.js'
import { weldVertices } from './weld.js'

/** Default weld distance as a fraction of the bounding-box diagonal. */
export const DEFAULT_WELD_TOLERANCE = 1e-6

/**
 * Prepares a mesh for features and clustering: normalises it to PartField's frame, optionally
 * welds coincident vertices and marks degenerate and duplicate triangles, computes per-triangle
 * geometry, the shared-edge triangle graph, its components and the bridges that join them.
 * Triangle i of the result is triangle i of `mesh`.
 */
export function prepareMesh(mesh: MeshData, options: PrepareOptions): PreparedMesh {
  const normalized = normalizePositions(mesh.positions)
  let positions = normalized.positions
  let triangles = mesh.triangles
  if (options.cleanup) {
    const tolerance = Math.max(0, options.weldTolerance) * boxDiagonal(positions)
    const weld = weldVertices(positions, tolerance)
    positions = weld.positions
    triangles = new Uint32Array(mesh.triangles.length)
    for (let i = 0; i < triangles.length; i++) triangles[i] = weld.remap[mesh.triangles[i]]
  }
  const vertexCount = positions.length / 3

  const { areas, normals, centroids } = triangleGeometry(positions, triangles)
  const marks = markKeptTriangles(triangles, areas, vertexCount, options.cleanup)
  const adjacency = edgeAdjacency(triangles, vertexCount)
  const components = connectedComponents(adjacency)
  const bridges = bridgeComponents(
    centroids,
    { count: components.count, ofTriangle: components.ofNode },
    { mode: options.adjacency, knn: options.knn, signal: options.signal },
  )

  return {
    source: mesh,
    positions,
    triangles,
    transform: normalized.transform,
    kept: marks.kept,
    areas,
    normals,
    centroids,
    adjacency,
    components: { count: components.count, ofTriangle: components.ofNode },
    bridges,
    bridgeMode: options.adjacency,
    cleanupReport: {
      sourceVertexCount: mesh.positions.length / 3,
      vertexCount,
      degenerateCount: marks.degenerateCount,
      duplicateCount: marks.duplicateCount,
    },
  }
}

function boxDiagonal(positions: Float32Array): number {
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < positions.length; i += 3) {
    for (let axis = 0; axis < 3; axis++) {
      min[axis] = Math.min(min[axis], positions[i + axis])
      max[axis] = Math.max(max[axis], positions[i + axis])
    }
  }
  if (positions.length === 0) return 0
  return Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2])
}
