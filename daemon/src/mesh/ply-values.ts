import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import type { PlyEncoding, PlyProperty, PlyType } from './ply-header.js'
import { TYPE_SIZE } from './ply-header.js'
import { TextScanner } from './text-scanner.js'

/** Reads the values of a PLY body one at a time, in ASCII or binary, and reports positions. */
export interface PlyValueReader {
  /**
   * Moves to the start of the next element instance. ASCII PLY writes one instance per line, so
   * its reader then expects every value of the instance on that line.
   */
  beginInstance(): void
  /** Reads one value of `type`; the error names `property` when the value is missing or invalid. */
  read(type: PlyType, property: PlyProperty): number
  /** Current position as a number (line or byte offset), cheap enough to record per element. */
  mark(): number
  /** Formats a mark for messages: "line 12" or "byte 3400". */
  describe(mark: number): string
  /** Skips `count` instances of an element whose properties are all scalars, where that is fast. */
  skipFixed(count: number, properties: PlyProperty[]): boolean
  /** Bytes left after the last value read (ASCII: after trailing whitespace). */
  bytesLeft(): number
}

export function createPlyReader(
  bytes: Uint8Array,
  encoding: PlyEncoding,
  bodyOffset: number,
  bodyLine: number,
  fileName: string,
): PlyValueReader {
  if (encoding === 'ascii') return new AsciiPlyReader(bytes, bodyOffset, bodyLine, fileName)
  return new BinaryPlyReader(bytes, bodyOffset, encoding === 'binary_little_endian', fileName)
}

class AsciiPlyReader implements PlyValueReader {
  readonly #scanner: TextScanner

  constructor(bytes: Uint8Array, bodyOffset: number, bodyLine: number, fileName: string) {
    this.#scanner = new TextScanner(bytes, { fileName })
    this.#scanner.pos = bodyOffset
    this.#scanner.line = bodyLine
  }

  beginInstance(): void {
    this.#scanner.skipWhitespace()
  }

  read(_type: PlyType, property: PlyProperty): number {
    return this.#scanner.readFloat(property.description)
  }

  mark(): number {
    return this.#scanner.line
  }

  describe(mark: number): string {
    return `line ${mark}`
  }

  skipFixed(): boolean {
    return false
  }

  bytesLeft(): number {
    this.#scanner.skipWhitespace()
    return this.#scanner.bytes.length - this.#scanner.pos
  }
}

class BinaryPlyReader implements PlyValueReader {
  readonly #view: DataView
  readonly #length: number
  readonly #littleEndian: boolean
  readonly #fileName: string
  #offset: number

  constructor(bytes: Uint8Array, bodyOffset: number, littleEndian: boolean, fileName: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#length = bytes.length
    this.#offset = bodyOffset
    this.#littleEndian = littleEndian
    this.#fileName = fileName
  }

  beginInstance(): void {}

  read(type: PlyType, property: PlyProperty): number {
    const offset = this.#offset
    const size = TYPE_SIZE[type]
    if (offset + size > this.#length) throw this.#truncated(offset, property.description)
    this.#offset = offset + size

    const view = this.#view
    const little = this.#littleEndian
    switch (type) {
      case 'float32': return view.getFloat32(offset, little)
      case 'int32': return view.getInt32(offset, little)
      case 'uint32': return view.getUint32(offset, little)
      case 'uint8': return view.getUint8(offset)
      case 'int8': return view.getInt8(offset)
      case 'int16': return view.getInt16(offset, little)
      case 'uint16': return view.getUint16(offset, little)
      case 'float64': return view.getFloat64(offset, little)
    }
  }

  mark(): number {
    return this.#offset
  }

  describe(mark: number): string {
    return `byte ${mark}`
  }

  skipFixed(count: number, properties: PlyProperty[]): boolean {
    if (properties.some((property) => property.countType)) return false
    const stride = properties.reduce((sum, property) => sum + TYPE_SIZE[property.type], 0)
    const end = this.#offset + count * stride
    if (end > this.#length) {
      throw this.#truncated(this.#offset, `${plural(count, 'instance')} of ${plural(stride, 'byte')} (${properties[0]?.description ?? 'an element'})`)
    }
    this.#offset = end
    return true
  }

  bytesLeft(): number {
    return this.#length - this.#offset
  }

  #truncated(offset: number, expected: string): MeshParseError {
    return new MeshParseError('truncated', this.#fileName, `byte ${offset}`,
      `expected ${expected}, found the end of the file (${plural(this.#length, 'byte')})`)
  }
}
