/** The worker side of a segment job: load the stored input, segment, export, store the result. */
import { readFile } from 'node:fs/promises'
import { join, posix } from 'node:path'

import { decodeMsgpack } from '../../../protocol/src/codec.js'
import { parseMeshArrays } from '../../../protocol/src/requests.js'
import { chooseBackend, type ModelReport } from '../features/select-backend.js'
import { loadMesh } from '../mesh/load.js'
import type { LoadedInput } from '../mesh/mesh-data.js'
import { progressEvent, type ProgressEvent } from '../pipeline/progress.js'
import { segment } from '../pipeline/segment.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import type { StoredFile, StoredInput } from './job-record.js'
import { meshFromArrays } from './mesh-from-arrays.js'
import { buildResult, saveSegmentation, writeJobExports, writeResult } from './result-store.js'
import type { SegmentTask, TaskSummary } from './worker-messages.js'
import { checkWorkLimit, nameLimitSetting } from './work-limit.js'

/** Hint in the error for a file that the mesh refers to but the client did not upload. */
const UPLOAD_RESOURCE_HINT =
  'expected it uploaded with the mesh: send it as a multipart file part named "resource" beside the "file" part, ' +
  'or in the "resources" map of a MessagePack body'

export interface TaskIo {
  signal: AbortSignal
  onProgress: (event: ProgressEvent) => void
}

export async function runSegmentTask(task: SegmentTask, io: TaskIo): Promise<TaskSummary> {
  io.onProgress(progressEvent('load', 0))
  const loadStart = performance.now()
  const input = await loadStoredInput(task.dir, task.input, task.maxFaces)
  const loadMs = Math.round(performance.now() - loadStart)
  io.onProgress(progressEvent('load', 1))

  const { backend, model, fallbackWarning } = await chooseBackend(task.params.backend, task.modelPath)
  const seg = await segment(input, task.params, { onProgress: io.onProgress, signal: io.signal, backend })
  seg.timings = { load: loadMs, ...seg.timings }
  // Stored with the segmentation, so recuts keep it too.
  if (fallbackWarning) seg.warnings.push(fallbackWarning)

  io.signal.throwIfAborted()
  io.onProgress(progressEvent('export', 0))
  const exportStart = performance.now()
  const files = await writeJobExports(task.dir, seg, task.baseName)
  seg.timings.export = Math.round(performance.now() - exportStart)

  await saveSegmentation(task.dir, seg)
  await writeResult(task.dir, buildResult(seg, task.jobId, files))
  io.onProgress(progressEvent('export', 1))
  return summarize(seg, files, model)
}

export function summarize(seg: Segmentation, files: StoredFile[], model?: ModelReport): TaskSummary {
  return {
    faces: seg.labels.length,
    triangles: seg.input.kind === 'mesh' ? seg.input.triangles.length / 3 : 0,
    parts: seg.partCount,
    backend: seg.backend,
    device: seg.device,
    timings: seg.timings,
    warnings: seg.warnings,
    files,
    model,
  }
}

/**
 * Loads the job's input: mesh arrays re-encoded by the daemon, or the uploaded file. Rejects an
 * input with more triangles (or points) than `maxFaces` with MeshParseError `too-many-faces`.
 */
export async function loadStoredInput(dir: string, input: StoredInput, maxFaces: number): Promise<LoadedInput> {
  const bytes = await readFile(join(dir, input.file))
  if (input.kind === 'arrays') {
    // The daemon stores arrays as MessagePack whatever the body was; `format` names the body's encoding.
    const encoding = input.format === 'json' ? 'json' : 'msgpack'
    return meshFromArrays(parseMeshArrays(decodeMsgpack(bytes)), input.name, maxFaces, encoding)
  }

  // The loaders stop early on more source faces or points than the limit. Files whose n-gons
  // triangulate into more triangles than that are caught after loading, before any heavy stage.
  let loaded: LoadedInput
  try {
    loaded = await loadMesh(bytes, {
      fileName: input.name,
      maxFaces,
      readResource: (uri) => readStoredResource(dir, input, uri),
      resourceHint: UPLOAD_RESOURCE_HINT,
    })
  } catch (error) {
    throw nameLimitSetting(error)
  }
  checkWorkLimit(loaded, maxFaces)
  return loaded
}

/**
 * Finds an uploaded resource by the URI the mesh file uses. Uploads carry bare file names, so a
 * URI with folders (`textures/wood.png`) matches the upload of the same final name.
 */
async function readStoredResource(dir: string, input: StoredInput, uri: string): Promise<Uint8Array | undefined> {
  const wanted = safeDecode(uri).replace(/\\/g, '/')
  const match =
    input.resources.find((r) => r.uri === wanted) ??
    input.resources.find((r) => posix.basename(r.uri) === posix.basename(wanted))
  return match ? readFile(join(dir, match.file)) : undefined
}

function safeDecode(uri: string): string {
  try {
    return decodeURIComponent(uri)
  } catch {
    return uri
  }
}
