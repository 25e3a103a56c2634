/**
 * Checks that our Ward tree gives scikit-learn's labels on real meshes, and compares speed.
 *
 *   npx tsx daemon/bench/sklearn-check.ts --data DIR [--features auto|geometric|stand-in] [--keep DIR]
 *
 * For every .off mesh under DIR/off (or DIR): features per polygon as the pipeline computes them,
 * the polygon graph, our tree cut at k = 2..20, and scikit-learn's AgglomerativeClustering on the
 * same features and graph. Prints the adjusted Rand index per mesh (worst and mean over k) and
 * the fit-time ratio sklearn/ours; exits 1 when any ARI is below 0.99.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { readMeshFile } from '../src/mesh/read-file.js'
import type { FeatureBackend } from '../src/features/feature-field.js'
import {
  buildCase,
  loadGeometricBackend,
  referenceUnavailable,
  runReference,
  writeCase,
  type FeatureMode,
} from './sklearn-compare.js'

const MIN_ARI = 0.99

async function meshFiles(data: string): Promise<string[]> {
  const folder = (await stat(join(data, 'off')).catch(() => undefined))?.isDirectory() ? join(data, 'off') : data
  const names = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.off'))
  const id = (name: string) => Number.parseInt(name, 10)
  names.sort((a, b) => id(a) - id(b) || a.localeCompare(b))
  return names.map((name) => join(folder, name))
}

async function chooseBackend(mode: string): Promise<{ backend?: FeatureBackend; used: FeatureMode }> {
  if (mode === 'stand-in') return { used: 'stand-in' }
  const backend = await loadGeometricBackend()
  if (backend) return { backend, used: 'geometric' }
  if (mode === 'geometric') throw new Error('--features geometric: daemon/src/features/geometric/index.ts does not exist yet')
  return { used: 'stand-in' }
}

function summary(values: number[]): { worst: number; mean: number } {
  return { worst: Math.min(...values), mean: values.reduce((a, b) => a + b, 0) / values.length }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, features: { type: 'string', default: 'auto' }, keep: { type: 'string' } },
  })
  if (!values.data) {
    console.error('missing --data DIR; expected a folder of .off meshes (or one with an off/ subfolder)')
    return 2
  }
  if (!['auto', 'geometric', 'stand-in'].includes(values.features!)) {
    console.error(`invalid --features ${values.features}; expected auto, geometric or stand-in`)
    return 2
  }
  const unavailable = await referenceUnavailable()
  if (unavailable) {
    console.error(unavailable)
    return 2
  }

  const { backend, used } = await chooseBackend(values.features!)
  const files = await meshFiles(values.data)
  const root = values.keep ?? (await mkdtemp(join(tmpdir(), 'sklearn-check-')))
  console.log(`features: ${used}; ${files.length} meshes; case files in ${root}`)

  const ours = new Map<string, OurRun>()
  for (const [index, file] of files.entries()) {
    const input = await readMeshFile(file)
    if (input.kind !== 'mesh') throw new Error(`${file}: expected a mesh, found a point cloud`)
    const name = basename(file)
    const built = await buildCase(input, name, backend)
    const written = await writeCase(built, join(root, String(index).padStart(4, '0')))
    ours.set(name, { ...written, dim: built.dim })
  }

  const results = await runReference(root)
  if (!values.keep) await rm(root, { recursive: true, force: true })
  return report(results, ours)
}

/** Our side of one mesh: leaf count, feature dim and Ward's wall and CPU seconds. */
interface OurRun {
  count: number
  dim: number
  seconds: number
  cpuSeconds: number
}

function report(results: Awaited<ReturnType<typeof runReference>>, ours: Map<string, OurRun>): number {
  console.log('Ward times are CPU seconds; the ratio is sklearn / ours.')
  console.log('mesh        faces  dim  worst ARI  mean ARI  same merges  ours s  sklearn s  ratio')
  let failures = 0
  let oursTotal = 0
  let sklearnTotal = 0
  const all: number[] = []
  for (const result of results) {
    const mine = ours.get(result.name)!
    const { worst, mean } = summary(result.ari)
    if (worst < MIN_ARI) failures++
    all.push(...result.ari)
    oursTotal += mine.cpuSeconds
    sklearnTotal += result.cpuSeconds
    console.log(
      `${result.name.padEnd(10)} ${String(mine.count).padStart(6)} ${String(mine.dim).padStart(4)}` +
        `  ${worst.toFixed(4).padStart(9)}  ${mean.toFixed(4).padStart(8)}  ${(result.sameMerges ? 'yes' : 'no').padStart(11)}` +
        `  ${mine.cpuSeconds.toFixed(3).padStart(6)}  ${result.cpuSeconds.toFixed(3).padStart(9)}  ${(result.cpuSeconds / mine.cpuSeconds).toFixed(1).padStart(5)}`,
    )
  }
  const overall = summary(all)
  console.log(
    `all ${results.length} meshes: worst ARI ${overall.worst.toFixed(4)}, mean ARI ${overall.mean.toFixed(4)}; ` +
      `Ward CPU time ours ${oursTotal.toFixed(2)} s, sklearn ${sklearnTotal.toFixed(2)} s, ratio ${(sklearnTotal / oursTotal).toFixed(1)}x`,
  )
  if (failures > 0) console.log(`${failures} meshes have an ARI below ${MIN_ARI} at some k`)
  return failures > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  },
)
