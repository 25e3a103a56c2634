import type { Adjacency } from '../../../protocol/src/params.js'
import type { MeshData } from '../mesh/mesh-data.js'

/** Compressed sparse rows: the neighbours of node i are neighbors[offsets[i] .. offsets[i + 1]). */
export interface Csr {
  offsets: Uint32Array
  neighbors: Uint32Array
}

/** Maps normalised coordinates back to the file's: original = normalised / scale + center. */
export interface NormalizeTransform {
  center: [number, number, number]
  scale: number
}

/**
 * A mesh ready for features and clustering. Triangle i here is triangle i of `source`, so labels
 * need no re-indexing. Cleanup only re-points triangles at welded vertices and marks the faces
 * that features must ignore.
 */
export interface PreparedMesh {
  source: MeshData
  /** Vertex positions in PartField's frame: bounding-box centre at the origin, longest side 1.8. */
  positions: Float32Array
  /** Three vertex indices per triangle into `positions` (welded when cleanup ran). */
  triangles: Uint32Array
  transform: NormalizeTransform
  /** 1 for triangles features are computed on; 0 for degenerate or duplicate ones. */
  kept: Uint8Array
  /** Triangle areas in normalised units. */
  areas: Float32Array
  /** Unit triangle normals in normalised space (zero for degenerate triangles). */
  normals: Float32Array
  /** Triangle centroids in normalised space. */
  centroids: Float32Array
  /** Triangle graph: two triangles are neighbours when they share an edge (after welding). */
  adjacency: Csr
  /** Connected components of the shared-edge graph. */
  components: { count: number; ofTriangle: Uint32Array }
  /** Extra triangle pairs, two entries per edge, that connect components for clustering. */
  bridges: Uint32Array
  /** Bridging rule that produced `bridges`. */
  bridgeMode: Adjacency
  /** Cleanup counts for warnings and logs, absent when the mesh was built another way. */
  cleanupReport?: CleanupReport
}

/** Counts of what preparation merged or marked. */
export interface CleanupReport {
  sourceVertexCount: number
  /** Vertices after welding (equal to sourceVertexCount when cleanup is off). */
  vertexCount: number
  /** Triangles marked not kept because they have (almost) no area or a repeated vertex. */
  degenerateCount: number
  /** Triangles marked not kept because an earlier triangle has the same three vertices. */
  duplicateCount: number
}

export interface PrepareOptions {
  /** Merge coincident vertices and mark degenerate and duplicate faces. */
  cleanup: boolean
  /** Distance, as a fraction of the bounding-box diagonal, under which vertices are merged. */
  weldTolerance: number
  adjacency: Adjacency
  /** Extra edges from each triangle to its k nearest triangles in other components. */
  knn: number
  /** Checked between the bridging queries, the only step that can take long on a huge mesh. */
  signal?: AbortSignal
}
