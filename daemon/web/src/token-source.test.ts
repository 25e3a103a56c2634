import { Hono } from 'hono'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'

import { errorResponse } from '../../src/server/api-error.js'
import { bearerAuth, type TokenSource as DaemonTokenSource } from '../../src/server/auth.js'
import { describeToken, tokenSourceOf } from './token-source.js'

/** Returns the daemon's own 401 message for a token from `source`. */
async function unauthorizedMessage(source: Exclude<DaemonTokenSource, 'none'>): Promise<string> {
  const app = new Hono()
  app.onError((error, c) => errorResponse(error, pino({ level: 'silent' }), c))
  app.use('*', bearerAuth('secret', source))
  app.get('/v1/health', (c) => c.json({ status: 'ok' }))
  const response = await app.request('/v1/health')
  expect(response.status).toBe(401)
  return ((await response.json()) as { error: { message: string } }).error.message
}

describe('tokenSourceOf', () => {
  it('reads PARTFIELD_TOKEN from the daemon message', async () => {
    expect(tokenSourceOf(await unauthorizedMessage('env'))).toBe('env')
  })

  it('reads a printed token from the daemon message', async () => {
    expect(tokenSourceOf(await unauthorizedMessage('generated'))).toBe('file')
    expect(tokenSourceOf(await unauthorizedMessage('file'))).toBe('file')
  })

  it('falls back for a message naming neither', () => {
    expect(tokenSourceOf('missing access token')).toBe('unknown')
  })
})

describe('describeToken', () => {
  it('mentions no printed token for PARTFIELD_TOKEN', () => {
    expect(describeToken('env')).toContain('PARTFIELD_TOKEN')
    expect(describeToken('env')).not.toMatch(/printed|token file/)
  })

  it('names both places when the source is unknown', () => {
    expect(describeToken('unknown')).toBe('the token the daemon was started with (PARTFIELD_TOKEN), or the one it printed at start-up')
  })
})
