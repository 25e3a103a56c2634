/**
 * Reads the body of POST /v1/segment into the job's directory: a multipart upload (field `file`,
 * optional `resource` files), a MessagePack or JSON body (mesh arrays or a file), or a raw file
 * body named by ?filename=. Stored names are the daemon's own (`input.obj`, `resource-0`); the
 * user's file name is kept for messages and, through exportBaseName, for the exports' names.
 */
import { open, rename, writeFile } from 'node:fs/promises'

import type { Context } from 'hono'

import { decodeMsgpack, encodeMsgpack, isMsgpackType } from '../../../protocol/src/codec.js'
import { parseSegmentRequest } from '../../../protocol/src/requests.js'
import { ProtocolError } from '../../../protocol/src/typed-bytes.js'
import type { StoredInput } from '../jobs/job-record.js'
import type { JobStore } from '../jobs/job-store.js'
import { meshFromArrays } from '../jobs/mesh-from-arrays.js'
import { chooseFormat, SNIFF_BYTES } from '../mesh/detect-format.js'
import { MeshParseError } from '../mesh/errors.js'
import { extensionOf, MESH_EXTENSIONS } from '../mesh/formats.js'
import { apiError } from './api-error.js'
import { TOKEN_QUERY } from './auth.js'

/** Query parameters that steer the request rather than set a segmentation parameter. */
export const RESERVED_QUERY = ['filename', 'wait', 'include', TOKEN_QUERY]
const MAX_NAME_LENGTH = 200
const DEFAULT_NAME = 'mesh'
/** Stored name of a raw body until its format is known. */
const RECEIVED_NAME = 'input.received'

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
  const received = store.pathOf(id, RECEIVED_NAME)
  const bytes = await streamToFile(c, received)
  const format = meshFormatOf(name, await readHead(received))
  const stored = `input.${format}`
  await rename(received, store.pathOf(id, stored))
  return { input: { kind: 'file', name, format, bytes, file: stored, resources: [] }, params: {} }
}

async function receiveMultipart(c: Context, store: JobStore, id: string): Promise<ReceivedInput> {
  let form: FormData
  try {
    form = await c.req.raw.formData()
  } catch (error) {
    throw new ProtocolError('body', `invalid multipart body: ${(error as Error).message}`)
  }
  rejectRepeatedFields(form)
  const file = form.get('file')
  if (!(file instanceof File)) {
    throw new ProtocolError('file', 'missing file: the multipart body needs a file field named "file"')
  }

  const name = displayName(file.name)
  const bytes = new Uint8Array(await file.arrayBuffer())
  const format = meshFormatOf(name, bytes)
  const stored = `input.${format}`
  await writeFile(store.pathOf(id, stored), bytes)
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
  const input: StoredInput = { kind: 'file', name, format, bytes: file.size, file: stored, resources }
  return { input, params }
}

/**
 * Rejects a multipart body that repeats the `file` part, a text field, or a resource's file
 * name: the daemon could only guess which one was meant.
 */
function rejectRepeatedFields(form: FormData): void {
  const counts = new Map<string, number>()
  for (const key of form.keys()) if (key !== 'resource') counts.set(key, (counts.get(key) ?? 0) + 1)
  for (const [key, count] of counts) {
    if (count < 2) continue
    const fix = key === 'file' ? 'send one mesh per request; files the mesh refers to go in parts named "resource"' : 'send it once'
    throw new ProtocolError(key, `invalid multipart body: ${count} parts are named "${key}"; ${fix}`)
  }

  const names = new Set<string>()
  for (const resource of form.getAll('resource')) {
    if (!(resource instanceof File)) continue
    if (names.has(resource.name)) {
      throw new ProtocolError('resource', `invalid multipart body: two resource parts are named ${JSON.stringify(resource.name)}; send each file once`)
    }
    names.add(resource.name)
  }
}

async function receiveMessage(c: Context, store: JobStore, id: string, maxFaces: number, type: string): Promise<ReceivedInput> {
  const raw = new Uint8Array(await c.req.arrayBuffer())
  const encoding = isMsgpackType(type) ? 'msgpack' : 'json'
  const body = encoding === 'msgpack' ? decodeMsgpack(raw) : parseJsonBody(raw)
  const request = parseSegmentRequest(body)

  if (request.kind === 'arrays') {
    const name = displayName(request.name)
    // Checked now, so a malformed mesh gets its 422 at once instead of as a failed job.
    meshFromArrays(request.mesh, name, maxFaces, encoding)
    // Stored as MessagePack whatever the body was; `format` keeps the body's encoding.
    const stored = 'input.msgpack'
    await writeFile(store.pathOf(id, stored), encodeMsgpack(request.mesh))
    const input: StoredInput = { kind: 'arrays', name, format: encoding, bytes: raw.byteLength, file: stored, resources: [] }
    return { input, params: request.params }
  }

  const name = displayName(request.filename)
  const format = meshFormatOf(name, request.file)
  const stored = `input.${format}`
  await writeFile(store.pathOf(id, stored), request.file)
  const resources: StoredInput['resources'] = []
  for (const [uri, bytes] of request.resources) {
    const file = `resource-${resources.length}`
    await writeFile(store.pathOf(id, file), bytes)
    resources.push({ uri, file })
  }
  const input: StoredInput = { kind: 'file', name, format, bytes: request.file.byteLength, file: stored, resources }
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
 * Returns the format the worker will load the file as, decided as loadMesh decides: by the
 * extension, or by the leading bytes when the name has no known extension or when they clearly
 * belong to another format. A file whose name and content both fail to show a supported format
 * is rejected before it is queued.
 */
function meshFormatOf(name: string, head: Uint8Array): string {
  const { format } = chooseFormat(name, head)
  if (format && MESH_EXTENSIONS.includes(`.${format}`)) return format

  const extension = extensionOf(name)
  const named = extension ? `the extension ${JSON.stringify(extension)} is not supported` : 'the name has no extension'
  throw new MeshParseError('unsupported-format', name, undefined,
    `${named} and the content matches no supported format; expected one of ${MESH_EXTENSIONS.join(', ')}`)
}

/** Reads the first bytes of a stored upload, enough for chooseFormat. */
async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const head = new Uint8Array(SNIFF_BYTES)
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0)
    return head.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
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
