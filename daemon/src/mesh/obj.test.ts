import { describe, expect, it } from 'vitest'

import { expectLoadError, loadMeshData, totalArea } from './test-helpers.js'

const TWO_OBJECTS = `# two objects
mtllib scene.mtl
o first
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
usemtl red
s off
f 1 2 3 4
o second
v 0 0 1
v 1 0 1
v 0 1 1
f -3 -2 -1
`

describe('parseObj', () => {
  it('reads objects as nodes with their polygons', async () => {
    const mesh = await loadMeshData(TWO_OBJECTS, 'scene.obj')
    expect(mesh.format).toBe('obj')
    expect(mesh.positions.length).toBe(21)
    expect(mesh.polygonCount).toBe(2)
    expect(mesh.nodes).toEqual([{ name: 'first', polygonCount: 1 }, { name: 'second', polygonCount: 1 }])
    expect(Array.from(mesh.triangleToPolygon)).toEqual([0, 0, 1])
    expect(Array.from(mesh.triangleNode)).toEqual([0, 0, 1])
    expect(Array.from(mesh.triangles.subarray(6))).toEqual([4, 5, 6])
    expect(mesh.warnings).toEqual([])
  })

  it('resolves negative indices relative to the latest vertex', async () => {
    const mesh = await loadMeshData('v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 1 1 0\nf -3 -1 -2\n', 'relative.obj')
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2, 1, 3, 2])
  })

  it('reads all four corner forms', async () => {
    const text = `v 0 0 0
v 1 0 0
v 0 1 0
vt 0 0
vt 1 0
vt 0 1
vn 0 0 1
f 1/1/1 2/2/1 3/3/1
f 1/1 2/2 3/3
f 1//1 2//1 3//1
f 1 2 3
`
    const mesh = await loadMeshData(text, 'corners.obj')
    expect(mesh.polygonCount).toBe(4)
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    // Only some corners have normals and uvs, so MeshData gets neither.
    expect(mesh.cornerNormals).toBeUndefined()
    expect(mesh.cornerUvs).toBeUndefined()
    expect(mesh.warnings).toEqual([
      'dropped the normals because 6 of 12 face corners have none',
      'dropped the texture coordinates because 6 of 12 face corners have none',
    ])
  })

  it('keeps per-corner normals and uvs through triangulation', async () => {
    const text = `v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 0 1
vn 0 0 -1
f 1/1/1 2/2/2 3/3/1 4/4/2
`
    const mesh = await loadMeshData(text, 'quad.obj')
    expect(mesh.triangles.length).toBe(6)
    const normals = mesh.cornerNormals ?? new Float32Array()
    const uvs = mesh.cornerUvs ?? new Float32Array()
    for (let slot = 0; slot < 6; slot++) {
      const vertex = mesh.triangles[slot]
      expect(normals[slot * 3 + 2]).toBe(vertex % 2 === 0 ? 1 : -1)
      expect(uvs[slot * 2]).toBe(mesh.positions[vertex * 3])
      expect(uvs[slot * 2 + 1]).toBe(mesh.positions[vertex * 3 + 1])
    }
  })

  it('joins continued lines and ignores comments', async () => {
    const text = 'v 0 0 0 # origin\nv 1 \\\n 0 0\nv 0 1 0\n\n# a face\nf 1 2 \\\r\n 3\n'
    const mesh = await loadMeshData(text, 'continued.obj')
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0])
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2])
  })

  it('names nodes by group and merges repeated groups', async () => {
    const text = 'v 0 0 0\nv 1 0 0\nv 0 1 0\ng a\nf 1 2 3\ng b\nf 1 2 3\ng a\nf 1 2 3\n'
    const mesh = await loadMeshData(text, 'groups.obj')
    expect(mesh.nodes).toEqual([{ name: 'a', polygonCount: 2 }, { name: 'b', polygonCount: 1 }])
    expect(Array.from(mesh.triangleNode)).toEqual([0, 1, 0])
  })

  it('puts faces before any o or g under the file name', async () => {
    const mesh = await loadMeshData('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n', 'dir/plain.obj')
    expect(mesh.nodes).toEqual([{ name: 'plain', polygonCount: 1 }])
  })

  it('triangulates a concave polygon inside its outline', async () => {
    // An L shape of area 3 in the y-z plane: a fan from the first corner would leave it.
    const text = 'v 0 0 0\nv 0 2 0\nv 0 2 1\nv 0 1 1\nv 0 1 2\nv 0 0 2\nf 4 5 6 1 2 3\n'
    const mesh = await loadMeshData(text, 'ell.obj')
    expect(mesh.triangles.length).toBe(12)
    expect(totalArea(mesh)).toBeCloseTo(3, 6)
  })

  it('warns about lines, points and curves', async () => {
    const text = 'v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2\np 1\nf 1 2 3\ncurv 0 1 1 2\n'
    const mesh = await loadMeshData(text, 'extras.obj')
    expect(mesh.warnings).toEqual(["skipped 1 'l' statements", "skipped 1 'p' statements", "skipped 1 'curv' statements"])
  })
})

describe('parseObj errors', () => {
  it('rejects a file with no faces', async () => {
    await expectLoadError('', 'empty.obj', 'empty', /empty/)
    await expectLoadError('v 0 0 0\nv 1 0 0\n', 'points.obj', 'no-faces', /no faces/)
  })

  it('rejects index 0 and indices out of range', async () => {
    await expectLoadError('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n', 'zero.obj', 'index-out-of-range',
      /line 4: vertex index 0 is out of range; expected 1 to 3 or -1 to -3/)
    await expectLoadError('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n', 'over.obj', 'index-out-of-range',
      /line 4: vertex index 4 is out of range; expected 1 to 3/)
    await expectLoadError('v 0 0 0\nv 1 0 0\nv 0 1 0\nf -4 -2 -1\n', 'under.obj', 'index-out-of-range', /index -4/)
    await expectLoadError('v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//1 2//2 3//1\n', 'normal.obj', 'index-out-of-range',
      /line 5: normal index 2 is out of range; expected 1 to 1/)
  })

  it('rejects NaN and infinite coordinates', async () => {
    await expectLoadError('v 0 0 0\nv 1 0 nan\nv 0 1 0\nf 1 2 3\n', 'nan.obj', 'non-finite',
      /line 2 \(vertex 2\): the vertex has coordinates 1 0 NaN; expected finite numbers/)
  })

  it('rejects faces with fewer than 3 vertices', async () => {
    await expectLoadError('v 0 0 0\nv 1 0 0\nf 1 2\n', 'small.obj', 'face-too-small', /line 3: face has 2 vertices/)
  })

  it('rejects more faces than the limit', async () => {
    await expectLoadError(TWO_OBJECTS, 'scene.obj', 'too-many-faces', /line 15: .*more than 1 face;/, { maxFaces: 1 })
  })

  it('rejects malformed numbers and statements', async () => {
    await expectLoadError('v 0 0\n', 'short.obj', 'syntax', /line 1: expected the z coordinate of vertex 1, found the end of the line/)
    await expectLoadError('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 x\n', 'word.obj', 'syntax', /line 4: expected a vertex index/)
    await expectLoadError('v 0 0 0\n\u00ff\u00fe garbage\n', 'binary.obj', 'syntax', /line 2: expected an OBJ statement/)
  })
})

describe('OBJ text encodings', () => {
  it('reads UTF-8 with a byte order mark and UTF-16 in both byte orders', async () => {
    const text = 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n'
    const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)])
    const little = new Uint8Array(2 + text.length * 2)
    const big = new Uint8Array(2 + text.length * 2)
    little.set([0xff, 0xfe])
    big.set([0xfe, 0xff])
    for (let i = 0; i < text.length; i++) {
      little[2 + i * 2] = text.charCodeAt(i)
      big[3 + i * 2] = text.charCodeAt(i)
    }
    for (const [bytes, name] of [[utf8, 'utf8.obj'], [little, 'utf16le.obj'], [big, 'utf16be.obj']] as const) {
      const mesh = await loadMeshData(bytes, name)
      expect(Array.from(mesh.triangles)).toEqual([0, 1, 2])
    }
  })
})
