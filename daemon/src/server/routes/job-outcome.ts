/** Job lookup and the response for a job's result: the result itself, or the error that explains why there is none. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

import { parseSegmentResult } from '../../../../protocol/src/responses.js'
import type { JobRecord } from '../../jobs/job-record.js'
import { readResult } from '../../jobs/result-store.js'
import { apiError } from '../api-error.js'
import type { IncludeValue } from '../query.js'
import { respond, wantsMsgpack } from '../respond.js'
import type { ServerContext } from '../server-context.js'

export function findJob(context: ServerContext, id: string): JobRecord {
  const record = context.manager.get(id)
  if (!record) {
    const hours = Math.round(context.settings.ttlMs / 3_600_000)
    throw apiError(404, 'not-found',
      `job ${id} not found; it was deleted, or it finished more than ${hours} h ago and expired`)
  }
  return record
}

/** Responds with the job's result; `include` contains the parsed ?include= values. */
export async function jobOutcome(
  c: Context,
  context: ServerContext,
  id: string,
  include: ReadonlySet<IncludeValue>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const record = findJob(context, id)
  if (record.state === 'queued' || record.state === 'running') {
    const percent = Math.round(record.progress * 100)
    throw apiError(409, 'not-ready',
      `job ${id} is ${record.state} (${percent}% done); poll GET /v1/jobs/${id} or follow /v1/jobs/${id}/events until it succeeds`,
      { jobId: id }, { 'retry-after': '1' })
  }
  if (record.state === 'cancelled') {
    throw apiError(409, 'cancelled', `job ${id} was cancelled and has no result`, { jobId: id })
  }
  if (record.state === 'failed') {
    const error = record.error ?? { code: 'internal', message: 'the job failed', status: 500 }
    const detail = error.reason === undefined ? { jobId: id } : { jobId: id, reason: error.reason }
    throw apiError(error.status as ContentfulStatusCode, error.code, error.message, detail)
  }

  const stored = await readResult(context.manager.store.dirOf(id))
  if (!include.has('triangle_labels')) delete stored.triangleLabels
  // MessagePack goes out as stored; JSON needs the binary fields as typed arrays of their dtypes.
  const message = wantsMsgpack(c) ? stored : parseSegmentResult(stored)
  return respond(c, message, 200, headers)
}
