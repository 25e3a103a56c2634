import { describe, expect, it } from 'vitest'

import { encodePly } from '../../src/export/ply.js'
import { cubeSegmentation, pointCloudSegmentation, quadGridSegmentation } from '../../test/fixtures/export/segmentations.js'
import { PlyReadError, readPly } from './ply-reader.js'
import { buildViewMesh, polygonTriangles } from './view-mesh.js'

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

/** Area of each leaf's triangles, summed. */
function areaPerLeaf(positions: Float32Array, leafOf: Uint32Array, leafCount: number): number[] {
  const areas = new Array<number>(leafCount).fill(0)
  for (let t = 0; t < leafOf.length; t++) {
    const p = positions.subarray(9 * t, 9 * t + 9)
    const u = [p[3] - p[0], p[4] - p[1], p[5] - p[2]]
    const v = [p[6] - p[0], p[7] - p[1], p[8] - p[2]]
    const cross = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
    areas[leafOf[t]] += Math.hypot(...cross) / 2
  }
  return areas
}

describe('readPly and buildViewMesh', () => {
  it('reads the exporter cube as 12 triangles', () => {
    const ply = readPly(toBuffer(encodePly(cubeSegmentation())))
    expect(ply.positions.length).toBe(8 * 3)
    expect(ply.faces!.sourceFace).toEqual(Uint32Array.from([0, 1, 2, 3, 4, 5]))

    const view = buildViewMesh(ply, 6)
    expect(view.kind).toBe('mesh')
    expect(view.leafOf).toEqual(Uint32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]))
    expect(view.positions.length).toBe(12 * 9)
  })

  it('keeps concave and split faces whole', () => {
    const view = buildViewMesh(readPly(toBuffer(encodePly(quadGridSegmentation()))), 8)
    const areas = areaPerLeaf(view.positions, view.leafOf, 8)
    for (let quad = 0; quad < 6; quad++) expect(areas[quad]).toBeCloseTo(6.25, 5)
    // The L-shaped hexagon covers 4 x 2 plus 2 x 2.
    expect(areas[6]).toBeCloseTo(12, 5)
    // Face 7 comes as two triangles with opposite windings; both belong to it.
    expect(view.leafOf.filter((leaf) => leaf === 7).length).toBe(2)
    expect(areas[7]).toBeCloseTo(4, 5)
  })

  it('keeps a point cloud as points', () => {
    const view = buildViewMesh(readPly(toBuffer(encodePly(pointCloudSegmentation()))), 12)
    expect(view.kind).toBe('points')
    expect(view.positions.length).toBe(36)
    expect(view.leafOf[11]).toBe(11)
  })

  it('rejects a face naming a missing source face', () => {
    const ply = readPly(toBuffer(encodePly(cubeSegmentation())))
    expect(() => buildViewMesh(ply, 5)).toThrow('face 5 of the parts PLY names source face 5; the result has 5')
  })

  it('reports a truncated file', () => {
    const bytes = encodePly(cubeSegmentation())
    expect(() => readPly(toBuffer(bytes.subarray(0, bytes.length - 10)))).toThrow(PlyReadError)
    expect(() => readPly(toBuffer(bytes.subarray(0, bytes.length - 10)))).toThrow(/truncated PLY: the face element/)
  })

  it('rejects an ASCII PLY', () => {
    const text = 'ply\nformat ascii 1.0\nelement vertex 0\nend_header\n'
    expect(() => readPly(toBuffer(new TextEncoder().encode(text)))).toThrow('unsupported PLY format ascii on header line 2; expected binary_little_endian')
  })
})

describe('polygonTriangles', () => {
  it('clips a concave hexagon where a fan would fail', () => {
    // The L shape starting at (2, 0): a fan from there crosses the notch at (1, 1).
    const xy = [[2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]
    const vertices = Float32Array.from(xy.flatMap(([x, y]) => [x, y, 0]))
    const triangles = polygonTriangles(vertices, [0, 1, 2, 3, 4, 5])
    expect(triangles.length).toBe(4)
    const area = triangles.reduce((sum, [a, b, c]) => {
      const [ax, ay] = xy[a]
      const [bx, by] = xy[b]
      const [cx, cy] = xy[c]
      return sum + Math.abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) / 2
    }, 0)
    expect(area).toBeCloseTo(3, 6)
  })

  it('splits a quad standing in the yz plane', () => {
    const vertices = Float32Array.from([0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1])
    expect(polygonTriangles(vertices, [0, 1, 2, 3]).length).toBe(2)
  })
})
