/** Converts a failure reported by a worker into the error sent to clients, with its HTTP status. */
import type { StoredError } from './job-record.js'
import type { WorkerFailure } from './worker-messages.js'

// Messages onnxruntime and V8 use when an allocation fails (CPU or CUDA).
const OUT_OF_MEMORY = /out of memory|failed to allocate|bad_alloc|CUDA_ERROR_OUT_OF_MEMORY|allocation failed/i

export function classifyFailure(failure: WorkerFailure): StoredError {
  switch (failure.name) {
    case 'MeshParseError':
      return {
        code: 'invalid-mesh',
        reason: failure.code,
        message: failure.message,
        status: failure.code === 'too-many-faces' ? 413 : 422,
      }
    case 'ParamError':
    case 'ProtocolError':
      return { code: 'invalid-request', message: failure.message, status: 400 }
    case 'BackendUnavailableError':
      return { code: 'backend-unavailable', message: failure.message, status: 400 }
    case 'NoTreeError':
      return { code: 'no-tree', message: failure.message, status: 409 }
    case 'AbortError':
      return { code: 'cancelled', message: 'the job was cancelled', status: 409 }
  }

  if (OUT_OF_MEMORY.test(failure.message)) {
    return {
      code: 'out-of-memory',
      message: `${failure.message}; lower points_per_face or features_per_sample, or send a mesh with fewer faces`,
      status: 500,
    }
  }
  if (failure.name === 'WorkerCrash') {
    return {
      code: 'worker-crashed',
      message: `${failure.message}; the daemon log has the details`,
      status: 500,
    }
  }
  return { code: 'internal', message: `${failure.name}: ${failure.message}`, status: 500 }
}

/** Error of a job that was running when the daemon stopped. */
export const INTERRUPTED: StoredError = {
  code: 'interrupted',
  message: 'the daemon stopped while this job was running; submit the mesh again',
  status: 500,
}
