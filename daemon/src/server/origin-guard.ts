/**
 * Browser-origin rules. The web page is served by the daemon itself, so it is same-origin and
 * needs no CORS; other origins get CORS headers only when listed with --cors-origin.
 *
 * Without a token (loopback only), any web site the user visits could send requests to the
 * daemon. There the guard also rejects foreign origins and Host names other than loopback ones,
 * because a DNS-rebinding page reaches 127.0.0.1 under its own host name.
 */
import type { MiddlewareHandler } from 'hono'

import { apiError } from './api-error.js'
import { isLoopbackHost } from './auth.js'

const ALLOW_HEADERS = 'authorization, content-type, accept, last-event-id'
const ALLOW_METHODS = 'GET, POST, DELETE, OPTIONS'
const EXPOSE_HEADERS = 'retry-after, location, content-disposition'
const PREFLIGHT_MAX_AGE_SECONDS = '600'

export interface OriginGuardOptions {
  allowedOrigins: readonly string[]
  /** True when no token protects the API, so the guard is the only protection. */
  open: boolean
}

export function originGuard({ allowedOrigins, open }: OriginGuardOptions): MiddlewareHandler {
  return async function originGuard(c, next) {
    const host = c.req.header('host') ?? ''
    if (open && !isLoopbackHost(hostName(host))) {
      throw apiError(403, 'forbidden-host',
        `host ${JSON.stringify(host)} is not a loopback name; without a token the daemon only answers requests to localhost or 127.0.0.1`)
    }

    const origin = c.req.header('origin')
    const listed = origin !== undefined && allowedOrigins.includes(origin)
    if (origin !== undefined && !listed && open && !sameOrigin(origin, host)) {
      throw apiError(403, 'forbidden-origin',
        `requests from the web page at ${origin} are not allowed; start the daemon with --cors-origin ${origin} to allow it`)
    }

    if (listed && c.req.method === 'OPTIONS') {
      return c.body(null, 204, corsHeaders(origin, true))
    }
    await next()
    if (listed) for (const [name, value] of Object.entries(corsHeaders(origin, false))) c.res.headers.set(name, value)
  }
}

function corsHeaders(origin: string, preflight: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-expose-headers': EXPOSE_HEADERS,
  }
  if (preflight) {
    headers['access-control-allow-headers'] = ALLOW_HEADERS
    headers['access-control-allow-methods'] = ALLOW_METHODS
    headers['access-control-max-age'] = PREFLIGHT_MAX_AGE_SECONDS
  }
  return headers
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false
  }
}

/** Host header without its port: `[::1]:7860` gives `::1`, `localhost:7860` gives `localhost`. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host)
  if (bracketed) return bracketed[1]
  return host.replace(/:\d+$/, '')
}
