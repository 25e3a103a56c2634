/**
 * glTF files for the page's original-view tests, generated in code: a red Draco-compressed GLB,
 * and a .gltf whose material uses a texture that the test leaves out of the selection.
 */
import { Document, NodeIO } from '@gltf-transform/core'
import { ALL_EXTENSIONS } from '@gltf-transform/extensions'
import { draco } from '@gltf-transform/functions'
import draco3d from 'draco3d'

import { toArrays, twoBoxes } from '../src/server/test-meshes.js'

/** Two boxes of 12 * n * n quads with one material of `color` (linear RGB). */
function boxesDocument(n: number, color: [number, number, number]): Document {
  const { positions, triangles } = toArrays(twoBoxes(n))
  const document = new Document()
  const buffer = document.createBuffer()
  const position = document.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer)
  const indices = document.createAccessor().setType('SCALAR').setArray(triangles).setBuffer(buffer)
  const material = document.createMaterial('paint').setBaseColorFactor([...color, 1]).setRoughnessFactor(1).setMetallicFactor(0)
  const primitive = document.createPrimitive().setAttribute('POSITION', position).setIndices(indices).setMaterial(material)
  const node = document.createNode('boxes').setMesh(document.createMesh('boxes').addPrimitive(primitive))
  document.createScene().addChild(node)
  return document
}

/** Builds a GLB whose geometry is Draco-compressed (KHR_draco_mesh_compression), painted red. */
export async function redDracoGlb(n = 3): Promise<Uint8Array> {
  const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
    'draco3d.encoder': await draco3d.createEncoderModule(),
  })
  const document = boxesDocument(n, [0.8, 0.02, 0.02])
  await document.transform(draco({ method: 'edgebreaker' }))
  return io.writeBinary(document)
}

/** Writes a .gltf and its .bin, whose material names `textureName` as its base colour texture. */
export async function texturedGltf(binName: string, textureName: string, png: Uint8Array): Promise<{ json: string; bin: Uint8Array }> {
  const document = boxesDocument(2, [1, 1, 1])
  document.getRoot().listBuffers()[0].setURI(binName)
  const texture = document.createTexture('paint').setImage(png).setMimeType('image/png').setURI(textureName)
  document.getRoot().listMaterials()[0].setBaseColorTexture(texture)
  const { json, resources } = await new NodeIO().writeJSON(document)
  return { json: JSON.stringify(json), bin: resources[binName] }
}
