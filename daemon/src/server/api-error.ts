/**
 * Every error response has one JSON shape, `{ "error": { code, message, ... } }`. Routes throw
 * `apiError(...)`; the app's single onError turns known error classes into the same shape.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'

import type { ErrorBody } from '../../../protocol/src/messages.js'
import { ParamError } from '../../../protocol/src/params.js'
import { ProtocolError } from '../../../protocol/src/typed-bytes.js'
import { QueueFullError, RecutError } from '../jobs/job-manager.js'
import { MeshParseError } from '../mesh/errors.js'

type ErrorDetail = Omit<ErrorBody['error'], 'code' | 'message'>

/** Returns an HTTPException whose prepared response is the JSON error body. */
export function apiError(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  detail: ErrorDetail = {},
  headers: Record<string, string> = {},
): HTTPException {
  const body: ErrorBody = { error: { code, message, ...detail } }
  const res = new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })
  return new HTTPException(status, { res, message })
}

/** Maps an error thrown anywhere in a request to its response; unknown errors become 500 and are logged. */
export function errorResponse(error: unknown, logger: Logger, c: Context): Response {
  return toHttpException(error, logger, c).getResponse()
}

function toHttpException(error: unknown, logger: Logger, c: Context): HTTPException {
  if (error instanceof HTTPException) {
    return error.res ? error : apiError(error.status as ContentfulStatusCode, 'http-error', error.message)
  }
  if (error instanceof ParamError) return apiError(400, 'invalid-param', error.message, { field: error.field })
  if (error instanceof ProtocolError) return apiError(400, 'invalid-request', error.message, { field: error.field })
  if (error instanceof MeshParseError) {
    const status = error.code === 'too-many-faces' ? 413 : 422
    return apiError(status, 'invalid-mesh', error.message, { reason: error.code })
  }
  if (error instanceof QueueFullError) {
    return apiError(429, 'queue-full', error.message, {}, { 'retry-after': String(error.retryAfterSeconds) })
  }
  if (error instanceof RecutError) {
    const { code, message, reason, status } = error.error
    return apiError(status as ContentfulStatusCode, code, message, reason ? { reason } : {})
  }

  const message = error instanceof Error ? error.message : String(error)
  logger.error({ method: c.req.method, path: c.req.path, error: message, stack: (error as Error)?.stack }, 'request failed')
  return apiError(500, 'internal', `internal error: ${message}`)
}
