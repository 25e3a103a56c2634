/**
 * The PartField model's state for /v1/health and the segment route: what the workers last
 * reported, as long as the file on disk is still the one they looked at.
 */
import { stat } from 'node:fs/promises'

import type { ModelReport } from '../features/select-backend.js'

export interface ModelState {
  path: string
  present: boolean
  bytes: number | null
  /**
   * `missing`: no file. `unchecked`: a file no worker has loaded yet, or one that changed since.
   * `loaded` and `failed`: what the last load of this very file did.
   */
  status: 'missing' | 'unchecked' | 'loaded' | 'failed'
  /** Reason the load failed; null unless `failed`. */
  error: string | null
}

/** Returns the model's state, comparing the file's size and modification time with the report's. */
export async function modelState(path: string, report: ModelReport | undefined): Promise<ModelState> {
  const file = await stat(path).catch(() => undefined)
  if (!file?.isFile()) return { path, present: false, bytes: null, status: 'missing', error: null }

  const reported = report?.path === path && report.bytes === file.size && report.mtimeMs === file.mtimeMs
  if (!reported || report.status === 'missing') {
    return { path, present: true, bytes: file.size, status: 'unchecked', error: null }
  }
  return { path, present: true, bytes: file.size, status: report.status, error: report.error }
}

/** Returns the backend that `backend=auto` runs, or will try first, in this state. */
export function autoBackend(state: ModelState): 'partfield' | 'geometric' {
  return state.status === 'loaded' || state.status === 'unchecked' ? 'partfield' : 'geometric'
}
