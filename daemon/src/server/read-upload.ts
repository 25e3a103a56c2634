/**
 * Reads the body of POST /v1/segment into the job's directory: a multipart upload (field `file`,
 * optional `resource` files), a MessagePack or JSON body (mesh arrays or a file), or a raw file
 * body named by ?filename=. Stored names are the daemon's own (`input.obj`, `resource-0`); the
 * user's file name is kept only for messages and download names.
 */
import { open, writeFile } from 'node:fs/promises'

import type { Context } from 'hono'

import { decodeMsgpack, encodeMsgpack, isMsgpackType } from '../../../protocol/src/codec.js'
import { parseSegmentRequest } from '../../../protocol/src/requests.js'
import { ProtocolError } from '../../../protocol/src/typed-bytes.js'
import type { StoredInput } from '../jobs/job-record.js'
import type { JobStore } from '../jobs/job-store.js'
import { meshFromArrays } from '../jobs/mesh-from-arrays.js'
import { MeshParseError } from '../mesh/errors.js'
import { extensionOf, MESH_EXTENSIONS } from '../mesh/formats.js'
import { apiError } from './api-error.js'

/** Query parameters that steer the request rather than set a segmentation parameter. */
export const RESERVED_QUERY = ['filename', 'wait', 'include', 'access_token']
const MAX_NAME_LENGTH = 200
const DEFAULT_NAME = 'mesh'

export interface ReceivedInput {
  input: StoredInput
  /** Parameters from the body (multipart fields or the `params` map), not yet validated. */
  params: Record<string, unknown>
}

export async function receiveUpload(c: Context, store: JobStore, id: string, maxFaces: number): Promise<ReceivedInput> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (type.startsWith('multipart/form-data')) return receiveMultipart(c, store, id)
  if (isMsgpackType(type) || type.startsWith('application/json')) return receiveMessage(c, store, id, maxFaces, type)

  const filename = c.req.query('filename')
  if (!filename) {
    throw apiError(415, 'unsupported-media-type',
      `cannot read a ${type || 'body without Content-Type'}: send multipart/form-data with a file field, application/msgpack or application/json, or a raw file with ?filename=NAME`)
  }
  const name = displayName(filename)
  const stored = storedInputName(name)
  const bytes = await streamToFile(c, store.pathOf(id, stored))
  return { input: { kind: 'file', name, format: stored.slice('input.'.length), bytes, file: stored, resources: [] }, params: {} }
}

async function receiveMultipart(c: Context, store: JobStore, id: string): Promise<ReceivedInput> {
  let form: FormData
  try {
    form = await c.req.raw.formData()
  } catch (error) {
    throw new ProtocolError('body', `invalid multipart body: ${(error as Error).message}`)
  }
  const file = form.get('file')
  if (!(file instanceof File)) {
    throw new ProtocolError('file', 'missing file: the multipart body needs a file field named "file"')
  }

  const name = displayName(file.name)
  const stored = storedInputName(name)
  await writeFile(store.pathOf(id, stored), new Uint8Array(await file.arrayBuffer()))
  const resources: StoredInput['resources'] = []
  for (const [index, resource] of form.getAll('resource').entries()) {
    if (!(resource instanceof File)) throw new ProtocolError('resource', 'invalid resource: expected a file part')
    const resourceFile = `resource-${index}`
    await writeFile(store.pathOf(id, resourceFile), new Uint8Array(await resource.arrayBuffer()))
    resources.push({ uri: resource.name, file: resourceFile })
  }

  const params: Record<string, unknown> = {}
  for (const [key, value] of form.entries()) {
    if (key === 'file' || key === 'resource') continue
    if (typeof value !== 'string') throw new ProtocolError(key, `invalid ${key}: expected a text field, got a file`)
    if (key === 'params') Object.assign(params, parseParamsField(value))
    else params[key] = value
  }
  const input: StoredInput = { kind: 'file', name, format: stored.slice('input.'.length), bytes: file.size, file: stored, resources }
  return { input, params }
}

async function receiveMessage(c: Context, store: JobStore, id: string, maxFaces: number, type: string): Promise<ReceivedInput> {
  const raw = new Uint8Array(await c.req.arrayBuffer())
  const body = isMsgpackType(type) ? decodeMsgpack(raw) : parseJsonBody(raw)
  const request = parseSegmentRequest(body)

  if (request.kind === 'arrays') {
    const name = displayName(request.name)
    // Checked now, so a malformed mesh gets its 422 at once instead of as a failed job.
    meshFromArrays(request.mesh, name, maxFaces)
    const stored = 'input.msgpack'
    const bytes = encodeMsgpack(request.mesh)
    await writeFile(store.pathOf(id, stored), bytes)
    const input: StoredInput = { kind: 'arrays', name, format: 'msgpack', bytes: raw.byteLength, file: stored, resources: [] }
    return { input, params: request.params }
  }

  const name = displayName(request.filename)
  const stored = storedInputName(name)
  await writeFile(store.pathOf(id, stored), request.file)
  const resources: StoredInput['resources'] = []
  for (const [uri, bytes] of request.resources) {
    const file = `resource-${resources.length}`
    await writeFile(store.pathOf(id, file), bytes)
    resources.push({ uri, file })
  }
  const input: StoredInput = { kind: 'file', name, format: stored.slice('input.'.length), bytes: request.file.byteLength, file: stored, resources }
  return { input, params: request.params }
}

/** Streams a raw body to disk so a 100 MB upload never sits in memory whole. */
async function streamToFile(c: Context, path: string): Promise<number> {
  const body = c.req.raw.body
  if (!body) throw new ProtocolError('body', 'missing body: send the mesh file as the request body')
  const handle = await open(path, 'w')
  let bytes = 0
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength
      await handle.write(chunk)
    }
  } finally {
    await handle.close()
  }
  if (bytes === 0) throw new ProtocolError('body', 'empty body: send the mesh file as the request body')
  return bytes
}

/**
 * Picks the stored input name from the extension list, so the request only chooses among the
 * daemon's fixed names. Unknown extensions are rejected before anything is parsed.
 */
function storedInputName(name: string): string {
  const extension = extensionOf(name)
  const known = MESH_EXTENSIONS.find((candidate) => candidate === extension)
  if (!known) {
    throw new MeshParseError('unsupported-format', name, undefined,
      `unknown file extension ${JSON.stringify(extension || '(none)')}; expected one of ${MESH_EXTENSIONS.join(', ')}`)
  }
  return `input${known}`
}

/** Returns the user's file name without folders or control characters, for messages and downloads. */
export function displayName(raw: string): string {
  const base = raw.slice(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1)
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME_LENGTH)
  return clean || DEFAULT_NAME
}

function parseParamsField(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ProtocolError('params', `invalid params field: not JSON (${(error as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('params', 'invalid params field: expected a JSON object such as {"n_clusters": 8}')
  }
  return value as Record<string, unknown>
}

function parseJsonBody(raw: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(raw))
  } catch (error) {
    throw new ProtocolError('body', `invalid JSON body: ${(error as Error).message}`)
  }
}
