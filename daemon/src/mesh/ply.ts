import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import { stemOf } from './formats.js'
import { GrowableUint32 } from './growable.js'
import type { PointCloudData } from './mesh-data.js'
import type { PlyElement, PlyHeader, PlyProperty } from './ply-header.js'
import { parsePlyHeader, TYPE_SIZE } from './ply-header.js'
import { createPlyReader, type PlyValueReader } from './ply-values.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'
import { allFinite, checkFaceCount, firstNonFiniteVertex } from './validate.js'

/**
 * Parser for PLY in ASCII and both binary byte orders. It reads the `vertex` element's position,
 * normal, colour and texture coordinate properties and the `face` element's `vertex_indices` (or
 * `vertex_index`) list, and reads past every other property and element. A file with vertices and
 * no faces is a point cloud.
 */

/** Slot of each vertex property: position 0-2, normal 3-5, colour 6-8, uv 9-10. */
const VERTEX_SLOTS: Record<string, number> = {
  x: 0, y: 1, z: 2,
  nx: 3, ny: 4, nz: 5,
  red: 6, green: 7, blue: 8, r: 6, g: 7, b: 8, diffuse_red: 6, diffuse_green: 7, diffuse_blue: 8,
  u: 9, v: 10, s: 9, t: 10, texture_u: 9, texture_v: 10, texture_s: 9, texture_t: 10,
}

const FACE_LIST_NAMES = ['vertex_indices', 'vertex_index']

/** Vertex attributes read into per-vertex arrays. */
interface PlyVertices {
  positions: Float32Array
  normals?: Float32Array
  colors?: Uint8Array
  uvs?: Float32Array
  /** Per vertex: reader mark (line or byte) for messages. */
  marks: Float64Array
}

export function parsePly(bytes: Uint8Array, options: ParseOptions): PolygonSoup | PointCloudData {
  const header = parsePlyHeader(bytes, options)
  const vertexElement = header.elements.find((element) => element.name === 'vertex')
  if (!vertexElement) {
    throw new MeshParseError('syntax', options.fileName, 'header', "found no 'vertex' element; expected 'element vertex <count>'")
  }
  const faceElement = header.elements.find((element) => element.name === 'face' && element.count > 0) ??
    header.elements.find((element) => element.name === 'tristrips' && element.count > 0)
  const faceList = faceElement ? findFaceList(faceElement, options) : undefined
  if (faceElement && faceElement.name === 'face') checkFaceCount(faceElement.count, options, 'header')
  checkElementSizes(header, bytes.length - header.bodyOffset, options)

  const reader = createPlyReader(bytes, header.encoding, header.bodyOffset, header.bodyLine, options.fileName)
  const warnings = [...header.warnings]
  let vertices: PlyVertices | undefined
  let faces: PlyFaces | undefined
  for (const element of header.elements) {
    if (element === vertexElement) vertices = readVertices(reader, element)
    else if (element === faceElement && faceList) faces = readFaces(reader, element, faceList, options)
    else skipElement(reader, element, warnings)
  }
  const left = reader.bytesLeft()
  if (left > 0) warnings.push(`ignored ${plural(left, 'byte')} after the last element`)

  if (!vertices) throw new Error('the vertex element was not read')
  if (!faces) return toPointCloud(vertices, reader, warnings, options)
  return toSoup(vertices, faces, reader, warnings, options)
}

function findFaceList(element: PlyElement, options: ParseOptions): PlyProperty {
  const list = element.properties.find((property) => property.countType && FACE_LIST_NAMES.includes(property.name))
  if (!list) {
    throw new MeshParseError('syntax', options.fileName, 'header',
      `element '${element.name}' has no list property vertex_indices or vertex_index; expected 'property list uchar int vertex_indices'`)
  }
  return list
}

/**
 * Checks every element count against the body's size before anything is allocated, so a corrupt
 * count fails as truncated rather than as an out-of-memory crash.
 */
function checkElementSizes(header: PlyHeader, bodyBytes: number, options: ParseOptions): void {
  let needed = 0
  for (const element of header.elements) {
    let perInstance = 0
    for (const property of element.properties) {
      // ASCII values take at least one digit and one separator.
      perInstance += header.encoding === 'ascii' ? 2 : TYPE_SIZE[property.countType ?? property.type]
    }
    needed += element.count * perInstance
  }
  if (needed - 1 > bodyBytes) {
    const counts = header.elements.map((element) => `element ${element.name} ${element.count}`).join(', ')
    const need = header.elements.length === 1 ? 'needs' : 'need'
    throw new MeshParseError('truncated', options.fileName, 'header',
      `the header declares ${counts}, which ${need} at least ${plural(needed, 'byte')}, but the body has only ${plural(bodyBytes, 'byte')}`)
  }
}

function readVertices(reader: PlyValueReader, element: PlyElement): PlyVertices {
  const count = element.count
  const slots = element.properties.map((property) => (property.countType ? -1 : (VERTEX_SLOTS[property.name] ?? -1)))
  const has = (slot: number) => slots.includes(slot)
  const vertices: PlyVertices = { positions: new Float32Array(count * 3), marks: new Float64Array(count) }
  if (has(3) && has(4) && has(5)) vertices.normals = new Float32Array(count * 3)
  if (has(6) && has(7) && has(8)) vertices.colors = new Uint8Array(count * 3)
  if (has(9) && has(10)) vertices.uvs = new Float32Array(count * 2)
  const { positions, normals, colors, uvs, marks } = vertices
  const properties = element.properties

  for (let vertex = 0; vertex < count; vertex++) {
    reader.beginInstance()
    marks[vertex] = reader.mark()
    for (let p = 0; p < properties.length; p++) {
      const property = properties[p]
      if (property.countType) {
        skipList(reader, property)
        continue
      }
      const value = reader.read(property.type, property)
      const slot = slots[p]
      if (slot < 0) continue
      if (slot < 3) positions[vertex * 3 + slot] = value
      else if (slot < 6) { if (normals) normals[vertex * 3 + slot - 3] = value }
      else if (slot < 9) { if (colors) colors[vertex * 3 + slot - 6] = toColorByte(value, property) }
      else if (uvs) uvs[vertex * 2 + slot - 9] = value
    }
  }
  return vertices
}

/** Integer colours are 0-255; float colours are 0-1 and are scaled. */
function toColorByte(value: number, property: PlyProperty): number {
  if (property.type === 'float32' || property.type === 'float64') return Math.round(Math.min(Math.max(value, 0), 1) * 255)
  return Math.min(Math.max(value, 0), 255)
}

interface PlyFaces {
  polygonStarts: Uint32Array
  cornerVertices: Uint32Array
  /** Per polygon: reader mark of its element instance. */
  marks: Float64Array
  /** For tristrips: element instance of each triangle, for messages. */
  instances?: Uint32Array
}

function readFaces(reader: PlyValueReader, element: PlyElement, list: PlyProperty, options: ParseOptions): PlyFaces {
  if (element.name === 'tristrips') return readTriangleStrips(reader, element, list, options)
  const count = element.count
  const polygonStarts = new Uint32Array(count + 1)
  const marks = new Float64Array(count)
  const corners = new GrowableUint32()
  const countType = list.countType ?? 'uint8'

  for (let face = 0; face < count; face++) {
    reader.beginInstance()
    marks[face] = reader.mark()
    for (const property of element.properties) {
      if (property !== list) {
        if (property.countType) skipList(reader, property)
        else reader.read(property.type, property)
        continue
      }
      const size = reader.read(countType, property)
      if (size < 3) {
        throw new MeshParseError('face-too-small', options.fileName, `${reader.describe(marks[face])} (face ${face})`,
          `face has ${plural(size, 'vertex', 'vertices')}; expected at least 3`)
      }
      for (let k = 0; k < size; k++) corners.push(readIndex(reader, property, face, options))
    }
    polygonStarts[face + 1] = corners.length
  }
  return { polygonStarts, cornerVertices: corners.toArray(), marks }
}

function readIndex(reader: PlyValueReader, property: PlyProperty, face: number, options: ParseOptions): number {
  const mark = reader.mark()
  const index = reader.read(property.type, property)
  if (!Number.isInteger(index) || index < 0) {
    throw new MeshParseError('index-out-of-range', options.fileName, `${reader.describe(mark)} (face ${face})`,
      `vertex index ${index} is invalid; expected an integer of 0 or more`)
  }
  return index
}

/**
 * Triangle strips as some scanners write them: one list per element, -1 restarts the strip.
 * Every second triangle swaps its first two corners to keep the strip's winding.
 */
function readTriangleStrips(reader: PlyValueReader, element: PlyElement, list: PlyProperty, options: ParseOptions): PlyFaces {
  const corners = new GrowableUint32()
  const markList: number[] = []
  const instanceList = new GrowableUint32()
  for (let instance = 0; instance < element.count; instance++) {
    reader.beginInstance()
    const mark = reader.mark()
    for (const property of element.properties) {
      if (property !== list) {
        if (property.countType) skipList(reader, property)
        else reader.read(property.type, property)
        continue
      }
      const size = reader.read(list.countType ?? 'uint8', property)
      let a = -1
      let b = -1
      let parity = 0
      for (let k = 0; k < size; k++) {
        const index = reader.read(property.type, property)
        if (index === -1) {
          a = b = -1
          parity = 0
          continue
        }
        if (!Number.isInteger(index) || index < 0) {
          throw new MeshParseError('index-out-of-range', options.fileName, `${reader.describe(mark)} (strip ${instance})`,
            `vertex index ${index} is invalid; expected an integer of 0 or more, or -1 to restart the strip`)
        }
        if (a >= 0 && b >= 0) {
          corners.push(parity === 0 ? a : b)
          corners.push(parity === 0 ? b : a)
          corners.push(index)
          markList.push(mark)
          instanceList.push(instance)
          parity ^= 1
        }
        a = b
        b = index
      }
    }
  }
  const triangleCount = corners.length / 3
  checkFaceCount(triangleCount, options, `element 'tristrips'`)
  const polygonStarts = new Uint32Array(triangleCount + 1)
  for (let i = 0; i <= triangleCount; i++) polygonStarts[i] = i * 3
  return {
    polygonStarts, cornerVertices: corners.toArray(), marks: Float64Array.from(markList),
    instances: instanceList.toArray(),
  }
}

function skipList(reader: PlyValueReader, property: PlyProperty): void {
  const size = reader.read(property.countType ?? 'uint8', property)
  for (let k = 0; k < size; k++) reader.read(property.type, property)
}

function skipElement(reader: PlyValueReader, element: PlyElement, warnings: string[]): void {
  if (element.count === 0 || element.properties.length === 0) return
  warnings.push(`skipped element '${element.name}' (${plural(element.count, 'instance')})`)
  if (reader.skipFixed(element.count, element.properties)) return
  for (let instance = 0; instance < element.count; instance++) {
    reader.beginInstance()
    for (const property of element.properties) {
      if (property.countType) skipList(reader, property)
      else reader.read(property.type, property)
    }
  }
}

function toSoup(vertices: PlyVertices, faces: PlyFaces, reader: PlyValueReader, warnings: string[], options: ParseOptions): PolygonSoup {
  const { marks, instances } = faces
  const soup: PolygonSoup = {
    format: 'ply',
    positions: vertices.positions,
    polygonStarts: faces.polygonStarts,
    cornerVertices: faces.cornerVertices,
    nodes: [{ name: stemOf(options.fileName), polygonCount: 0 }],
    locate: {
      polygon: (index) => instances
        ? `${reader.describe(marks[index])} (strip ${instances[index]})`
        : `${reader.describe(marks[index])} (face ${index})`,
      vertex: (index) => `${reader.describe(vertices.marks[index])} (vertex ${index})`,
    },
    warnings,
  }
  if (vertices.normals) soup.vertexNormals = vertices.normals
  if (vertices.uvs) soup.vertexUvs = vertices.uvs
  return soup
}

function toPointCloud(
  vertices: PlyVertices,
  reader: PlyValueReader,
  warnings: string[],
  options: ParseOptions,
): PointCloudData {
  const count = vertices.positions.length / 3
  if (count === 0) {
    throw new MeshParseError('no-faces', options.fileName, 'header', 'the file has no faces and no vertices; expected at least one of either')
  }
  if (count > options.maxFaces) {
    throw new MeshParseError('too-many-faces', options.fileName, 'header',
      `the point cloud has ${plural(count, 'point')}; expected at most ${options.maxFaces} (the configured limit)`)
  }
  const vertex = firstNonFiniteVertex(vertices.positions)
  if (vertex >= 0) {
    const values = Array.from(vertices.positions.subarray(vertex * 3, vertex * 3 + 3)).join(' ')
    throw new MeshParseError('non-finite', options.fileName, `${reader.describe(vertices.marks[vertex])} (vertex ${vertex})`,
      `the point has coordinates ${values}; expected finite numbers`)
  }

  const cloud: PointCloudData = { kind: 'points', format: 'ply', sourceName: options.fileName, positions: vertices.positions, warnings }
  if (vertices.colors) cloud.colors = vertices.colors
  if (vertices.normals && allFinite(vertices.normals)) cloud.normals = vertices.normals
  else if (vertices.normals) warnings.push('dropped the normals because some are NaN or infinite')
  return cloud
}
