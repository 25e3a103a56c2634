/**
 * The partfield backend on a reduced-width export of the same network (golden-rule weights), so
 * the whole path from export_onnx.py through onnxruntime-node runs in seconds.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DEFAULT_PARAMS, type SegmentParams } from '../../../../protocol/src/params.js'
import type { MeshData } from '../../mesh/mesh-data.js'
import { prepareMesh } from '../../prepare/prepare.js'
import type { FeatureContext } from '../feature-field.js'
import { isOutOfMemory, loadEncoder, PartfieldModelError } from './encoder.js'
import { goldenPoints } from './golden-inputs.js'
import { createPartfieldBackend } from './index.js'
import { exportUnavailableReason, runExport } from './python-export.js'
import { samplePoints } from './triplane.js'

const REDUCED_CHANNELS = 40
const REDUCED_RESOLUTION = 32
const EXPORT_TIMEOUT_MS = 180_000

const unavailable = exportUnavailableReason()
if (unavailable) console.warn(`skipping the partfield backend tests: ${unavailable}`)

/** Builds a closed box of 2 x 2 quads per side, 48 triangles. */
function boxMesh(): MeshData {
  const positions: number[] = []
  const triangles: number[] = []
  const grid = 3
  for (let axis = 0; axis < 3; axis++) {
    for (const side of [-1, 1]) {
      const start = positions.length / 3
      for (let i = 0; i < grid; i++) {
        for (let j = 0; j < grid; j++) {
          const point = [0, 0, 0]
          point[axis] = side
          point[(axis + 1) % 3] = -1 + i
          point[(axis + 2) % 3] = (-1 + j) * 0.5
          positions.push(...point)
        }
      }
      for (let i = 0; i + 1 < grid; i++) {
        for (let j = 0; j + 1 < grid; j++) {
          const a = start + i * grid + j
          triangles.push(a, a + grid, a + 1, a + 1, a + grid, a + grid + 1)
        }
      }
    }
  }
  const count = triangles.length / 3
  return {
    kind: 'mesh',
    format: 'obj',
    sourceName: 'box.obj',
    positions: new Float32Array(positions),
    triangles: new Uint32Array(triangles),
    triangleToPolygon: Uint32Array.from({ length: count }, (_, i) => i),
    triangleNode: new Uint32Array(count),
    polygonCount: count,
    nodes: [{ name: 'box', polygonCount: count }],
    warnings: [],
  }
}

function context(params: Partial<SegmentParams> = {}, signal = new AbortController().signal): FeatureContext {
  return { params: { ...DEFAULT_PARAMS, ...params }, onProgress: () => {}, signal }
}

function maxRelativeDifference(ours: Float32Array, reference: Float32Array): number {
  let difference = 0
  let scale = 0
  for (let i = 0; i < reference.length; i++) {
    difference = Math.max(difference, Math.abs(ours[i] - reference[i]))
    scale = Math.max(scale, Math.abs(reference[i]))
  }
  return difference / scale
}

describe.skipIf(unavailable !== undefined)('partfield backend (reduced width)', () => {
  let dir: string
  let modelPath: string
  let halfPath: string
  let reference: Float32Array

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'partfield-reduced-'))
    modelPath = join(dir, 'reduced.onnx')
    halfPath = join(dir, 'reduced-fp16.onnx')
    const referencePath = join(dir, 'reference.f32')
    const run = runExport(['--reduced', '--out', modelPath, '--reference', referencePath], EXPORT_TIMEOUT_MS)
    if (run.status !== 0) throw new Error(`export_onnx.py --reduced failed:\n${run.output}`)
    const half = runExport(['--reduced', '--fp16', '--out', halfPath], EXPORT_TIMEOUT_MS)
    if (half.status !== 0) throw new Error(`export_onnx.py --reduced --fp16 failed:\n${half.output}`)
    const bytes = readFileSync(referencePath)
    reference = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  }, 2 * EXPORT_TIMEOUT_MS)

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('encoder matches PyTorch at another point count than traced', async () => {
    const encoder = await loadEncoder(modelPath)
    const triplane = await encoder.encode(goldenPoints())
    await encoder.release()
    expect(encoder.device).toBe('cpu')
    expect(triplane.channels).toBe(REDUCED_CHANNELS)
    expect(triplane.resolution).toBe(REDUCED_RESOLUTION)

    // Undo the channel-last layout to compare with PyTorch's [1, 3, C, R, R].
    const area = REDUCED_RESOLUTION * REDUCED_RESOLUTION
    const planes = new Float32Array(reference.length)
    for (let p = 0; p < 3; p++) {
      for (let t = 0; t < area; t++) {
        for (let c = 0; c < REDUCED_CHANNELS; c++) {
          planes[(p * REDUCED_CHANNELS + c) * area + t] = triplane.texels[(p * area + t) * REDUCED_CHANNELS + c]
        }
      }
    }
    expect(maxRelativeDifference(planes, reference)).toBeLessThan(1e-5)
  })

  it('float16 export stays close to float32', async () => {
    const full = await loadEncoder(modelPath)
    const half = await loadEncoder(halfPath)
    const points = goldenPoints()
    const a = await full.encode(points)
    const b = await half.encode(points)
    expect(maxRelativeDifference(b.texels, a.texels)).toBeLessThan(1e-2)
    await Promise.all([full.release(), half.release()])
  })

  it('meshFeatures gives one row per triangle', async () => {
    const backend = await createPartfieldBackend(modelPath)
    const mesh = prepareMesh(boxMesh(), { cleanup: true, weldTolerance: 1e-6, adjacency: 'naive', knn: 0 })
    const fractions: number[] = []
    const field = await backend.meshFeatures(mesh, {
      ...context({ sampling: 'auto' }),
      onProgress: (fraction) => fractions.push(fraction),
    })

    expect(backend.name).toBe('partfield')
    expect(backend.device).toBe('cpu')
    expect(field.count).toBe(48)
    expect(field.dim).toBe(REDUCED_CHANNELS)
    expect(field.values.length).toBe(48 * REDUCED_CHANNELS)
    expect(field.values.every(Number.isFinite)).toBe(true)
    expect(field.settings.sampling).toBe('adaptive')
    expect(field.settings.encoder_points).toBe(100_000)
    expect(fractions.at(-1)).toBe(1)
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y))
  })

  it('full and adaptive sampling agree on a coarse box', async () => {
    const backend = await createPartfieldBackend(modelPath)
    const mesh = prepareMesh(boxMesh(), { cleanup: true, weldTolerance: 1e-6, adjacency: 'naive', knn: 0 })
    const adaptive = await backend.meshFeatures(mesh, context({ sampling: 'adaptive' }))
    const full = await backend.meshFeatures(mesh, context({ sampling: 'full', points_per_face: 4000 }))
    const again = await backend.meshFeatures(mesh, context({ sampling: 'full', points_per_face: 4000 }))

    expect(full.settings.sampling).toBe('full')
    expect(Array.from(again.values)).toEqual(Array.from(full.values))
    // Each face spans many cells, so 4,000 random points leave a Monte Carlo error of about 1%.
    expect(maxRelativeDifference(full.values, adaptive.values)).toBeLessThan(0.05)
  })

  it('pointFeatures reads the planes of the cloud itself', async () => {
    const backend = await createPartfieldBackend(modelPath)
    const positions = goldenPoints().slice(0, 3 * 5000)
    const field = await backend.pointFeatures({ positions, count: 5000 }, context())
    const encoder = await loadEncoder(modelPath)
    const expected = samplePoints(await encoder.encode(positions), positions)
    await encoder.release()

    expect(field.count).toBe(5000)
    expect(field.dim).toBe(REDUCED_CHANNELS)
    expect(Array.from(field.values)).toEqual(Array.from(expected))
  })

  it('rejects an aborted job', async () => {
    const backend = await createPartfieldBackend(modelPath)
    const mesh = prepareMesh(boxMesh(), { cleanup: true, weldTolerance: 1e-6, adjacency: 'naive', knn: 0 })
    const controller = new AbortController()
    controller.abort(new Error('cancelled by test'))
    await expect(backend.meshFeatures(mesh, context({}, controller.signal))).rejects.toThrow('cancelled by test')
  })
})

describe('partfield model errors', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'partfield-errors-'))
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('names a missing model file', async () => {
    const missing = join(dir, 'absent.onnx')
    await expect(createPartfieldBackend(missing)).rejects.toThrow(PartfieldModelError)
    await expect(createPartfieldBackend(missing)).rejects.toThrow(`PartField model not found at ${missing}`)
  })

  it('rejects a file that is not ONNX', async () => {
    const bogus = join(dir, 'bogus.onnx')
    writeFileSync(bogus, 'this is not a model')
    await expect(createPartfieldBackend(bogus)).rejects.toThrow(/could not be loaded: .*export_onnx\.py/)
  })

  it('recognises a failed allocation', () => {
    let caught: unknown
    try {
      new Float32Array(2 ** 40)
    } catch (error) {
      caught = error
    }
    expect(isOutOfMemory(caught)).toBe(true)
    expect(isOutOfMemory(new Error('invalid points_per_face'))).toBe(false)
  })
})
