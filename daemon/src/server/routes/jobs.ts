/** Routes of one job: status, result, recut, file downloads and delete. */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'

import { Hono, type Context } from 'hono'

import { parseRecutRequest } from '../../../../protocol/src/requests.js'
import { decodeMsgpack, isMsgpackType } from '../../../../protocol/src/codec.js'
import { ProtocolError } from '../../../../protocol/src/typed-bytes.js'
import { toJobStatus } from '../../jobs/job-record.js'
import { FILES_DIR } from '../../jobs/job-store.js'
import { apiError } from '../api-error.js'
import { checkQueryKeys, parseInclude } from '../query.js'
import { respond } from '../respond.js'
import type { ServerContext } from '../server-context.js'
import { findJob, jobOutcome } from './job-outcome.js'

const CONTENT_TYPES: Record<string, string> = {
  '.glb': 'model/gltf-binary',
  '.ply': 'application/octet-stream',
  '.obj': 'model/obj',
  '.mtl': 'model/mtl',
  '.json': 'application/json',
}

/** Query keys POST /v1/jobs/{id}/recut reads; the first two may also come in the body. */
const RECUT_QUERY = ['n_clusters', 'method', 'include']

export function jobRoutes(context: ServerContext): Hono {
  const app = new Hono()
  app.get('/jobs/:id', (c) => {
    checkQueryKeys(c, 'GET /v1/jobs/{id}', [])
    const record = findJob(context, pathParam(c, 'id'))
    return respond(c, toJobStatus(record, context.manager.queuePosition(record.id)))
  })
  app.get('/jobs/:id/result', (c) => {
    checkQueryKeys(c, 'GET /v1/jobs/{id}/result', ['include'])
    return jobOutcome(c, context, pathParam(c, 'id'), parseInclude(c.req.query('include')))
  })
  app.post('/jobs/:id/recut', (c) => recutHandler(c, context))
  app.get('/jobs/:id/files/:name', (c) => fileHandler(c, context))
  app.delete('/jobs/:id', async (c) => {
    checkQueryKeys(c, 'DELETE /v1/jobs/{id}', [])
    findJob(context, pathParam(c, 'id'))
    const record = await context.manager.delete(pathParam(c, 'id'))
    return respond(c, toJobStatus(record!, null))
  })
  return app
}

async function recutHandler(c: Context, context: ServerContext): Promise<Response> {
  checkQueryKeys(c, 'POST /v1/jobs/{id}/recut', RECUT_QUERY)
  const include = parseInclude(c.req.query('include'))
  const id = pathParam(c, 'id')
  const record = findJob(context, id)
  const request = parseRecutRequest(await recutBody(c))
  if (record.state !== 'succeeded') {
    throw apiError(409, 'not-ready', `job ${id} is ${record.state}; only a succeeded job can be recut`, { jobId: id })
  }
  await context.manager.recut(id, request.n_clusters, request.method)
  return jobOutcome(c, context, id, include)
}

/** Recut parameters from the query, or from a JSON or MessagePack body when there is one. */
async function recutBody(c: Context): Promise<Record<string, unknown>> {
  const fromQuery: Record<string, unknown> = {}
  for (const key of ['n_clusters', 'method']) {
    const value = c.req.query(key)
    if (value !== undefined) fromQuery[key] = value
  }
  const raw = new Uint8Array(await c.req.arrayBuffer())
  if (raw.byteLength === 0) return fromQuery

  const type = c.req.header('content-type') ?? ''
  let body: unknown
  try {
    body = isMsgpackType(type) ? decodeMsgpack(raw) : JSON.parse(new TextDecoder().decode(raw))
  } catch (error) {
    if (error instanceof ProtocolError) throw error
    throw new ProtocolError('body', `invalid JSON body: ${(error as Error).message}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('body', 'invalid body: expected a map such as {"n_clusters": 6}')
  }
  return { ...fromQuery, ...(body as Record<string, unknown>) }
}

async function fileHandler(c: Context, context: ServerContext): Promise<Response> {
  checkQueryKeys(c, 'GET /v1/jobs/{id}/files/{name}', [])
  const id = pathParam(c, 'id')
  const record = findJob(context, id)
  const name = pathParam(c, 'name')
  // The name only selects among the files the job lists; it never reaches the file system as given.
  const file = record.files.find((f) => f.name === name)
  if (!file) {
    const names = record.files.map((f) => f.name).join(', ') || 'none yet'
    throw apiError(404, 'not-found', `job ${id} has no file ${JSON.stringify(name)}; its files: ${names}`)
  }

  const path = context.manager.store.pathOf(id, file.name, FILES_DIR)
  const extension = file.name.slice(file.name.lastIndexOf('.')).toLowerCase()
  const stream = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>
  return c.body(stream, 200, {
    'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    'content-length': String(file.bytes),
    // Exports carry the input's name already, and the OBJ's mtllib names its MTL by that name.
    'content-disposition': contentDisposition(file.name),
  })
}

/** RFC 6266 attachment header with an ASCII fallback and the UTF-8 name (RFC 5987). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

function pathParam(c: Context, name: string): string {
  return c.req.param(name) ?? ''
}
