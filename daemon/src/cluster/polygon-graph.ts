import { csrFromEdges } from '../prepare/csr.js'
import type { Csr, PreparedMesh } from '../prepare/prepared-mesh.js'
import { Uint32Builder } from '../prepare/uint32-builder.js'

/**
 * Graph over the user's source polygons: two polygons are neighbours when any of their
 * triangles share an edge or are joined by a bridge. Symmetric, without self-loops or repeats.
 */
export function polygonGraph(mesh: PreparedMesh): Csr {
  const polygonOf = mesh.source.triangleToPolygon
  const { offsets, neighbors } = mesh.adjacency
  const pairs = new Uint32Builder(neighbors.length + mesh.bridges.length)
  const triangleCount = offsets.length - 1

  for (let t = 0; t < triangleCount; t++) {
    const polygon = polygonOf[t]
    for (let p = offsets[t]; p < offsets[t + 1]; p++) {
      const u = neighbors[p]
      if (u > t && polygonOf[u] !== polygon) pairs.pushPair(polygon, polygonOf[u])
    }
  }
  for (let i = 0; i < mesh.bridges.length; i += 2) {
    const a = polygonOf[mesh.bridges[i]]
    const b = polygonOf[mesh.bridges[i + 1]]
    if (a !== b) pairs.pushPair(a, b)
  }
  return csrFromEdges(mesh.source.polygonCount, pairs.toArray())
}
