import { Hono } from 'hono'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'

import { errorResponse } from './api-error.js'
import { bearerAuth, type TokenSource } from './auth.js'

const TOKEN = 'secret-token'

function appWith(source: Exclude<TokenSource, 'none'>): Hono {
  const app = new Hono()
  const logger = pino({ level: 'silent' })
  app.onError((error, c) => errorResponse(error, logger, c))
  app.use('*', bearerAuth(TOKEN, source))
  app.get('/v1/health', (c) => c.json({ status: 'ok' }))
  return app
}

async function messageOf(response: Response): Promise<string> {
  expect(response.status).toBe(401)
  return ((await response.json()) as { error: { message: string } }).error.message
}

describe('bearerAuth messages', () => {
  it('points to PARTFIELD_TOKEN when the token came from it', async () => {
    const message = await messageOf(await appWith('env').request('/v1/health'))
    expect(message).toBe('missing access token; send the header Authorization: Bearer <token> (or ?access_token=<token>) ' +
      'with the token set in the PARTFIELD_TOKEN environment variable of the daemon')
    expect(message).not.toMatch(/printed|token file/)
  })

  it('points to the printed token and its file when the daemon made one', async () => {
    for (const source of ['generated', 'file'] as const) {
      const message = await messageOf(await appWith(source).request('/v1/health', { headers: { authorization: 'Bearer wrong' } }))
      expect(message).toMatch(/^invalid access token; /)
      expect(message).toContain('the token the daemon printed at startup, which is also stored in the file "token" in its data folder')
    }
  })

  it('accepts the right token', async () => {
    const response = await appWith('env').request(`/v1/health?access_token=${TOKEN}`)
    expect(response.status).toBe(200)
  })
})
