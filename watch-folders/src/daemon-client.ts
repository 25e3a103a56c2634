/**
 * HTTP calls to a partfield-bridge daemon (protocol/PROTOCOL.md) that wait out what is not the
 * file's fault: an unreachable daemon, a full queue (429), a full disk (507) or a rejected token.
 * Such calls are retried with growing pauses until they succeed or the watcher stops.
 */

import type { Logger } from 'pino'

import { parseErrorBody } from '../../protocol/src/responses.js'
import { pause } from './pause.js'

/** Pause after the first failed attempt; it doubles up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 1000
const MAX_BACKOFF_MS = 30_000
/** Statuses that mean "try again later" rather than "this request is invalid". */
const RETRY_STATUSES = new Set([401, 403, 429, 502, 503, 504, 507])

/** A response that ended a request: its status and the daemon's error body, when there is one. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError'
  readonly status: number
  readonly code: string
  readonly reason: string | undefined
  /** From a Retry-After header given in seconds. */
  readonly retryAfterMs: number | undefined

  constructor(status: number, code: string, message: string, extra: { reason?: string; retryAfterMs?: number } = {}) {
    super(message)
    this.status = status
    this.code = code
    this.reason = extra.reason
    this.retryAfterMs = extra.retryAfterMs
  }
}

export interface DaemonClientOptions {
  url: string
  token?: string
  logger: Logger
  /** Overrides FIRST_BACKOFF_MS, for tests. */
  firstBackoffMs?: number
}

export class DaemonClient {
  readonly url: string
  readonly #token: string | undefined
  readonly #logger: Logger
  readonly #firstBackoffMs: number

  constructor(options: DaemonClientOptions) {
    this.url = options.url.replace(/\/+$/, '')
    this.#token = options.token || undefined
    this.#logger = options.logger
    this.#firstBackoffMs = options.firstBackoffMs ?? FIRST_BACKOFF_MS
  }

  /** Sends one request without retrying; throws DaemonError for any status outside 2xx. */
  async once(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#token) headers.set('authorization', `Bearer ${this.#token}`)
    const response = await fetch(`${this.url}${path}`, { ...init, headers })
    if (response.ok) return response
    throw await errorOf(response)
  }

  /**
   * Sends a request until the response has a status outside RETRY_STATUSES. `body` is called for
   * every attempt because a request body can be read only once. Other error statuses reject
   * with DaemonError, and an abort rejects with the signal's reason.
   */
  async call(path: string, init: Omit<RequestInit, 'body'> & { body?: () => BodyInit }, signal: AbortSignal): Promise<Response> {
    let backoff = this.#firstBackoffMs
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted()
      let wait: number
      try {
        return await this.once(path, { ...init, body: init.body?.(), signal })
      } catch (error) {
        if (signal.aborted) throw signal.reason
        if (error instanceof DaemonError && !RETRY_STATUSES.has(error.status)) throw error
        wait = (error instanceof DaemonError ? error.retryAfterMs : undefined) ?? backoff
        this.#logRetry(path, init.method ?? 'GET', attempt, wait, error)
      }
      await pause(wait, signal)
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
    }
  }

  #tokenProblem(): string {
    return this.#token
      ? 'daemon rejected the token; check --token or PARTFIELD_TOKEN; retrying'
      : 'daemon requires a token, and none was given; pass --token or set PARTFIELD_TOKEN; retrying'
  }

  #logRetry(path: string, method: string, attempt: number, waitMs: number, error: unknown): void {
    const details = { daemon: this.url, method, path: path.split('?')[0], attempt, retryInMs: waitMs }
    if (error instanceof DaemonError) {
      const level = error.status === 401 || error.status === 403 ? 'error' : 'warn'
      this.#logger[level]({ ...details, status: error.status, code: error.code, error: error.message },
        error.status === 401 ? this.#tokenProblem() : 'daemon busy; retrying')
      return
    }
    // Rate-limited: the first failures, then every tenth, so a long outage does not flood the log.
    if (attempt <= 3 || attempt % 10 === 0) {
      this.#logger.warn({ ...details, error: describeNetworkError(error) }, 'daemon unreachable; retrying')
    }
  }
}

async function errorOf(response: Response): Promise<DaemonError> {
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  const parsed = parseErrorBody(body)
  const retryAfter = Number(response.headers.get('retry-after'))
  return new DaemonError(
    response.status,
    parsed?.code ?? `http-${response.status}`,
    parsed?.message ?? `the daemon answered ${response.status} ${response.statusText}`,
    { reason: parsed?.reason, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined },
  )
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? error.message
}
