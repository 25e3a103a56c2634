import { MeshParseError } from './errors.js'
import type { ParseOptions } from './polygon-soup.js'
import { latin1 } from './text-scanner.js'

/**
 * Header of a PLY file: the format line, then elements with their properties in the order their
 * values appear in the body.
 */

export type PlyEncoding = 'ascii' | 'binary_little_endian' | 'binary_big_endian'

/** Scalar types by every name PLY writers use (the original names and the sized aliases). */
export type PlyType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64'

const TYPE_BY_NAME: Record<string, PlyType> = {
  char: 'int8', int8: 'int8',
  uchar: 'uint8', uint8: 'uint8',
  short: 'int16', int16: 'int16',
  ushort: 'uint16', uint16: 'uint16',
  int: 'int32', int32: 'int32',
  uint: 'uint32', uint32: 'uint32',
  float: 'float32', float32: 'float32',
  double: 'float64', float64: 'float64',
}

export const TYPE_SIZE: Record<PlyType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8,
}

export interface PlyProperty {
  name: string
  type: PlyType
  /** Type of the item count for list properties; undefined for scalars. */
  countType?: PlyType
  /** "property 'x' of element 'vertex'", prepared once for error messages. */
  description: string
}

export interface PlyElement {
  name: string
  count: number
  properties: PlyProperty[]
}

export interface PlyHeader {
  encoding: PlyEncoding
  elements: PlyElement[]
  /** Byte offset of the first body byte, right after the `end_header` line. */
  bodyOffset: number
  /** 1-based line number of the first body line, for ASCII positions. */
  bodyLine: number
  /** Header lines that were ignored. */
  warnings: string[]
}

const END_HEADER = 'end_header'

/** Header lines this long or longer mean the file is not a PLY header at all. */
const MAX_HEADER_BYTES = 1 << 20

export function parsePlyHeader(bytes: Uint8Array, options: ParseOptions): PlyHeader {
  const { fileName } = options
  if (bytes.length === 0) throw new MeshParseError('empty', fileName, undefined, 'the file is empty; expected a PLY header')
  if (latin1(bytes, 0, Math.min(3, bytes.length)) !== 'ply' || !isLineEnd(bytes[3])) {
    throw new MeshParseError('bad-magic', fileName, 'byte 0',
      `found '${latin1(bytes, 0, Math.min(8, bytes.length)).replace(/[^\x20-\x7e]/g, '?')}'; expected the line 'ply'`)
  }

  let encoding: PlyEncoding | undefined
  const elements: PlyElement[] = []
  const warnings: string[] = []
  let pos = 0
  let line = 0
  while (pos < bytes.length && pos < MAX_HEADER_BYTES) {
    let end = pos
    while (end < bytes.length && bytes[end] !== 0x0a) end++
    line++
    const text = latin1(bytes, pos, end).trim()
    const next = end + 1
    const words = text.split(/\s+/)
    const position = `line ${line}`

    if (words[0] === END_HEADER) {
      if (!encoding) throw new MeshParseError('syntax', fileName, position, 'found end_header before a format line; expected format ascii|binary_little_endian|binary_big_endian 1.0')
      return { encoding, elements, bodyOffset: Math.min(next, bytes.length), bodyLine: line + 1, warnings }
    }
    if (words[0] === 'format') encoding = readEncoding(words, position, options)
    else if (words[0] === 'element') elements.push(readElement(words, position, options))
    else if (words[0] === 'property') addProperty(elements, words, position, options)
    else if (line > 1 && words[0] !== 'comment' && words[0] !== 'obj_info' && text !== '') {
      // Some exporters (Blender 2.4x) write a comment without the `comment` keyword.
      warnings.push(`ignored the header line ${line} '${text.slice(0, 60)}', which is not a format, element, property or comment`)
    }
    pos = next
  }
  throw new MeshParseError('truncated', fileName, `line ${line}`, 'the header has no end_header line; expected one before the body')
}

function readEncoding(words: string[], position: string, options: ParseOptions): PlyEncoding {
  const encoding = words[1]
  if (encoding !== 'ascii' && encoding !== 'binary_little_endian' && encoding !== 'binary_big_endian') {
    throw new MeshParseError('syntax', options.fileName, position,
      `found the format '${words.slice(1).join(' ')}'; expected ascii, binary_little_endian or binary_big_endian`)
  }
  return encoding
}

function readElement(words: string[], position: string, options: ParseOptions): PlyElement {
  const count = Number(words[2])
  if (words.length < 3 || !Number.isSafeInteger(count) || count < 0) {
    throw new MeshParseError('syntax', options.fileName, position,
      `found '${words.join(' ')}'; expected 'element <name> <count>' with a count of 0 or more`)
  }
  return { name: words[1], count, properties: [] }
}

function addProperty(elements: PlyElement[], words: string[], position: string, options: ParseOptions): void {
  const element = elements.at(-1)
  const fail = (expected: string) => new MeshParseError('syntax', options.fileName, position,
    `found '${words.join(' ')}'; expected ${expected}`)
  if (!element) throw fail('an element line before the first property')

  if (words[1] === 'list') {
    const countType = TYPE_BY_NAME[words[2]]
    const type = TYPE_BY_NAME[words[3]]
    if (!countType || !type || words.length < 5) throw fail("'property list <count type> <item type> <name>'")
    if (countType === 'float32' || countType === 'float64') throw fail('an integer type for the list count')
    element.properties.push({ name: words[4], type, countType, description: describe(words[4], element.name) })
    return
  }
  const type = TYPE_BY_NAME[words[1]]
  if (!type || words.length < 3) throw fail("'property <type> <name>' with a type such as float, int or uchar")
  element.properties.push({ name: words[2], type, description: describe(words[2], element.name) })
}

function describe(property: string, element: string): string {
  return `property '${property}' of element '${element}'`
}

function isLineEnd(byte: number | undefined): boolean {
  return byte === 0x0a || byte === 0x0d
}
