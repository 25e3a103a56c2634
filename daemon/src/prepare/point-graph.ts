import { connectedComponents } from './components.js'
import { addEdges, csrFromEdges } from './csr.js'
import { groupSpanningTree } from './group-spanning-tree.js'
import { KdTree } from './kd-tree.js'
import type { Csr } from './prepared-mesh.js'
import { Uint32Builder } from './uint32-builder.js'

/**
 * Builds a symmetric k-nearest-neighbour graph over points (xyz each): every point links to its
 * k nearest other points, and the links are mirrored. When that leaves several components, the
 * shortest links of a minimum spanning tree between them are added, so clustering on the graph
 * always yields a complete merge tree.
 */
export function knnGraph(positions: Float32Array, k: number): Csr {
  const count = positions.length / 3
  const tree = new KdTree(positions)
  const wanted = Math.max(0, Math.min(Math.floor(k), count - 1))
  const indices = new Int32Array(wanted + 1)
  const distances = new Float64Array(wanted + 1)
  const pairs = new Uint32Builder(2 * count * Math.max(1, wanted))

  for (let p = 0; p < count && wanted > 0; p++) {
    const x = positions[3 * p], y = positions[3 * p + 1], z = positions[3 * p + 2]
    // One extra neighbour because the point itself (or a duplicate of it) is among the nearest.
    const found = tree.knn(x, y, z, wanted + 1, indices, distances)
    let linked = 0
    for (let j = 0; j < found && linked < wanted; j++) {
      if (indices[j] === p) continue
      pairs.pushPair(p, indices[j])
      linked++
    }
  }

  const graph = csrFromEdges(count, pairs.toArray())
  const components = connectedComponents(graph)
  if (components.count <= 1) return graph
  return addEdges(graph, groupSpanningTree(tree, components.ofNode, components.count))
}
