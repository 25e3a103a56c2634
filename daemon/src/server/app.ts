/**
 * The HTTP application: /health and /openapi.json open, everything under /v1 behind the origin
 * guard, the token (when one is set) and the upload limit, and the web page at `/`. Errors from
 * any route become JSON error bodies in the single onError handler.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'

import { apiError, errorResponse } from './api-error.js'
import { bearerAuth, type TokenSource } from './auth.js'
import { methodNotAllowed } from './method-not-allowed.js'
import { openApiDocument } from './openapi.js'
import { originGuard } from './origin-guard.js'
import { requestLog } from './request-log.js'
import { eventRoutes } from './routes/events.js'
import { healthRoutes, publicHealthRoute } from './routes/health.js'
import { jobRoutes } from './routes/jobs.js'
import { segmentRoutes } from './routes/segment.js'
import type { ServerContext } from './server-context.js'
import { staticPage } from './static-page.js'

const MB = 1024 * 1024

export interface AppOptions {
  /** Token every /v1 request must carry; undefined leaves the API open (loopback only). */
  token: string | undefined
  /** Source of the token, named in the 401 message. */
  tokenSource: TokenSource
  /** Files of the built web page by URL path. */
  pageFiles: Map<string, string>
}

export function createApp(context: ServerContext, options: AppOptions): Hono {
  const { logger, settings } = context
  const app = new Hono()
  app.use('*', requestLog(logger))
  app.onError((error, c) => errorResponse(error, logger, c))
  app.notFound((c) => {
    const wrongMethod = methodNotAllowed(app, c.req.method, c.req.path)
    if (wrongMethod) return wrongMethod.getResponse()
    return apiError(404, 'not-found', `no route for ${c.req.method} ${c.req.path}; the API is under /v1 (see /openapi.json)`).getResponse()
  })

  const document = openApiDocument(context.version)
  app.get('/openapi.json', (c) => c.json(document))
  app.route('/', publicHealthRoute(context))

  const v1 = new Hono()
  v1.use('*', originGuard({ allowedOrigins: settings.corsOrigins, open: options.token === undefined }))
  if (options.token !== undefined && options.tokenSource !== 'none') v1.use('*', bearerAuth(options.token, options.tokenSource))
  v1.use('*', bodyLimit({
    maxSize: settings.maxUploadBytes,
    onError: () => {
      const limit = (settings.maxUploadBytes / MB).toFixed(1)
      throw apiError(413, 'too-large',
        `the request body is larger than the ${limit} MB limit; send a smaller mesh or start the daemon with a larger --max-upload-mb`)
    },
  }))
  v1.get('/openapi.json', (c) => c.json(document))
  v1.route('/', healthRoutes(context))
  v1.route('/', segmentRoutes(context))
  v1.route('/', jobRoutes(context))
  v1.route('/', eventRoutes(context))
  app.route('/v1', v1)

  app.route('/', staticPage(options.pageFiles))
  return app
}
