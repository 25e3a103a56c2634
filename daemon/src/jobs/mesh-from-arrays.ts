/**
 * Builds MeshData from a mesh sent as arrays (the Blender add-on's path): triangles as given, and
 * the optional per-triangle polygon ids so labels come back per source face (quads, n-gons).
 */
import type { MeshArrays } from '../../../protocol/src/messages.js'
import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from '../mesh/errors.js'
import type { MeshData } from '../mesh/mesh-data.js'
import { checkTriangleLimit } from './work-limit.js'

/** Encoding of a request body that carried mesh arrays. */
export type ArraysEncoding = 'msgpack' | 'json'

/**
 * Checks the arrays and returns them as a one-node mesh; throws MeshParseError naming the fault.
 * `maxFaces` bounds the triangles (see work-limit.ts), checked before any array is scanned.
 * `encoding` is the body the arrays came in, reported as the mesh's format.
 */
export function meshFromArrays(arrays: MeshArrays, name: string, maxFaces: number, encoding: ArraysEncoding): MeshData {
  const { positions, triangles } = arrays
  checkLengths(arrays, name)
  const vertexCount = positions.length / 3
  const triangleCount = triangles.length / 3
  if (triangleCount > maxFaces) {
    // The ids are not checked yet, so the largest one serves as the source face count.
    const sourceFaces = arrays.polygons ? Math.min(triangleCount, largestId(arrays.polygons) + 1) : triangleCount
    checkTriangleLimit(name, triangleCount, sourceFaces, maxFaces)
  }

  for (let i = 0; i < positions.length; i++) {
    if (!Number.isFinite(positions[i])) {
      const vertex = Math.floor(i / 3)
      throw new MeshParseError('non-finite', name, `mesh.positions vertex ${vertex}`,
        `coordinate ${positions[i]}; expected finite numbers`)
    }
  }
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i] >= vertexCount) {
      throw new MeshParseError('index-out-of-range', name, `mesh.triangles triangle ${Math.floor(i / 3)}`,
        `vertex index ${triangles[i]} is out of range; expected 0 to ${vertexCount - 1}`)
    }
  }

  const triangleToPolygon = arrays.polygons ?? identity(triangleCount)
  const polygonCount = arrays.polygons ? checkPolygonIds(arrays.polygons, name) : triangleCount

  return {
    kind: 'mesh',
    format: encoding,
    sourceName: name,
    positions,
    triangles,
    triangleToPolygon,
    triangleNode: new Uint32Array(triangleCount),
    polygonCount,
    nodes: [{ name, polygonCount }],
    warnings: [],
  }
}

function checkLengths({ positions, triangles, polygons }: MeshArrays, name: string): void {
  if (positions.length % 3 !== 0) {
    throw new MeshParseError('truncated', name, 'mesh.positions',
      `${plural(positions.length, 'value')}; expected 3 per vertex (x, y, z)`)
  }
  if (triangles.length % 3 !== 0) {
    throw new MeshParseError('truncated', name, 'mesh.triangles',
      `${plural(triangles.length, 'index', 'indices')}; expected 3 per triangle`)
  }
  if (triangles.length === 0) {
    throw new MeshParseError('no-faces', name, 'mesh.triangles', 'no triangles; expected at least one')
  }
  if (polygons && polygons.length !== triangles.length / 3) {
    throw new MeshParseError('truncated', name, 'mesh.polygons',
      `${plural(polygons.length, 'polygon id')} for ${plural(triangles.length / 3, 'triangle')}; expected one per triangle`)
  }
}

/** Returns the polygon count; ids must cover 0..count-1 so every label belongs to a real face. */
function checkPolygonIds(polygons: Uint32Array, name: string): number {
  const max = largestId(polygons)
  if (max >= polygons.length) {
    throw new MeshParseError('index-out-of-range', name, 'mesh.polygons',
      `polygon id ${max} with only ${plural(polygons.length, 'triangle')}; expected ids 0 to ${polygons.length - 1} without gaps`)
  }

  const used = new Uint8Array(max + 1)
  for (const id of polygons) used[id] = 1
  const missing = used.indexOf(0)
  if (missing >= 0) {
    throw new MeshParseError('index-out-of-range', name, 'mesh.polygons',
      `no triangle has polygon id ${missing}; expected ids 0 to ${max} without gaps`)
  }
  return max + 1
}

function largestId(polygons: Uint32Array): number {
  let max = 0
  for (const id of polygons) if (id > max) max = id
  return max
}

function identity(count: number): Uint32Array {
  const ids = new Uint32Array(count)
  for (let i = 0; i < count; i++) ids[i] = i
  return ids
}
