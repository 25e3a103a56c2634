import { describe, expect, it } from 'vitest'
import type { FeatureField } from '../features/feature-field.js'
import type { MeshData } from '../mesh/mesh-data.js'
import { prepareMesh } from '../prepare/prepare.js'
import type { Csr } from '../prepare/prepared-mesh.js'
import { joinMeshes, meshFromArrays } from '../prepare/synthetic-meshes.js'
import { polygonFeatures } from './polygon-features.js'
import { polygonGraph } from './polygon-graph.js'

const OPTIONS = { cleanup: true, weldTolerance: 1e-6, adjacency: 'naive' as const, knn: 0 }

/** Groups consecutive triangles into polygons: `sizes[p]` triangles for polygon p. */
function withPolygons(mesh: MeshData, sizes: number[]): MeshData {
  const triangleToPolygon = new Uint32Array(mesh.triangles.length / 3)
  let t = 0
  sizes.forEach((size, polygon) => {
    for (let i = 0; i < size; i++) triangleToPolygon[t++] = polygon
  })
  return { ...mesh, triangleToPolygon, polygonCount: sizes.length, nodes: [{ name: 'n', polygonCount: sizes.length }] }
}

function rows(graph: Csr): number[][] {
  return Array.from({ length: graph.offsets.length - 1 }, (_, i) => Array.from(graph.neighbors.subarray(graph.offsets[i], graph.offsets[i + 1])))
}

function field(values: number[], dim: number): FeatureField {
  return { values: Float32Array.from(values), dim, count: values.length / dim, backend: 'geometric', settings: {} }
}

// A strip of three unit quads (two triangles each) along x, then a separate quad far away.
const strip = meshFromArrays(
  [0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 2, 0, 0, 2, 1, 0, 3, 0, 0, 3, 1, 0],
  [0, 2, 1, 1, 2, 3, 2, 4, 3, 3, 4, 5, 4, 6, 5, 5, 6, 7],
)
const far = meshFromArrays([9, 0, 0, 9, 1, 0, 10, 0, 0, 10, 1, 0], [0, 2, 1, 1, 2, 3])
const quads = withPolygons(joinMeshes([strip, far]), [2, 2, 2, 2])

describe('polygonGraph', () => {
  it('contracts triangle links to polygon links, bridges included', () => {
    const graph = polygonGraph(prepareMesh(quads, OPTIONS))
    // The naive bridge joins triangle 0 (polygon 0) with triangle 6 (polygon 3).
    expect(rows(graph)).toEqual([[1, 3], [0, 2], [1], [0]])
  })
})

describe('polygonFeatures', () => {
  it('averages triangle rows by area and normalises each polygon row', () => {
    // Polygon 0 = one triangle of area 0.5 and one of area 1.5.
    const mesh = withPolygons(meshFromArrays([0, 0, 0, 1, 0, 0, 0, 1, 0, 4, 0, 0, 4, 1, 0], [0, 1, 2, 1, 3, 4]), [2])
    const prepared = prepareMesh(mesh, OPTIONS)
    const ratio = prepared.areas[1] / prepared.areas[0]
    expect(ratio).toBeCloseTo(3, 5)
    const out = polygonFeatures(field([1, 0, 0, 1], 2), prepared, polygonGraph(prepared))
    // Mean (0.25, 0.75) before normalising.
    expect(out[0]).toBeCloseTo(0.25 / Math.hypot(0.25, 0.75), 5)
    expect(out[1]).toBeCloseTo(0.75 / Math.hypot(0.25, 0.75), 5)
  })

  it('fills polygons without kept triangles from their neighbours', () => {
    // Polygon 1 is a single degenerate triangle between polygons 0 and 2.
    const mesh = withPolygons(
      meshFromArrays([0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0, 2, 1, 0], [0, 1, 2, 1, 3, 1, 1, 3, 4]),
      [1, 1, 1],
    )
    const prepared = prepareMesh(mesh, OPTIONS)
    expect(Array.from(prepared.kept)).toEqual([1, 0, 1])
    const graph = polygonGraph(prepared)
    const out = polygonFeatures(field([3, 0, 99, 99, 0, 4], 2), prepared, graph)
    expect(Array.from(out.subarray(0, 2))).toEqual([1, 0])
    expect(Array.from(out.subarray(4, 6))).toEqual([0, 1])
    // Polygon 1 touches polygons 0 and 2, so it takes the mean of (3, 0) and (0, 4), normalised.
    expect(Array.from(graph.neighbors.subarray(graph.offsets[1], graph.offsets[2]))).toEqual([0, 2])
    expect(out[2]).toBeCloseTo(0.6, 6)
    expect(out[3]).toBeCloseTo(0.8, 6)
  })

  it('leaves zero rows at zero', () => {
    const prepared = prepareMesh(withPolygons(strip, [2, 2, 2]), OPTIONS)
    const out = polygonFeatures(field(new Array(12).fill(0), 2), prepared, polygonGraph(prepared))
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0])
  })
})
