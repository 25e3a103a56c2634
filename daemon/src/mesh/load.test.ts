import { describe, expect, it } from 'vitest'

import { MESH_EXTENSIONS } from './formats.js'
import { loadMesh, sniffFormat } from './load.js'
import { expectLoadError, loadMeshData } from './test-helpers.js'

const OFF_TRIANGLE = 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n'
const PLY_TRIANGLE = ['ply', 'format ascii 1.0', 'element vertex 3', 'property float x', 'property float y',
  'property float z', 'element face 1', 'property list uchar int vertex_indices', 'end_header',
  '0 0 0', '1 0 0', '0 1 0', '3 0 1 2', ''].join('\n')

describe('loadMesh', () => {
  it('lists the supported extensions', () => {
    expect(MESH_EXTENSIONS).toEqual(['.obj', '.glb', '.gltf', '.ply', '.off'])
  })

  it('picks the format by extension in any case', async () => {
    const mesh = await loadMeshData(OFF_TRIANGLE, 'dir.v2/MODEL.OFF')
    expect(mesh.format).toBe('off')
    expect(mesh.sourceName).toBe('dir.v2/MODEL.OFF')
    expect(mesh.nodes[0].name).toBe('MODEL')
  })

  it('sniffs the magic when the extension is unknown', async () => {
    expect((await loadMeshData(OFF_TRIANGLE, 'upload.bin')).format).toBe('off')
    expect((await loadMeshData(PLY_TRIANGLE, 'upload')).format).toBe('ply')
    expect(sniffFormat(new TextEncoder().encode('\n  {"asset": {}}'))).toBe('gltf')
    expect(sniffFormat(new TextEncoder().encode('glTF\u0002\u0000'))).toBe('glb')
    expect(sniffFormat(new TextEncoder().encode('solid cube'))).toBeUndefined()
  })

  it('rejects unknown formats listing the supported extensions', async () => {
    await expectLoadError('solid cube\nendsolid\n', 'cube.stl', 'unsupported-format', /expected one of \.obj, \.glb, \.gltf, \.ply, \.off/)
  })

  it('rejects empty files of every format', async () => {
    for (const extension of MESH_EXTENSIONS) {
      await expectLoadError('', `empty${extension}`, 'empty', /the file is empty/)
    }
    await expectLoadError('', 'nameless', 'empty', /expected mesh data/)
  })

  it('never throws anything but MeshParseError on garbage', async () => {
    // Deterministic pseudo-random bytes behind each magic, cut at several lengths.
    let seed = 12345
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const prefixes = ['OFF\n3 1 0\n', 'ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nend_header\n',
      'glTF', '{"asset":{"version":"2.0"},"buffers":[{"byteLength":9}]', 'v 1 2 3\nf 1 1 1\n']
    const names = ['g.off', 'g.ply', 'g.glb', 'g.gltf', 'g.obj']
    for (const [index, prefix] of prefixes.entries()) {
      for (const length of [0, 1, 7, 64, 500]) {
        const head = new TextEncoder().encode(prefix)
        const bytes = new Uint8Array(head.length + length)
        bytes.set(head)
        for (let i = head.length; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
        const outcome = await loadMesh(bytes, { fileName: names[index], maxFaces: 1000 }).then(() => 'loaded', (error: unknown) => error)
        if (outcome !== 'loaded') expect((outcome as Error).name, `${names[index]} + ${length} bytes`).toBe('MeshParseError')
      }
    }
  })
})
