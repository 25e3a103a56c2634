/** One log line per request: method, path without the query (it may hold a token), status, time. */
import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'

export function requestLog(logger: Logger): MiddlewareHandler {
  return async function requestLog(c, next) {
    const start = performance.now()
    await next()
    const ms = Math.round(performance.now() - start)
    const bytesIn = Number(c.req.header('content-length') ?? 0)
    const status = c.res.status
    const level = status >= 500 ? 'error' : 'info'
    logger[level]({ method: c.req.method, path: c.req.path, status, ms, bytesIn }, 'request')
  }
}
