/**
 * Client-side checks of response bodies, for the web page, the watch folders and tests: they
 * confirm the shape and turn `bin` fields (or JSON number arrays) back into typed arrays.
 */
import type { ErrorBody, JobStatus, SegmentResult } from './messages.js'
import { JOB_STATES } from './messages.js'
import { expectMap } from './requests.js'
import { plural } from './plural.js'
import { describe, ProtocolError, readTypedArray } from './typed-bytes.js'

/** Checks a decoded job status (JSON or MessagePack). */
export function parseJobStatus(body: unknown): JobStatus {
  const map = expectMap(body, 'status')
  expectType(map, 'id', 'string', 'status')
  expectType(map, 'progress', 'number', 'status')
  if (!JOB_STATES.includes(map.state as JobStatus['state'])) {
    throw new ProtocolError('status.state', `invalid status.state: ${describe(map.state)}; expected one of ${JOB_STATES.join(', ')}`)
  }
  if (!Array.isArray(map.files)) throw new ProtocolError('status.files', 'invalid status.files: expected an array')
  return map as unknown as JobStatus
}

/** Checks a decoded segmentation result and converts its binary fields to typed arrays. */
export function parseSegmentResult(body: unknown): SegmentResult {
  const map = expectMap(body, 'result')
  for (const key of ['faceCount', 'partCount', 'triangleCount']) expectType(map, key, 'number', 'result')
  expectType(map, 'jobId', 'string', 'result')

  const labels = readTypedArray(map.labels, 'int32', 'result.labels')
  if (labels.length !== map.faceCount) {
    throw new ProtocolError('result.labels', `invalid result.labels: ${plural(labels.length, 'label')} for ${String(map.faceCount)} faces`)
  }

  const result = { ...map, labels } as unknown as SegmentResult
  if (map.tree !== null && map.tree !== undefined) {
    const tree = expectMap(map.tree, 'result.tree')
    result.tree = {
      leafCount: tree.leafCount as number,
      merges: readTypedArray(tree.merges, 'int32', 'result.tree.merges'),
      costs: readTypedArray(tree.costs, 'float32', 'result.tree.costs'),
    }
  } else {
    result.tree = null
  }
  if (map.pca !== null && map.pca !== undefined) {
    const pca = expectMap(map.pca, 'result.pca')
    result.pca = { components: pca.components as number, colors: readTypedArray(pca.colors, 'uint8', 'result.pca.colors') }
  } else {
    result.pca = null
  }
  if (map.triangleLabels !== undefined && map.triangleLabels !== null) {
    result.triangleLabels = readTypedArray(map.triangleLabels, 'int32', 'result.triangleLabels')
  }
  return result
}

/** Returns the error body of a failed response, or undefined when the body is not one. */
export function parseErrorBody(body: unknown): ErrorBody['error'] | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const error = (body as Partial<ErrorBody>).error
  if (typeof error !== 'object' || error === null) return undefined
  return typeof error.code === 'string' && typeof error.message === 'string' ? error : undefined
}

function expectType(map: Record<string, unknown>, key: string, type: 'string' | 'number', field: string): void {
  if (typeof map[key] !== type) {
    throw new ProtocolError(`${field}.${key}`, `invalid ${field}.${key}: expected a ${type}, got ${describe(map[key])}`)
  }
}
