/** POST /v1/segment: stores the upload as a new job and queues it; with ?wait=1 it returns the result. */
import { existsSync } from 'node:fs'

import { Hono, type Context } from 'hono'

import { parseParams } from '../../../../protocol/src/params.js'
import { newJobRecord, toJobStatus } from '../../jobs/job-record.js'
import { newJobId } from '../../jobs/job-store.js'
import { apiError } from '../api-error.js'
import { checkFreeSpace } from '../disk-guard.js'
import { receiveUpload, RESERVED_QUERY } from '../read-upload.js'
import { respond } from '../respond.js'
import type { ServerContext } from '../server-context.js'
import { jobOutcome } from './job-outcome.js'

export function segmentRoutes(context: ServerContext): Hono {
  const app = new Hono()
  app.post('/segment', (c) => segmentHandler(c, context))
  return app
}

async function segmentHandler(c: Context, context: ServerContext): Promise<Response> {
  const { manager, settings } = context
  manager.checkRoom()
  const incoming = Number(c.req.header('content-length') ?? 0)
  await checkFreeSpace(settings.dataDir, settings.minFreeBytes, incoming)

  const id = newJobId()
  await manager.store.create(id)
  let record
  try {
    const received = await receiveUpload(c, manager.store, id, settings.maxFaces)
    const params = parseParams({ ...queryParams(c), ...received.params })
    if (params.backend === 'partfield' && !existsSync(settings.modelPath)) {
      throw apiError(400, 'backend-unavailable',
        `PartField model not found at ${settings.modelPath}; set PARTFIELD_MODEL or --model, or use backend=geometric`,
        { field: 'backend' })
    }
    record = newJobRecord(id, received.input, params, new Date())
    await manager.submit(record)
  } catch (error) {
    await manager.store.remove(id)
    throw error
  }

  const location = `/v1/jobs/${id}`
  if (!isTrue(c.req.query('wait'))) {
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
  return jobOutcome(c, context, id, { location })
}

/** Query parameters that are segmentation parameters (the last value wins when repeated). */
function queryParams(c: Context): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (!RESERVED_QUERY.includes(key)) params[key] = values[values.length - 1]
  }
  return params
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true'
}
