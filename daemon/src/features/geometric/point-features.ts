import { jacobiEigen } from '../../cluster/symmetric-eigen.js'
import { knnGraph } from '../../prepare/point-graph.js'
import type { Csr } from '../../prepare/prepared-mesh.js'
import type { PreparedCloud } from '../feature-field.js'
import { spectralOptions, type GeometricOptions } from './options.js'
import { spectralEmbedding } from './spectral.js'
import { weightedGraphFromEdges, type WeightedGraph } from './weighted-graph.js'

/**
 * Computes the geometric field of a point cloud: the spectral embedding of its k-nearest-neighbour
 * graph, with edges damped where the surface bends (concave bends more than convex ones, as on
 * meshes), and a constant column. Normals come from the cloud when it has them, otherwise from
 * the principal axes of each neighbourhood; either way they are re-oriented consistently.
 */
export function pointFeatureRows(cloud: PreparedCloud, options: GeometricOptions, seed: number): { values: Float32Array; dim: number } {
  const count = cloud.count
  const neighborCount = Math.min(options.pointNeighbors, Math.max(count - 1, 0))
  const graph = knnGraph(cloud.positions, neighborCount)
  const normals = orientNormals(cloud.positions, cloud.normals ? Float64Array.from(cloud.normals) : estimateNormals(cloud.positions, graph), graph)
  const weighted = pointGraph(cloud.positions, normals, graph, options)
  const embedding = spectralEmbedding(weighted, new Float64Array(count).fill(1), spectralOptions(options, seed))

  const spectralDim = embedding.dim
  const dim = spectralDim + 1
  let sum = 0
  for (const value of embedding.values) sum += value * value
  const scale = 1 / Math.max(Math.sqrt(sum / Math.max(count, 1)), 1e-30)
  const values = new Float32Array(count * dim)
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < spectralDim; k++) values[i * dim + k] = embedding.values[i * spectralDim + k] * scale
    values[i * dim + spectralDim] = options.offset
  }
  return { values, dim }
}

/** Unit normal per point: the axis of least spread of the point and its graph neighbours. */
function estimateNormals(positions: Float32Array, graph: Csr): Float64Array {
  const count = positions.length / 3
  const normals = new Float64Array(3 * count)
  const covariance = new Float64Array(9)
  for (let i = 0; i < count; i++) {
    const members = [i, ...graph.neighbors.subarray(graph.offsets[i], graph.offsets[i + 1])]
    const mean = [0, 0, 0]
    for (const j of members) for (let a = 0; a < 3; a++) mean[a] += positions[3 * j + a] / members.length
    covariance.fill(0)
    for (const j of members) {
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) covariance[3 * a + b] += (positions[3 * j + a] - mean[a]) * (positions[3 * j + b] - mean[b])
      }
    }
    // Eigenvalues come out descending, so the last column is the normal.
    const { vectors } = jacobiEigen(covariance, 3)
    for (let a = 0; a < 3; a++) normals[3 * i + a] = vectors[3 * a + 2]
  }
  return normals
}

/**
 * Flips normals so neighbours agree (breadth-first from the point farthest from the centroid,
 * whose normal is turned outwards), the point-cloud counterpart of orienting a mesh.
 */
function orientNormals(positions: Float32Array, normals: Float64Array, graph: Csr): Float64Array {
  const count = positions.length / 3
  const center = [0, 0, 0]
  for (let i = 0; i < count; i++) for (let a = 0; a < 3; a++) center[a] += positions[3 * i + a] / count
  const visited = new Uint8Array(count)
  const queue = new Uint32Array(count)

  for (;;) {
    let seed = -1
    let farthest = -1
    for (let i = 0; i < count; i++) {
      if (visited[i]) continue
      const distance = (positions[3 * i] - center[0]) ** 2 + (positions[3 * i + 1] - center[1]) ** 2 + (positions[3 * i + 2] - center[2]) ** 2
      if (distance > farthest) {
        farthest = distance
        seed = i
      }
    }
    if (seed < 0) return normals
    let outward = 0
    for (let a = 0; a < 3; a++) outward += normals[3 * seed + a] * (positions[3 * seed + a] - center[a])
    if (outward < 0) for (let a = 0; a < 3; a++) normals[3 * seed + a] *= -1

    visited[seed] = 1
    let head = 0
    let tail = 0
    queue[tail++] = seed
    while (head < tail) {
      const i = queue[head++]
      for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
        const j = graph.neighbors[p]
        if (visited[j]) continue
        visited[j] = 1
        let agreement = 0
        for (let a = 0; a < 3; a++) agreement += normals[3 * i + a] * normals[3 * j + a]
        if (agreement < 0) for (let a = 0; a < 3; a++) normals[3 * j + a] *= -1
        queue[tail++] = j
      }
    }
  }
}

/** Weights kNN edges by closeness (Gaussian at the mean edge length) and by the bend between normals. */
function pointGraph(positions: Float32Array, normals: Float64Array, graph: Csr, options: GeometricOptions): WeightedGraph {
  const count = positions.length / 3
  const pairs: number[] = []
  const lengths: number[] = []
  const bends: number[] = []
  let total = 0
  for (let i = 0; i < count; i++) {
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
      const j = graph.neighbors[p]
      if (j <= i) continue
      let cos = 0
      let convexity = 0
      let squared = 0
      for (let a = 0; a < 3; a++) {
        const d = positions[3 * j + a] - positions[3 * i + a]
        cos += normals[3 * i + a] * normals[3 * j + a]
        convexity += (normals[3 * i + a] - normals[3 * j + a]) * d
        squared += d * d
      }
      const length = Math.sqrt(squared)
      pairs.push(i, j)
      lengths.push(length)
      bends.push((1 - Math.min(1, Math.abs(cos))) * (convexity < 0 ? options.convexFactor : 1))
      total += length
    }
  }
  const scale = total / Math.max(lengths.length, 1) || 1
  const weights = lengths.map((length, e) => Math.exp(-((length / scale) ** 2)) * Math.max(Math.exp(-bends[e] / options.bendScale), options.minEdgeFactor))
  return weightedGraphFromEdges(count, pairs, weights)
}
