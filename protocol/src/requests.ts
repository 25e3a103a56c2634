/**
 * Structural validation of request bodies after MessagePack or JSON decoding: the right keys with
 * the right types. Whether a mesh makes sense (indices in range, finite coordinates) is the
 * loader's job, so those faults are reported as mesh errors, not as malformed requests.
 */
import type { MeshArrays, RecutRequest } from './messages.js'
import { ParamError, parseParams, type Method } from './params.js'
import { describe, ProtocolError, readTypedArray } from './typed-bytes.js'

export type ParsedSegmentRequest =
  | { kind: 'arrays'; name: string; mesh: MeshArrays; params: Record<string, unknown> }
  | {
      kind: 'file'
      filename: string
      file: Uint8Array
      resources: Map<string, Uint8Array>
      params: Record<string, unknown>
    }

const SEGMENT_KEYS = ['name', 'params', 'mesh', 'file', 'filename', 'resources', 'protocolVersion']
const MESH_KEYS = ['positions', 'triangles', 'polygons']
const DEFAULT_MESH_NAME = 'mesh'

/** Checks a decoded POST /v1/segment body and returns its parts with typed arrays. */
export function parseSegmentRequest(body: unknown): ParsedSegmentRequest {
  const map = expectMap(body, 'body')
  rejectUnknownKeys(map, SEGMENT_KEYS, 'body')
  const params = map.params === undefined || map.params === null ? {} : expectMap(map.params, 'params')

  if (map.mesh !== undefined && map.file !== undefined) {
    throw new ProtocolError('body', 'invalid body: send either mesh or file, not both')
  }
  if (map.file !== undefined) {
    if (!(map.file instanceof Uint8Array)) {
      throw new ProtocolError('file', `invalid file: expected binary data, got ${describe(map.file)}`)
    }
    const filename = expectString(map.filename, 'filename')
    return { kind: 'file', filename, file: map.file, resources: parseResources(map.resources), params }
  }
  if (map.mesh === undefined) {
    throw new ProtocolError('mesh', 'missing mesh: send mesh (positions and triangles) or file and filename')
  }

  const name = map.name === undefined || map.name === null ? DEFAULT_MESH_NAME : expectString(map.name, 'name')
  return { kind: 'arrays', name, mesh: parseMeshArrays(map.mesh), params }
}

/** Checks a mesh map and converts its fields to typed arrays of their wire dtypes. */
export function parseMeshArrays(value: unknown): MeshArrays {
  const mesh = expectMap(value, 'mesh')
  rejectUnknownKeys(mesh, MESH_KEYS, 'mesh')
  if (mesh.positions === undefined) throw new ProtocolError('mesh.positions', 'missing mesh.positions')
  if (mesh.triangles === undefined) throw new ProtocolError('mesh.triangles', 'missing mesh.triangles')

  const arrays: MeshArrays = {
    positions: readTypedArray(mesh.positions, 'float32', 'mesh.positions'),
    triangles: readTypedArray(mesh.triangles, 'uint32', 'mesh.triangles'),
  }
  if (mesh.polygons !== undefined && mesh.polygons !== null) {
    arrays.polygons = readTypedArray(mesh.polygons, 'uint32', 'mesh.polygons')
  }
  return arrays
}

/**
 * Checks a recut body (or query map): `n_clusters` is required, `method` optional, both with the
 * ranges of the segment parameters of the same names.
 */
export function parseRecutRequest(body: unknown): RecutRequest {
  const map = expectMap(body ?? {}, 'body')
  for (const key of Object.keys(map)) {
    if (key !== 'n_clusters' && key !== 'method') {
      throw new ParamError(key, `unknown recut parameter ${key}; expected n_clusters and optionally method`)
    }
  }
  if (map.n_clusters === undefined || map.n_clusters === null || map.n_clusters === '') {
    throw new ParamError('n_clusters', 'missing n_clusters: the number of parts to cut into')
  }

  const parsed = parseParams({ n_clusters: map.n_clusters, method: map.method })
  const request: RecutRequest = { n_clusters: parsed.n_clusters! }
  const hasMethod = map.method !== undefined && map.method !== null && map.method !== ''
  if (hasMethod) request.method = parsed.method as Method
  return request
}

function parseResources(value: unknown): Map<string, Uint8Array> {
  const resources = new Map<string, Uint8Array>()
  if (value === undefined || value === null) return resources
  const map = expectMap(value, 'resources')
  for (const [name, bytes] of Object.entries(map)) {
    if (!(bytes instanceof Uint8Array)) {
      throw new ProtocolError(`resources.${name}`, `invalid resources.${name}: expected binary data, got ${describe(bytes)}`)
    }
    resources.set(name, bytes)
  }
  return resources
}

/** Returns the value as a string-keyed map, or throws naming the field. */
export function expectMap(value: unknown, field: string): Record<string, unknown> {
  const isMap = typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  if (!isMap) throw new ProtocolError(field, `invalid ${field}: expected a map, got ${describe(value)}`)
  return value as Record<string, unknown>
}

function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ProtocolError(field, `invalid ${field}: expected a non-empty string, got ${describe(value)}`)
  }
  return value
}

function rejectUnknownKeys(map: Record<string, unknown>, known: readonly string[], field: string): void {
  for (const key of Object.keys(map)) {
    if (!known.includes(key)) {
      throw new ProtocolError(`${field}.${key}`, `unknown key ${key} in ${field}; expected ${known.join(', ')}`)
    }
  }
}
