/**
 * MessagePack and JSON encoding of protocol messages. The MessagePack output is plain: maps with
 * string keys, `bin` for typed arrays (little-endian), nil for null, and no extension types, so
 * any MessagePack library (or the few dozen lines of a hand-written decoder) can read it.
 */
import { Packr, Unpackr } from 'msgpackr'

import { plural } from './plural.js'
import { ProtocolError, toLittleEndianBytes } from './typed-bytes.js'

export const MSGPACK_TYPE = 'application/msgpack'
/** Older media type some MessagePack clients still send; accepted as a synonym. */
export const MSGPACK_TYPE_LEGACY = 'application/x-msgpack'
export const JSON_TYPE = 'application/json'

// useRecords: false turns off msgpackr's record extension so every object is a plain map.
const packr = new Packr({ useRecords: false, variableMapSize: true })
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' })

/** Encodes a message as plain MessagePack; typed arrays become `bin`, undefined fields are left out. */
export function encodeMsgpack(message: unknown): Uint8Array<ArrayBuffer> {
  // msgpackr returns a Node Buffer (a Uint8Array) over a plain ArrayBuffer.
  return packr.pack(toWire(message, 'binary')) as Uint8Array<ArrayBuffer>
}

/** Decodes one MessagePack message; `bin` values come back as Uint8Array. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new ProtocolError('body', `invalid MessagePack body (${plural(bytes.byteLength, 'byte')}): ${detail}`)
  }
}

/** Encodes a message as JSON text; typed arrays become arrays of numbers. */
export function encodeJson(message: unknown): string {
  return JSON.stringify(toWire(message, 'json'))
}

/** True when an Accept or Content-Type header names MessagePack. */
export function isMsgpackType(header: string | null | undefined): boolean {
  if (!header) return false
  const lower = header.toLowerCase()
  return lower.includes(MSGPACK_TYPE) || lower.includes(MSGPACK_TYPE_LEGACY)
}

/**
 * Converts a message into values both encoders write without extensions: typed arrays to
 * little-endian bytes (MessagePack) or number arrays (JSON), Dates to ISO strings, undefined
 * map entries dropped and undefined array items to null.
 */
function toWire(value: unknown, mode: 'binary' | 'json'): unknown {
  if (value === undefined || value === null) return null
  if (ArrayBuffer.isView(value)) return typedToWire(value, mode)
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((item) => toWire(item, mode))
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toWire(item, mode)
    }
    return out
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null
  return value
}

function typedToWire(view: ArrayBufferView, mode: 'binary' | 'json'): unknown {
  const supported =
    view instanceof Float32Array ||
    view instanceof Uint32Array ||
    view instanceof Int32Array ||
    view instanceof Uint8Array
  if (!supported) {
    throw new TypeError(`${view.constructor.name} has no wire dtype; use Float32Array, Uint32Array, Int32Array or Uint8Array`)
  }
  if (mode === 'json') return Array.from(view as ArrayLike<number>)
  return toLittleEndianBytes(view)
}
