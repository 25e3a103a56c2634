import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { toGlb, toGltf, twoBoxes } from '../../daemon/src/server/test-meshes.js'
import { cleanReferences, findReferences, gltfUris, mtlTextures } from './companions.js'

async function fileWith(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'partfield-companions-')), name)
  await writeFile(path, content)
  return path
}

describe('findReferences', () => {
  it('reads OBJ mtllib lines', async () => {
    const obj = await fileWith('chair.obj', 'v 0 0 0\nmtllib a.mtl b.MTL\r\n  mtllib My Chair.mtl\nmtllib textures/c.mtl\nf 1 1 1\n')
    expect(await findReferences(obj)).toEqual(['a.mtl', 'b.MTL', 'My Chair.mtl', 'textures/c.mtl'].map((path) => ({ path, kind: 'material' })))
  })

  it('reads the buffers and images of a .gltf and decodes their URIs', async () => {
    const { json } = await toGltf(twoBoxes(1), 'scene%20data.bin')
    const withImage = JSON.parse(json)
    withImage.images = [{ uri: 'tex/wood.png' }, { uri: 'data:image/png;base64,AAAA' }]
    const path = await fileWith('scene.gltf', JSON.stringify(withImage))
    expect(await findReferences(path)).toEqual([{ path: 'scene data.bin', kind: 'buffer' }, { path: 'tex/wood.png', kind: 'texture' }])
  })

  it('reads the textures of a material library', async () => {
    const mtl = await fileWith('chair.mtl', 'newmtl wood\nmap_Kd wood.png\nbump -bm 0.3 bump.jpg\n')
    expect(await findReferences(mtl)).toEqual([{ path: 'wood.png', kind: 'texture' }, { path: 'bump.jpg', kind: 'texture' }])
  })

  it('counts a path that is both buffer and image as a buffer', async () => {
    const path = await fileWith('odd.gltf', JSON.stringify({ buffers: [{ uri: 'data.bin', byteLength: 4 }], images: [{ uri: 'data.bin' }] }))
    expect(await findReferences(path)).toEqual([{ path: 'data.bin', kind: 'buffer' }])
  })

  it('reads the JSON chunk of a GLB', async () => {
    const path = await fileWith('scene.glb', await toGlb(twoBoxes(1)))
    expect(await findReferences(path)).toEqual([])
  })

  it('finds nothing in a file that is not what its name says', async () => {
    expect(await findReferences(await fileWith('broken.gltf', '{"buffers": [ {"uri": '))).toEqual([])
    expect(await findReferences(await fileWith('broken.glb', 'not a glb at all, just text'))).toEqual([])
    expect(await findReferences(await fileWith('mesh.off', 'OFF\n'))).toEqual([])
  })
})

describe('mtlTextures', () => {
  it('skips options and keeps names with spaces', () => {
    const text = [
      'newmtl wood',
      'map_Kd wood.png',
      'map_Ka -s 1 1 1 -o 0.5 ambient map.png',
      'bump -bm 0.3 bump.png',
      'refl -type sphere sky.png',
      'map_Ks -clamp on spec.png',
      'Kd 1 1 1',
    ].join('\n')
    expect(mtlTextures(text)).toEqual(['wood.png', 'ambient map.png', 'bump.png', 'sky.png', 'spec.png'])
  })
})

describe('gltfUris', () => {
  it('ignores entries without a string uri', () => {
    expect(gltfUris('{"buffers": [{"byteLength": 4}, {"uri": 5}, null], "images": [{"bufferView": 0}]}')).toEqual({ buffers: [], images: [] })
  })

  it('keeps buffers and images apart', () => {
    expect(gltfUris('{"buffers": [{"uri": "a.bin"}], "images": [{"uri": "b.png"}]}')).toEqual({ buffers: ['a.bin'], images: ['b.png'] })
  })
})

describe('cleanReferences', () => {
  it('keeps relative paths inside the folder only', () => {
    const references = [
      'a.bin', 'sub\\b.png', './c.png', 'sub/../d.png', '../outside.bin', '/etc/passwd', 'http://host/x.bin',
      'data:application/octet-stream;base64,AA', 'file:///x', 'a.bin', '', 'sub/', 'bad%zz.png',
    ]
    expect(cleanReferences(references)).toEqual(['a.bin', 'sub/b.png', 'c.png', 'd.png', 'bad%zz.png'])
  })
})
