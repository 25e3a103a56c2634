import { describe, expect, it } from 'vitest'

import { ParamError } from './params.js'
import { parseRecutRequest, parseSegmentRequest } from './requests.js'
import { ProtocolError } from './typed-bytes.js'

const bytesOf = (array: Float32Array | Uint32Array) => new Uint8Array(array.buffer)

describe('parseSegmentRequest', () => {
  it('reads mesh arrays from bin fields', () => {
    const request = parseSegmentRequest({
      name: 'tri',
      mesh: { positions: bytesOf(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])), triangles: bytesOf(new Uint32Array([0, 1, 2])) },
      params: { n_clusters: 2 },
    })
    expect(request.kind).toBe('arrays')
    if (request.kind !== 'arrays') return
    expect(request.name).toBe('tri')
    expect(request.mesh.triangles).toEqual(new Uint32Array([0, 1, 2]))
    expect(request.mesh.positions[3]).toBe(1)
    expect(request.params).toEqual({ n_clusters: 2 })
  })

  it('reads mesh arrays from JSON numbers', () => {
    const request = parseSegmentRequest({ mesh: { positions: [0, 0, 0], triangles: [0, 0, 0], polygons: [0] } })
    expect(request.kind).toBe('arrays')
    if (request.kind !== 'arrays') return
    expect(request.mesh.polygons).toEqual(new Uint32Array([0]))
    expect(request.name).toBe('mesh')
  })

  it('reads a file with resources', () => {
    const request = parseSegmentRequest({ file: new Uint8Array([1]), filename: 'a.gltf', resources: { 'a.bin': new Uint8Array([2]) } })
    expect(request.kind).toBe('file')
    if (request.kind !== 'file') return
    expect(request.filename).toBe('a.gltf')
    expect(request.resources.get('a.bin')).toEqual(new Uint8Array([2]))
  })

  it('rejects a body with both mesh and file', () => {
    expect(() => parseSegmentRequest({ mesh: {}, file: new Uint8Array(1), filename: 'x.obj' })).toThrow(
      'invalid body: send either mesh or file, not both',
    )
  })

  it('rejects unknown keys and names them', () => {
    const error = catchError(() => parseSegmentRequest({ mesh: { positions: [], triangles: [], normals: [] } }))
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).field).toBe('mesh.normals')
  })

  it('rejects a body without mesh or file', () => {
    expect(() => parseSegmentRequest({ params: {} })).toThrow(/missing mesh/)
  })

  it('rejects a file without filename', () => {
    expect(() => parseSegmentRequest({ file: new Uint8Array(1) })).toThrow(/invalid filename: expected a non-empty string/)
  })
})

describe('parseRecutRequest', () => {
  it('accepts n_clusters with and without method', () => {
    expect(parseRecutRequest({ n_clusters: 5 })).toEqual({ n_clusters: 5 })
    expect(parseRecutRequest({ n_clusters: '5', method: 'kmeans' })).toEqual({ n_clusters: 5, method: 'kmeans' })
  })

  it('requires n_clusters', () => {
    const error = catchError(() => parseRecutRequest({}))
    expect(error).toBeInstanceOf(ParamError)
    expect((error as ParamError).field).toBe('n_clusters')
  })

  it('names the range of an out-of-range count', () => {
    expect(() => parseRecutRequest({ n_clusters: 0 })).toThrow('invalid n_clusters: 0; expected an integer from 1 to 256')
  })

  it('rejects unknown keys', () => {
    expect(() => parseRecutRequest({ n_clusters: 3, seed: 1 })).toThrow(/unknown recut parameter seed/)
  })
})

function catchError(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  return undefined
}
