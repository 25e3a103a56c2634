import type { MeshData, PointCloudData } from '../mesh/mesh-data.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { groupIndices } from '../prepare/components.js'
import { weldKeys } from './corner-weld.js'
import { formatFloat32 } from './float-text.js'
import { partColor } from './palette.js'
import { checkSegmentation, partName } from './parts.js'
import { polygonFaces } from './polygon-faces.js'
import { TEXT_SIGNATURE } from './signature.js'
import { TextChunks } from './text-chunks.js'
import { flipV, uvOriginIsTopLeft } from './uv-origin.js'
import { cleanCornerNormals } from './welded-mesh.js'

/** An OBJ and the MTL it names in `mtllib`. */
export interface ObjFiles {
  obj: Uint8Array
  mtl: Uint8Array
}

/**
 * Encodes the parts view as OBJ + MTL. Every input vertex is written once as `v` (file units),
 * so vertex numbers match the user's file. Distinct UVs and normals follow as `vt` and `vn`
 * when the input had them. Then each part is `o part_NN` and `usemtl part_NN` with its faces,
 * written as the user's polygons where they can be rebuilt from their triangles (see
 * polygon-faces.ts). The MTL has one material per part whose `Kd` is the part colour.
 * A point cloud is written as `v x y z r g b` lines (the common vertex-colour extension), grouped
 * under `o part_NN`, with no faces.
 */
export function encodeObj(seg: Segmentation, mtlFileName: string): ObjFiles {
  checkSegmentation(seg)
  const lines = new TextChunks()
  lines.push(`${TEXT_SIGNATURE}: ${seg.partCount} parts of ${oneLine(seg.input.sourceName)}`)
  // NOTE: some readers split `mtllib` on spaces, so a base name with spaces may lose its colours.
  lines.push(`mtllib ${mtlFileName}`)
  if (seg.input.kind === 'mesh') writeMesh(lines, seg, seg.input)
  else writePoints(lines, seg, seg.input)
  return { obj: lines.finish(), mtl: encodeMtl(seg) }
}

function writeMesh(lines: TextChunks, seg: Segmentation, mesh: MeshData): void {
  const p = mesh.positions
  for (let i = 0; i < p.length; i += 3) lines.push(`v ${xyz(p, i)}`)

  // OBJ puts the texture origin at the bottom-left corner.
  const cornerUvs = mesh.cornerUvs && uvOriginIsTopLeft(mesh.format) ? flipV(mesh.cornerUvs) : mesh.cornerUvs
  const uvs = cornerUvs && uniqueRows(cornerUvs, 2)
  if (uvs) for (const i of uvs.firstRows) lines.push(`vt ${xy(cornerUvs!, 2 * i)}`)
  const normals = cleanCornerNormals(mesh)
  const uniqueNormals = normals && uniqueRows(normals, 3)
  if (uniqueNormals) for (const i of uniqueNormals.firstRows) lines.push(`vn ${xyz(normals!, 3 * i)}`)

  const faces = polygonFaces(mesh, Infinity)
  const faceLabels = new Int32Array(faces.polygons.length)
  for (let f = 0; f < faceLabels.length; f++) faceLabels[f] = seg.labels[faces.polygons[f]]
  const byPart = groupIndices(faceLabels, seg.partCount)

  for (let part = 0; part < seg.partCount; part++) {
    const name = partName(part, seg.partCount)
    lines.push(`o ${name}`)
    lines.push(`usemtl ${name}`)
    for (let k = byPart.offsets[part]; k < byPart.offsets[part + 1]; k++) {
      const f = byPart.members[k]
      const tokens: string[] = []
      for (let c = faces.offsets[f]; c < faces.offsets[f + 1]; c++) {
        const corner = faces.corners[c]
        // OBJ numbers vertices, UVs and normals from 1.
        const v = mesh.triangles[corner] + 1
        const vt = uvs ? String(uvs.rowOf[corner] + 1) : ''
        const vn = uniqueNormals ? `/${uniqueNormals.rowOf[corner] + 1}` : ''
        tokens.push(uvs || uniqueNormals ? `${v}/${vt}${vn}` : String(v))
      }
      lines.push(`f ${tokens.join(' ')}`)
    }
  }
}

function writePoints(lines: TextChunks, seg: Segmentation, cloud: PointCloudData): void {
  const byPart = groupIndices(seg.labels, seg.partCount)
  for (let part = 0; part < seg.partCount; part++) {
    const name = partName(part, seg.partCount)
    const rgb = partColor(part).map((c) => formatFloat32(c / 255)).join(' ')
    lines.push(`o ${name}`)
    lines.push(`usemtl ${name}`)
    for (let k = byPart.offsets[part]; k < byPart.offsets[part + 1]; k++) {
      lines.push(`v ${xyz(cloud.positions, 3 * byPart.members[k])} ${rgb}`)
    }
  }
}

/** Encodes the MTL: one matte material per part, diffuse colour in sRGB 0..1. */
export function encodeMtl(seg: Segmentation): Uint8Array {
  const lines = new TextChunks()
  lines.push(`${TEXT_SIGNATURE}: ${seg.partCount} part materials`)
  for (let part = 0; part < seg.partCount; part++) {
    const rgb = partColor(part).map((c) => formatFloat32(c / 255)).join(' ')
    lines.push('')
    lines.push(`newmtl ${partName(part, seg.partCount)}`)
    lines.push(`Kd ${rgb}`)
    lines.push('Ka 0 0 0')
    lines.push('Ks 0 0 0')
    lines.push('d 1')
    // Illumination model 1: diffuse colour only, no highlights.
    lines.push('illum 1')
  }
  return lines.finish()
}

/** Distinct rows of a per-corner attribute: which corner each row came from, and each corner's row. */
interface UniqueRows {
  firstRows: Uint32Array
  rowOf: Uint32Array
}

function uniqueRows(values: Float32Array, width: number): UniqueRows {
  const keys = new Uint32Array(values.length)
  const keyFloats = new Float32Array(keys.buffer)
  // Adding 0 turns -0 into +0, so both print and weld as one row.
  for (let i = 0; i < values.length; i++) keyFloats[i] = values[i] + 0
  const weld = weldKeys(keys, width)
  return { firstRows: weld.firsts, rowOf: weld.remap }
}

function xyz(values: Float32Array, at: number): string {
  return `${formatFloat32(values[at])} ${formatFloat32(values[at + 1])} ${formatFloat32(values[at + 2])}`
}

function xy(values: Float32Array, at: number): string {
  return `${formatFloat32(values[at])} ${formatFloat32(values[at + 1])}`
}

/** Keeps a file name inside a comment line by blanking control characters such as newlines. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ')
}
