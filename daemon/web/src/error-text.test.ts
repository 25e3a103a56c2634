import { describe, expect, it } from 'vitest'

import { ApiError } from './api.js'
import { explainError } from './error-text.js'

describe('explainError', () => {
  it('tells what to lower when memory runs out', () => {
    const explanation = explainError(new ApiError(500, 'out-of-memory', 'CUDA out of memory'))
    expect(explanation.advice).toContain('Lower points per face')
    expect(explanation.detail).toBe('CUDA out of memory')
  })

  it('keeps the loader message of a bad mesh', () => {
    const message = 'chair.off: face 12: vertex index 99 (counted from 0) is out of range; expected 0 to 41'
    const explanation = explainError(new ApiError(422, 'invalid-mesh', message, { reason: 'index-out-of-range' }))
    expect(explanation.title).toBe('The file could not be read as a mesh.')
    expect(explanation.detail).toBe(message)
  })

  it('asks for the files a mesh refers to', () => {
    const explanation = explainError(new ApiError(422, 'invalid-mesh', 'scene.gltf: buffer 0: scene.bin not found', { reason: 'missing-resource' }))
    expect(explanation.advice).toContain('.bin')
    expect(explanation.detail).toBe('scene.gltf: buffer 0: scene.bin not found')
  })

  it('drops the API advice of a missing .bin', () => {
    const message = 'Box.gltf: buffers[0]: cannot read \'Box0.bin\'; expected it uploaded with the mesh: send it as a ' +
      'multipart file part named "resource" beside the "file" part, or in the "resources" map of a MessagePack body'
    const explanation = explainError(new ApiError(422, 'invalid-mesh', message, { reason: 'missing-resource' }))
    expect(explanation.detail).toBe('Box.gltf: buffers[0]: cannot read \'Box0.bin\'')
    expect(explanation.advice).toBe('Select Box0.bin (and the textures Box.gltf uses) together with Box.gltf, in one selection.')
  })

  it('tells where a PARTFIELD_TOKEN token comes from', () => {
    const message = 'missing access token; send the header Authorization: Bearer <token> (or ?access_token=<token>) ' +
      'with the token set in the PARTFIELD_TOKEN environment variable of the daemon'
    const explanation = explainError(new ApiError(401, 'unauthorized', message))
    expect(explanation.advice).toContain('PARTFIELD_TOKEN')
    expect(explanation.advice).not.toContain('printed')
    expect(explanation.detail).toBeUndefined()
  })

  it('gives the queue wait', () => {
    expect(explainError(new ApiError(429, 'queue-full', 'queue full', { retryAfterSeconds: 12 })).advice).toBe('Try again in 12 seconds.')
  })

  it('names the parameter at fault', () => {
    expect(explainError(new ApiError(400, 'invalid-param', 'invalid knn', { field: 'knn' })).title).toBe('The parameter knn is not valid.')
  })

  it('falls back for an unknown server error', () => {
    const explanation = explainError(new ApiError(500, 'worker-crashed', 'worker exited with code 1'))
    expect(explanation.title).toBe('The daemon failed with an internal error.')
  })
})
