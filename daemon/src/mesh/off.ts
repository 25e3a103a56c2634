import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import { stemOf } from './formats.js'
import { GrowableUint32 } from './growable.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'
import { latin1, TextScanner } from './text-scanner.js'
import { checkFaceCount } from './validate.js'

/**
 * Parser for Geomview's Object File Format (OFF), ASCII and binary, with the header keyword
 * `[ST][C][N][4][n]OFF` (texture coordinates, colours, normals, homogeneous, n-dimensional
 * vertices) or none. Per vertex it reads the coordinates (and normals for
 * NOFF) and skips colours and texture coordinates. Per face it reads the vertex count and
 * indices and skips the optional face colour.
 */

const HASH = 0x23

/**
 * The shortest ASCII vertex ("0 0 0\n") and face ("0\n") in bytes, to bound header counts. The
 * last line may lack its newline.
 */
const MIN_ASCII_VERTEX_BYTES = 6
const MIN_ASCII_FACE_BYTES = 2

/** Keyword prefixes before OFF. Geomview writes them in this order, other writers vary it. */
const KEYWORD_PREFIXES = ['ST', 'C', 'N', '4', 'n']

interface OffHeader {
  /** Coordinates stored per vertex (3, or 4 for homogeneous coordinates). */
  dimension: number
  homogeneous: boolean
  hasNormals: boolean
  hasColors: boolean
  hasTextureCoordinates: boolean
  binary: boolean
}

export function parseOff(bytes: Uint8Array, options: ParseOptions): PolygonSoup {
  const scanner = new TextScanner(bytes, { fileName: options.fileName, commentByte: HASH })
  const header = readHeader(scanner, options)
  if (header.binary) return parseBinaryOff(bytes, scanner.pos, header, options)

  const vertexCount = scanner.readIntAnyLine('the vertex count')
  const faceCount = scanner.readIntAnyLine('the face count')
  const countsLine = scanner.line
  scanner.skipLine()
  checkCounts(vertexCount, faceCount, bytes.length - scanner.pos, MIN_ASCII_VERTEX_BYTES, MIN_ASCII_FACE_BYTES,
    `line ${countsLine}`, options)

  const vertexLines = new Uint32Array(vertexCount)
  const positions = new Float32Array(vertexCount * 3)
  const normals = header.hasNormals ? new Float32Array(vertexCount * 3) : undefined
  for (let vertex = 0; vertex < vertexCount; vertex++) {
    readAsciiVertex(scanner, header, vertex, positions, normals)
    vertexLines[vertex] = scanner.line
    scanner.skipLine()
  }

  const faceLines = new Uint32Array(faceCount)
  const polygonStarts = new Uint32Array(faceCount + 1)
  const corners = new GrowableUint32()
  for (let face = 0; face < faceCount; face++) {
    const size = scanner.readIntAnyLine(`the vertex count of face ${face}`)
    faceLines[face] = scanner.line
    checkFaceSize(size, `line ${scanner.line}`, options)
    for (let k = 0; k < size; k++) {
      const index = scanner.readIntAnyLine(`vertex index ${k + 1} of ${size} of face ${face}`)
      checkIndex(index, vertexCount, `line ${scanner.line}`, options)
      corners.push(index)
    }
    polygonStarts[face + 1] = corners.length
    scanner.skipLine()
  }

  const warnings: string[] = []
  scanner.skipWhitespace()
  if (!scanner.atEnd) warnings.push(`ignored ${plural(bytes.length - scanner.pos, 'byte')} after the last face (line ${scanner.line})`)

  const soup: PolygonSoup = {
    format: 'off',
    positions,
    polygonStarts,
    cornerVertices: corners.toArray(),
    nodes: [{ name: stemOf(options.fileName), polygonCount: 0 }],
    locate: {
      polygon: (index) => `line ${faceLines[index]} (face ${index})`,
      vertex: (index) => `line ${vertexLines[index]} (vertex ${index})`,
    },
    warnings,
  }
  if (normals) soup.vertexNormals = normals
  return soup
}

/** Reads the keyword line; the keyword is optional in OFF, so a leading number means none. */
function readHeader(scanner: TextScanner, options: ParseOptions): OffHeader {
  scanner.skipWhitespace()
  const header: OffHeader = {
    dimension: 3, homogeneous: false, hasNormals: false, hasColors: false,
    hasTextureCoordinates: false, binary: false,
  }
  if (scanner.atEnd) throw new MeshParseError('empty', options.fileName, undefined, 'the file is empty; expected an OFF header')

  // Some writers glue the counts to the keyword ("OFF8 6 0"), so the keyword ends right after OFF.
  const start = scanner.pos
  let end = start
  while (end < scanner.bytes.length && isAlphanumeric(scanner.bytes[end])) end++
  const run = latin1(scanner.bytes, start, end)
  const keywordEnd = run.indexOf('OFF') + 3
  if (keywordEnd === 2) {
    if (isLetter(scanner.bytes[start])) throw badKeyword(run, scanner.line, options)
    return header
  }
  const keyword = run.slice(0, keywordEnd)
  const prefixes = readKeywordPrefixes(keyword.slice(0, -3))
  if (!prefixes) throw badKeyword(keyword, scanner.line, options)
  scanner.pos = start + keywordEnd

  header.hasTextureCoordinates = prefixes.has('ST')
  header.hasColors = prefixes.has('C')
  header.hasNormals = prefixes.has('N')
  header.homogeneous = prefixes.has('4')
  if (prefixes.has('n')) {
    const dimension = scanner.readIntAnyLine('the dimension after nOFF')
    if (dimension !== 3) {
      throw new MeshParseError('unsupported-format', options.fileName, `line ${scanner.line}`,
        `the file has ${dimension}-dimensional vertices; expected 3`)
    }
  }
  header.dimension = header.homogeneous ? 4 : 3

  scanner.skipBlanks()
  if (!scanner.atEnd && isLetter(scanner.bytes[scanner.pos])) {
    const word = scanner.readWord()
    if (word !== 'BINARY') {
      throw new MeshParseError('syntax', options.fileName, `line ${scanner.line}`,
        `found '${word.slice(0, 40)}' after ${keyword}; expected BINARY or the vertex count`)
    }
    header.binary = true
    scanner.skipLine()
  }
  return header
}

function readAsciiVertex(
  scanner: TextScanner,
  header: OffHeader,
  vertex: number,
  positions: Float32Array,
  normals: Float32Array | undefined,
): void {
  const x = scanner.readFloatAnyLine(`the x coordinate of vertex ${vertex}`)
  const y = scanner.readFloatAnyLine(`the y coordinate of vertex ${vertex}`)
  const z = scanner.readFloatAnyLine(`the z coordinate of vertex ${vertex}`)
  const w = header.homogeneous ? scanner.readFloatAnyLine(`the w coordinate of vertex ${vertex}`) : 1
  positions[vertex * 3] = x / w
  positions[vertex * 3 + 1] = y / w
  positions[vertex * 3 + 2] = z / w
  if (normals) {
    normals[vertex * 3] = scanner.readFloat(`the normal x of vertex ${vertex}`)
    normals[vertex * 3 + 1] = scanner.readFloat(`the normal y of vertex ${vertex}`)
    normals[vertex * 3 + 2] = scanner.readFloat(`the normal z of vertex ${vertex}`)
  }
}

/**
 * Reads binary OFF. After the `OFF BINARY` line come big-endian int32 counts, then per vertex
 * float32 coordinates, normal (N), RGBA colour (C) and uv (ST). Each face is an int32 size, the
 * int32 indices, an int32 colour component count and that many float32 components.
 */
function parseBinaryOff(bytes: Uint8Array, offset: number, header: OffHeader, options: ParseOptions): PolygonSoup {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const need = (at: number, size: number, what: string) => {
    if (at + size > bytes.length) {
      throw new MeshParseError('truncated', options.fileName, `byte ${at}`,
        `expected ${what}, found the end of the file (${plural(bytes.length, 'byte')})`)
    }
  }
  need(offset, 12, 'the vertex, face and edge counts')
  const vertexCount = view.getInt32(offset)
  const faceCount = view.getInt32(offset + 4)
  const floatsPerVertex = header.dimension + (header.hasNormals ? 3 : 0) + (header.hasColors ? 4 : 0) +
    (header.hasTextureCoordinates ? 2 : 0)
  checkCounts(vertexCount, faceCount, bytes.length - offset - 12, floatsPerVertex * 4, 16, `byte ${offset}`, options)
  let at = offset + 12

  const positions = new Float32Array(vertexCount * 3)
  const normals = header.hasNormals ? new Float32Array(vertexCount * 3) : undefined
  need(at, vertexCount * floatsPerVertex * 4, plural(vertexCount, 'vertex', 'vertices'))
  for (let vertex = 0; vertex < vertexCount; vertex++) {
    const base = at + vertex * floatsPerVertex * 4
    const w = header.homogeneous ? view.getFloat32(base + 12) : 1
    for (let k = 0; k < 3; k++) positions[vertex * 3 + k] = view.getFloat32(base + k * 4) / w
    if (normals) {
      const normalBase = base + header.dimension * 4
      for (let k = 0; k < 3; k++) normals[vertex * 3 + k] = view.getFloat32(normalBase + k * 4)
    }
  }
  at += vertexCount * floatsPerVertex * 4

  const faceOffsets = new Uint32Array(faceCount)
  const polygonStarts = new Uint32Array(faceCount + 1)
  const corners = new GrowableUint32()
  for (let face = 0; face < faceCount; face++) {
    faceOffsets[face] = at
    need(at, 4, `the vertex count of face ${face}`)
    const size = view.getInt32(at)
    checkFaceSize(size, `byte ${at}`, options)
    need(at + 4, size * 4 + 4, `the ${size} vertex indices and colour count of face ${face}`)
    for (let k = 0; k < size; k++) {
      const index = view.getInt32(at + 4 + k * 4)
      checkIndex(index, vertexCount, `byte ${at + 4 + k * 4}`, options)
      corners.push(index)
    }
    at += 4 + size * 4
    const colorComponents = view.getInt32(at)
    if (colorComponents < 0 || colorComponents > 4) {
      throw new MeshParseError('syntax', options.fileName, `byte ${at}`,
        `face ${face} has ${plural(colorComponents, 'colour component')}; expected 0 to 4`)
    }
    at += 4 + colorComponents * 4
    polygonStarts[face + 1] = corners.length
  }
  need(at, 0, 'the colour of the last face')

  const soup: PolygonSoup = {
    format: 'off',
    positions,
    polygonStarts,
    cornerVertices: corners.toArray(),
    nodes: [{ name: stemOf(options.fileName), polygonCount: 0 }],
    locate: {
      polygon: (index) => `byte ${faceOffsets[index]} (face ${index})`,
      vertex: (index) => `byte ${offset + 12 + index * floatsPerVertex * 4} (vertex ${index})`,
    },
    warnings: [],
  }
  if (normals) soup.vertexNormals = normals
  return soup
}

/**
 * Checks the header's counts against the face limit and against the bytes that follow, so a
 * corrupt count fails here instead of allocating gigabytes.
 */
function checkCounts(
  vertexCount: number,
  faceCount: number,
  bytesLeft: number,
  minVertexBytes: number,
  minFaceBytes: number,
  position: string,
  options: ParseOptions,
): void {
  if (vertexCount < 0 || faceCount < 0) {
    throw new MeshParseError('syntax', options.fileName, position,
      `the header declares ${vertexCount} vertices and ${faceCount} faces; expected counts of 0 or more`)
  }
  checkFaceCount(faceCount, options, position)
  const needed = vertexCount * minVertexBytes + faceCount * minFaceBytes
  if (needed - 1 > bytesLeft) {
    throw new MeshParseError('truncated', options.fileName, position,
      `the header declares ${plural(vertexCount, 'vertex', 'vertices')} and ${plural(faceCount, 'face')}, which need at least ` +
      `${plural(needed, 'byte')}, but only ${plural(bytesLeft, 'byte')} ${bytesLeft === 1 ? 'follows' : 'follow'}`)
  }
}

function checkFaceSize(size: number, position: string, options: ParseOptions): void {
  if (size < 3) {
    throw new MeshParseError('face-too-small', options.fileName, position,
      `face has ${plural(size, 'vertex', 'vertices')}; expected at least 3`)
  }
}

function checkIndex(index: number, vertexCount: number, position: string, options: ParseOptions): void {
  if (index < 0 || index >= vertexCount) {
    throw new MeshParseError('index-out-of-range', options.fileName, position,
      `vertex index ${index} is out of range; expected 0 to ${vertexCount - 1}`)
  }
}

/** Splits the letters before OFF into known prefixes, or returns undefined on an unknown or repeated one. */
function readKeywordPrefixes(text: string): Set<string> | undefined {
  const found = new Set<string>()
  let rest = text
  while (rest !== '') {
    const prefix = KEYWORD_PREFIXES.find((candidate) => rest.startsWith(candidate))
    if (!prefix || found.has(prefix)) return undefined
    found.add(prefix)
    rest = rest.slice(prefix.length)
  }
  return found
}

function badKeyword(found: string, line: number, options: ParseOptions): MeshParseError {
  return new MeshParseError('bad-magic', options.fileName, `line ${line}`,
    `found '${found.slice(0, 40)}'; expected the keyword OFF, optionally with the prefixes ST, C, N, 4 or n`)
}

function isAlphanumeric(byte: number): boolean {
  return isLetter(byte) || (byte >= 0x30 && byte <= 0x39)
}

function isLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
}
