/**
 * `npm run bench:partfield`: speed and fidelity of the partfield backend on this machine.
 *
 *   npm run bench:partfield -- [--model FILE] [--data DIR] [--meshes N] [--skip-large]
 *
 * --model   ONNX encoder to time (default: export the golden-weight model to a temporary folder
 *           with runpod/export_onnx.py --golden, about a minute)
 * --data    folder of .off meshes (such as the PSB development subset) for the fidelity of
 *           adaptive against full sampling and for the whole-pipeline timing
 * --meshes  how many meshes of --data to compare, smallest id first (default 6)
 * --skip-large  leave out the 100,000-face sampling timings
 *
 * Prints: encoder time, per-face sampling time at 10k and 100k faces for points_per_face 1000 and
 * 2000 in full and adaptive modes, per-face deviation and label agreement (adjusted Rand index at
 * k = 2..20) of adaptive against full sampling beside full sampling with another seed, one
 * ~20k-face mesh through segment(), peak memory.
 */

import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { DEFAULT_PARAMS, type SegmentParams } from '../../protocol/src/params.js'
import type { DeviceName, FeatureBackend, FeatureField } from '../src/features/feature-field.js'
import { loadEncoder, type PartfieldEncoder } from '../src/features/partfield/encoder.js'
import { faceFeatures, type FaceSampling } from '../src/features/partfield/face-features.js'
import { createPartfieldBackend, ENCODER_POINTS, resolveSampling } from '../src/features/partfield/index.js'
import { exportUnavailableReason, runExport } from '../src/features/partfield/python-export.js'
import { sampleSurface } from '../src/features/partfield/surface-samples.js'
import type { Triplane } from '../src/features/partfield/triplane.js'
import type { MeshData } from '../src/mesh/mesh-data.js'
import { readMeshFile } from '../src/mesh/read-file.js'
import { segment } from '../src/pipeline/segment.js'
import { recut } from '../src/pipeline/recut.js'
import { prepareMesh } from '../src/prepare/prepare.js'
import type { PreparedMesh } from '../src/prepare/prepared-mesh.js'

const PREPARE = { cleanup: true, weldTolerance: 1e-6, adjacency: DEFAULT_PARAMS.adjacency, knn: 0 }
const PART_COUNTS = Array.from({ length: 19 }, (_, i) => i + 2)
const ARI_TARGET = 0.99
const PIPELINE_FACES = 20_000
const PIPELINE_TARGET_MS = 40_000

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    meshes: { type: 'string', default: '6' },
    'skip-large': { type: 'boolean', default: false },
  },
})

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

async function timed<T>(work: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const result = await work()
  return [result, performance.now() - start]
}

/** Exports the golden-weight model for this run, unless --model names a model file. */
function modelPath(): { path: string; cleanup: () => void } {
  if (args.model) return { path: args.model, cleanup: () => {} }
  const reason = exportUnavailableReason()
  if (reason) throw new Error(`cannot export the golden model: ${reason}; pass --model FILE`)
  const dir = mkdtempSync(join(tmpdir(), 'partfield-bench-'))
  const path = join(dir, 'partfield-golden.onnx')
  const start = performance.now()
  const run = runExport(['--golden', '--out', path], 900_000)
  if (run.status !== 0) throw new Error(`export_onnx.py --golden failed:\n${run.output}`)
  console.log(`exported the golden-weight model in ${seconds(performance.now() - start)}`)
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Builds a torus of about `faces` triangles inside PartField's normalised cube. */
function torusMesh(faces: number): MeshData {
  const around = Math.round(Math.sqrt(faces * 1.5))
  const tube = Math.max(3, Math.round(faces / 2 / around))
  const positions = new Float32Array(around * tube * 3)
  const triangles = new Uint32Array(around * tube * 6)
  for (let i = 0; i < around; i++) {
    for (let j = 0; j < tube; j++) {
      const u = (2 * Math.PI * i) / around
      const v = (2 * Math.PI * j) / tube
      const k = 3 * (i * tube + j)
      positions[k] = (0.6 + 0.28 * Math.cos(v)) * Math.cos(u)
      positions[k + 1] = (0.6 + 0.28 * Math.cos(v)) * Math.sin(u)
      positions[k + 2] = 0.28 * Math.sin(v)
      const a = i * tube + j
      const b = ((i + 1) % around) * tube + j
      const c = i * tube + ((j + 1) % tube)
      const d = ((i + 1) % around) * tube + ((j + 1) % tube)
      triangles.set([a, b, c, c, b, d], 6 * (i * tube + j))
    }
  }
  const count = triangles.length / 3
  return {
    kind: 'mesh',
    format: 'obj',
    sourceName: `torus-${count}.obj`,
    positions,
    triangles,
    triangleToPolygon: Uint32Array.from({ length: count }, (_, i) => i),
    triangleNode: new Uint32Array(count),
    polygonCount: count,
    nodes: [{ name: 'torus', polygonCount: count }],
    warnings: [],
  }
}

async function encodeMesh(encoder: PartfieldEncoder, mesh: PreparedMesh): Promise<[Triplane, number]> {
  return timed(() => encoder.encode(sampleSurface(mesh, ENCODER_POINTS, DEFAULT_PARAMS.seed)))
}

function features(
  mesh: PreparedMesh,
  triplane: Triplane,
  sampling: FaceSampling,
  pointsPerFace: number,
  seed = DEFAULT_PARAMS.seed,
): Float32Array {
  return faceFeatures(mesh, triplane, {
    sampling,
    pointsPerFace,
    featuresPerSample: DEFAULT_PARAMS.features_per_sample,
    seed,
  })
}

async function benchSampling(triplane: Triplane): Promise<void> {
  const sizes = args['skip-large'] ? [10_000] : [10_000, 100_000]
  console.log('\nper-face sampling (torus meshes, 448 channels, 128 x 128 planes):')
  for (const size of sizes) {
    const mesh = prepareMesh(torusMesh(size), PREPARE)
    const faces = mesh.triangles.length / 3
    for (const pointsPerFace of [1000, 2000]) {
      for (const sampling of ['full', 'adaptive'] as const) {
        const [, ms] = await timed(() => features(mesh, triplane, sampling, pointsPerFace))
        const note = sampling === 'adaptive' ? ' (points_per_face unused)' : ''
        console.log(`  ${faces} faces, points_per_face ${pointsPerFace}, ${sampling}: ${seconds(ms)}${note}`)
      }
    }
  }
}

/** Adjusted Rand index of two labelings of the same elements (1 = identical partitions). */
function adjustedRandIndex(a: Int32Array, b: Int32Array): number {
  const pairs = (n: number) => (n * (n - 1)) / 2
  const joint = new Map<number, number>()
  const rows = new Map<number, number>()
  const columns = new Map<number, number>()
  const width = Math.max(...b) + 1
  for (let i = 0; i < a.length; i++) {
    joint.set(a[i] * width + b[i], (joint.get(a[i] * width + b[i]) ?? 0) + 1)
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1)
    columns.set(b[i], (columns.get(b[i]) ?? 0) + 1)
  }
  let index = 0
  for (const n of joint.values()) index += pairs(n)
  let rowSum = 0
  for (const n of rows.values()) rowSum += pairs(n)
  let columnSum = 0
  for (const n of columns.values()) columnSum += pairs(n)
  const expected = (rowSum * columnSum) / pairs(a.length)
  const maximum = (rowSum + columnSum) / 2
  return maximum === expected ? 1 : (index - expected) / (maximum - expected)
}

/** Relative L2 deviation of each row of `test` from `reference`: mean, 95th percentile, max. */
function rowDeviation(reference: Float32Array, test: Float32Array, dim: number, kept: Uint8Array) {
  const deviations: number[] = []
  for (let row = 0; row < kept.length; row++) {
    if (!kept[row]) continue
    let difference = 0
    let norm = 0
    for (let c = row * dim; c < (row + 1) * dim; c++) {
      difference += (test[c] - reference[c]) ** 2
      norm += reference[c] ** 2
    }
    deviations.push(Math.sqrt(difference / Math.max(norm, 1e-30)))
  }
  deviations.sort((x, y) => x - y)
  const mean = deviations.reduce((sum, d) => sum + d, 0) / deviations.length
  return { mean, p95: deviations[Math.floor(0.95 * (deviations.length - 1))], max: deviations.at(-1)! }
}

function fixedBackend(field: FeatureField, device: DeviceName): FeatureBackend {
  return {
    name: 'partfield',
    device,
    meshFeatures: async () => field,
    pointFeatures: async () => {
      throw new Error('this benchmark backend only serves one mesh')
    },
  }
}

function fieldOf(values: Float32Array, mesh: PreparedMesh, dim: number): FeatureField {
  return { values, dim, count: mesh.triangles.length / 3, backend: 'partfield', settings: {} }
}

/** Labels at every k in PART_COUNTS from one merge tree. */
async function labelsPerCount(input: MeshData, field: FeatureField, device: DeviceName): Promise<Int32Array[]> {
  const params: SegmentParams = { ...DEFAULT_PARAMS, backend: 'partfield', pca_components: 0 }
  const seg = await segment(input, params, { backend: fixedBackend(field, device) })
  return PART_COUNTS.map((k) => recut(seg, k).labels)
}

function minAndMean(scores: number[]): string {
  const lowest = Math.min(...scores)
  const mean = scores.reduce((sum, x) => sum + x, 0) / scores.length
  return `min ${lowest.toFixed(3)} (k=${PART_COUNTS[scores.indexOf(lowest)]}), mean ${mean.toFixed(3)}`
}

/**
 * Compares adaptive with full sampling on each mesh, next to full sampling with another seed:
 * the second pair shows how much of the difference is full sampling's own Monte Carlo noise.
 */
async function benchFidelity(encoder: PartfieldEncoder, files: string[]): Promise<void> {
  const perFace = DEFAULT_PARAMS.points_per_face
  console.log(`\nadaptive against full sampling (points_per_face ${perFace}), golden weights:`)
  let worstAdaptive = 1
  let worstReseeded = 1
  let convergenceShown = false
  for (const file of files) {
    const input = await readMeshFile(file)
    if (input.kind !== 'mesh') continue
    const mesh = prepareMesh(input, PREPARE)
    const [triplane, encodeMs] = await encodeMesh(encoder, mesh)
    const [full, fullMs] = await timed(() => features(mesh, triplane, 'full', perFace))
    const reseeded = features(mesh, triplane, 'full', perFace, DEFAULT_PARAMS.seed + 1)
    const [adaptive, adaptiveMs] = await timed(() => features(mesh, triplane, 'adaptive', perFace))
    const adaptiveDeviation = rowDeviation(full, adaptive, triplane.channels, mesh.kept)
    const reseededDeviation = rowDeviation(full, reseeded, triplane.channels, mesh.kept)

    // Adaptive is the exact per-face mean, so full sampling should approach it as points grow.
    if (!convergenceShown) {
      convergenceShown = true
      const dense = features(mesh, triplane, 'full', 10 * perFace, DEFAULT_PARAMS.seed + 2)
      const sparseGap = rowDeviation(adaptive, full, triplane.channels, mesh.kept).mean
      const denseGap = rowDeviation(adaptive, dense, triplane.channels, mesh.kept).mean
      console.log(
        `  ${input.sourceName}: mean relative deviation of full sampling from adaptive: ` +
          `${sparseGap.toFixed(4)} at ${perFace} points per face, ${denseGap.toFixed(4)} at ${10 * perFace}`,
      )
    }

    const labels = async (values: Float32Array) =>
      labelsPerCount(input, fieldOf(values, mesh, triplane.channels), encoder.device)
    const fullLabels = await labels(full)
    const adaptiveLabels = await labels(adaptive)
    const reseededLabels = await labels(reseeded)
    const adaptiveScores = PART_COUNTS.map((_, i) => adjustedRandIndex(fullLabels[i], adaptiveLabels[i]))
    const reseededScores = PART_COUNTS.map((_, i) => adjustedRandIndex(fullLabels[i], reseededLabels[i]))
    worstAdaptive = Math.min(worstAdaptive, ...adaptiveScores)
    worstReseeded = Math.min(worstReseeded, ...reseededScores)

    const describe = (d: ReturnType<typeof rowDeviation>) =>
      `mean ${d.mean.toFixed(4)}, p95 ${d.p95.toFixed(4)}, max ${d.max.toFixed(4)}`
    console.log(
      `  ${input.sourceName}: ${mesh.triangles.length / 3} faces; encoder ${seconds(encodeMs)}, full ` +
        `${seconds(fullMs)}, adaptive ${seconds(adaptiveMs)}\n` +
        `    relative deviation from full: adaptive ${describe(adaptiveDeviation)}; full, other seed ` +
        `${describe(reseededDeviation)}\n` +
        `    ARI with full, k=2..20: adaptive ${minAndMean(adaptiveScores)}; full, other seed ` +
        `${minAndMean(reseededScores)}`,
    )
  }
  const verdict = worstAdaptive >= ARI_TARGET ? 'met' : 'missed'
  console.log(
    `  lowest ARI over all meshes and k: adaptive ${worstAdaptive.toFixed(3)} (target >= ${ARI_TARGET}: ` +
      `${verdict}); full with another seed ${worstReseeded.toFixed(3)}`,
  )
}

async function benchPipeline(modelFile: string, files: string[]): Promise<void> {
  let input: MeshData = torusMesh(PIPELINE_FACES)
  let closest = Infinity
  for (const file of files) {
    const candidate = await readMeshFile(file)
    if (candidate.kind === 'mesh' && Math.abs(candidate.polygonCount - PIPELINE_FACES) < closest) {
      closest = Math.abs(candidate.polygonCount - PIPELINE_FACES)
      input = candidate
    }
  }
  const backend = await createPartfieldBackend(modelFile)
  const params: SegmentParams = { ...DEFAULT_PARAMS, backend: 'partfield' }
  const [seg, ms] = await timed(() => segment(input, params, { backend }))
  const stages = Object.entries(seg.timings)
    .map(([stage, stageMs]) => `${stage} ${seconds(stageMs ?? 0)}`)
    .join(', ')
  console.log(
    `\nwhole pipeline, ${input.sourceName} (${input.polygonCount} faces), backend partfield on ${seg.device}, ` +
      `sampling ${resolveSampling(params.sampling, seg.device)}: ` +
      `${seconds(ms)} (${stages}); ${seg.partCount} parts; target < ${seconds(PIPELINE_TARGET_MS)}: ` +
      `${ms < PIPELINE_TARGET_MS ? 'met' : 'missed'}`,
  )
}

function meshFiles(): string[] {
  if (!args.data) return []
  const ids = readdirSync(args.data)
    .filter((name) => name.endsWith('.off'))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b))
  return ids.map((name) => join(args.data!, name))
}

async function main(): Promise<void> {
  const model = modelPath()
  try {
    const [encoder, loadMs] = await timed(() => loadEncoder(model.path))
    console.log(`loaded ${model.path} on ${encoder.device} in ${seconds(loadMs)}`)

    const torus = prepareMesh(torusMesh(20_000), PREPARE)
    const [, firstMs] = await encodeMesh(encoder, torus)
    const [triplane, encodeMs] = await encodeMesh(encoder, torus)
    console.log(`encoder, ${ENCODER_POINTS} points on ${encoder.device}: ${seconds(firstMs)} first run, ${seconds(encodeMs)} second`)

    await benchSampling(triplane)
    const files = meshFiles()
    if (files.length === 0) console.log('\nfidelity skipped: pass --data DIR, a folder of .off meshes')
    else await benchFidelity(encoder, files.slice(0, Number(args.meshes)))
    await encoder.release()

    await benchPipeline(model.path, files)
    console.log(`\npeak resident memory: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
  } finally {
    model.cleanup()
  }
}

await main()
