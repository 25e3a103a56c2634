/**
 * Turns the parts PLY into what the viewer draws: separate triangles (three corners each, so
 * every face can take its own colour) and, per triangle, the source face whose label colours it.
 * A point cloud keeps its points, and each point is its own leaf.
 */
import { ShapeUtils, Vector2 } from 'three'

import type { PlyData, PlyFaces } from './ply-reader.js'

export interface ViewMesh {
  kind: 'mesh' | 'points'
  /** x, y, z per corner: 9 floats per triangle, or 3 per point. */
  positions: Float32Array
  /** Per triangle (per point): the leaf of the merge tree, the index into `labels`. */
  leafOf: Uint32Array
  /** Number of leaves: source faces, or points. */
  leafCount: number
}

export function buildViewMesh(ply: PlyData, leafCount: number): ViewMesh {
  if (!ply.faces) {
    const pointCount = ply.positions.length / 3
    if (pointCount !== leafCount) {
      throw new Error(`the parts PLY has ${pointCount} points but the result has ${leafCount} labels`)
    }
    return { kind: 'points', positions: ply.positions, leafOf: identity(pointCount), leafCount }
  }
  return triangulateFaces(ply.positions, ply.faces, leafCount)
}

function triangulateFaces(vertices: Float32Array, faces: PlyFaces, leafCount: number): ViewMesh {
  const faceCount = faces.sourceFace.length
  const vertexCount = vertices.length / 3
  const triangleTotal = faces.offsets[faceCount] - 2 * faceCount
  const positions = new Float32Array(9 * triangleTotal)
  const leafOf = new Uint32Array(triangleTotal)
  let triangle = 0

  for (let f = 0; f < faceCount; f++) {
    const corners = faces.indices.subarray(faces.offsets[f], faces.offsets[f + 1])
    const leaf = faces.sourceFace[f]
    if (leaf >= leafCount) throw new Error(`face ${f} of the parts PLY names source face ${leaf}; the result has ${leafCount}`)
    for (let c = 0; c < corners.length; c++) {
      if (corners[c] >= vertexCount) throw new Error(`face ${f} of the parts PLY uses vertex ${corners[c]}; it has ${vertexCount}`)
    }
    for (const loop of polygonTriangles(vertices, corners)) {
      for (let k = 0; k < 3; k++) {
        const from = 3 * corners[loop[k]]
        const to = 9 * triangle + 3 * k
        positions[to] = vertices[from]
        positions[to + 1] = vertices[from + 1]
        positions[to + 2] = vertices[from + 2]
      }
      leafOf[triangle++] = leaf
    }
  }
  return { kind: 'mesh', positions: positions.subarray(0, 9 * triangle), leafOf: leafOf.subarray(0, triangle), leafCount }
}

/**
 * Splits one polygon into triangles, given as corner positions in its loop. Quads and larger go
 * through three.js's ear clipping in the polygon's plane, so concave faces keep their shape. A
 * polygon the ear clipper cannot split (self-touching, or degenerate) falls back to a fan.
 */
export function polygonTriangles(vertices: Float32Array, corners: ArrayLike<number>): number[][] {
  const n = corners.length
  if (n < 3) return []
  if (n === 3) return [[0, 1, 2]]

  const [u, v] = projectionAxes(vertices, corners)
  if (n === 4 && isConvex(vertices, corners, u, v)) return [[0, 1, 2], [0, 2, 3]]
  const contour: Vector2[] = []
  for (let i = 0; i < n; i++) contour.push(new Vector2(vertices[3 * corners[i] + u], vertices[3 * corners[i] + v]))
  const triangles = ShapeUtils.triangulateShape(contour, [])
  if (triangles.length === n - 2) return triangles

  const fan: number[][] = []
  for (let i = 1; i < n - 1; i++) fan.push([0, i, i + 1])
  return fan
}

/** Picks the two coordinate axes to keep when flattening a polygon: those off its Newell normal's largest axis. */
function projectionAxes(vertices: Float32Array, corners: ArrayLike<number>): [number, number] {
  const normal = [0, 0, 0]
  for (let i = 0; i < corners.length; i++) {
    const p = 3 * corners[i]
    const q = 3 * corners[(i + 1) % corners.length]
    normal[0] += (vertices[p + 1] - vertices[q + 1]) * (vertices[p + 2] + vertices[q + 2])
    normal[1] += (vertices[p + 2] - vertices[q + 2]) * (vertices[p] + vertices[q])
    normal[2] += (vertices[p] - vertices[q]) * (vertices[p + 1] + vertices[q + 1])
  }
  const abs = normal.map(Math.abs)
  if (abs[0] >= abs[1] && abs[0] >= abs[2]) return [1, 2]
  if (abs[1] >= abs[2]) return [2, 0]
  return [0, 1]
}

/** True when the flattened polygon turns the same way at every corner, so any fan splits it. */
function isConvex(vertices: Float32Array, corners: ArrayLike<number>, u: number, v: number): boolean {
  const n = corners.length
  let sign = 0
  for (let i = 0; i < n; i++) {
    const a = 3 * corners[i]
    const b = 3 * corners[(i + 1) % n]
    const c = 3 * corners[(i + 2) % n]
    const turn = (vertices[b + u] - vertices[a + u]) * (vertices[c + v] - vertices[b + v]) -
      (vertices[b + v] - vertices[a + v]) * (vertices[c + u] - vertices[b + u])
    if (turn === 0) return false
    if (sign === 0) sign = Math.sign(turn)
    else if (Math.sign(turn) !== sign) return false
  }
  return true
}

function identity(count: number): Uint32Array {
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[i] = i
  return out
}
