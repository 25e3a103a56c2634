/**
 * Reads the daemon's parts PLY (binary little-endian) for the viewer: vertex positions and, for
 * a mesh, each face's corner indices and `source_face`, the index of the user's face that the
 * labels and the merge tree count. The reader follows the header, so property order and types
 * may change; it needs `x y z` on vertices and `vertex_indices` on faces.
 */

export interface PlyFaces {
  /** Face f has corners `indices[offsets[f] .. offsets[f + 1])`. */
  offsets: Uint32Array
  indices: Uint32Array
  /** Per face: the source face it belongs to, or its own index when the file has no such property. */
  sourceFace: Uint32Array
}

export interface PlyData {
  /** x, y, z per vertex. */
  positions: Float32Array
  /** Absent for a point cloud (a PLY without a face element). */
  faces?: PlyFaces
}

type ScalarType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64'

interface Property {
  name: string
  type: ScalarType
  /** Set for a list property: the type of its count. */
  countType?: ScalarType
}

interface Element {
  name: string
  count: number
  properties: Property[]
}

const TYPE_NAMES: Record<string, ScalarType> = {
  char: 'int8', int8: 'int8', uchar: 'uint8', uint8: 'uint8',
  short: 'int16', int16: 'int16', ushort: 'uint16', uint16: 'uint16',
  int: 'int32', int32: 'int32', uint: 'uint32', uint32: 'uint32',
  float: 'float32', float32: 'float32', double: 'float64', float64: 'float64',
}

const TYPE_BYTES: Record<ScalarType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8,
}

/** Error for a PLY the viewer cannot read; the message names the position and the expectation. */
export class PlyReadError extends Error {
  override readonly name = 'PlyReadError'
}

export function readPly(buffer: ArrayBuffer): PlyData {
  const { elements, bodyStart } = readHeader(new Uint8Array(buffer))
  const view = new DataView(buffer)
  let at = bodyStart
  let positions: Float32Array | undefined
  let faces: PlyFaces | undefined

  for (const element of elements) {
    try {
      if (element.name === 'vertex') {
        ;({ positions, at } = readVertices(view, at, element))
      } else if (element.name === 'face') {
        ;({ faces, at } = readFaces(view, at, element))
      } else {
        at = skipElement(view, at, element)
      }
    } catch (error) {
      // DataView throws RangeError on a read past the end of the buffer.
      if (!(error instanceof RangeError)) throw error
      throw new PlyReadError(`truncated PLY: the ${element.name} element runs past the file's ${buffer.byteLength} bytes`)
    }
  }
  if (!positions) throw new PlyReadError('invalid PLY: no vertex element; expected one with x, y and z')
  return { positions, faces }
}

function readHeader(bytes: Uint8Array): { elements: Element[]; bodyStart: number } {
  const marker = 'end_header\n'
  const limit = Math.min(bytes.length, 64 * 1024)
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, limit))
  const end = head.indexOf(marker)
  if (!head.startsWith('ply\n') || end < 0) {
    throw new PlyReadError('invalid PLY: expected "ply" on the first line and "end_header" within 64 KB')
  }

  const elements: Element[] = []
  const lines = head.slice(0, end).split('\n')
  lines.forEach((line, index) => {
    const words = line.trim().split(/\s+/)
    if (words[0] === 'format' && words[1] !== 'binary_little_endian') {
      throw new PlyReadError(`unsupported PLY format ${words[1]} on header line ${index + 1}; expected binary_little_endian`)
    }
    if (words[0] === 'element') elements.push({ name: words[1], count: Number(words[2]), properties: [] })
    if (words[0] === 'property') {
      const element = elements[elements.length - 1]
      if (!element) throw new PlyReadError(`invalid PLY: property before any element on header line ${index + 1}`)
      element.properties.push(parseProperty(words, index + 1))
    }
  })
  return { elements, bodyStart: end + marker.length }
}

function parseProperty(words: string[], line: number): Property {
  const scalar = (name: string | undefined): ScalarType => {
    const type = name === undefined ? undefined : TYPE_NAMES[name]
    if (!type) throw new PlyReadError(`invalid PLY: unknown property type ${String(name)} on header line ${line}`)
    return type
  }
  if (words[1] === 'list') return { name: words[4], countType: scalar(words[2]), type: scalar(words[3]) }
  return { name: words[2], type: scalar(words[1]) }
}

function readScalar(view: DataView, at: number, type: ScalarType): number {
  switch (type) {
    case 'int8': return view.getInt8(at)
    case 'uint8': return view.getUint8(at)
    case 'int16': return view.getInt16(at, true)
    case 'uint16': return view.getUint16(at, true)
    case 'int32': return view.getInt32(at, true)
    case 'uint32': return view.getUint32(at, true)
    case 'float32': return view.getFloat32(at, true)
    case 'float64': return view.getFloat64(at, true)
  }
}

/** Reads one row into `values` (scalars by property index); returns the offset after it. */
function readRow(view: DataView, at: number, element: Element, values: number[], lists: number[][]): number {
  element.properties.forEach((property, p) => {
    if (property.countType) {
      const count = readScalar(view, at, property.countType)
      at += TYPE_BYTES[property.countType]
      const list = lists[p]
      list.length = count
      for (let i = 0; i < count; i++, at += TYPE_BYTES[property.type]) list[i] = readScalar(view, at, property.type)
    } else {
      values[p] = readScalar(view, at, property.type)
      at += TYPE_BYTES[property.type]
    }
  })
  return at
}

function checkRoom(view: DataView, at: number, element: Element, row: number): void {
  if (at > view.byteLength) {
    throw new PlyReadError(`truncated PLY: ${element.name} ${row} ends at byte ${at}, past the file's ${view.byteLength} bytes`)
  }
}

function readVertices(view: DataView, at: number, element: Element): { positions: Float32Array; at: number } {
  const axes = ['x', 'y', 'z'].map((name) => element.properties.findIndex((p) => p.name === name))
  if (axes.some((index) => index < 0)) throw new PlyReadError('invalid PLY: vertex element lacks x, y or z')

  const positions = new Float32Array(3 * element.count)
  const values: number[] = []
  const lists = element.properties.map(() => [] as number[])
  for (let v = 0; v < element.count; v++) {
    at = readRow(view, at, element, values, lists)
    checkRoom(view, at, element, v)
    for (let d = 0; d < 3; d++) positions[3 * v + d] = values[axes[d]]
  }
  return { positions, at }
}

function readFaces(view: DataView, at: number, element: Element): { faces: PlyFaces; at: number } {
  const cornersAt = element.properties.findIndex((p) => p.name === 'vertex_indices' || p.name === 'vertex_index')
  if (cornersAt < 0) throw new PlyReadError('invalid PLY: face element lacks vertex_indices')
  const sourceAt = element.properties.findIndex((p) => p.name === 'source_face')

  const offsets = new Uint32Array(element.count + 1)
  const sourceFace = new Uint32Array(element.count)
  let indices = new Uint32Array(Math.max(16, 3 * element.count))
  let used = 0
  const values: number[] = []
  const lists = element.properties.map(() => [] as number[])
  for (let f = 0; f < element.count; f++) {
    at = readRow(view, at, element, values, lists)
    checkRoom(view, at, element, f)
    const corners = lists[cornersAt]
    if (used + corners.length > indices.length) {
      const grown = new Uint32Array(Math.max(indices.length * 2, used + corners.length))
      grown.set(indices)
      indices = grown
    }
    for (const corner of corners) indices[used++] = corner
    offsets[f + 1] = used
    sourceFace[f] = sourceAt < 0 ? f : values[sourceAt]
  }
  return { faces: { offsets, indices: indices.slice(0, used), sourceFace }, at }
}

function skipElement(view: DataView, at: number, element: Element): number {
  const values: number[] = []
  const lists = element.properties.map(() => [] as number[])
  for (let row = 0; row < element.count; row++) {
    at = readRow(view, at, element, values, lists)
    checkRoom(view, at, element, row)
  }
  return at
}
