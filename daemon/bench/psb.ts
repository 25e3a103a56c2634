/**
 * Princeton Segmentation Benchmark run of the geometric backend:
 *   npm run bench:psb -- --data <dir> [--out <dir>] [--only 1,2,21] [--seed N] [--set name=value ...]
 * Segments every off/ID.off of <dir> with k = the most common human part count, writes ID.seg
 * predictions to --out, and prints the mean Rand Index error, per-category errors, timings and
 * the error of the automatic part count. `--set` overrides a geometric setting, for experiments.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { parseParams } from '../../protocol/src/params.js'
import { cutTree } from '../../protocol/src/part-tree.js'
import { choosePartCount } from '../src/cluster/auto-count.js'
import type { FeatureBackend } from '../src/features/feature-field.js'
import { createGeometricBackend } from '../src/features/geometric/index.js'
import { DEFAULT_GEOMETRIC_OPTIONS, type GeometricOptions } from '../src/features/geometric/options.js'
import { readMeshFile } from '../src/mesh/read-file.js'
import { segment } from '../src/pipeline/segment.js'
import { listModels, readModel, targetPartCount } from './psb/dataset.js'
import { randIndexError } from './psb/rand-index.js'
import { printSummary, type ModelResult } from './psb/report.js'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      set: { type: 'string', multiple: true },
      seed: { type: 'string', default: '0' },
    },
  })
  if (!values.data) {
    console.error('missing --data <dir>; expected a folder with off/ID.off and seg/ID/*.seg')
    process.exit(2)
  }
  const overrides = parseOverrides(values.set ?? [])
  const backend = createGeometricBackend(overrides)
  const only = values.only ? new Set(values.only.split(',')) : undefined
  const ids = (await listModels(values.data)).filter((id) => !only || only.has(id))
  if (values.out) await mkdir(values.out, { recursive: true })
  if (Object.keys(overrides).length > 0) console.log(`settings overridden: ${JSON.stringify(overrides)}`)

  const results: ModelResult[] = []
  const failures: string[] = []
  for (const id of ids) {
    try {
      const { result, labels } = await scoreModel(values.data, id, backend, values.seed)
      results.push(result)
      console.log(formatResult(result))
      if (values.out) await writeFile(join(values.out, `${id}.seg`), `${Array.from(labels).join('\n')}\n`)
    } catch (error) {
      // One broken model must not hide the figures of the others; it is listed and fails the run.
      const message = error instanceof Error ? error.message : String(error)
      failures.push(id)
      console.log(`${id.padStart(4)} failed: ${message}`)
    }
  }
  printSummary(results)
  if (failures.length > 0) {
    console.log(`models that failed and are not in the means: ${failures.join(', ')}`)
    process.exitCode = 1
  }
}

/** Segments one model at the human part count and scores it and the automatic part count. */
async function scoreModel(
  dataDir: string,
  id: string,
  backend: FeatureBackend,
  seed: string | undefined,
): Promise<{ result: ModelResult; labels: Int32Array }> {
  const model = await readModel(dataDir, id)
  const k = targetPartCount(model.humans)
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  const input = await readMeshFile(model.meshPath)
  const params = parseParams({ n_clusters: k, backend: 'geometric', seed })
  const seg = await segment(input, params, { backend })
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpuStart)

  const autoK = choosePartCount(seg.tree!, params.max_clusters)
  const result: ModelResult = {
    id,
    category: model.category,
    faces: seg.labels.length,
    k,
    error: meanError(seg.labels, model.humans, model.meshPath),
    autoK,
    autoError: meanError(cutTree(seg.tree!, autoK), model.humans, model.meshPath),
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    featureMs: seg.timings.features ?? 0,
    clusterMs: seg.timings.cluster ?? 0,
  }
  return { result, labels: seg.labels }
}

function formatResult(r: ModelResult): string {
  return (
    `${r.id.padStart(4)} ${r.category.padEnd(10)} faces ${String(r.faces).padStart(6)}  k ${String(r.k).padStart(2)}` +
    `  error ${r.error.toFixed(3)}  auto k ${String(r.autoK).padStart(2)} error ${r.autoError.toFixed(3)}` +
    `  ${r.seconds.toFixed(2)} s (features ${r.featureMs} ms, cluster ${r.clusterMs} ms)`
  )
}

/** Mean Rand Index error against every human segmentation of the model. */
function meanError(labels: Int32Array, humans: Int32Array[], meshPath: string): number {
  let sum = 0
  for (const human of humans) {
    if (human.length !== labels.length) {
      throw new Error(`${meshPath}: ${labels.length} faces but a segmentation with ${human.length} labels; expected one label per face`)
    }
    sum += randIndexError(labels, human)
  }
  return sum / humans.length
}

function parseOverrides(entries: string[]): Partial<GeometricOptions> {
  const overrides: Record<string, number> = {}
  for (const entry of entries) {
    const [name, raw] = entry.split('=')
    const value = Number(raw)
    if (!(name in DEFAULT_GEOMETRIC_OPTIONS) || raw === undefined || !Number.isFinite(value)) {
      const known = Object.keys(DEFAULT_GEOMETRIC_OPTIONS).join(', ')
      throw new Error(`invalid --set ${JSON.stringify(entry)}; expected name=number with a name from ${known}`)
    }
    overrides[name] = value
  }
  return overrides as Partial<GeometricOptions>
}

await main()
