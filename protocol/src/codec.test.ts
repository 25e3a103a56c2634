import { Unpackr } from 'msgpackr'
import { describe, expect, it } from 'vitest'

import { decodeMsgpack, encodeJson, encodeMsgpack, isMsgpackType } from './codec.js'
import { ProtocolError, readTypedArray } from './typed-bytes.js'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('encodeMsgpack', () => {
  it('writes a float32 array as bin of little-endian bytes', () => {
    // fixmap(1), fixstr "a", bin8 of 4 bytes, 1.0f little-endian
    expect(hex(encodeMsgpack({ a: new Float32Array([1]) }))).toBe('81a161c4040000803f')
  })

  it('writes uint32, int32 and uint8 arrays as bin', () => {
    const bytes = encodeMsgpack({ u: new Uint32Array([1]), i: new Int32Array([-2]), b: new Uint8Array([7]) })
    expect(hex(bytes)).toBe('83a175c40401000000a169c404feffffffa162c40107')
  })

  it('drops undefined fields and writes null as nil', () => {
    expect(hex(encodeMsgpack({ a: undefined, b: null }))).toBe('81a162c0')
  })

  it('uses no extension types for nested objects', () => {
    const message = { list: [{ x: 1 }, { x: 2 }], nested: { deep: { s: 'text' } } }
    const bytes = encodeMsgpack(message)
    // A decoder without any of msgpackr's extensions reads it back, and the exact bytes hold only
    // fixmap, fixarray, fixstr and positive fixint formats.
    const plain = new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(bytes)
    expect(plain).toEqual(message)
    expect(hex(bytes)).toBe('82a46c6973749281a1780181a17802a66e657374656481a46465657081a173a474657874')
  })

  it('round-trips through decodeMsgpack with arrays as bytes', () => {
    const decoded = decodeMsgpack(encodeMsgpack({ labels: new Int32Array([3, -1]) })) as { labels: Uint8Array }
    expect(readTypedArray(decoded.labels, 'int32', 'labels')).toEqual(new Int32Array([3, -1]))
  })
})

describe('decodeMsgpack', () => {
  it('rejects truncated input with a ProtocolError', () => {
    const bytes = encodeMsgpack({ positions: new Float32Array(8) }).subarray(0, 10)
    expect(() => decodeMsgpack(bytes)).toThrow(ProtocolError)
    expect(() => decodeMsgpack(bytes)).toThrow(/invalid MessagePack body \(10 bytes\)/)
  })
})

describe('encodeJson', () => {
  it('writes typed arrays as number arrays', () => {
    expect(encodeJson({ a: new Uint32Array([1, 2]), b: undefined, c: Number.NaN })).toBe('{"a":[1,2],"c":null}')
  })
})

describe('readTypedArray', () => {
  it('reads bin at an unaligned offset', () => {
    const backing = new Uint8Array(9)
    backing.set(new Uint8Array(new Float32Array([2.5, -1]).buffer), 1)
    expect(readTypedArray(backing.subarray(1), 'float32', 'positions')).toEqual(new Float32Array([2.5, -1]))
  })

  it('rejects a byte count that is not a whole number of values', () => {
    expect(() => readTypedArray(new Uint8Array(7), 'uint32', 'mesh.triangles')).toThrow(
      'invalid mesh.triangles: 7 bytes is not a whole number of uint32 values (4 bytes each)',
    )
  })

  it('reads JSON numbers and rejects out-of-range ones', () => {
    expect(readTypedArray([0, 4294967295], 'uint32', 't')).toEqual(new Uint32Array([0, 4294967295]))
    expect(() => readTypedArray([1, -1], 'uint32', 't')).toThrow('invalid t[1]: -1 is not a uint32 value')
    expect(() => readTypedArray([0.5], 'int32', 'l')).toThrow('invalid l[0]: 0.5 is not a int32 value')
  })

  it('names the field when the value is not an array', () => {
    expect(() => readTypedArray('abc', 'float32', 'mesh.positions')).toThrow(/invalid mesh.positions: expected binary float32 data/)
  })
})

describe('isMsgpackType', () => {
  it('recognises both media types', () => {
    expect(isMsgpackType('application/msgpack')).toBe(true)
    expect(isMsgpackType('application/x-msgpack; q=0.9')).toBe(true)
    expect(isMsgpackType('application/json')).toBe(false)
    expect(isMsgpackType(undefined)).toBe(false)
  })
})
