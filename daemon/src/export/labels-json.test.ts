import { readFile } from 'node:fs/promises'
import { describe, expect, test } from 'vitest'

import { PARAM_SPECS } from '../../../protocol/src/params.js'
import { cutTree } from '../../../protocol/src/part-tree.js'
import {
  cubeSegmentation,
  pointCloudSegmentation,
  quadGridSegmentation,
} from '../../test/fixtures/export/segmentations.js'
import { encodeLabelsJson } from './labels-json.js'

const GOLDEN = new URL('../../test/fixtures/export/cube.labels.json', import.meta.url)

function parse(bytes: Uint8Array): Record<string, any> {
  return JSON.parse(new TextDecoder().decode(bytes))
}

describe('encodeLabelsJson', () => {
  test('matches the reviewed cube file', async () => {
    const golden = parse(await readFile(GOLDEN))
    const written = parse(encodeLabelsJson(cubeSegmentation()))
    // Parameters follow PARAM_SPECS, which may grow, so they are checked on their own below.
    const { params: _written, ...rest } = written
    const { params: _golden, ...goldenRest } = golden
    expect(rest).toEqual(goldenRest)
    expect(Object.keys(written)).toEqual(Object.keys(golden))
  })

  test('keeps one line per top-level key', async () => {
    const text = new TextDecoder().decode(encodeLabelsJson(cubeSegmentation()))
    expect(text.startsWith('{\n  "generator": "partfield-bridge",\n  "formatVersion": 1,\n')).toBe(true)
    expect(text).toContain('\n  "labels": [0,1,0,0,1,1],\n')
    expect(text.endsWith('}\n')).toBe(true)
  })

  test('labels re-cut from the tree', () => {
    const json = parse(encodeLabelsJson(cubeSegmentation()))
    const tree = { leafCount: json.tree.leafCount, merges: new Int32Array(json.tree.merges), costs: new Float32Array(json.tree.costs) }
    expect(Array.from(cutTree(tree, json.partCount))).toEqual(json.labels)
  })

  test('lists every parameter in spec order', () => {
    const json = parse(encodeLabelsJson(quadGridSegmentation()))
    expect(Object.keys(json.params)).toEqual(Object.keys(PARAM_SPECS))
    expect(json.params.method).toBe('kmeans')
  })

  test('writes null parameters and tree', () => {
    const seg = quadGridSegmentation()
    seg.params = { ...seg.params, n_clusters: undefined }
    seg.autoPartCount = true
    const json = parse(encodeLabelsJson(seg))
    expect(json.params.n_clusters).toBeNull()
    expect(json.tree).toBeNull()
    expect(json.autoPartCount).toBe(true)
  })

  test('describes a quad grid', () => {
    const json = parse(encodeLabelsJson(quadGridSegmentation()))
    expect(json.source).toEqual({ name: 'grid.gltf', format: 'gltf', kind: 'mesh' })
    expect([json.faceCount, json.pointCount, json.triangleCount, json.partCount]).toEqual([8, 0, 18, 3])
    expect(json.parts.map((part: { size: number }) => part.size)).toEqual([2, 3, 3])
    expect(json.nodes).toEqual([
      { name: 'grid', firstFace: 0, faceCount: 6 },
      { name: 'shapes', firstFace: 6, faceCount: 2 },
    ])
  })

  test('describes a point cloud', () => {
    const json = parse(encodeLabelsJson(pointCloudSegmentation()))
    expect(json.source.kind).toBe('points')
    expect([json.faceCount, json.pointCount, json.triangleCount]).toEqual([0, 12, 0])
    expect(json.labels).toHaveLength(12)
    expect(json.nodes).toEqual([])
  })

  test('prints float32 costs briefly', () => {
    const seg = cubeSegmentation()
    seg.tree!.costs[0] = 1 / 3
    const json = parse(encodeLabelsJson(seg))
    expect(json.tree.costs[0]).toBe(0.33333334)
  })

  test('orders timings by stage', () => {
    const seg = cubeSegmentation()
    seg.timings = { export: 9, load: 1, cluster: 4 }
    const json = parse(encodeLabelsJson(seg))
    expect(Object.entries(json.timings)).toEqual([['load', 1], ['cluster', 4], ['export', 9]])
  })
})
