import { NodeIO, type Document, type Node, type Primitive } from '@gltf-transform/core'
import { describe, expect, test } from 'vitest'

import {
  CUBE_POSITIONS,
  cubeSegmentation,
  pointCloudSegmentation,
  quadGridSegmentation,
} from '../../test/fixtures/export/segmentations.js'
import { describeIssues, validateGlb } from '../../test/fixtures/export/validate-glb.js'
import type { MeshData, PointCloudData } from '../mesh/mesh-data.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { encodeGlb, encodePcaGlb } from './glb.js'
import { partColor, srgbToLinear } from './palette.js'

const POINTS = 0
const TRIANGLES = 4

async function readGlb(bytes: Uint8Array): Promise<Document> {
  return new NodeIO().readBinary(bytes)
}

function nodes(doc: Document): Node[] {
  return doc.getRoot().getDefaultScene()!.listChildren()
}

function primitiveOf(node: Node): Primitive {
  const primitives = node.getMesh()!.listPrimitives()
  expect(primitives).toHaveLength(1)
  return primitives[0]
}

function rows(primitive: Primitive, semantic: string): number[][] {
  const accessor = primitive.getAttribute(semantic)!
  return Array.from({ length: accessor.getCount() }, (_, i) => accessor.getElement(i, []))
}

function triangleCount(primitive: Primitive): number {
  return primitive.getIndices()!.getCount() / 3
}

async function expectValid(bytes: Uint8Array): Promise<void> {
  const report = await validateGlb(bytes)
  expect(describeIssues(report)).toEqual([])
  expect(report.issues.numErrors).toBe(0)
  expect(report.issues.numWarnings).toBe(0)
}

describe('encodeGlb on a cube', () => {
  test('passes the glTF Validator', async () => {
    await expectValid(await encodeGlb(cubeSegmentation()))
  })

  test('writes one named node per part', async () => {
    const doc = await readGlb(await encodeGlb(cubeSegmentation()))
    expect(nodes(doc).map((node) => node.getName())).toEqual(['part_00', 'part_01'])
    expect(nodes(doc).map((node) => node.getExtras())).toEqual([
      { part: 0, faceCount: 3, triangleCount: 6 },
      { part: 1, faceCount: 3, triangleCount: 6 },
    ])
  })

  test('gives each part its own material colour', async () => {
    const doc = await readGlb(await encodeGlb(cubeSegmentation()))
    for (const [part, node] of nodes(doc).entries()) {
      const material = primitiveOf(node).getMaterial()!
      expect(material.getName()).toBe(node.getName())
      const expected = [...partColor(part).map(srgbToLinear), 1]
      material.getBaseColorFactor().forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6))
    }
    expect(doc.getRoot().listMaterials()).toHaveLength(2)
  })

  test('keeps positions in original units', async () => {
    const doc = await readGlb(await encodeGlb(cubeSegmentation()))
    const corners = new Set<string>()
    for (let i = 0; i < 8; i++) corners.add(CUBE_POSITIONS.slice(3 * i, 3 * i + 3).join())
    for (const node of nodes(doc)) {
      const positions = rows(primitiveOf(node), 'POSITION')
      for (const position of positions) expect(corners.has(position.join())).toBe(true)
      expect(primitiveOf(node).getMode()).toBe(TRIANGLES)
    }
  })

  test('welds corners per face normal', async () => {
    const doc = await readGlb(await encodeGlb(cubeSegmentation()))
    // Three quads per part, four corners each with that quad's flat normal.
    for (const node of nodes(doc)) {
      const primitive = primitiveOf(node)
      expect(primitive.getAttribute('POSITION')!.getCount()).toBe(12)
      expect(triangleCount(primitive)).toBe(6)
      expect(primitive.getIndices()!.getArray()).toBeInstanceOf(Uint16Array)
    }
  })

  test('writes unit normals facing out', async () => {
    const seg = cubeSegmentation()
    const doc = await readGlb(await encodeGlb(seg))
    const part1 = primitiveOf(nodes(doc)[1])
    const normals = rows(part1, 'NORMAL')
    const positions = rows(part1, 'POSITION')
    for (const [i, normal] of normals.entries()) {
      expect(Math.hypot(...normal)).toBeCloseTo(1, 6)
      // Each normal points away from the cube centre (100, -50, 20).
      const outward = [positions[i][0] - 100, positions[i][1] + 50, positions[i][2] - 20]
      expect(normal[0] * outward[0] + normal[1] * outward[1] + normal[2] * outward[2]).toBeGreaterThan(0)
    }
    const top = normals.filter((normal) => normal[2] > 0.5)
    expect(top).toHaveLength(4)
    for (const normal of top) expect(normal).toEqual([0, 0, 1])
  })

  test('records generator and scene extras', async () => {
    const bytes = await encodeGlb(cubeSegmentation())
    // The reader replaces asset.generator with its own, so read it from the JSON chunk.
    const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true)
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)))
    expect(json.asset.generator).toBe('partfield-bridge')
    const doc = await readGlb(bytes)
    expect(doc.getRoot().getDefaultScene()!.getExtras()).toEqual({ source: 'cube.obj', view: 'parts', partCount: 2 })
  })
})

describe('encodeGlb on a quad grid with UVs', () => {
  test('passes the glTF Validator', async () => {
    await expectValid(await encodeGlb(quadGridSegmentation()))
  })

  test('counts faces and triangles per part', async () => {
    const doc = await readGlb(await encodeGlb(quadGridSegmentation()))
    expect(nodes(doc).map((node) => node.getExtras())).toEqual([
      { part: 0, faceCount: 2, triangleCount: 4 },
      { part: 1, faceCount: 3, triangleCount: 8 },
      { part: 2, faceCount: 3, triangleCount: 6 },
    ])
    for (const node of nodes(doc)) {
      expect(triangleCount(primitiveOf(node))).toBe(node.getExtras().triangleCount)
    }
  })

  /** Reads part_00 (grid column 0, where u = x / 7.5 and v = y / 5) as [x, y, u, v] rows. */
  async function column0Uvs(seg: Segmentation): Promise<number[][]> {
    const part0 = primitiveOf(nodes(await readGlb(await encodeGlb(seg)))[0])
    expect(part0.getAttribute('NORMAL')).toBeNull()
    const uvs = rows(part0, 'TEXCOORD_0')
    return rows(part0, 'POSITION').map(([x, y], i) => [x, y, ...uvs[i]])
  }

  test('keeps UVs of a glTF source', async () => {
    for (const [x, y, u, v] of await column0Uvs(quadGridSegmentation())) {
      expect(u).toBeCloseTo(x / 7.5, 6)
      expect(v).toBeCloseTo(y / 5, 6)
    }
  })

  test('flips V of an OBJ source', async () => {
    const seg = quadGridSegmentation()
    seg.input.format = 'obj'
    for (const [x, y, u, v] of await column0Uvs(seg)) {
      expect(u).toBeCloseTo(x / 7.5, 6)
      expect(v).toBeCloseTo(1 - y / 5, 6)
    }
  })

  test('splits vertices on a UV seam', async () => {
    const doc = await readGlb(await encodeGlb(quadGridSegmentation()))
    // part_02: two grid quads (6 distinct corners) and the mixed-winding quad (4 corners).
    const part2 = primitiveOf(nodes(doc)[2])
    expect(part2.getAttribute('POSITION')!.getCount()).toBe(10)
    // part_01 contains grid column 1 (6 corners) and the hexagon (6 corners).
    const part1 = primitiveOf(nodes(doc)[1])
    expect(part1.getAttribute('POSITION')!.getCount()).toBe(12)
  })
})

describe('encodeGlb on a point cloud', () => {
  test('passes the glTF Validator', async () => {
    await expectValid(await encodeGlb(pointCloudSegmentation()))
  })

  test('writes a POINTS primitive per part', async () => {
    const seg = pointCloudSegmentation()
    const cloud = seg.input as PointCloudData
    const doc = await readGlb(await encodeGlb(seg))
    expect(nodes(doc).map((node) => node.getName())).toEqual(['part_00', 'part_01', 'part_02'])
    for (const [part, node] of nodes(doc).entries()) {
      const primitive = primitiveOf(node)
      expect(primitive.getMode()).toBe(POINTS)
      expect(primitive.getIndices()).toBeNull()
      expect(node.getExtras()).toEqual({ part, pointCount: 4 })
      const expected = Array.from({ length: 4 }, (_, i) => Array.from(cloud.positions.subarray(12 * part + 3 * i, 12 * part + 3 * i + 3)))
      expect(rows(primitive, 'POSITION')).toEqual(expected)
      for (const normal of rows(primitive, 'NORMAL')) expect(normal).toEqual([0, 0, 1])
    }
  })

  test('drops normals when one is zero', async () => {
    const seg = pointCloudSegmentation()
    ;(seg.input as PointCloudData).normals![5] = 0
    const bytes = await encodeGlb(seg)
    await expectValid(bytes)
    const doc = await readGlb(bytes)
    for (const node of nodes(doc)) expect(primitiveOf(node).getAttribute('NORMAL')).toBeNull()
  })
})

describe('encodePcaGlb', () => {
  /** Returns the expected linear colour of a face from the segmentation's sRGB PCA bytes. */
  function linearPca(seg: Segmentation, face: number): number[] {
    return Array.from(seg.pca!.colors.subarray(3 * face, 3 * face + 3), srgbToLinear)
  }

  test('colours every corner by its face', async () => {
    const seg = cubeSegmentation()
    const bytes = await encodePcaGlb(seg)
    await expectValid(bytes)
    const doc = await readGlb(bytes)
    expect(nodes(doc).map((node) => node.getName())).toEqual(['pca'])
    const primitive = primitiveOf(nodes(doc)[0])
    expect(triangleCount(primitive)).toBe(12)
    // Every face has its own colour and normal, so no corner is shared: 6 faces x 4 corners.
    expect(primitive.getAttribute('COLOR_0')!.getCount()).toBe(24)

    const colors = rows(primitive, 'COLOR_0')
    const normals = rows(primitive, 'NORMAL')
    const faceNormals = [[0, 0, -1], [0, 0, 1], [0, -1, 0], [0, 1, 0], [-1, 0, 0], [1, 0, 0]]
    for (const [i, color] of colors.entries()) {
      const face = faceNormals.findIndex((n) => n.every((value, d) => Math.abs(value - normals[i][d]) < 1e-6))
      const expected = linearPca(seg, face)
      color.forEach((value, d) => expect(value).toBeCloseTo(expected[d], 4))
    }
  })

  test('welds corners of same-coloured faces', async () => {
    const seg = quadGridSegmentation()
    seg.pca!.colors.fill(200)
    const doc = await readGlb(await encodePcaGlb(seg))
    const primitive = primitiveOf(doc.getRoot().listNodes()[0])
    // One colour and no normals, so only the UV seam splits vertices: the grid's 12 plus 3 seam
    // copies, the hexagon's 6 and the last quad's 4.
    expect(primitive.getAttribute('POSITION')!.getCount()).toBe(12 + 3 + 6 + 4)
  })

  test('colours a point cloud per point', async () => {
    const seg = pointCloudSegmentation()
    const bytes = await encodePcaGlb(seg)
    await expectValid(bytes)
    const primitive = primitiveOf((await readGlb(bytes)).getRoot().listNodes()[0])
    expect(primitive.getMode()).toBe(POINTS)
    const colors = rows(primitive, 'COLOR_0')
    expect(colors).toHaveLength(12)
    colors.forEach((color, point) => {
      const expected = linearPca(seg, point)
      color.forEach((value, d) => expect(value).toBeCloseTo(expected[d], 4))
    })
  })

  test('rejects a segmentation without PCA', async () => {
    const seg = cubeSegmentation()
    seg.pca = undefined
    await expect(encodePcaGlb(seg)).rejects.toThrow(/no PCA colours because pca_components is 0/)
  })
})

describe('encodeGlb input checks', () => {
  test('rejects labels outside the part range', async () => {
    const seg = cubeSegmentation()
    seg.labels[3] = 2
    await expect(encodeGlb(seg)).rejects.toThrow(/label 2 at index 3 is outside 0..1/)
  })

  test('rejects a label count mismatch', async () => {
    const seg = cubeSegmentation()
    seg.labels = seg.labels.subarray(0, 5)
    await expect(encodeGlb(seg)).rejects.toThrow(/5 labels for 6 source faces/)
  })

  test('keeps an empty part as a node without mesh', async () => {
    const seg = cubeSegmentation()
    seg.partCount = 3
    const bytes = await encodeGlb(seg)
    await expectValid(bytes)
    const last = nodes(await readGlb(bytes))[2]
    expect(last.getName()).toBe('part_02')
    expect(last.getMesh()).toBeNull()
    expect(last.getExtras()).toEqual({ part: 2, faceCount: 0, triangleCount: 0 })
  })
})
