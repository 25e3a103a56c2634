import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { DEFAULT_PARAMS } from '../../protocol/src/params.js'
import { cutTree, type PartTree } from '../../protocol/src/part-tree.js'
import { polygonFeatures } from '../src/cluster/polygon-features.js'
import { polygonGraph } from '../src/cluster/polygon-graph.js'
import { wardTree } from '../src/cluster/ward.js'
import type { FeatureBackend, FeatureField } from '../src/features/feature-field.js'
import type { MeshData } from '../src/mesh/mesh-data.js'
import { DEFAULT_WELD_TOLERANCE, prepareMesh } from '../src/prepare/prepare.js'
import type { Csr, PreparedMesh } from '../src/prepare/prepared-mesh.js'

const run = promisify(execFile)

/** Debian's interpreter, which has python3-sklearn; `python3` on PATH may be another one. */
export const REFERENCE_PYTHON = '/usr/bin/python3'
export const REFERENCE_SCRIPT = fileURLToPath(new URL('./sklearn_reference.py', import.meta.url))
export const PART_COUNTS = Array.from({ length: 19 }, (_, i) => i + 2)

/**
 * Feature source. `geometric` is the weight-free backend. `stand-in` is centroid and normal per
 * triangle, a cheap 6-D field with real structure, for when the backend is missing or to isolate
 * clustering.
 */
export type FeatureMode = 'geometric' | 'stand-in'

export interface CaseInput {
  name: string
  features: Float32Array
  dim: number
  graph: Csr
}

/** Per-triangle [centroid, normal]: a field any mesh has, in PartField's normalised frame. */
export function standInField(mesh: PreparedMesh): FeatureField {
  const count = mesh.kept.length
  const values = new Float32Array(6 * count)
  for (let t = 0; t < count; t++) {
    values.set(mesh.centroids.subarray(3 * t, 3 * t + 3), 6 * t)
    values.set(mesh.normals.subarray(3 * t, 3 * t + 3), 6 * t + 3)
  }
  return { values, dim: 6, count, backend: 'geometric', settings: { field: 'centroid+normal stand-in' } }
}

/** Loads the geometric backend when its module exists, else undefined. */
export async function loadGeometricBackend(): Promise<FeatureBackend | undefined> {
  // A computed specifier, because the module may not exist yet in every checkout.
  const specifier = '../src/features/geometric/index.js'
  try {
    const module = (await import(specifier)) as { createGeometricBackend: () => FeatureBackend }
    return module.createGeometricBackend()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw error
  }
}

/** Prepares a mesh as the pipeline does and returns per-polygon features and the polygon graph. */
export async function buildCase(mesh: MeshData, name: string, backend?: FeatureBackend): Promise<CaseInput> {
  const prepared = prepareMesh(mesh, {
    cleanup: DEFAULT_PARAMS.preprocess,
    weldTolerance: DEFAULT_WELD_TOLERANCE,
    adjacency: DEFAULT_PARAMS.adjacency,
    knn: DEFAULT_PARAMS.knn,
  })
  const context = { params: DEFAULT_PARAMS, onProgress: () => {}, signal: new AbortController().signal }
  const field = backend ? await backend.meshFeatures(prepared, context) : standInField(prepared)
  const graph = polygonGraph(prepared)
  return { name, features: polygonFeatures(field, prepared, graph), dim: field.dim, graph }
}

/**
 * Runs our Ward tree on the case and writes everything the reference script reads into `dir`.
 * Returns the leaf count and the tree's wall and CPU seconds.
 */
export async function writeCase(input: CaseInput, dir: string): Promise<{ count: number; seconds: number; cpuSeconds: number }> {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const tree = wardTree(input.features, input.dim, input.graph)
  const used = process.cpuUsage(cpu)
  const seconds = (performance.now() - start) / 1000
  await writeCaseFiles(input, tree, PART_COUNTS, dir)
  return { count: tree.leafCount, seconds, cpuSeconds: (used.user + used.system) / 1e6 }
}

/**
 * Writes a case for the reference script: features, graph, our merges and our labels at each
 * of `partCounts` (none: the script only times its fit and compares merges).
 */
export async function writeCaseFiles(input: CaseInput, tree: PartTree, partCounts: number[], dir: string): Promise<void> {
  const count = tree.leafCount
  const ours = new Int32Array(partCounts.length * count)
  partCounts.forEach((k, row) => ours.set(cutTree(tree, k), row * count))
  await mkdir(dir, { recursive: true })
  const meta = { name: input.name, count, dim: input.dim, ks: partCounts }
  await writeFile(join(dir, 'meta.json'), JSON.stringify(meta))
  await writeFile(join(dir, 'features.f32'), input.features)
  await writeFile(join(dir, 'offsets.u32'), input.graph.offsets)
  await writeFile(join(dir, 'neighbors.u32'), input.graph.neighbors)
  await writeFile(join(dir, 'ours.i32'), ours)
  await writeFile(join(dir, 'merges.i32'), tree.merges)
}

/** Returns why the reference cannot run (no interpreter or no scikit-learn), or undefined when it can. */
export async function referenceUnavailable(): Promise<string | undefined> {
  try {
    await run(REFERENCE_PYTHON, ['-c', 'import sklearn, scipy, numpy'])
    return undefined
  } catch (error) {
    return `${REFERENCE_PYTHON} cannot import sklearn, scipy and numpy (${(error as Error).message.split('\n')[0]}); install Debian's python3-sklearn`
  }
}

/** Runs the reference script over every case folder under `root`; one parsed JSON line per case. */
export async function runReference(
  root: string,
): Promise<{ name: string; seconds: number; cpuSeconds: number; ari: number[]; sameMerges: boolean }[]> {
  const { stdout } = await run(REFERENCE_PYTHON, [REFERENCE_SCRIPT, root], { maxBuffer: 64 * 1024 * 1024 })
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
}
