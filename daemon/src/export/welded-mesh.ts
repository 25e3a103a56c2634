import type { MeshData } from '../mesh/mesh-data.js'
import { weldKeys } from './corner-weld.js'

/** Per-corner attributes of a mesh as they go into an export, laid out like MeshData's. */
export interface CornerAttributes {
  /** Unit normals, 9 floats per triangle. */
  normals?: Float32Array
  /** Texture coordinates, 6 floats per triangle, as MeshData stores them. */
  uvs?: Float32Array
}

/** An indexed vertex set for some triangles of a mesh, each distinct corner stored once. */
export interface WeldedMesh {
  positions: Float32Array
  normals?: Float32Array
  uvs?: Float32Array
  /** Per vertex: the packed 0xRRGGBB colour the corner was welded with, when colours were given. */
  colors?: Uint32Array
  /** Three vertex indices per triangle. */
  indices: Uint32Array
}

/**
 * Returns the mesh's corner normals scaled to unit length, since glTF rejects other lengths. A
 * zero or non-finite normal takes its triangle's geometric normal, and a degenerate triangle's
 * corners take +Z so every vertex still has a valid normal.
 */
export function cleanCornerNormals(mesh: MeshData): Float32Array | undefined {
  const source = mesh.cornerNormals
  if (!source) return undefined
  const normals = new Float32Array(source.length)
  for (let i = 0; i < source.length; i += 3) {
    // Math.sqrt of the sum, because Math.hypot took 10 times as long here (Node 20, 3M vectors).
    const length = Math.sqrt(source[i] * source[i] + source[i + 1] * source[i + 1] + source[i + 2] * source[i + 2])
    if (length > 0 && Number.isFinite(length)) {
      normals[i] = source[i] / length
      normals[i + 1] = source[i + 1] / length
      normals[i + 2] = source[i + 2] / length
    } else {
      normals.set(triangleNormal(mesh, Math.floor(i / 9)), i)
    }
  }
  return normals
}

function triangleNormal(mesh: MeshData, triangle: number): number[] {
  const p = mesh.positions
  const [a, b, c] = mesh.triangles.subarray(3 * triangle, 3 * triangle + 3)
  const ux = p[3 * b] - p[3 * a], uy = p[3 * b + 1] - p[3 * a + 1], uz = p[3 * b + 2] - p[3 * a + 2]
  const vx = p[3 * c] - p[3 * a], vy = p[3 * c + 1] - p[3 * a + 1], vz = p[3 * c + 2] - p[3 * a + 2]
  const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx
  const length = Math.hypot(nx, ny, nz)
  return length > 0 && Number.isFinite(length) ? [nx / length, ny / length, nz / length] : [0, 0, 1]
}

/**
 * Builds a compact vertex set for the listed triangles: corners that share the source vertex,
 * normal, UV and (when given) colour become one vertex. `triangleColors` has one packed
 * 0xRRGGBB value per triangle of the whole mesh.
 */
export function weldTriangles(
  mesh: MeshData,
  corners: CornerAttributes,
  triangleIds: Uint32Array,
  triangleColors?: Uint32Array,
): WeldedMesh {
  const width = 1 + (corners.normals ? 3 : 0) + (corners.uvs ? 2 : 0) + (triangleColors ? 1 : 0)
  const keys = new Uint32Array(triangleIds.length * 3 * width)
  // Floats enter the key as bit patterns; adding 0 turns -0 into +0 so they weld together.
  const keyFloats = new Float32Array(keys.buffer)

  let k = 0
  for (const t of triangleIds) {
    for (let j = 0; j < 3; j++) {
      const corner = 3 * t + j
      keys[k++] = mesh.triangles[corner]
      if (corners.normals) {
        for (let d = 0; d < 3; d++) keyFloats[k++] = corners.normals[3 * corner + d] + 0
      }
      if (corners.uvs) {
        for (let d = 0; d < 2; d++) keyFloats[k++] = corners.uvs[2 * corner + d] + 0
      }
      if (triangleColors) keys[k++] = triangleColors[t]
    }
  }

  const weld = weldKeys(keys, width)
  return gatherVertices(mesh, corners, triangleIds, weld.firsts, weld.remap, triangleColors)
}

function gatherVertices(
  mesh: MeshData,
  corners: CornerAttributes,
  triangleIds: Uint32Array,
  firsts: Uint32Array,
  remap: Uint32Array,
  triangleColors: Uint32Array | undefined,
): WeldedMesh {
  const count = firsts.length
  const positions = new Float32Array(3 * count)
  const normals = corners.normals ? new Float32Array(3 * count) : undefined
  const uvs = corners.uvs ? new Float32Array(2 * count) : undefined
  const colors = triangleColors ? new Uint32Array(count) : undefined

  for (let v = 0; v < count; v++) {
    // `firsts` counts corners of the listed triangles; map back to the mesh's own corner.
    const local = firsts[v]
    const triangle = triangleIds[Math.floor(local / 3)]
    const corner = 3 * triangle + (local % 3)
    const vertex = mesh.triangles[corner]
    for (let d = 0; d < 3; d++) positions[3 * v + d] = mesh.positions[3 * vertex + d]
    if (normals) for (let d = 0; d < 3; d++) normals[3 * v + d] = corners.normals![3 * corner + d]
    if (uvs) for (let d = 0; d < 2; d++) uvs[2 * v + d] = corners.uvs![2 * corner + d]
    if (colors) colors[v] = triangleColors![triangle]
  }
  return { positions, normals, uvs, colors, indices: remap }
}
