import { describe, expect, it } from 'vitest'

import { expectLoadError, loadMeshData } from './test-helpers.js'

type Json = Record<string, any>

/** Returns a valid one-triangle glTF whose buffer is a data URI, so it loads without resources. */
function triangleGltf(): Json {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])
  const base64 = Buffer.from(positions.buffer).toString('base64')
  return {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, translation: [0, 0, 0] }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorTexture: { index: 0 } } }],
    textures: [{ source: 0 }],
    images: [{ uri: 'wood.png' }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3' }],
    bufferViews: [{ buffer: 0, byteLength: 36 }],
    buffers: [{ byteLength: 36, uri: `data:application/octet-stream;base64,${base64}` }],
  }
}

/** Loads the glTF after `change` and expects a syntax error whose message ends with `detail`. */
async function expectSchemaError(change: (json: Json) => void, detail: RegExp): Promise<void> {
  const json = triangleGltf()
  change(json)
  await expectLoadError(JSON.stringify(json), 'broken.gltf', 'syntax', detail)
}

describe('checkGltfJson', () => {
  it('lets a valid file through', async () => {
    const mesh = await loadMeshData(JSON.stringify(triangleGltf()), 'triangle.gltf')
    expect(mesh.polygonCount).toBe(1)
  })

  it('names a primitives object that should be an array', async () => {
    await expectSchemaError((json) => {
      json.meshes[0].primitives = { 'not an array': { attributes: { POSITION: 0 } } }
    }, /^broken\.gltf: meshes\[0\]\.primitives: found an object; expected an array$/)
  })

  it('names a missing required member', async () => {
    await expectSchemaError((json) => delete json.meshes[0].primitives,
      /^broken\.gltf: meshes\[0\]: missing primitives, which the glTF 2.0 schema requires$/)
  })

  it('names indices that refer to nothing', async () => {
    await expectSchemaError((json) => (json.meshes[0].primitives[0].attributes.POSITION = 5),
      /meshes\[0\]\.primitives\[0\]\.attributes\.POSITION: found 5; expected an index into accessors \(0 to 0\)$/)
    await expectSchemaError((json) => (json.bufferViews[0].buffer = 3),
      /bufferViews\[0\]\.buffer: found 3; expected an index into buffers \(0 to 0\)$/)
    await expectSchemaError((json) => (json.scene = 'hello'), /: scene: found "hello"; expected an index into scenes \(0 to 0\)$/)
    await expectSchemaError((json) => delete json.textures, /baseColorTexture\.index: found 0; the file has no textures$/)
  })

  it('names a texture reference without an index', async () => {
    await expectSchemaError((json) => (json.materials[0].normalTexture = { scale: 'not a number' }),
      /materials\[0\]\.normalTexture\.index: missing; expected an index into textures \(0 to 0\)$/)
    await expectSchemaError((json) => (json.materials[0].pbrMetallicRoughness.baseColorTexture.index = -1),
      /materials\[0\]\.pbrMetallicRoughness\.baseColorTexture\.index: found -1; expected an index/)
    await expectSchemaError((json) => (json.materials[0].extensions = { KHR_materials_clearcoat: { clearcoatTexture: { index: 2 } } }),
      /materials\[0\]\.extensions\.KHR_materials_clearcoat\.clearcoatTexture\.index: found 2;/)
  })

  it('names numbers that are not numbers', async () => {
    await expectSchemaError((json) => (json.nodes[0].translation = ['1', 0, 0]),
      /nodes\[0\]\.translation: found \["1",0,0\]; expected an array of 3 numbers$/)
    await expectSchemaError((json) => (json.accessors[0].count = '3'),
      /accessors\[0\]\.count: found "3"; expected an integer of 0 or more$/)
    await expectSchemaError((json) => (json.accessors[0].componentType = 5124),
      /accessors\[0\]\.componentType: found 5124; expected one of 5120, 5121, 5122, 5123, 5125, 5126$/)
  })

  it('leaves values glTF-Transform ignores alone', async () => {
    const json = triangleGltf()
    json.materials[0].pbrMetallicRoughness = ['not an object']
    json.scenes[0].name = 42
    expect((await loadMeshData(JSON.stringify(json), 'lenient.gltf')).polygonCount).toBe(1)
  })
})

describe('missing glTF resources', () => {
  const external = () => {
    const json = triangleGltf()
    json.buffers[0].uri = 'triangle.bin'
    return JSON.stringify(json)
  }

  it('points to the file folder by default', async () => {
    await expectLoadError(external(), 'scene.gltf', 'missing-resource', /buffers\[0\]: cannot read 'triangle\.bin'; expected it in the glTF file's folder$/)
  })

  it('gives the caller hint instead', async () => {
    await expectLoadError(external(), 'scene.gltf', 'missing-resource', /cannot read 'triangle\.bin'; send it along$/,
      { resourceHint: 'send it along' })
  })
})
