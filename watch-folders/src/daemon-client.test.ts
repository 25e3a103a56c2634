/** Retries of the daemon client against small HTTP servers on loopback that respond as scripted. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'

import { DaemonClient, DaemonError } from './daemon-client.js'

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

type Handler = (request: IncomingMessage, response: ServerResponse, attempt: number) => void

async function serve(handler: Handler, port = 0): Promise<string> {
  let attempt = 0
  const server = createServer((request, response) => handler(request, response, ++attempt))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

function client(url: string): DaemonClient {
  return new DaemonClient({ url, token: 'secret', logger: pino({ level: 'silent' }), firstBackoffMs: 20 })
}

describe('DaemonClient.call', () => {
  it('waits out 429 and 507, sending the token and the body each time', async () => {
    const bodies: string[] = []
    const url = await serve((request, response, attempt) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        bodies.push(`${request.headers.authorization} ${body}`)
        if (attempt === 1) json(response, 429, { error: { code: 'queue-full', message: 'full' } }, { 'retry-after': '1' })
        else if (attempt === 2) json(response, 507, { error: { code: 'insufficient-storage', message: 'disk' } })
        else json(response, 202, { ok: true })
      })
    })
    const start = Date.now()
    const response = await client(url).call('/v1/segment', { method: 'POST', body: () => 'mesh' }, new AbortController().signal)
    expect(response.status).toBe(202)
    expect(bodies).toEqual(['Bearer secret mesh', 'Bearer secret mesh', 'Bearer secret mesh'])
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000)
  })

  it('rejects at once with the daemon error for a request error', async () => {
    const url = await serve((_request, response) =>
      json(response, 422, { error: { code: 'invalid-mesh', reason: 'syntax', message: 'a.obj: line 2: bad' } }))
    const call = client(url).call('/v1/segment', { method: 'POST', body: () => 'x' }, new AbortController().signal)
    await expect(call).rejects.toBeInstanceOf(DaemonError)
    await expect(call).rejects.toMatchObject({ status: 422, code: 'invalid-mesh', reason: 'syntax', message: 'a.obj: line 2: bad' })
  })

  it('retries until a daemon that was down answers', async () => {
    const placeholder = await serve(() => {})
    const port = Number(new URL(placeholder).port)
    await new Promise((resolve) => servers.pop()!.close(resolve))

    const signal = new AbortController().signal
    const call = client(`http://127.0.0.1:${port}`).call('/v1/health', {}, signal)
    await new Promise((resolve) => setTimeout(resolve, 150))
    await serve((_request, response) => json(response, 200, { status: 'ok' }), port)
    expect((await call).status).toBe(200)
  })

  it('names a missing token while retrying 401', async () => {
    const url = await serve((_request, response, attempt) => {
      if (attempt === 1) json(response, 401, { error: { code: 'unauthorized', message: 'this daemon requires a token' } })
      else json(response, 200, { status: 'ok' })
    })
    const lines: Array<Record<string, unknown>> = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const withoutToken = new DaemonClient({ url, logger, firstBackoffMs: 20 })
    expect((await withoutToken.call('/v1/health', {}, new AbortController().signal)).status).toBe(200)
    expect(lines.map((line) => line.msg)).toEqual(['daemon requires a token, and none was given; pass --token or set PARTFIELD_TOKEN; retrying'])
    expect(lines[0]).toMatchObject({ level: 50, status: 401, attempt: 1 })
  })

  it('stops retrying when aborted', async () => {
    const url = await serve((_request, response) => json(response, 503, { error: { code: 'busy', message: 'busy' } }))
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('stopped by test')), 200)
    await expect(client(url).call('/v1/health', {}, controller.signal)).rejects.toThrow('stopped by test')
  })
})
