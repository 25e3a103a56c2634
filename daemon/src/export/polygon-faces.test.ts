import { describe, expect, test } from 'vitest'

import {
  CUBE_QUADS,
  cubeSegmentation,
  HEXAGON_XY,
  quadGridSegmentation,
} from '../../test/fixtures/export/segmentations.js'
import type { MeshData } from '../mesh/mesh-data.js'
import { weldKeys } from './corner-weld.js'
import { polygonFaces, type PolygonFaces } from './polygon-faces.js'

function faceVertices(mesh: MeshData, faces: PolygonFaces, f: number): number[] {
  const corners = faces.corners.subarray(faces.offsets[f], faces.offsets[f + 1])
  return Array.from(corners, (corner) => mesh.triangles[corner])
}

/** Rotates a loop so it starts at its smallest vertex, to compare loops regardless of start. */
function canonicalLoop(loop: number[]): number[] {
  const start = loop.indexOf(Math.min(...loop))
  return [...loop.slice(start), ...loop.slice(0, start)]
}

describe('polygonFaces', () => {
  test('rebuilds cube quads in source order', () => {
    const mesh = cubeSegmentation().input as MeshData
    const faces = polygonFaces(mesh, 255)
    expect(Array.from(faces.polygons)).toEqual([0, 1, 2, 3, 4, 5])
    for (let f = 0; f < 6; f++) expect(faceVertices(mesh, faces, f)).toEqual(CUBE_QUADS[f])
  })

  test('rebuilds a concave hexagon', () => {
    const mesh = quadGridSegmentation().input as MeshData
    const faces = polygonFaces(mesh, 255)
    const hexagon = faces.polygons.indexOf(6)
    const expected = HEXAGON_XY.map((_, i) => 12 + i)
    expect(canonicalLoop(faceVertices(mesh, faces, hexagon))).toEqual(expected)
  })

  test('keeps corners of the polygon itself', () => {
    const mesh = quadGridSegmentation().input as MeshData
    const faces = polygonFaces(mesh, 255)
    for (let f = 0; f < faces.polygons.length; f++) {
      for (let c = faces.offsets[f]; c < faces.offsets[f + 1]; c++) {
        const triangle = Math.floor(faces.corners[c] / 3)
        expect(mesh.triangleToPolygon[triangle]).toBe(faces.polygons[f])
      }
    }
  })

  test('writes mixed-winding polygon as triangles', () => {
    const mesh = quadGridSegmentation().input as MeshData
    const faces = polygonFaces(mesh, 255)
    expect(Array.from(faces.polygons)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 7])
    expect(faceVertices(mesh, faces, 7)).toEqual([18, 19, 20])
    expect(faceVertices(mesh, faces, 8)).toEqual([18, 21, 20])
  })

  test('splits polygons over the corner limit', () => {
    const mesh = quadGridSegmentation().input as MeshData
    const faces = polygonFaces(mesh, 4)
    const hexagonFaces = Array.from(faces.polygons).filter((polygon) => polygon === 6)
    expect(hexagonFaces).toHaveLength(4)
    expect(faces.offsets.at(-1)).toBe(faces.corners.length)
  })

  test('rejects a ring with a hole', () => {
    // A square ring: outer loop 0-3, inner loop 4-7, eight triangles in one polygon.
    const positions = new Float32Array([0, 0, 0, 3, 0, 0, 3, 3, 0, 0, 3, 0, 1, 1, 0, 2, 1, 0, 2, 2, 0, 1, 2, 0])
    const triangles = new Uint32Array([
      0, 1, 5, 0, 5, 4, 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7,
    ])
    const mesh: MeshData = {
      kind: 'mesh', format: 'obj', sourceName: 'ring.obj', positions, triangles,
      triangleToPolygon: new Uint32Array(8), triangleNode: new Uint32Array(8),
      polygonCount: 1, nodes: [{ name: 'ring', polygonCount: 1 }], warnings: [],
    }
    const faces = polygonFaces(mesh, 255)
    expect(faces.polygons).toHaveLength(8)
  })

  test('rebuilds a large fan-triangulated polygon', () => {
    const corners = 200
    const positions = new Float32Array(3 * corners)
    for (let i = 0; i < corners; i++) {
      positions[3 * i] = Math.cos((2 * Math.PI * i) / corners)
      positions[3 * i + 1] = Math.sin((2 * Math.PI * i) / corners)
    }
    const triangles = new Uint32Array(3 * (corners - 2))
    for (let i = 0; i < corners - 2; i++) triangles.set([0, i + 1, i + 2], 3 * i)
    const mesh: MeshData = {
      kind: 'mesh', format: 'off', sourceName: 'disc.off', positions, triangles,
      triangleToPolygon: new Uint32Array(corners - 2), triangleNode: new Uint32Array(corners - 2),
      polygonCount: 1, nodes: [{ name: 'disc', polygonCount: 1 }], warnings: [],
    }
    const faces = polygonFaces(mesh, Infinity)
    expect(faceVertices(mesh, faces, 0)).toEqual(Array.from({ length: corners }, (_, i) => i))
  })
})

describe('weldKeys', () => {
  test('merges equal keys in first-seen order', () => {
    const keys = new Uint32Array([5, 1, 7, 2, 5, 1, 9, 9, 7, 2])
    const weld = weldKeys(keys, 2)
    expect(weld.count).toBe(3)
    expect(Array.from(weld.remap)).toEqual([0, 1, 0, 2, 1])
    expect(Array.from(weld.firsts)).toEqual([0, 1, 3])
  })

  test('keeps keys differing in one word apart', () => {
    const count = 5000
    const keys = new Uint32Array(2 * count)
    for (let i = 0; i < count; i++) keys.set([i % 100, Math.floor(i / 100)], 2 * i)
    expect(weldKeys(keys, 2).count).toBe(count)
  })
})
