import { existsSync } from 'node:fs'

import type { BackendChoice } from '../../../protocol/src/params.js'
import type { FeatureBackend } from './feature-field.js'
import { createGeometricBackend } from './geometric/index.js'
import { defaultModelPath } from './partfield/model-path.js'

/** Error for a backend that was requested but cannot run here. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError'
}

// Loading the ONNX model takes seconds and hundreds of megabytes, so one session per model file
// serves every job of the process.
const partfieldSessions = new Map<string, Promise<FeatureBackend>>()
let geometric: FeatureBackend | undefined

/**
 * Returns the backend for a request: `auto` runs PartField when its model file exists and the
 * geometric field otherwise; an explicit `partfield` without a model file is an error, not a
 * silent fallback, so a user never mistakes one field for the other.
 */
export async function selectBackend(
  choice: BackendChoice,
  modelPath: string = defaultModelPath(),
): Promise<FeatureBackend> {
  const hasModel = existsSync(modelPath)
  if (choice === 'partfield' && !hasModel) {
    throw new BackendUnavailableError(
      `PartField model not found at ${modelPath}; run runpod/install.sh to export it, set PARTFIELD_MODEL to its path, or use backend=geometric`,
    )
  }

  if (choice === 'geometric' || !hasModel) {
    geometric ??= createGeometricBackend()
    return geometric
  }

  let session = partfieldSessions.get(modelPath)
  if (!session) {
    // Imported lazily so machines without the model never load onnxruntime.
    session = import('./partfield/index.js').then((m) => m.createPartfieldBackend(modelPath))
    session.catch(() => partfieldSessions.delete(modelPath))
    partfieldSessions.set(modelPath, session)
  }
  return session
}
