import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { parseParams } from '../../../../protocol/src/params.js'
import type { LoadedInput } from '../../mesh/mesh-data.js'
import { readMeshFile } from '../../mesh/read-file.js'
import { prepareMesh } from '../../prepare/prepare.js'
import { segment } from '../../pipeline/segment.js'
import { createGeometricBackend } from './index.js'

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/geometric/', import.meta.url))
const backend = createGeometricBackend()

/** Region of a point of the dumbbell fixtures: box A (x <= 6, its wall included), the bar, box B (x >= 14). */
function regionOf(x: number): number {
  if (x <= 6) return 0
  return x >= 14 ? 2 : 1
}

/** Per source face (or point): the region its centre lies in. */
function regionsOf(input: LoadedInput): number[] {
  if (input.kind === 'points') {
    const regions: number[] = []
    for (let i = 0; i < input.positions.length; i += 3) regions.push(regionOf(input.positions[i]))
    return regions
  }
  const sumX = new Float64Array(input.polygonCount)
  const corners = new Float64Array(input.polygonCount)
  for (let t = 0; t < input.triangleToPolygon.length; t++) {
    for (let c = 0; c < 3; c++) sumX[input.triangleToPolygon[t]] += input.positions[3 * input.triangles[3 * t + c]]
    corners[input.triangleToPolygon[t]] += 3
  }
  return Array.from(sumX, (sum, polygon) => regionOf(sum / corners[polygon]))
}

/** For each region: its most common label and the share of its faces that carry it. */
function regionMajorities(labels: Int32Array, regions: number[]): { label: number; share: number }[] {
  return [0, 1, 2].map((region) => {
    const counts = new Map<number, number>()
    let total = 0
    regions.forEach((r, i) => {
      if (r !== region) return
      counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1)
      total++
    })
    const [label, count] = [...counts].sort((a, b) => b[1] - a[1])[0]
    return { label, share: count / total }
  })
}

async function segmentFixture(name: string, k: number) {
  const input = await readMeshFile(join(FIXTURES, name))
  const seg = await segment(input, parseParams({ n_clusters: k, backend: 'geometric' }), { backend })
  return { input, seg, majorities: regionMajorities(seg.labels, regionsOf(input)) }
}

describe('geometric backend on messy meshes', () => {
  const cases = [
    ['dumbbell.off', 'clean watertight mesh'],
    ['dumbbell-flipped.off', 'inconsistent winding'],
    ['dumbbell-holes.off', 'holes'],
    ['dumbbell-soup.off', 'duplicated vertices'],
    ['dumbbell-nonmanifold.off', 'non-manifold edges'],
    ['three-pieces.off', 'three components'],
  ] as const

  for (const [file, what] of cases) {
    it(`splits two boxes and a bar at k = 3: ${what}`, async () => {
      const { seg, majorities } = await segmentFixture(file, 3)

      expect(seg.partCount).toBe(3)
      expect(new Set(majorities.map((m) => m.label)).size).toBe(3)
      for (const { share } of majorities) expect(share).toBeGreaterThan(0.9)
    })
  }

  it('gives the same parts whatever the winding', async () => {
    const clean = await segmentFixture('dumbbell.off', 3)
    const flipped = await segmentFixture('dumbbell-flipped.off', 3)

    expect(Array.from(flipped.seg.labels)).toEqual(Array.from(clean.seg.labels))
  })

  it('keeps each box whole at k = 2', async () => {
    const { seg, majorities } = await segmentFixture('dumbbell.off', 2)

    expect(seg.partCount).toBe(2)
    expect(majorities[0].label).not.toBe(majorities[2].label)
    expect(majorities[0].share).toBe(1)
    expect(majorities[2].share).toBe(1)
  })
})

/** Number of connected pieces of each label over the shared-edge graph of the prepared mesh. */
function piecesPerLabel(labels: Int32Array, input: LoadedInput): number[] {
  if (input.kind !== 'mesh') throw new Error('expected a mesh')
  const mesh = prepareMesh(input, { cleanup: true, weldTolerance: 1e-6, adjacency: 'component_mst', knn: 0 })
  const triangleLabel = Array.from(input.triangleToPolygon, (polygon) => labels[polygon])
  const seen = new Uint8Array(triangleLabel.length)
  const pieces = new Array<number>(Math.max(...labels) + 1).fill(0)
  for (let start = 0; start < seen.length; start++) {
    if (seen[start]) continue
    pieces[triangleLabel[start]]++
    seen[start] = 1
    const stack = [start]
    while (stack.length > 0) {
      const t = stack.pop()!
      for (let p = mesh.adjacency.offsets[t]; p < mesh.adjacency.offsets[t + 1]; p++) {
        const u = mesh.adjacency.neighbors[p]
        if (seen[u] || triangleLabel[u] !== triangleLabel[t]) continue
        seen[u] = 1
        stack.push(u)
      }
    }
  }
  return pieces
}

describe('geometric backend part shapes', () => {
  it('gives connected parts at k = 8', async () => {
    const { input, seg } = await segmentFixture('dumbbell-flipped.off', 8)

    expect(seg.partCount).toBe(8)
    expect(piecesPerLabel(seg.labels, input)).toEqual(new Array(8).fill(1))
  })
})

describe('geometric backend on a point cloud', () => {
  it('splits the sampled dumbbell into boxes and bar at k = 3', async () => {
    const { input, seg, majorities } = await segmentFixture('dumbbell-points.ply', 3)

    expect(input.kind).toBe('points')
    expect(seg.partCount).toBe(3)
    expect(new Set(majorities.map((m) => m.label)).size).toBe(3)
    for (const { share } of majorities) expect(share).toBeGreaterThan(0.85)
  })
})

describe('geometric backend cancellation', () => {
  it('stops after the first step once aborted', async () => {
    const input = await readMeshFile(join(FIXTURES, 'dumbbell.off'))
    if (input.kind !== 'mesh') throw new Error('dumbbell.off loaded as a point cloud')
    const mesh = prepareMesh(input, { cleanup: true, weldTolerance: 1e-6, adjacency: 'component_mst', knn: 0 })
    const controller = new AbortController()
    const fractions: number[] = []
    const context = {
      params: parseParams({ backend: 'geometric' }),
      signal: controller.signal,
      onProgress: (fraction: number) => {
        fractions.push(fraction)
        if (fraction > 0) controller.abort(new Error('cancelled by test'))
      },
    }

    await expect(backend.meshFeatures(mesh, context)).rejects.toThrow('cancelled by test')
    expect(fractions).toEqual([0, 0.1])
  })
})
