import type { PreparedMesh } from '../../prepare/prepared-mesh.js'
import { weightedGraphFromEdges, type WeightedGraph } from './weighted-graph.js'

export interface FaceGraphOptions {
  /** Share of the bend that counts across a convex edge; concave edges count in full. */
  convexFactor: number
  /** Bend (1 - cos of the dihedral angle, after the convex factor) at which a weight drops to 1/e. */
  bendScale: number
  /** Weight of a bridge between separate pieces, relative to the mean edge weight. */
  bridgeWeight: number
  /**
   * Smallest damping factor of an edge. Without it a sharp crease cuts the graph in practice, and
   * single-vector Lanczos cannot tell the resulting (almost) repeated zero eigenvalues apart.
   */
  minEdgeFactor: number
}

/** Unique triangle pairs of the shared-edge graph, with the length of their shared edge. */
interface FacePairs {
  pairs: Uint32Array
  edgeLengths: Float64Array
}

/**
 * Weights the shared-edge triangle graph like a finite-volume Laplacian (shared edge length over
 * centroid distance), damped across creases so that diffusion rarely crosses a concave seam:
 * parts meet at concave creases (the minima rule), convex creases bend within a part.
 * `signs` orients the normals consistently, so concavity does not depend on the file's winding.
 */
export function faceGraph(mesh: PreparedMesh, signs: Int8Array, options: FaceGraphOptions): WeightedGraph {
  const count = mesh.triangles.length / 3
  const { pairs, edgeLengths } = uniquePairs(mesh)
  const { normals, centroids } = mesh
  const pairCount = edgeLengths.length
  const weights = new Float64Array(pairCount)
  let sum = 0

  for (let e = 0; e < pairCount; e++) {
    const t = pairs[2 * e]
    const u = pairs[2 * e + 1]
    const st = signs[t]
    const su = signs[u]
    let cos = 0
    let convexity = 0
    for (let axis = 0; axis < 3; axis++) {
      const nt = st * normals[3 * t + axis]
      const nu = su * normals[3 * u + axis]
      cos += nt * nu
      convexity += (nt - nu) * (centroids[3 * u + axis] - centroids[3 * t + axis])
    }
    const bend = (1 - Math.min(1, cos)) * (convexity < 0 ? options.convexFactor : 1)
    const distance = centroidDistance(centroids, t, u)
    const conductance = Math.min(edgeLengths[e] / Math.max(distance, 1e-9), 10)
    weights[e] = conductance * Math.max(Math.exp(-bend / options.bendScale), options.minEdgeFactor)
    sum += weights[e]
  }

  const bridgeCount = mesh.bridges.length / 2
  const mean = pairCount > 0 ? sum / pairCount : 1
  const allPairs = new Uint32Array(2 * (pairCount + bridgeCount))
  const allWeights = new Float64Array(pairCount + bridgeCount)
  allPairs.set(pairs)
  allWeights.set(weights)
  allPairs.set(mesh.bridges, 2 * pairCount)
  allWeights.fill(options.bridgeWeight * mean, pairCount)
  return weightedGraphFromEdges(count, allPairs, allWeights)
}

function centroidDistance(centroids: Float32Array, t: number, u: number): number {
  const dx = centroids[3 * t] - centroids[3 * u]
  const dy = centroids[3 * t + 1] - centroids[3 * u + 1]
  const dz = centroids[3 * t + 2] - centroids[3 * u + 2]
  return Math.sqrt(dx * dx + dy * dy + dz * dz)
}

/** Lists every adjacent pair once (lower index first) with its shared edge length. */
function uniquePairs(mesh: PreparedMesh): FacePairs {
  const { offsets, neighbors } = mesh.adjacency
  const count = offsets.length - 1
  const pairs: number[] = []
  const lengths: number[] = []
  for (let t = 0; t < count; t++) {
    for (let p = offsets[t]; p < offsets[t + 1]; p++) {
      const u = neighbors[p]
      if (u <= t) continue
      pairs.push(t, u)
      lengths.push(sharedEdgeLength(mesh, t, u))
    }
  }
  return { pairs: Uint32Array.from(pairs), edgeLengths: Float64Array.from(lengths) }
}

function sharedEdgeLength(mesh: PreparedMesh, t: number, u: number): number {
  const { triangles, positions } = mesh
  const shared: number[] = []
  for (let i = 0; i < 3 && shared.length < 2; i++) {
    const v = triangles[3 * t + i]
    if (v === triangles[3 * u] || v === triangles[3 * u + 1] || v === triangles[3 * u + 2]) shared.push(v)
  }
  if (shared.length < 2) return 0
  const [a, b] = shared
  return Math.hypot(
    positions[3 * a] - positions[3 * b],
    positions[3 * a + 1] - positions[3 * b + 1],
    positions[3 * a + 2] - positions[3 * b + 2],
  )
}
