import { describe, expect, it } from 'vitest'

import { expectLoadError, loadMeshData, totalArea } from './test-helpers.js'

const CUBE = `OFF
# a unit cube of quads
8 6 12
0 0 0
1 0 0
1 1 0
0 1 0
0 0 1
1 0 1
1 1 1
0 1 1
4 0 3 2 1
4 4 5 6 7
4 0 1 5 4
4 1 2 6 5
4 2 3 7 6
4 3 0 4 7
`

describe('parseOff', () => {
  it('loads a quad cube as 12 triangles of 6 faces', async () => {
    const mesh = await loadMeshData(CUBE, 'cube.off')
    expect(mesh.kind).toBe('mesh')
    expect(mesh.format).toBe('off')
    expect(mesh.positions.length).toBe(24)
    expect(mesh.triangles.length).toBe(36)
    expect(mesh.polygonCount).toBe(6)
    expect(Array.from(mesh.triangleToPolygon)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    expect(mesh.nodes).toEqual([{ name: 'cube', polygonCount: 6 }])
    expect(totalArea(mesh)).toBeCloseTo(6, 6)
    expect(mesh.warnings).toEqual([])
  })

  it('keeps the winding of each face', async () => {
    const mesh = await loadMeshData('OFF\n4 1 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3\n', 'quad.off')
    const [a, b, c] = mesh.triangles
    const p = mesh.positions
    const normalZ = (p[b * 3] - p[a * 3]) * (p[c * 3 + 1] - p[a * 3 + 1]) -
      (p[b * 3 + 1] - p[a * 3 + 1]) * (p[c * 3] - p[a * 3])
    expect(normalZ).toBeGreaterThan(0)
  })

  it('reads COFF and NOFF columns and face colours', async () => {
    const text = `NCOFF
3 1 0
0 0 0  0 0 1  255 0 0 255
1 0 0  0 0 1  0 255 0 255
0 1 0  0 0 1  0 0 255 255
3 0 1 2  0.5 0.5 0.5
`
    const mesh = await loadMeshData(text, 'colored.off')
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0])
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2])
    expect(Array.from(mesh.cornerNormals ?? [])).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1])
  })

  it('accepts a missing keyword, glued counts and comments', async () => {
    const noKeyword = await loadMeshData('3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 'bare.off')
    expect(noKeyword.triangles.length).toBe(3)
    const glued = await loadMeshData('OFF3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 'glued.off')
    expect(glued.triangles.length).toBe(3)
    const commented = await loadMeshData(
      '# header\nOFF # keyword\n\n3 1 0\n# vertices\n0 0 0\n1 0 0 # x\n0 1 0\n\n3 0 1 2 # face\n',
      'commented.off')
    expect(Array.from(commented.positions)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0])
  })

  it('divides homogeneous 4OFF coordinates by w', async () => {
    const mesh = await loadMeshData('4OFF\n3 1 0\n0 0 0 2\n2 0 0 2\n0 4 0 2\n3 0 1 2\n', 'h.off')
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 0, 0, 0, 2, 0])
  })

  it('triangulates a concave n-gon inside its outline', async () => {
    // The notched pentagon of triangulate.ts: area 4 * 3 - 4 * 1 / 2 = 10.
    const text = 'OFF\n5 1 0\n0 0 0\n2 1 0\n4 0 0\n4 3 0\n0 3 0\n5 0 1 2 3 4\n'
    const mesh = await loadMeshData(text, 'notch.off')
    expect(mesh.triangles.length).toBe(9)
    expect(totalArea(mesh)).toBeCloseTo(10, 6)
    expect(Array.from(mesh.triangleToPolygon)).toEqual([0, 0, 0])
  })

  it('reads binary OFF', async () => {
    const floats = [0, 0, 0, 1, 0, 0, 0, 1, 0]
    const ints = [3, 0, 1, 2, 0]
    const header = new TextEncoder().encode('OFF BINARY\n')
    const body = new DataView(new ArrayBuffer(12 + floats.length * 4 + ints.length * 4))
    body.setInt32(0, 3)
    body.setInt32(4, 1)
    floats.forEach((value, i) => body.setFloat32(12 + i * 4, value))
    ints.forEach((value, i) => body.setInt32(12 + floats.length * 4 + i * 4, value))
    const bytes = new Uint8Array(header.length + body.byteLength)
    bytes.set(header)
    bytes.set(new Uint8Array(body.buffer), header.length)

    const mesh = await loadMeshData(bytes, 'binary.off')
    expect(Array.from(mesh.positions)).toEqual(floats)
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2])

    await expectLoadError(bytes.subarray(0, bytes.length - 6), 'short.off', 'truncated', /byte \d+/)
  })
})

describe('parseOff errors', () => {
  it('rejects an empty file', async () => {
    await expectLoadError('', 'empty.off', 'empty', /empty/)
    await expectLoadError('  \n# only a comment\n', 'blank.off', 'empty', /expected an OFF header/)
  })

  it('rejects a wrong keyword', async () => {
    await expectLoadError('PLY\n3 1 0\n', 'wrong.off', 'bad-magic', /line 1.*found 'PLY'.*expected the keyword OFF/)
  })

  it('rejects missing vertices', async () => {
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 0 0\n', 'short.off', 'truncated', /line 2.*3 vertices and 1 face, which need/)
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1\n\n\n\n\n\n\n', 'short2.off', 'truncated',
      /expected vertex index 3 of 3 of face 0, found the end of the file/)
  })

  it('rejects a header count the file cannot hold', async () => {
    await expectLoadError('OFF\n999999999999 1 0\n0 0 0\n', 'huge.off', 'truncated', /line 2: .*only \d+ bytes follow/)
  })

  it('rejects a vertex index out of range', async () => {
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n', 'range.off', 'index-out-of-range',
      /line 6: vertex index 3 is out of range; expected 0 to 2/)
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 -1 2\n', 'negative.off', 'index-out-of-range',
      /vertex index -1/)
  })

  it('rejects NaN and infinite coordinates', async () => {
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 nan 0\n0 1 0\n3 0 1 2\n', 'nan.off', 'non-finite',
      /line 4 \(vertex 1\): the vertex has coordinates 1 NaN 0; expected finite numbers/)
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1e999 0\n3 0 1 2\n', 'inf.off', 'non-finite', /vertex 2/)
  })

  it('rejects a face with fewer than 3 vertices', async () => {
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n', 'small.off', 'face-too-small',
      /line 6: face has 2 vertices; expected at least 3/)
  })

  it('rejects zero faces', async () => {
    await expectLoadError('OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n', 'points.off', 'no-faces', /no faces/)
  })

  it('rejects more faces than the limit', async () => {
    await expectLoadError(CUBE, 'cube.off', 'too-many-faces', /6 faces; expected at most 5/, { maxFaces: 5 })
  })

  it('rejects text where a number belongs', async () => {
    await expectLoadError('OFF\n3 1 0\n0 0 0\n1 x 0\n0 1 0\n3 0 1 2\n', 'text.off', 'syntax',
      /line 4: expected the y coordinate of vertex 1, found 'x'/)
  })
})
