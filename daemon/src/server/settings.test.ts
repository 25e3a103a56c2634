import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { isLoopbackHost, resolveToken } from './auth.js'
import { parseSettings, SettingsError, USAGE } from './settings.js'

describe('parseSettings', () => {
  it('uses defaults without flags or environment', () => {
    const settings = parseSettings([], {})
    expect(settings.host).toBe('127.0.0.1')
    expect(settings.port).toBe(7860)
    expect(settings.maxUploadBytes).toBe(100 * 1024 * 1024)
    expect(settings.maxFaces).toBe(2_000_000)
    expect(settings.concurrency).toBe(1)
    expect(settings.ttlMs).toBe(24 * 3600 * 1000)
    expect(settings.token).toBeUndefined()
  })

  it('documents --max-faces as triangles', () => {
    const entry = USAGE.slice(USAGE.indexOf('--max-faces'), USAGE.indexOf('--max-queue'))
    expect(entry).toContain('largest mesh in triangles after triangulation, or points of a point')
    expect(entry).toContain('larger ones get 413 [PARTFIELD_MAX_FACES] (2000000)')
  })

  it('honours the Gradio variables RunPod templates set', () => {
    const settings = parseSettings([], { GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: '8000' })
    expect(settings.host).toBe('0.0.0.0')
    expect(settings.port).toBe(8000)
  })

  it('prefers flags over PARTFIELD_ over GRADIO_ variables', () => {
    const env = { PARTFIELD_PORT: '9000', GRADIO_SERVER_PORT: '8000' }
    expect(parseSettings([], env).port).toBe(9000)
    expect(parseSettings(['--port', '9100'], env).port).toBe(9100)
  })

  it('reads limits, origins and the token', () => {
    const settings = parseSettings(['--max-upload-mb', '2.5', '--cors-origin', 'https://a.example/'], {
      PARTFIELD_TOKEN: 'secret',
      PARTFIELD_CORS_ORIGINS: 'http://b.example:8080',
    })
    expect(settings.maxUploadBytes).toBe(2.5 * 1024 * 1024)
    expect(settings.corsOrigins).toEqual(['http://b.example:8080', 'https://a.example'])
    expect(settings.token).toBe('secret')
  })

  it('rejects invalid values naming the flag and range', () => {
    expect(() => parseSettings(['--port', '70000'], {})).toThrow('invalid --port: "70000"; expected an integer from 0 to 65535')
    expect(() => parseSettings([], { PARTFIELD_JOBS_PER_DEVICE: '0' })).toThrow(/invalid --jobs-per-device/)
    expect(() => parseSettings(['--cors-origin', 'https://a.example/page'], {})).toThrow(/expected scheme, host and port only/)
    expect(() => parseSettings(['--colour'], {})).toThrow(SettingsError)
  })
})

describe('resolveToken', () => {
  it('needs no token on loopback', async () => {
    expect(await resolveToken(undefined, '127.0.0.1', '/nonexistent')).toEqual({ token: undefined, source: 'none' })
  })

  it('generates a private token for other addresses and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-token-'))
    const first = await resolveToken(undefined, '0.0.0.0', dir)
    expect(first.source).toBe('generated')
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600)
    expect((await readFile(join(dir, 'token'), 'utf8')).trim()).toBe(first.token)

    const second = await resolveToken(undefined, '0.0.0.0', dir)
    expect(second).toMatchObject({ token: first.token, source: 'file' })
  })

  it('prefers PARTFIELD_TOKEN on any address', async () => {
    expect(await resolveToken('given', '0.0.0.0', '/nonexistent')).toEqual({ token: 'given', source: 'env' })
    expect(await resolveToken('given', 'localhost', '/nonexistent')).toEqual({ token: 'given', source: 'env' })
  })
})

describe('isLoopbackHost', () => {
  it('recognises loopback names', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '127.0.0.1.example.com']) expect(isLoopbackHost(host), host).toBe(false)
  })
})
