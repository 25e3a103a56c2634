/**
 * 405 responses for known paths requested with the wrong method (`GET /v1/segment`), with the
 * Allow header that RFC 9110 section 15.5.6 requires. The methods come from the app's own route table, so
 * they never drift from the routes.
 */
import type { Hono } from 'hono'
import type { HTTPException } from 'hono/http-exception'

import { apiError } from './api-error.js'

/** Order of methods in Allow headers and messages. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Returns the methods the app's routes accept for `path`, or an empty list for a path no route
 * has. Middleware (method ALL) and wildcard routes such as the web page's are not counted.
 */
export function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>()
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue
    if (routePattern(route.path).test(path)) methods.add(route.method)
  }
  // Hono runs the GET handler for HEAD requests.
  if (methods.has('GET')) methods.add('HEAD')
  return METHOD_ORDER.filter((method) => methods.has(method))
}

/** Returns the 405 error for a request whose path a route has with other methods, else undefined. */
export function methodNotAllowed(app: Hono, method: string, path: string): HTTPException | undefined {
  const allowed = allowedMethods(app, path)
  if (allowed.length === 0 || allowed.includes(method)) return undefined
  const usable = allowed.filter((name) => name !== 'HEAD')
  return apiError(405, 'method-not-allowed', `${method} is not allowed on ${path}; use ${usable.join(' or ')}`, {},
    { allow: allowed.join(', ') })
}

/** Converts a route path such as `/v1/jobs/:id/files/:name` into an anchored regular expression. */
function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}/?$`)
}
