import { request } from 'node:http'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { encodeMsgpack, MSGPACK_TYPE } from '../../../protocol/src/codec.js'
import { startDaemon, type TestDaemon } from './test-daemon.js'
import { box, toArrays, toOff, twoBoxes } from './test-meshes.js'

const TOKEN = 'test-token-0123456789'

async function errorOf(response: Response): Promise<{ code: string; message: string; field?: string; reason?: string }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await response.json()) as { error: { code: string; message: string } }
  return body.error
}

function msgpackMesh(mesh: unknown, params: Record<string, unknown> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': MSGPACK_TYPE }, body: encodeMsgpack({ mesh, params }) }
}

describe('daemon with a token', () => {
  let daemon: TestDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ env: { PARTFIELD_TOKEN: TOKEN }, args: ['--max-upload-mb', '0.05', '--max-faces', '100', '--no-warm-up'] })
  })
  afterAll(() => daemon.stop())

  it('answers /health without a token', async () => {
    const response = await fetch(`${daemon.url}/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'ok', protocolVersion: 1 })
  })

  it('rejects /v1 without a token with 401', async () => {
    const response = await fetch(`${daemon.url}/v1/health`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="partfield"')
    const error = await errorOf(response)
    expect(error.code).toBe('unauthorized')
    expect(error.message).toMatch(/^missing access token/)
  })

  it('rejects a wrong token with 401', async () => {
    const response = await fetch(`${daemon.url}/v1/health`, { headers: { authorization: `Bearer ${TOKEN}x` } })
    expect(response.status).toBe(401)
    expect((await errorOf(response)).message).toMatch(/^invalid access token/)
  })

  it('accepts the token in the header and as access_token', async () => {
    const byHeader = await fetch(`${daemon.url}/v1/health`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(byHeader.status).toBe(200)
    expect(await byHeader.json()).toMatchObject({ authRequired: true, limits: { maxFaces: 100 } })
    const byQuery = await fetch(`${daemon.url}/v1/health?access_token=${TOKEN}`)
    expect(byQuery.status).toBe(200)
  })

  it('rejects a body over the limit with 413', async () => {
    const response = await fetch(`${daemon.url}/v1/segment?filename=big.off`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(60 * 1024),
    })
    expect(response.status).toBe(413)
    expect((await errorOf(response)).code).toBe('too-large')
  })

  it('rejects a streamed body over the limit with 413', async () => {
    const chunk = new Uint8Array(16 * 1024)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(chunk)
        controller.close()
      },
    })
    const response = await fetch(`${daemon.url}/v1/segment?filename=big.off`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
  })

  it('rejects a mesh over the face limit with 413', async () => {
    const { positions, triangles } = toArrays(twoBoxes(3))
    const init = msgpackMesh({ positions, triangles })
    const response = await fetch(`${daemon.url}/v1/segment`, { ...init, headers: { ...init.headers, authorization: `Bearer ${TOKEN}` } })
    expect(response.status).toBe(413)
    const error = await errorOf(response)
    expect(error.reason).toBe('too-many-faces')
    expect(error.message).toMatch(/216 source faces in 216 triangles; expected at most 100 triangles/)
  })

  it('counts the triangles of polygons sent with ids', async () => {
    // Blender's whole faces: 54 quads under the limit, in 108 triangles over it.
    const init = msgpackMesh(toArrays(box(3)))
    const response = await fetch(`${daemon.url}/v1/segment`, { ...init, headers: { ...init.headers, authorization: `Bearer ${TOKEN}` } })
    expect(response.status).toBe(413)
    const error = await errorOf(response)
    expect(error).toMatchObject({ code: 'invalid-mesh', reason: 'too-many-faces' })
    expect(error.message).toBe(
      "mesh: the mesh has 54 source faces in 108 triangles; expected at most 100 triangles (the daemon's --max-faces limit, " +
        'PARTFIELD_MAX_FACES); decimate the mesh, or start the daemon with a larger --max-faces',
    )
  })

  it('counts the triangles of n-gons in a file', async () => {
    // One polygon of 120 corners: 1 source face, 118 triangles.
    const corners = Array.from({ length: 120 }, (_, i) => [Math.cos(i / 19), Math.sin(i / 19), 0].join(' '))
    const off = `OFF\n120 1 0\n${corners.join('\n')}\n120 ${Array.from({ length: 120 }, (_, i) => i).join(' ')}\n`
    const response = await fetch(`${daemon.url}/v1/segment?filename=ngon.off&wait=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
      body: off,
    })
    expect(response.status).toBe(413)
    const error = await errorOf(response)
    expect(error.reason).toBe('too-many-faces')
    expect(error.message).toMatch(/^ngon\.off: the mesh has 1 source face in 118 triangles; expected at most 100 triangles/)
  })
})

describe('daemon on loopback without a token', () => {
  let daemon: TestDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ args: ['--no-warm-up', '--cors-origin', 'http://allowed.example'] })
  })
  afterAll(() => daemon.stop())

  it('returns 404 for an unknown job', async () => {
    for (const path of ['/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA', '/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA/result', '/v1/jobs/..%2F..%2Fetc/files/passwd']) {
      const response = await fetch(`${daemon.url}${path}`)
      expect(response.status, path).toBe(404)
      expect((await errorOf(response)).code).toBe('not-found')
    }
  })

  it('returns 400 naming a parameter out of range', async () => {
    const response = await fetch(`${daemon.url}/v1/segment?filename=a.off&points_per_face=0`, {
      method: 'POST',
      body: toOff(twoBoxes(1)),
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(response.status).toBe(400)
    const error = await errorOf(response)
    expect(error).toMatchObject({ code: 'invalid-param', field: 'points_per_face' })
    expect(error.message).toBe('invalid points_per_face: "0"; expected an integer from 1 to 10000')
  })

  it('returns 400 for an unknown parameter in the params map', async () => {
    const { positions, triangles } = toArrays(twoBoxes(1))
    const response = await fetch(`${daemon.url}/v1/segment`, msgpackMesh({ positions, triangles }, { clusters: 3 }))
    expect(response.status).toBe(400)
    expect((await errorOf(response)).field).toBe('clusters')
  })

  it('returns 422 with the reason for malformed mesh arrays', async () => {
    const response = await fetch(`${daemon.url}/v1/segment`, msgpackMesh({
      positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
      triangles: new Uint32Array([0, 1, 7]),
    }))
    expect(response.status).toBe(422)
    const error = await errorOf(response)
    expect(error).toMatchObject({ code: 'invalid-mesh', reason: 'index-out-of-range' })
    expect(error.message).toBe('mesh: mesh.triangles triangle 0: vertex index 7 is out of range; expected 0 to 2')
  })

  it('returns 422 for an unknown file extension', async () => {
    const response = await fetch(`${daemon.url}/v1/segment?filename=model.stl`, { method: 'POST', body: 'solid x' })
    expect(response.status).toBe(422)
    expect(await errorOf(response)).toMatchObject({ reason: 'unsupported-format' })
  })

  it('returns 415 for a raw body without filename', async () => {
    const response = await fetch(`${daemon.url}/v1/segment`, { method: 'POST', body: 'OFF', headers: { 'content-type': 'text/plain' } })
    expect(response.status).toBe(415)
    expect((await errorOf(response)).message).toMatch(/\?filename=NAME/)
  })

  it('returns 400 for a truncated MessagePack body', async () => {
    const bytes = encodeMsgpack({ mesh: { positions: new Float32Array(30) } }).subarray(0, 20)
    const response = await fetch(`${daemon.url}/v1/segment`, { method: 'POST', headers: { 'content-type': MSGPACK_TYPE }, body: bytes })
    expect(response.status).toBe(400)
    expect(await errorOf(response)).toMatchObject({ code: 'invalid-request', field: 'body' })
  })

  it('rejects requests from a foreign web page with 403', async () => {
    const response = await fetch(`${daemon.url}/v1/health`, { headers: { origin: 'http://evil.example' } })
    expect(response.status).toBe(403)
    expect((await errorOf(response)).code).toBe('forbidden-origin')
  })

  it('rejects a non-loopback Host header with 403', async () => {
    // fetch never sends a caller's Host header, so this request goes through node:http.
    const { status, body } = await getWithHost(daemon.port, '/v1/health', 'rebound.example:7860')
    expect(status).toBe(403)
    expect(JSON.parse(body).error.code).toBe('forbidden-host')
  })

  it('sends CORS headers only to a listed origin', async () => {
    const preflight = await fetch(`${daemon.url}/v1/segment`, {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://allowed.example')
    const same = await fetch(`${daemon.url}/v1/health`, { headers: { origin: daemon.url } })
    expect(same.status).toBe(200)
    expect(same.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('serves the OpenAPI document with every parameter', async () => {
    const response = await fetch(`${daemon.url}/openapi.json`)
    const document = (await response.json()) as { paths: Record<string, unknown>; components: { schemas: { Params: { properties: Record<string, unknown> } } } }
    expect(Object.keys(document.paths)).toContain('/v1/jobs/{id}/recut')
    expect(document.components.schemas.Params.properties.n_clusters).toMatchObject({ minimum: 1, maximum: 256 })
  })

  it('leaves no job directory behind after rejected uploads', async () => {
    const health = (await (await fetch(`${daemon.url}/v1/health`)).json()) as { jobs: number }
    expect(health.jobs).toBe(0)
  })
})

function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('daemon with a nearly full disk', () => {
  let daemon: TestDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ args: ['--no-warm-up', '--min-free-mb', '1000000000'] })
  })
  afterAll(() => daemon.stop())

  it('rejects uploads with 507', async () => {
    const response = await fetch(`${daemon.url}/v1/segment?filename=a.off`, { method: 'POST', body: toOff(twoBoxes(1)) })
    expect(response.status).toBe(507)
    const error = await errorOf(response)
    expect(error.code).toBe('insufficient-storage')
    expect(error.message).toMatch(/MB free and keeps at least 1000000000 MB free/)
  })
})
