import { describe, expect, it } from 'vitest'

import type { PlyType } from './ply-header.js'
import { expectLoadError, loadMeshData, loadPoints, totalArea } from './test-helpers.js'

/** Builds a binary PLY from header lines and typed body values. */
function binaryPly(littleEndian: boolean, headerLines: string[], values: [PlyType, number][]): Uint8Array {
  const encoding = littleEndian ? 'binary_little_endian' : 'binary_big_endian'
  const header = new TextEncoder().encode(['ply', `format ${encoding} 1.0`, ...headerLines, 'end_header', ''].join('\n'))
  const sizes: Record<PlyType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }
  const bodyLength = values.reduce((sum, [type]) => sum + sizes[type], 0)
  const bytes = new Uint8Array(header.length + bodyLength)
  bytes.set(header)
  const view = new DataView(bytes.buffer)
  let offset = header.length
  for (const [type, value] of values) {
    switch (type) {
      case 'int8': view.setInt8(offset, value); break
      case 'uint8': view.setUint8(offset, value); break
      case 'int16': view.setInt16(offset, value, littleEndian); break
      case 'uint16': view.setUint16(offset, value, littleEndian); break
      case 'int32': view.setInt32(offset, value, littleEndian); break
      case 'uint32': view.setUint32(offset, value, littleEndian); break
      case 'float32': view.setFloat32(offset, value, littleEndian); break
      case 'float64': view.setFloat64(offset, value, littleEndian); break
    }
    offset += sizes[type]
  }
  return bytes
}

const QUAD_HEADER = [
  'comment a unit square as one quad',
  'element vertex 4',
  'property float x',
  'property float y',
  'property float z',
  'element face 1',
  'property list uchar int vertex_indices',
]

const QUAD_VALUES: [PlyType, number][] = [
  ['float32', 0], ['float32', 0], ['float32', 0],
  ['float32', 1], ['float32', 0], ['float32', 0],
  ['float32', 1], ['float32', 1], ['float32', 0],
  ['float32', 0], ['float32', 1], ['float32', 0],
  ['uint8', 4], ['int32', 0], ['int32', 1], ['int32', 2], ['int32', 3],
]

const ASCII_QUAD = ['ply', 'format ascii 1.0', ...QUAD_HEADER, 'end_header',
  '0 0 0', '1 0 0', '1 1 0', '0 1 0', '4 0 1 2 3', ''].join('\n')

describe('parsePly', () => {
  it('reads an ASCII quad', async () => {
    const mesh = await loadMeshData(ASCII_QUAD, 'quad.ply')
    expect(mesh.format).toBe('ply')
    expect(mesh.polygonCount).toBe(1)
    expect(mesh.triangles.length).toBe(6)
    expect(Array.from(mesh.triangleToPolygon)).toEqual([0, 0])
    expect(totalArea(mesh)).toBeCloseTo(1, 6)
    expect(mesh.warnings).toEqual([])
  })

  it('reads both binary byte orders alike', async () => {
    const little = await loadMeshData(binaryPly(true, QUAD_HEADER, QUAD_VALUES), 'little.ply')
    const big = await loadMeshData(binaryPly(false, QUAD_HEADER, QUAD_VALUES), 'big.ply')
    const ascii = await loadMeshData(ASCII_QUAD, 'ascii.ply')
    expect(Array.from(little.positions)).toEqual(Array.from(ascii.positions))
    expect(Array.from(big.positions)).toEqual(Array.from(ascii.positions))
    expect(Array.from(little.triangles)).toEqual(Array.from(ascii.triangles))
    expect(Array.from(big.triangles)).toEqual(Array.from(ascii.triangles))
  })

  it('reads every scalar type and skips extra properties and elements', async () => {
    const header = [
      'element vertex 3',
      'property double x', 'property int16 y', 'property uint16 z', 'property char flag',
      'property list uint8 float32 weights', 'property uint confidence',
      'element face 1',
      'property uchar material', 'property list ushort uint vertex_index', 'property list uchar float texcoord',
      'element edge 2',
      'property int vertex1', 'property int vertex2',
      'element material 1',
      'property list uchar uchar name',
    ]
    const values: [PlyType, number][] = [
      ['float64', 0.5], ['int16', -2], ['uint16', 3], ['int8', -1], ['uint8', 2], ['float32', 1], ['float32', 2], ['uint32', 7],
      ['float64', 1.5], ['int16', -2], ['uint16', 3], ['int8', 0], ['uint8', 0], ['uint32', 7],
      ['float64', 0.5], ['int16', 5], ['uint16', 3], ['int8', 0], ['uint8', 1], ['float32', 9], ['uint32', 7],
      ['uint8', 4], ['uint16', 3], ['uint32', 0], ['uint32', 1], ['uint32', 2],
      ['uint8', 6], ['float32', 0], ['float32', 0], ['float32', 1], ['float32', 0], ['float32', 0], ['float32', 1],
      ['int32', 0], ['int32', 1], ['int32', 1], ['int32', 2],
      ['uint8', 2], ['uint8', 65], ['uint8', 66],
    ]
    for (const littleEndian of [true, false]) {
      const mesh = await loadMeshData(binaryPly(littleEndian, header, values), 'types.ply')
      expect(Array.from(mesh.positions)).toEqual([0.5, -2, 3, 1.5, -2, 3, 0.5, 5, 3])
      expect(Array.from(mesh.triangles)).toEqual([0, 1, 2])
      expect(mesh.warnings).toEqual(["skipped element 'edge' (2 instances)", "skipped element 'material' (1 instance)"])
    }
  })

  it('carries vertex normals and uvs to corners', async () => {
    const text = ['ply', 'format ascii 1.0', 'element vertex 3',
      'property float x', 'property float y', 'property float z',
      'property float nx', 'property float ny', 'property float nz', 'property float s', 'property float t',
      'element face 1', 'property list uchar int vertex_indices', 'end_header',
      '0 0 0 0 0 1 0 0', '1 0 0 0 0 1 1 0', '0 1 0 0 0 1 0 1', '3 2 0 1', ''].join('\n')
    const mesh = await loadMeshData(text, 'attributes.ply')
    expect(Array.from(mesh.triangles)).toEqual([2, 0, 1])
    expect(Array.from(mesh.cornerNormals ?? [])).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1])
    expect(Array.from(mesh.cornerUvs ?? [])).toEqual([0, 1, 0, 0, 1, 0])
  })

  it('returns a point cloud for vertices without faces', async () => {
    const text = ['ply', 'format ascii 1.0', 'element vertex 2',
      'property float x', 'property float y', 'property float z',
      'property uchar red', 'property uchar green', 'property uchar blue',
      'property float nx', 'property float ny', 'property float nz',
      'element face 0', 'property list uchar int vertex_indices', 'end_header',
      '0 0 0 255 0 10 0 0 1', '1 2 3 0 128 0 1 0 0', ''].join('\n')
    const cloud = await loadPoints(text, 'cloud.ply')
    expect(cloud.kind).toBe('points')
    expect(Array.from(cloud.positions)).toEqual([0, 0, 0, 1, 2, 3])
    expect(Array.from(cloud.colors ?? [])).toEqual([255, 0, 10, 0, 128, 0])
    expect(Array.from(cloud.normals ?? [])).toEqual([0, 0, 1, 1, 0, 0])
  })

  it('scales float colours of a point cloud to bytes', async () => {
    const header = ['element vertex 1', 'property float x', 'property float y', 'property float z',
      'property float red', 'property float green', 'property float blue']
    const values: [PlyType, number][] = [['float32', 1], ['float32', 2], ['float32', 3], ['float32', 1], ['float32', 0.5], ['float32', 0]]
    const cloud = await loadPoints(binaryPly(true, header, values), 'float-colors.ply')
    expect(Array.from(cloud.colors ?? [])).toEqual([255, 128, 0])
  })

  it('turns triangle strips into triangles', async () => {
    const text = ['ply', 'format ascii 1.0', 'element vertex 5',
      'property float x', 'property float y', 'property float z',
      'element tristrips 1', 'property list int int vertex_indices', 'end_header',
      '0 0 0', '0 1 0', '1 0 0', '1 1 0', '2 0 0', '6 0 1 2 3 -1 4', ''].join('\n')
    const mesh = await loadMeshData(text, 'strips.ply')
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2, 2, 1, 3])
    expect(mesh.polygonCount).toBe(2)
  })

  it('accepts CRLF line ends', async () => {
    const mesh = await loadMeshData(ASCII_QUAD.replaceAll('\n', '\r\n'), 'crlf.ply')
    expect(mesh.triangles.length).toBe(6)
  })
})

describe('parsePly errors', () => {
  it('rejects an empty file', async () => {
    await expectLoadError('', 'empty.ply', 'empty', /empty/)
  })

  it('rejects a wrong magic', async () => {
    await expectLoadError('plx\n3 1 0\n', 'wrong.ply', 'bad-magic', /byte 0: found 'plx.*expected the line 'ply'/)
  })

  it('reads OFF content named .ply as OFF and says so when it fails', async () => {
    await expectLoadError('OFF\n3 1 0\n', 'wrong.ply', 'truncated', /\(read as an OFF file because it starts like one, although it is named \.ply\)$/)
  })

  it('rejects a header without end_header', async () => {
    await expectLoadError('ply\nformat ascii 1.0\nelement vertex 3\n', 'open.ply', 'truncated', /no end_header/)
  })

  it('rejects an unknown property type', async () => {
    await expectLoadError('ply\nformat ascii 1.0\nelement vertex 1\nproperty quad x\nend_header\n1\n', 'type.ply', 'syntax',
      /line 4: found 'property quad x'/)
  })

  it('rejects truncated binary bodies at every cut', async () => {
    const bytes = binaryPly(true, QUAD_HEADER, QUAD_VALUES)
    const bodyStart = bytes.length - 4 * 12 - 17
    for (let cut = bodyStart; cut < bytes.length; cut++) {
      await expectLoadError(bytes.subarray(0, cut), 'cut.ply', 'truncated', /(byte \d+|header): /)
    }
  })

  it('rejects a header count the body cannot hold', async () => {
    const header = QUAD_HEADER.map((line) => (line === 'element face 1' ? 'element face 4000000000' : line))
    await expectLoadError(binaryPly(true, header, QUAD_VALUES), 'huge.ply', 'too-many-faces', /4000000000 faces/)
    const vertexHeader = QUAD_HEADER.map((line) => (line === 'element vertex 4' ? 'element vertex 900000' : line))
    await expectLoadError(binaryPly(true, vertexHeader, QUAD_VALUES), 'huge.ply', 'truncated', /header: .*element vertex 900000.*the body has only \d+/)
  })

  it('words the size check for one element and for several', async () => {
    const cloud = ['element vertex 900000', 'property float x', 'property float y', 'property float z']
    await expectLoadError(binaryPly(true, cloud, QUAD_VALUES.slice(0, 3)), 'cloud.ply', 'truncated',
      /declares element vertex 900000, which needs at least 10800000 bytes, but the body has only 12 bytes$/)
    const vertexHeader = QUAD_HEADER.map((line) => (line === 'element vertex 4' ? 'element vertex 900000' : line))
    await expectLoadError(binaryPly(true, vertexHeader, QUAD_VALUES), 'huge.ply', 'truncated',
      /declares element vertex 900000, element face 1, which need at least/)
  })

  it('rejects vertex indices out of range', async () => {
    const values = QUAD_VALUES.map(([type, value], i): [PlyType, number] => [type, i === QUAD_VALUES.length - 1 ? 4 : value])
    await expectLoadError(binaryPly(true, QUAD_HEADER, values), 'range.ply', 'index-out-of-range',
      /byte \d+ \(face 0\): vertex index 4 \(counted from 0\) is out of range; expected 0 to 3/)
    const negative = QUAD_VALUES.map(([type, value], i): [PlyType, number] => [type, i === QUAD_VALUES.length - 1 ? -5 : value])
    await expectLoadError(binaryPly(false, QUAD_HEADER, negative), 'negative.ply', 'index-out-of-range', /vertex index -5/)
  })

  it('rejects NaN and infinite coordinates', async () => {
    const values = QUAD_VALUES.map(([type, value], i): [PlyType, number] => [type, i === 4 ? Number.NaN : value])
    await expectLoadError(binaryPly(true, QUAD_HEADER, values), 'nan.ply', 'non-finite', /\(vertex 1\): the vertex has coordinates 1 NaN 0/)
    await expectLoadError(ASCII_QUAD.replace('1 1 0', '1 inf 0'), 'inf.ply', 'non-finite', /line 13 \(vertex 2\)/)
  })

  it('rejects a face with fewer than 3 vertices', async () => {
    await expectLoadError(ASCII_QUAD.replace('4 0 1 2 3', '2 0 1'), 'small.ply', 'face-too-small',
      /line 15 \(face 0\): face has 2 vertices; expected at least 3/)
  })

  it('rejects a file with no vertices and no faces', async () => {
    await expectLoadError('ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nend_header\n', 'none.ply', 'no-faces', /no faces and no vertices/)
  })

  it('rejects more faces than the limit', async () => {
    await expectLoadError(ASCII_QUAD, 'quad.ply', 'too-many-faces', /has 1 face; expected at most 0/, { maxFaces: 0 })
  })

  it('rejects a face element without an index list', async () => {
    const text = ASCII_QUAD.replace('property list uchar int vertex_indices', 'property list uchar int corners')
    await expectLoadError(text, 'list.ply', 'syntax', /no list property vertex_indices/)
  })
})
