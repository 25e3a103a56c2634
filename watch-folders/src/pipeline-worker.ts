/**
 * Body of a pipeline worker thread: loads the mesh, segments it and writes the exports, one task
 * at a time. Running here keeps the watcher's event loop free for file events and stability checks.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parentPort } from 'node:worker_threads'

import { writeExports } from '../../daemon/src/export/write-exports.js'
import { loadMesh } from '../../daemon/src/mesh/load.js'
import { createSiblingReader } from '../../daemon/src/mesh/read-file.js'
import { segment } from '../../daemon/src/pipeline/segment.js'
import type { ErrorFacts } from './job-failure.js'
import type { FromPipelineWorker, PipelineTask, ToPipelineWorker } from './pipeline-messages.js'
import type { ProcessSummary } from './processor.js'

const port = parentPort
if (!port) throw new Error('pipeline-worker.ts runs only as a worker thread')

port.on('message', (message: ToPipelineWorker) => {
  void run(message.task).then(
    (summary) => port.postMessage({ type: 'done', summary } satisfies FromPipelineWorker),
    (error: unknown) => port.postMessage({ type: 'failed', error: describeError(error) } satisfies FromPipelineWorker),
  )
})

async function run(task: PipelineTask): Promise<ProcessSummary> {
  const loadStart = performance.now()
  // Messages and labels.json name the file as the user knows it, not by its path in processing/.
  const path = join(task.dir, task.file)
  const input = await loadMesh(new Uint8Array(await readFile(path)), {
    fileName: task.file,
    maxFaces: task.maxFaces,
    readResource: createSiblingReader(path),
  })
  const loadMs = Math.round(performance.now() - loadStart)

  const seg = await segment(input, task.params)

  const exportStart = performance.now()
  const files = await writeExports(seg, { dir: task.dir, baseName: task.baseName, formats: task.formats })
  const exportMs = Math.round(performance.now() - exportStart)

  const timings: Record<string, number> = { load: loadMs }
  for (const [stage, ms] of Object.entries(seg.timings)) if (ms !== undefined) timings[stage] = ms
  timings.export = exportMs
  return {
    kind: seg.input.kind,
    faces: seg.labels.length,
    parts: seg.partCount,
    backend: seg.backend,
    device: seg.device,
    files: files.map((file) => file.name),
    warnings: seg.warnings,
    timings,
  }
}

function describeError(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  const facts: ErrorFacts = { name: error.name, message: error.message }
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') facts.code = code
  if (error.stack) facts.stack = error.stack
  return facts
}
