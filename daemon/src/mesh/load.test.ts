import { describe, expect, it } from 'vitest'

import { MESH_EXTENSIONS } from './formats.js'
import { loadMesh, sniffFormat } from './load.js'
import { expectLoadError, loadBytes, loadMeshData } from './test-helpers.js'

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

describe('loadMesh by content', () => {
  const BINARY_PLY_HEAD = 'ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\n' +
    'property float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n'

  function binaryTrianglePly(): Uint8Array {
    const head = new TextEncoder().encode(BINARY_PLY_HEAD)
    const body = new DataView(new ArrayBuffer(9 * 4 + 1 + 3 * 4))
    ;[0, 0, 0, 1, 0, 0, 0, 1, 0].forEach((value, i) => body.setFloat32(i * 4, value, true))
    body.setUint8(36, 3)
    ;[0, 1, 2].forEach((index, i) => body.setInt32(37 + i * 4, index, true))
    const bytes = new Uint8Array(head.length + body.byteLength)
    bytes.set(head)
    bytes.set(new Uint8Array(body.buffer), head.length)
    return bytes
  }

  it('loads a binary PLY named .obj as PLY with a warning', async () => {
    const mesh = await loadMeshData(binaryTrianglePly(), 'Wuson.obj')
    expect(mesh.format).toBe('ply')
    expect(mesh.polygonCount).toBe(1)
    expect(mesh.warnings[0]).toBe('the file is named .obj but starts like a PLY file, so it was loaded as one; rename it to .ply')
  })

  it('loads OFF named .glb and GLB named .ply by their content', async () => {
    expect((await loadMeshData(OFF_TRIANGLE, 'scene.glb')).format).toBe('off')
    const glb = await loadBytes(new TextEncoder().encode('glTF\u0002\u0000\u0000\u0000'), 'scan.ply').catch((error: Error) => error)
    expect((glb as Error).message).toMatch(/\(read as a GLB file because it starts like one, although it is named \.ply\)$/)
  })

  it('keeps the extension when the content only starts with a brace', async () => {
    await expectLoadError('{ not a mesh }\n', 'brace.obj', 'syntax', /^brace\.obj: line 1: /)
  })

  it('accepts GLB bytes named .gltf without a warning', async () => {
    const error = await loadBytes(new TextEncoder().encode('glTF\u0002\u0000\u0000\u0000'), 'packed.gltf').catch((thrown: Error) => thrown)
    expect((error as Error).message).not.toMatch(/read as/)
  })

  it('sniffs OBJ text without an extension', async () => {
    const mesh = await loadMeshData('# exported\n\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n', 'figure')
    expect(mesh.format).toBe('obj')
    expect(mesh.warnings).toEqual([])
    expect(sniffFormat(new TextEncoder().encode('# only a comment\n'))).toBeUndefined()
    expect(sniffFormat(new Uint8Array([0x76, 0x20, 0x00, 0x31]))).toBeUndefined()
  })
})
