import { describe, expect, it } from 'vitest'

import { parseParams } from '../../../../protocol/src/params.js'
import type { PointCloudData } from '../../mesh/mesh-data.js'
import { segment } from '../../pipeline/segment.js'
import { meshFromArrays } from '../../prepare/synthetic-meshes.js'
import { createGeometricBackend } from './index.js'

const backend = createGeometricBackend()

describe('geometric backend on tiny inputs', () => {
  it('segments a single triangle', async () => {
    const mesh = meshFromArrays([0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 1, 2])
    const seg = await segment(mesh, parseParams({ n_clusters: 2, backend: 'geometric' }), { backend })

    expect(seg.partCount).toBe(1)
    expect(Array.from(seg.labels)).toEqual([0])
  })

  it('segments two separate triangles into two parts', async () => {
    const mesh = meshFromArrays([0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 0, 0, 6, 0, 0, 5, 1, 0], [0, 1, 2, 3, 4, 5])
    const seg = await segment(mesh, parseParams({ n_clusters: 2, backend: 'geometric' }), { backend })

    expect(seg.partCount).toBe(2)
    expect(seg.labels[0]).not.toBe(seg.labels[1])
  })

  it('segments a cloud of three points', async () => {
    const cloud: PointCloudData = {
      kind: 'points',
      format: 'ply',
      sourceName: 'three.ply',
      positions: Float32Array.from([0, 0, 0, 1, 0, 0, 10, 0, 0]),
      warnings: [],
    }
    const seg = await segment(cloud, parseParams({ n_clusters: 2, backend: 'geometric' }), { backend })

    expect(seg.partCount).toBe(2)
    expect(seg.labels[0]).toBe(seg.labels[1])
    expect(seg.labels[2]).not.toBe(seg.labels[0])
  })
})
