import type { MeshData, PointCloudData } from '../mesh/mesh-data.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { partColorsPacked, pcaColorsPacked } from './face-colors.js'
import { checkSegmentation } from './parts.js'
import { polygonFaces } from './polygon-faces.js'
import { PLY_SIGNATURE } from './signature.js'

/**
 * PLY exports, binary little-endian.
 *
 * Mesh layout: `element vertex` contains every vertex of the input (float x, y, z in the file's own
 * units), so vertex indices match the user's file. `element face` has `vertex_indices` (uchar
 * count, int indices), `red green blue` (uchar, the part's or the PCA colour), `part` (int label)
 * and `source_face` (int index of the user's face). Faces are the user's own polygons, in file
 * order, rebuilt from their triangles. A polygon that cannot be rebuilt as one simple loop, or
 * has more than 255 corners, is written as its triangles, each with the same `source_face`. So
 * face i is source face i exactly when the face count equals the source face count.
 * PLY has no per-corner attributes, so normals and UVs are left to the GLB and OBJ.
 *
 * Point cloud layout: `element vertex` with x, y, z, then nx, ny, nz when the input had normals,
 * then red, green, blue and part. There is no face element.
 */

// A `list uchar` count stores at most 255 corners.
const MAX_LIST_CORNERS = 255

/** Encodes the parts view: faces (or points) coloured by part. */
export function encodePly(seg: Segmentation): Uint8Array {
  checkSegmentation(seg)
  return encodeColored(seg, partColorsPacked(seg.labels), 'parts')
}

/** Encodes the PCA view: faces (or points) coloured by the first three principal components. */
export function encodePcaPly(seg: Segmentation): Uint8Array {
  checkSegmentation(seg)
  return encodeColored(seg, pcaColorsPacked(seg), 'pca')
}

function encodeColored(seg: Segmentation, colors: Uint32Array, view: 'parts' | 'pca'): Uint8Array {
  const comments = [
    PLY_SIGNATURE,
    `comment view ${view}`,
    `comment source ${headerSafe(seg.input.sourceName)}`,
    `comment parts ${seg.partCount}`,
  ]
  return seg.input.kind === 'mesh'
    ? encodeMesh(seg.input, seg.labels, colors, comments)
    : encodePoints(seg.input, seg.labels, colors, comments)
}

function encodeMesh(mesh: MeshData, labels: Int32Array, colors: Uint32Array, comments: string[]): Uint8Array {
  const faces = polygonFaces(mesh, MAX_LIST_CORNERS)
  const vertexCount = mesh.positions.length / 3
  const faceCount = faces.polygons.length
  const header = plyHeader(comments, [
    `element vertex ${vertexCount}`,
    'property float x', 'property float y', 'property float z',
    `element face ${faceCount}`,
    'property list uchar int vertex_indices',
    'property uchar red', 'property uchar green', 'property uchar blue',
    'property int part', 'property int source_face',
  ])

  // Per face: count byte, 4 bytes per index, 3 colour bytes, part and source_face.
  const faceBytes = faceCount * (1 + 3 + 4 + 4) + 4 * faces.corners.length
  const out = new Uint8Array(header.length + 12 * vertexCount + faceBytes)
  out.set(header)
  const view = new DataView(out.buffer)
  let at = header.length
  for (let i = 0; i < mesh.positions.length; i++, at += 4) view.setFloat32(at, mesh.positions[i], true)

  for (let f = 0; f < faceCount; f++) {
    const start = faces.offsets[f]
    const end = faces.offsets[f + 1]
    view.setUint8(at++, end - start)
    for (let c = start; c < end; c++, at += 4) view.setInt32(at, mesh.triangles[faces.corners[c]], true)
    const polygon = faces.polygons[f]
    at = writeRgb(view, at, colors[polygon])
    view.setInt32(at, labels[polygon], true)
    view.setInt32(at + 4, polygon, true)
    at += 8
  }
  return out
}

function encodePoints(cloud: PointCloudData, labels: Int32Array, colors: Uint32Array, comments: string[]): Uint8Array {
  const count = cloud.positions.length / 3
  const normals = cloud.normals
  const properties = ['property float x', 'property float y', 'property float z']
  if (normals) properties.push('property float nx', 'property float ny', 'property float nz')
  properties.push('property uchar red', 'property uchar green', 'property uchar blue', 'property int part')
  const header = plyHeader(comments, [`element vertex ${count}`, ...properties])

  const stride = (normals ? 24 : 12) + 3 + 4
  const out = new Uint8Array(header.length + stride * count)
  out.set(header)
  const view = new DataView(out.buffer)
  let at = header.length
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < 3; d++, at += 4) view.setFloat32(at, cloud.positions[3 * i + d], true)
    if (normals) for (let d = 0; d < 3; d++, at += 4) view.setFloat32(at, normals[3 * i + d], true)
    at = writeRgb(view, at, colors[i])
    view.setInt32(at, labels[i], true)
    at += 4
  }
  return out
}

function plyHeader(comments: string[], body: string[]): Uint8Array {
  const lines = ['ply', 'format binary_little_endian 1.0', ...comments, ...body, 'end_header']
  return new TextEncoder().encode(`${lines.join('\n')}\n`)
}

function writeRgb(view: DataView, at: number, packed: number): number {
  view.setUint8(at, (packed >>> 16) & 0xff)
  view.setUint8(at + 1, (packed >>> 8) & 0xff)
  view.setUint8(at + 2, packed & 0xff)
  return at + 3
}

/** Keeps a header comment on one line of printable ASCII, as PLY headers are ASCII text. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?')
}
