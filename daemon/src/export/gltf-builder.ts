import { Accessor, Document, Logger, type Buffer, type Material, type Node, type Primitive } from '@gltf-transform/core'
import type { Segmentation } from '../pipeline/segmentation.js'
import { srgbToLinear, type Rgb } from './palette.js'
import { GENERATOR } from './signature.js'
import type { WeldedMesh } from './welded-mesh.js'

// glTF primitive modes (glTF 2.0 specification, mesh.primitive.mode).
const MODE_POINTS = 0
const MODE_TRIANGLES = 4
// Unsigned-short indices must stay below 65535, which the glTF 2.0 specification reserves.
const MAX_UINT16_VERTICES = 65535

/** A glTF document under construction, with the one binary buffer every accessor lives in. */
export interface GltfBuilder {
  doc: Document
  buffer: Buffer
}

/** Starts a document with our generator string and one scene named after the view. */
export function createBuilder(seg: Segmentation, view: 'parts' | 'pca'): GltfBuilder {
  const doc = new Document()
  doc.setLogger(new Logger(Logger.Verbosity.WARN))
  doc.getRoot().getAsset().generator = GENERATOR
  const buffer = doc.createBuffer()
  const scene = doc.createScene(view).setExtras({
    source: seg.input.sourceName,
    view,
    partCount: seg.partCount,
  })
  doc.getRoot().setDefaultScene(scene)
  return { doc, buffer }
}

/** Adds a node to the document's scene. */
export function addToScene(builder: GltfBuilder, node: Node): void {
  builder.doc.getRoot().getDefaultScene()!.addChild(node)
}

/**
 * Creates a matte, double-sided material. Segmented meshes often mix face windings, and a
 * one-sided material would hide the back-facing parts.
 */
export function createMaterial(builder: GltfBuilder, name: string, color: Rgb): Material {
  // glTF colour factors are linear; the palette is sRGB.
  const [r, g, b] = color.map(srgbToLinear)
  return builder.doc.createMaterial(name)
    .setBaseColorFactor([r, g, b, 1])
    .setMetallicFactor(0)
    .setRoughnessFactor(0.8)
    .setDoubleSided(true)
}

/** Creates an indexed triangle primitive from a welded vertex set. */
export function trianglePrimitive(builder: GltfBuilder, mesh: WeldedMesh): Primitive {
  const vertexCount = mesh.positions.length / 3
  const indices = vertexCount <= MAX_UINT16_VERTICES ? Uint16Array.from(mesh.indices) : mesh.indices
  const primitive = vertexPrimitive(builder, mesh, MODE_TRIANGLES)
  return primitive.setIndices(accessor(builder, indices, Accessor.Type.SCALAR))
}

/** Creates a POINTS primitive, one point per vertex. */
export function pointPrimitive(builder: GltfBuilder, mesh: Omit<WeldedMesh, 'indices'>): Primitive {
  return vertexPrimitive(builder, mesh, MODE_POINTS)
}

function vertexPrimitive(
  builder: GltfBuilder,
  mesh: Omit<WeldedMesh, 'indices'>,
  mode: number,
): Primitive {
  const primitive = builder.doc.createPrimitive().setMode(mode as Parameters<Primitive['setMode']>[0])
  primitive.setAttribute('POSITION', accessor(builder, mesh.positions, Accessor.Type.VEC3))
  if (mesh.normals) primitive.setAttribute('NORMAL', accessor(builder, mesh.normals, Accessor.Type.VEC3))
  if (mesh.uvs) primitive.setAttribute('TEXCOORD_0', accessor(builder, mesh.uvs, Accessor.Type.VEC2))
  if (mesh.colors) {
    const colors = accessor(builder, linearColors(mesh.colors), Accessor.Type.VEC3).setNormalized(true)
    primitive.setAttribute('COLOR_0', colors)
  }
  return primitive
}

function accessor(
  builder: GltfBuilder,
  array: Float32Array | Uint16Array | Uint32Array,
  type: Parameters<Accessor['setType']>[0],
): Accessor {
  return builder.doc.createAccessor().setArray(array).setType(type).setBuffer(builder.buffer)
}

/**
 * Converts packed 0xRRGGBB sRGB colours to the linear values glTF's COLOR_0 holds, as normalised
 * unsigned shorts: bytes would band in dark tones once linear, floats would double the size.
 */
function linearColors(packed: Uint32Array): Uint16Array {
  const lookup = new Uint16Array(256)
  for (let c = 0; c < 256; c++) lookup[c] = Math.round(srgbToLinear(c) * 65535)
  const colors = new Uint16Array(3 * packed.length)
  for (let v = 0; v < packed.length; v++) {
    colors[3 * v] = lookup[(packed[v] >>> 16) & 0xff]
    colors[3 * v + 1] = lookup[(packed[v] >>> 8) & 0xff]
    colors[3 * v + 2] = lookup[packed[v] & 0xff]
  }
  return colors
}
