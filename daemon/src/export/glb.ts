import { NodeIO } from '@gltf-transform/core'
import type { MeshData, PointCloudData } from '../mesh/mesh-data.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { groupIndices } from '../prepare/components.js'
import { pcaColorsPacked } from './face-colors.js'
import {
  addToScene,
  createBuilder,
  createMaterial,
  pointPrimitive,
  trianglePrimitive,
  type GltfBuilder,
} from './gltf-builder.js'
import { partColor } from './palette.js'
import { checkSegmentation, countPerPart, partName, trianglesByPart } from './parts.js'
import { flipV, uvOriginIsTopLeft } from './uv-origin.js'
import { cleanCornerNormals, weldTriangles, type CornerAttributes } from './welded-mesh.js'

/**
 * Encodes the parts view as GLB: one node per part named `part_00`, `part_01`, ..., each with
 * its own material in the part colour. Node extras are `{ part, faceCount, triangleCount }` for
 * a mesh and `{ part, pointCount }` for a point cloud. A part without faces keeps its node but
 * has no mesh, so node names always match labels.
 */
export async function encodeGlb(seg: Segmentation): Promise<Uint8Array> {
  checkSegmentation(seg)
  const builder = createBuilder(seg, 'parts')
  if (seg.input.kind === 'mesh') addMeshParts(builder, seg, seg.input)
  else addPointParts(builder, seg, seg.input)
  return new NodeIO().writeBinary(builder.doc)
}

/**
 * Encodes the PCA view as GLB: one node `pca` with the whole input, coloured by
 * `seg.pca.colors` through COLOR_0. Colours belong to faces, so corners are welded only where
 * neighbouring faces share the colour as well as the normal and UV.
 */
export async function encodePcaGlb(seg: Segmentation): Promise<Uint8Array> {
  checkSegmentation(seg)
  const colors = pcaColorsPacked(seg)
  const builder = createBuilder(seg, 'pca')
  const material = createMaterial(builder, 'pca', [255, 255, 255])
  const input = seg.input

  let primitive
  if (input.kind === 'mesh') {
    const triangleColors = new Uint32Array(input.triangleToPolygon.length)
    for (let t = 0; t < triangleColors.length; t++) triangleColors[t] = colors[input.triangleToPolygon[t]]
    const all = new Uint32Array(triangleColors.length)
    for (let t = 0; t < all.length; t++) all[t] = t
    const welded = weldTriangles(input, meshCorners(input), all, triangleColors)
    primitive = trianglePrimitive(builder, welded)
  } else {
    primitive = pointPrimitive(builder, { positions: input.positions, normals: unitPointNormals(input), colors })
  }

  const mesh = builder.doc.createMesh('pca').addPrimitive(primitive.setMaterial(material))
  addToScene(builder, builder.doc.createNode('pca').setMesh(mesh))
  return new NodeIO().writeBinary(builder.doc)
}

function addMeshParts(builder: GltfBuilder, seg: Segmentation, input: MeshData): void {
  const corners = meshCorners(input)
  const groups = trianglesByPart(input, seg.labels, seg.partCount)
  const faceCounts = countPerPart(seg.labels, seg.partCount)

  for (let part = 0; part < seg.partCount; part++) {
    const name = partName(part, seg.partCount)
    const triangleIds = groups.members.subarray(groups.offsets[part], groups.offsets[part + 1])
    const node = builder.doc.createNode(name).setExtras({
      part,
      faceCount: faceCounts[part],
      triangleCount: triangleIds.length,
    })
    if (triangleIds.length > 0) {
      const primitive = trianglePrimitive(builder, weldTriangles(input, corners, triangleIds))
      primitive.setMaterial(createMaterial(builder, name, partColor(part)))
      node.setMesh(builder.doc.createMesh(name).addPrimitive(primitive))
    }
    addToScene(builder, node)
  }
}

function addPointParts(builder: GltfBuilder, seg: Segmentation, input: PointCloudData): void {
  const groups = groupIndices(seg.labels, seg.partCount)
  const normals = unitPointNormals(input)

  for (let part = 0; part < seg.partCount; part++) {
    const name = partName(part, seg.partCount)
    const points = groups.members.subarray(groups.offsets[part], groups.offsets[part + 1])
    const node = builder.doc.createNode(name).setExtras({ part, pointCount: points.length })
    if (points.length > 0) {
      const primitive = pointPrimitive(builder, {
        positions: gatherRows(input.positions, points, 3),
        normals: normals && gatherRows(normals, points, 3),
      })
      primitive.setMaterial(createMaterial(builder, name, partColor(part)))
      node.setMesh(builder.doc.createMesh(name).addPrimitive(primitive))
    }
    addToScene(builder, node)
  }
}

/** Returns the corner normals at unit length and the UVs with glTF's top-left origin. */
function meshCorners(input: MeshData): CornerAttributes {
  const uvs = input.cornerUvs && !uvOriginIsTopLeft(input.format) ? flipV(input.cornerUvs) : input.cornerUvs
  return { normals: cleanCornerNormals(input), uvs }
}

/**
 * Returns the cloud's normals at unit length, or undefined when any is zero or non-finite: a
 * point has no face to borrow a normal from, and glTF requires unit normals on every vertex.
 */
function unitPointNormals(input: PointCloudData): Float32Array | undefined {
  const source = input.normals
  if (!source) return undefined
  const normals = new Float32Array(source.length)
  for (let i = 0; i < source.length; i += 3) {
    const length = Math.sqrt(source[i] * source[i] + source[i + 1] * source[i + 1] + source[i + 2] * source[i + 2])
    if (!(length > 0) || !Number.isFinite(length)) return undefined
    for (let d = 0; d < 3; d++) normals[i + d] = source[i + d] / length
  }
  return normals
}

function gatherRows(values: Float32Array, rows: Uint32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width)
  for (let i = 0; i < rows.length; i++) {
    out.set(values.subarray(rows[i] * width, rows[i] * width + width), i * width)
  }
  return out
}
