/** GET /health (open, for liveness probes) and GET /v1/health (details, behind the token). */
import { Hono } from 'hono'

import type { HealthResponse } from '../../../../protocol/src/messages.js'
import { PROTOCOL_VERSION } from '../../../../protocol/src/version.js'
import { autoBackend, modelState } from '../model-state.js'
import { checkQueryKeys } from '../query.js'
import { respond } from '../respond.js'
import type { ServerContext } from '../server-context.js'

/** Liveness only: no details that would help a stranger. */
export function publicHealthRoute(context: ServerContext): Hono {
  const app = new Hono()
  app.get('/health', (c) => respond(c, { status: 'ok', version: context.version, protocolVersion: PROTOCOL_VERSION }))
  return app
}

export function healthRoutes(context: ServerContext): Hono {
  const app = new Hono()
  app.get('/health', async (c) => {
    checkQueryKeys(c, 'GET /v1/health', [])
    return respond(c, await healthReport(context))
  })
  return app
}

async function healthReport(context: ServerContext): Promise<HealthResponse> {
  const { settings, manager } = context
  const model = await modelState(settings.modelPath, manager.modelReport)
  const { jobs, ...queue } = manager.stats()
  const memory = process.memoryUsage()
  return {
    status: 'ok',
    version: context.version,
    protocolVersion: PROTOCOL_VERSION,
    backend: autoBackend(model),
    model,
    device: manager.device,
    queue,
    jobs,
    authRequired: context.authRequired,
    limits: { maxUploadBytes: settings.maxUploadBytes, maxFaces: settings.maxFaces },
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    uptimeSeconds: Math.round((Date.now() - context.startedAt) / 1000),
  }
}
