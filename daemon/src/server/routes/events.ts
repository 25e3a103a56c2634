/**
 * GET /v1/jobs/{id}/events: server-sent events. Each event is `event: status` with the job status
 * as JSON; the first is sent at once, the last has a final state and the stream then closes.
 */
import { Hono } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'

import { isTerminal } from '../../jobs/job-manager.js'
import { toJobStatus, type JobRecord } from '../../jobs/job-record.js'
import { checkQueryKeys } from '../query.js'
import type { ServerContext } from '../server-context.js'
import { findJob } from './job-outcome.js'

/** Progress events are sent at most this often; state changes go out at once. */
const MIN_INTERVAL_MS = 100
/** Comment lines keep proxies (RunPod's among them) from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000

export function eventRoutes(context: ServerContext): Hono {
  const app = new Hono()
  app.get('/jobs/:id/events', (c) => {
    checkQueryKeys(c, 'GET /v1/jobs/{id}/events', [])
    const record = findJob(context, c.req.param('id') ?? '')
    return streamSSE(c, (stream) => followJob(stream, context, record))
  })
  return app
}

async function followJob(stream: SSEStreamingApi, context: ServerContext, first: JobRecord): Promise<void> {
  const { manager } = context
  let sequence = 0
  const send = (record: JobRecord) =>
    stream.writeSSE({
      event: 'status',
      id: String(++sequence),
      data: JSON.stringify(toJobStatus(record, manager.queuePosition(record.id))),
    })

  await send(first)
  if (isTerminal(first)) return

  await new Promise<void>((resolve) => {
    let lastSent = Date.now()
    let pending: NodeJS.Timeout | undefined
    let lastState = first.state
    const finish = () => {
      stop()
      clearTimeout(pending)
      clearInterval(keepAlive)
      resolve()
    }
    const stop = manager.subscribe(first.id, (record) => {
      if (isTerminal(record)) {
        void send(record).finally(finish)
        return
      }
      const stateChanged = record.state !== lastState
      lastState = record.state
      const wait = MIN_INTERVAL_MS - (Date.now() - lastSent)
      if (stateChanged || wait <= 0) {
        clearTimeout(pending)
        pending = undefined
        lastSent = Date.now()
        void send(record)
      } else {
        pending ??= setTimeout(() => {
          pending = undefined
          lastSent = Date.now()
          void send(record)
        }, wait)
      }
    })
    const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS)
    stream.onAbort(finish)
  })
}
