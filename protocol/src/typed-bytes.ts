/**
 * Typed arrays on the wire: the raw little-endian bytes of the array in a MessagePack `bin`, with
 * the element type fixed by the field (PROTOCOL.md lists each field's dtype). JSON carries the
 * same values as plain number arrays.
 */
import { plural } from './plural.js'

export type Dtype = 'float32' | 'uint32' | 'int32' | 'uint8'

export type TypedArrayOf<D extends Dtype> = D extends 'float32'
  ? Float32Array
  : D extends 'uint32'
    ? Uint32Array
    : D extends 'int32'
      ? Int32Array
      : Uint8Array

type AnyTyped = Float32Array | Uint32Array | Int32Array | Uint8Array

const CONSTRUCTORS = {
  float32: Float32Array,
  uint32: Uint32Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const

// x86-64 and ARM hosts are little-endian, but Node also builds for big-endian s390x, where the
// byte swap keeps the wire format correct instead of silently garbling it.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Error for a field that is missing or does not hold the type the protocol defines for it. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  readonly field: string

  constructor(field: string, message: string) {
    super(message)
    this.field = field
  }
}

/** Returns the array's bytes in little-endian order (a view when the host is little-endian). */
export function toLittleEndianBytes(array: AnyTyped): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
  if (HOST_IS_LITTLE_ENDIAN || array.BYTES_PER_ELEMENT === 1) return bytes
  return swapBytes(bytes, array.BYTES_PER_ELEMENT)
}

/**
 * Reads a wire value as a typed array of the field's dtype: a `bin` of little-endian bytes, or an
 * array of numbers (JSON). The result never aliases the input, so it is always aligned.
 */
export function readTypedArray<D extends Dtype>(value: unknown, dtype: D, field: string): TypedArrayOf<D> {
  const Ctor = CONSTRUCTORS[dtype]
  if (value instanceof Uint8Array) {
    if (value.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) {
      throw new ProtocolError(
        field,
        `invalid ${field}: ${plural(value.byteLength, 'byte')} is not a whole number of ${dtype} values (${Ctor.BYTES_PER_ELEMENT} bytes each)`,
      )
    }
    const copy = new Uint8Array(value.byteLength)
    copy.set(value)
    const ordered = HOST_IS_LITTLE_ENDIAN ? copy : swapBytes(copy, Ctor.BYTES_PER_ELEMENT)
    return new Ctor(ordered.buffer, 0, ordered.byteLength / Ctor.BYTES_PER_ELEMENT) as TypedArrayOf<D>
  }
  if (Array.isArray(value)) return fromNumbers(value, dtype, field)
  throw new ProtocolError(field, `invalid ${field}: expected binary ${dtype} data or an array of numbers, got ${describe(value)}`)
}

function fromNumbers<D extends Dtype>(values: unknown[], dtype: D, field: string): TypedArrayOf<D> {
  const out = new CONSTRUCTORS[dtype](values.length)
  const integer = dtype !== 'float32'
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    const ok = typeof v === 'number' && (integer ? Number.isInteger(v) && inIntRange(v, dtype) : true)
    if (!ok) {
      throw new ProtocolError(field, `invalid ${field}[${i}]: ${JSON.stringify(v)} is not a ${dtype} value`)
    }
    out[i] = v as number
  }
  return out as TypedArrayOf<D>
}

function inIntRange(v: number, dtype: Dtype): boolean {
  if (dtype === 'uint8') return v >= 0 && v <= 0xff
  if (dtype === 'uint32') return v >= 0 && v <= 0xffff_ffff
  return v >= -0x8000_0000 && v <= 0x7fff_ffff
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength)
  for (let i = 0; i < bytes.byteLength; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j]
  }
  return out
}

/** Short description of a wrong value for error messages, without dumping large data. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Uint8Array) return `${plural(value.byteLength, 'byte')} of binary`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  if (typeof value === 'object') return 'a map'
  return String(value)
}
