/** POST /v1/segment: stores the upload as a new job and queues it; with ?wait=1 it returns the result. */
import { Hono, type Context } from 'hono'

import { PARAM_SPECS, parseParams } from '../../../../protocol/src/params.js'
import { modelFailedMessage, modelMissingMessage } from '../../features/select-backend.js'
import { newJobRecord, toJobStatus } from '../../jobs/job-record.js'
import { newJobId } from '../../jobs/job-store.js'
import { apiError } from '../api-error.js'
import { checkFreeSpace } from '../disk-guard.js'
import { modelState } from '../model-state.js'
import { checkQueryKeys, parseInclude, parseWait } from '../query.js'
import { receiveUpload, RESERVED_QUERY } from '../read-upload.js'
import { respond } from '../respond.js'
import type { ServerContext } from '../server-context.js'
import { jobOutcome } from './job-outcome.js'

export function segmentRoutes(context: ServerContext): Hono {
  const app = new Hono()
  app.post('/segment', (c) => segmentHandler(c, context))
  return app
}

/** Query keys POST /v1/segment reads: its own and every segmentation parameter. */
const SEGMENT_QUERY = [...RESERVED_QUERY, ...Object.keys(PARAM_SPECS)]

async function segmentHandler(c: Context, context: ServerContext): Promise<Response> {
  const { manager, settings } = context
  checkQueryKeys(c, 'POST /v1/segment', SEGMENT_QUERY)
  const wait = parseWait(c.req.query('wait'))
  const include = parseInclude(c.req.query('include'))
  manager.checkRoom()
  const incoming = Number(c.req.header('content-length') ?? 0)
  await checkFreeSpace(settings.dataDir, settings.minFreeBytes, incoming)

  const id = newJobId()
  await manager.store.create(id)
  let record
  try {
    const received = await receiveUpload(c, manager.store, id, settings.maxFaces)
    const params = parseParams({ ...queryParams(c), ...received.params })
    if (params.backend === 'partfield') await checkModelUsable(context)
    record = newJobRecord(id, received.input, params, new Date())
    await manager.submit(record)
  } catch (error) {
    await manager.store.remove(id)
    throw error
  }

  const location = `/v1/jobs/${id}`
  if (!wait) {
    return respond(c, toJobStatus(record, manager.queuePosition(id)), 202, { location })
  }

  // A client that hangs up stops waiting; the job itself keeps running.
  const signal = c.req.raw.signal
  try {
    await manager.waitForEnd(id, signal)
  } catch (error) {
    if (!signal.aborted) throw error
    context.logger.info({ jobId: id }, 'client disconnected while waiting; the job continues')
    return c.body(null, 204)
  }
  return jobOutcome(c, context, id, include, { location })
}

/**
 * Rejects backend=partfield at once when the model file is missing, or when the workers found
 * that this very file does not load. A file no job has loaded yet is left to the job.
 */
async function checkModelUsable(context: ServerContext): Promise<void> {
  const { settings, manager } = context
  const model = await modelState(settings.modelPath, manager.modelReport)
  if (model.status === 'missing') {
    throw apiError(400, 'backend-unavailable', modelMissingMessage(settings.modelPath), { field: 'backend' })
  }
  if (model.status === 'failed') {
    throw apiError(400, 'backend-unavailable', modelFailedMessage(model.error ?? 'unknown error'), { field: 'backend' })
  }
}

/** Query parameters that are segmentation parameters (checkQueryKeys has rejected repeated keys). */
function queryParams(c: Context): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(c.req.query())) {
    if (!RESERVED_QUERY.includes(key)) params[key] = value
  }
  return params
}
