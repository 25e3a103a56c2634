import { stat } from 'node:fs/promises'

import type { BackendChoice } from '../../../protocol/src/params.js'
import type { FeatureBackend } from './feature-field.js'
import { defaultModelPath } from './partfield/model-path.js'

/** State of the PartField model file after the last look at it. */
export interface ModelReport {
  path: string
  /** `missing`: no file; `loaded`: a session runs; `failed`: the file exists but does not load. */
  status: 'missing' | 'loaded' | 'failed'
  /** Reason the load failed; null unless `failed`. */
  error: string | null
  /** Size and modification time of the file the status belongs to; null when it is missing. */
  bytes: number | null
  mtimeMs: number | null
}

/** A backend for one request, and what became of the model on the way. */
export interface BackendSelection {
  backend: FeatureBackend
  /** The model's state; absent for `geometric`, which never looks at the model. */
  model?: ModelReport
  /** Set when `auto` fell back to geometric because the model file exists but failed to load. */
  fallbackWarning?: string
}

/** Error for a backend that was requested but cannot run here. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError'
  readonly model: ModelReport | undefined

  constructor(message: string, model?: ModelReport) {
    super(message)
    this.model = model
  }
}

interface ModelLoad {
  bytes: number
  mtimeMs: number
  backend: Promise<FeatureBackend>
}

// Loading the ONNX model takes seconds and hundreds of megabytes, so one load per model file
// serves every job of the process. A failed load is kept too, so a broken file is not read again
// for every job, until its size or modification time changes.
const partfieldLoads = new Map<string, ModelLoad>()
let geometric: Promise<FeatureBackend> | undefined

/**
 * Returns the backend for a request (see chooseBackend). An explicit `partfield` that cannot run
 * is an error, not a silent fallback, so a user never mistakes one field for the other.
 */
export async function selectBackend(
  choice: BackendChoice,
  modelPath: string = defaultModelPath(),
): Promise<FeatureBackend> {
  return (await chooseBackend(choice, modelPath)).backend
}

/**
 * Resolves a backend choice and reports the model's state. `auto` runs PartField when its model
 * file exists and loads. It falls back to the geometric field when the file is missing, and also
 * when it exists but fails to load (a truncated download, a failed export), and then
 * `fallbackWarning` contains the reason. An explicit `partfield` throws BackendUnavailableError in
 * both cases.
 */
export async function chooseBackend(
  choice: BackendChoice,
  modelPath: string = defaultModelPath(),
): Promise<BackendSelection> {
  if (choice === 'geometric') return { backend: await geometricBackend() }

  const file = await stat(modelPath).catch(() => undefined)
  if (!file?.isFile()) {
    const model: ModelReport = { path: modelPath, status: 'missing', error: null, bytes: null, mtimeMs: null }
    if (choice === 'partfield') throw new BackendUnavailableError(modelMissingMessage(modelPath), model)
    return { backend: await geometricBackend(), model }
  }

  const stamp = { bytes: file.size, mtimeMs: file.mtimeMs }
  try {
    const backend = await loadPartfield(modelPath, stamp)
    return { backend, model: { path: modelPath, status: 'loaded', error: null, ...stamp } }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const model: ModelReport = { path: modelPath, status: 'failed', error: reason, ...stamp }
    if (choice === 'partfield') throw new BackendUnavailableError(modelFailedMessage(reason), model)
    const fallbackWarning =
      `backend=auto ran the geometric backend because the PartField model failed to load (${reason}); ${REPAIR_ADVICE}`
    return { backend: await geometricBackend(), model, fallbackWarning }
  }
}

const REPAIR_ADVICE =
  'export it again (bash runpod/install.sh --force on a RunPod pod), or point PARTFIELD_MODEL or --model at a working model'

/** Message for an explicit backend=partfield when the model file exists but failed to load. */
export function modelFailedMessage(reason: string): string {
  return `${reason}; backend=partfield cannot run until the model loads: ${REPAIR_ADVICE}, or use backend=geometric`
}

/** Message for a request that needs the PartField model when its file does not exist. */
export function modelMissingMessage(modelPath: string): string {
  return `PartField model not found at ${modelPath}; on a RunPod pod run bash runpod/install.sh to download and export it, ` +
    'elsewhere set PARTFIELD_MODEL or --model to the exported file, or use backend=geometric'
}

function loadPartfield(modelPath: string, stamp: { bytes: number; mtimeMs: number }): Promise<FeatureBackend> {
  const cached = partfieldLoads.get(modelPath)
  if (cached && cached.bytes === stamp.bytes && cached.mtimeMs === stamp.mtimeMs) return cached.backend

  // NOTE: FeatureBackend has no release(), so a session replaced because its file changed is
  // left to the garbage collector.
  // The import is lazy so that machines without the model never load onnxruntime.
  const backend = import('./partfield/index.js').then((m) => m.createPartfieldBackend(modelPath))
  // The rejection is handled by every caller that awaits it; this keeps Node from reporting it
  // as unhandled while it waits in the cache.
  backend.catch(() => {})
  partfieldLoads.set(modelPath, { ...stamp, backend })
  return backend
}

function geometricBackend(): Promise<FeatureBackend> {
  geometric ??= import('./geometric/index.js').then((m) => m.createGeometricBackend())
  return geometric
}
