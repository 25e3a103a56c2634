/**
 * Times the pipeline's stages on meshes of about 10k, 100k and 1M faces and prints peak memory.
 *
 *   npm run bench:speed -- [--sizes 10000,100000,1000000] [--data DIR] [--features auto|geometric|stand-in]
 *                          [--dim N] [--sklearn-max 100000]
 *
 * Meshes are generated (a dumbbell: two spheres and a bar, three components) or, with --data,
 * made by subdividing the PSB mesh whose face count times a power of 4 comes closest to each
 * size. Each size runs in its own process, so its peak RSS is its own. Where the face count is
 * at most --sklearn-max, scikit-learn's Ward runs on the same features and graph for the ratio.
 *
 * Before Ward, a warm-up runs it once on a small random graph of the same feature dimension, so
 * its time is that of a warm process such as the daemon. A cold first call costs about 0.1 s
 * more while V8 compiles it. The warm-up is listed but left out of the total.
 *
 * To time another stage, add an entry to STAGES: it reads and fills the shared BenchState.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_PARAMS } from '../../protocol/src/params.js'
import { cutTree, type PartTree } from '../../protocol/src/part-tree.js'
import { kmeans } from '../src/cluster/kmeans.js'
import { pca } from '../src/cluster/pca.js'
import { polygonFeatures } from '../src/cluster/polygon-features.js'
import { polygonGraph } from '../src/cluster/polygon-graph.js'
import { wardTree } from '../src/cluster/ward.js'
import type { FeatureBackend, FeatureField } from '../src/features/feature-field.js'
import type { MeshData } from '../src/mesh/mesh-data.js'
import { readMeshFile } from '../src/mesh/read-file.js'
import { DEFAULT_WELD_TOLERANCE, prepareMesh } from '../src/prepare/prepare.js'
import type { Csr, PreparedMesh } from '../src/prepare/prepared-mesh.js'
import { csrFromEdges } from '../src/prepare/csr.js'
import { dumbbellMesh, subdivide } from '../src/prepare/synthetic-meshes.js'
import { SeededRandom } from '../src/cluster/random.js'
import { loadGeometricBackend, referenceUnavailable, runReference, standInField, writeCaseFiles } from './sklearn-compare.js'

const KMEANS_PARTS = 10
const KMEANS_RESTARTS = 4
const PCA_COMPONENTS = 3

/** Inputs and results that the stages pass to each other. */
interface BenchState {
  mesh: MeshData
  backend?: FeatureBackend
  /** Dimensions the field is expanded to (0: kept as it is), to time clustering at PartField's 448. */
  dim: number
  prepared?: PreparedMesh
  field?: FeatureField
  graph?: Csr
  features?: Float32Array
  tree?: PartTree
}

interface Stage {
  name: string
  run: (state: BenchState) => void | Promise<void>
}

const STAGES: Stage[] = [
  {
    name: 'prepare',
    run: (state) => {
      state.prepared = prepareMesh(state.mesh, {
        cleanup: DEFAULT_PARAMS.preprocess,
        weldTolerance: DEFAULT_WELD_TOLERANCE,
        adjacency: DEFAULT_PARAMS.adjacency,
        knn: DEFAULT_PARAMS.knn,
      })
    },
  },
  {
    name: 'features',
    run: async (state) => {
      const context = { params: DEFAULT_PARAMS, onProgress: () => {}, signal: new AbortController().signal }
      const field = state.backend ? await state.backend.meshFeatures(state.prepared!, context) : standInField(state.prepared!)
      state.field = state.dim > 0 ? expandField(field, state.dim) : field
    },
  },
  { name: 'graph', run: (state) => void (state.graph = polygonGraph(state.prepared!)) },
  { name: 'polygon features', run: (state) => void (state.features = polygonFeatures(state.field!, state.prepared!, state.graph!)) },
  { name: 'warm-up (untimed)', run: (state) => warmUp(state.field!.dim) },
  { name: 'ward', run: (state) => void (state.tree = wardTree(state.features!, state.field!.dim, state.graph!)) },
  { name: 'cut 2..20', run: (state) => { for (let k = 2; k <= 20; k++) cutTree(state.tree!, k) } },
  { name: 'kmeans', run: (state) => void kmeans(state.features!, state.field!.dim, KMEANS_PARTS, { seed: 0, restarts: KMEANS_RESTARTS }) },
  { name: 'pca', run: (state) => void pca(state.features!, state.field!.dim, PCA_COMPONENTS) },
]

/**
 * Runs Ward three times on 4,000 random rows over a random graph, so the timed run finds the
 * code V8 optimises only after several calls.
 */
function warmUp(dim: number): void {
  const random = new SeededRandom(99)
  const count = 4000
  const edges: number[] = []
  for (let i = 1; i < count; i++) edges.push(i, random.nextInt(i), i, random.nextInt(i))
  const features = Float32Array.from({ length: count * dim }, () => random.next())
  for (let run = 0; run < 3; run++) wardTree(features, dim, csrFromEdges(count, edges))
}

/** Projects the field to `dim` dimensions through a fixed random matrix and tanh, keeping its structure. */
function expandField(field: FeatureField, dim: number): FeatureField {
  const random = new SeededRandom(1234)
  const weights = Float32Array.from({ length: dim * field.dim }, () => 2 * random.next() - 1)
  const values = new Float32Array(field.count * dim)
  for (let i = 0; i < field.count; i++) {
    for (let o = 0; o < dim; o++) {
      let sum = 0
      for (let d = 0; d < field.dim; d++) sum += weights[o * field.dim + d] * field.values[i * field.dim + d]
      values[i * dim + o] = Math.tanh(sum)
    }
  }
  return { ...field, values, dim, settings: { ...field.settings, expandedTo: dim } }
}

/** Loads and subdivides the PSB mesh whose face count times a power of 4 comes closest to `target` (in ratio). */
async function meshFromData(data: string, target: number): Promise<MeshData> {
  const folder = (await readdir(data)).includes('off') ? join(data, 'off') : data
  let best: { file: string; levels: number; error: number } | undefined
  for (const name of (await readdir(folder)).filter((n) => n.endsWith('.off')).sort()) {
    const input = await readMeshFile(join(folder, name))
    if (input.kind !== 'mesh') continue
    const faces = input.triangles.length / 3
    for (let levels = 0; levels <= 6; levels++) {
      const error = Math.abs(Math.log((faces * 4 ** levels) / target))
      if (!best || error < best.error) best = { file: join(folder, name), levels, error }
    }
  }
  if (!best) throw new Error(`${folder}: no .off meshes found`)
  const input = await readMeshFile(best.file)
  if (input.kind !== 'mesh') throw new Error(`${best.file}: expected a mesh`)
  const mesh = subdivide(input, best.levels)
  return { ...mesh, sourceName: `${best.file} subdivided ${best.levels}x` }
}

interface SizeResult {
  target: number
  faces: number
  source: string
  featureDim: number
  /** Per stage: name, wall seconds, CPU seconds (all threads of the process). */
  stages: [string, number, number][]
  peakRssMb: number
  sklearnSeconds?: number
  sklearnCpuSeconds?: number
  sameMerges?: boolean
}

async function runSize(target: number, data: string | undefined, features: string, dim: number, sklearnMax: number): Promise<SizeResult> {
  const mesh = data ? await meshFromData(data, target) : dumbbellMesh(target)
  const backend = features === 'stand-in' ? undefined : await loadGeometricBackend()
  if (features === 'geometric' && !backend) throw new Error('--features geometric: the geometric backend does not exist yet')
  const state: BenchState = { mesh, backend, dim }
  const stages: [string, number, number][] = []
  for (const stage of STAGES) {
    const start = performance.now()
    const cpu = process.cpuUsage()
    await stage.run(state)
    const used = process.cpuUsage(cpu)
    stages.push([stage.name, (performance.now() - start) / 1000, (used.user + used.system) / 1e6])
  }

  const faces = mesh.triangles.length / 3
  const result: SizeResult = {
    target,
    faces,
    source: mesh.sourceName,
    featureDim: state.field!.dim,
    stages,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
  if (faces <= sklearnMax && !(await referenceUnavailable())) {
    const root = await mkdtemp(join(tmpdir(), 'bench-speed-'))
    try {
      await writeCaseFiles({ name: String(target), features: state.features!, dim: state.field!.dim, graph: state.graph! }, state.tree!, [], join(root, 'case'))
      const [reference] = await runReference(root)
      result.sklearnSeconds = reference.seconds
      result.sklearnCpuSeconds = reference.cpuSeconds
      result.sameMerges = reference.sameMerges
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  }
  return result
}

/** Runs one size in a child process (so peak RSS is per size) and parses its JSON result. */
function runChild(args: string[]): Promise<SizeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`benchmark child for ${args.join(' ')} exited with code ${code}`))
      else resolve(JSON.parse(output.trim().split('\n').at(-1)!))
    })
  })
}

function print(result: SizeResult): void {
  const [, ward, wardCpu] = result.stages.find(([name]) => name === 'ward')!
  const timed = result.stages.filter(([name]) => !name.startsWith('warm-up'))
  const total = timed.reduce((sum, [, seconds]) => sum + seconds, 0)
  const totalCpu = timed.reduce((sum, [, , cpu]) => sum + cpu, 0)
  console.log(`\n${result.faces} faces (${result.source}), feature dim ${result.featureDim}`)
  console.log(`  ${'stage'.padEnd(18)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)}`)
  for (const [name, seconds, cpu] of result.stages) {
    console.log(`  ${name.padEnd(18)} ${seconds.toFixed(3).padStart(8)} ${cpu.toFixed(3).padStart(8)}`)
  }
  console.log(`  ${'total'.padEnd(18)} ${total.toFixed(3).padStart(8)} ${totalCpu.toFixed(3).padStart(8)}`)
  console.log(`  peak RSS ${result.peakRssMb.toFixed(0)} MB`)
  if (result.sklearnSeconds !== undefined && result.sklearnCpuSeconds !== undefined) {
    const same = result.sameMerges ? 'identical merges' : 'merges differ'
    console.log(
      `  sklearn ward ${result.sklearnSeconds.toFixed(3)} s wall, ${result.sklearnCpuSeconds.toFixed(3)} s CPU; ` +
        `ours ${ward.toFixed(3)} s wall, ${wardCpu.toFixed(3)} s CPU: ${(result.sklearnCpuSeconds / wardCpu).toFixed(1)}x less CPU (${same})`,
    )
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000,1000000' },
      data: { type: 'string' },
      features: { type: 'string', default: 'auto' },
      dim: { type: 'string', default: '0' },
      'sklearn-max': { type: 'string', default: '150000' },
      single: { type: 'string' },
    },
  })
  const dim = Number(values.dim)
  const sklearnMax = Number(values['sklearn-max'])
  if (values.single) {
    const result = await runSize(Number(values.single), values.data, values.features!, dim, sklearnMax)
    console.log(JSON.stringify(result))
    return
  }

  const sizes = values.sizes!.split(',').map(Number)
  if (sizes.some((size) => !Number.isInteger(size) || size < 100)) throw new Error(`invalid --sizes ${values.sizes}; expected integers of at least 100`)
  for (const size of sizes) {
    const args = ['--single', String(size), '--features', values.features!, '--dim', String(dim), '--sklearn-max', String(sklearnMax)]
    if (values.data) args.push('--data', values.data)
    print(await runChild(args))
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
