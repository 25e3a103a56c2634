import { csrFromEdges } from './csr.js'
import type { Csr } from './prepared-mesh.js'
import { Uint32Builder } from './uint32-builder.js'

/** Edges shared by more faces than this link them in a star rather than all pairs. */
export const MAX_FACES_LINKED_PAIRWISE = 32

/** Vertex groups larger than this are sorted instead of compared pairwise. */
const LARGE_GROUP = 16

/**
 * Builds the triangle graph in which two triangles are neighbours when they share an edge (the
 * same two vertex indices). Faces around a non-manifold edge are all linked to each other, up to
 * MAX_FACES_LINKED_PAIRWISE faces. Beyond that they are linked to the edge's first face only, so
 * a pathological edge cannot add a quadratic number of links. Collapsed edges (a == b) link
 * nothing.
 */
export function edgeAdjacency(triangles: Uint32Array, vertexCount: number): Csr {
  const triangleCount = triangles.length / 3
  const { start, highs, faces } = groupEdgesByLowVertex(triangles, vertexCount)
  const pairs = new Uint32Builder(3 * triangleCount)

  for (let v = 0; v < vertexCount; v++) {
    const begin = start[v]
    const end = start[v + 1]
    if (end - begin < 2) continue
    if (end - begin > LARGE_GROUP) {
      sortGroup(highs, faces, begin, end)
      linkSortedRuns(highs, faces, begin, end, pairs)
      continue
    }
    for (let i = begin; i < end; i++) {
      for (let j = i + 1; j < end; j++) {
        if (highs[i] === highs[j] && faces[i] !== faces[j]) pairs.pushPair(faces[i], faces[j])
      }
    }
  }
  return csrFromEdges(triangleCount, pairs.toArray())
}

/** Counting sort of the triangles' edges by their lower vertex index. */
function groupEdgesByLowVertex(
  triangles: Uint32Array,
  vertexCount: number,
): { start: Uint32Array; highs: Uint32Array; faces: Uint32Array } {
  const triangleCount = triangles.length / 3
  const start = new Uint32Array(vertexCount + 1)
  for (let t = 0; t < triangleCount; t++) {
    for (let corner = 0; corner < 3; corner++) {
      const a = triangles[3 * t + corner]
      const b = triangles[3 * t + ((corner + 1) % 3)]
      if (a !== b) start[Math.min(a, b) + 1]++
    }
  }
  for (let v = 0; v < vertexCount; v++) start[v + 1] += start[v]

  const fill = start.slice(0, vertexCount)
  const highs = new Uint32Array(start[vertexCount])
  const faces = new Uint32Array(start[vertexCount])
  for (let t = 0; t < triangleCount; t++) {
    for (let corner = 0; corner < 3; corner++) {
      const a = triangles[3 * t + corner]
      const b = triangles[3 * t + ((corner + 1) % 3)]
      if (a === b) continue
      const slot = fill[Math.min(a, b)]++
      highs[slot] = Math.max(a, b)
      faces[slot] = t
    }
  }
  return { start, highs, faces }
}

function sortGroup(highs: Uint32Array, faces: Uint32Array, begin: number, end: number): void {
  const order = Array.from({ length: end - begin }, (_, i) => begin + i)
  order.sort((a, b) => highs[a] - highs[b] || faces[a] - faces[b])
  const sortedHighs = order.map((i) => highs[i])
  const sortedFaces = order.map((i) => faces[i])
  highs.set(sortedHighs, begin)
  faces.set(sortedFaces, begin)
}

function linkSortedRuns(
  highs: Uint32Array,
  faces: Uint32Array,
  begin: number,
  end: number,
  pairs: Uint32Builder,
): void {
  let runStart = begin
  for (let i = begin + 1; i <= end; i++) {
    if (i < end && highs[i] === highs[runStart]) continue
    const runLength = i - runStart
    for (let a = runStart; a < i; a++) {
      if (runLength > MAX_FACES_LINKED_PAIRWISE) {
        if (a > runStart) pairs.pushPair(faces[runStart], faces[a])
        continue
      }
      for (let b = a + 1; b < i; b++) pairs.pushPair(faces[a], faces[b])
    }
    runStart = i
  }
}
