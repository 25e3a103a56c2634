import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import { stemOf } from './formats.js'
import { GrowableFloat32, GrowableInt32, GrowableUint32 } from './growable.js'
import type { SourceNode } from './mesh-data.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'
import { TextScanner } from './text-scanner.js'

/**
 * Parser for Wavefront OBJ geometry: `v`, `vt`, `vn`, `f` with `v`, `v/vt`, `v//vn` or
 * `v/vt/vn` corners and negative (relative) indices, `o` and `g` as nodes, backslash line
 * continuation and `#` comments. Materials, smoothing groups, lines,
 * points and free-form geometry are skipped with a warning.
 */

const HASH = 0x23
const SLASH = 0x2f
const LETTER_F = 0x66
const LETTER_V = 0x76
const LETTER_T = 0x74
const LETTER_N = 0x6e

/** Statements that carry no geometry we use and are skipped without a warning. */
const SILENT_KEYWORDS = new Set(['s', 'usemtl', 'mtllib', 'usemap', 'maplib', 'shadow_obj', 'trace_obj', 'lod', 'bevel',
  'c_interp', 'd_interp'])

export function parseObj(bytes: Uint8Array, options: ParseOptions): PolygonSoup {
  const parser = new ObjParser(bytes, options)
  parser.parse()
  return parser.toSoup()
}

class ObjParser {
  readonly #scanner: TextScanner
  readonly #options: ParseOptions

  readonly #positions = new GrowableFloat32()
  readonly #vertexLines = new GrowableUint32()
  readonly #uvs = new GrowableFloat32()
  readonly #normals = new GrowableFloat32()

  readonly #polygonStarts = new GrowableUint32()
  readonly #polygonNodes = new GrowableUint32()
  readonly #faceLines = new GrowableUint32()
  readonly #cornerVertices = new GrowableUint32()
  /** Per corner: 0-based index into the uvs or normals, or -1 when the corner has none. */
  readonly #cornerUvs = new GrowableInt32()
  readonly #cornerNormals = new GrowableInt32()

  readonly #nodes: SourceNode[] = []
  readonly #nodeByName = new Map<string, number>()
  #objectName = ''
  #groupName = ''
  /** Node of the faces that follow, or -1 until the next face picks or creates it. */
  #currentNode = -1
  readonly #skipped = new Map<string, number>()

  constructor(bytes: Uint8Array, options: ParseOptions) {
    this.#scanner = new TextScanner(bytes, { fileName: options.fileName, commentByte: HASH, lineContinuation: true })
    this.#options = options
    this.#polygonStarts.push(0)
  }

  parse(): void {
    const scanner = this.#scanner
    const bytes = scanner.bytes
    for (;;) {
      scanner.skipWhitespace()
      if (scanner.atEnd) return
      const pos = scanner.pos
      const first = bytes[pos]
      const second = pos + 1 < bytes.length ? bytes[pos + 1] : 0x20
      const third = pos + 2 < bytes.length ? bytes[pos + 2] : 0x20

      if (first === LETTER_V && isBlank(second)) {
        scanner.pos++
        this.#readVertex()
      } else if (first === LETTER_F && isBlank(second)) {
        scanner.pos++
        this.#readFace()
      } else if (first === LETTER_V && second === LETTER_T && isBlank(third)) {
        scanner.pos += 2
        this.#readUv()
      } else if (first === LETTER_V && second === LETTER_N && isBlank(third)) {
        scanner.pos += 2
        this.#readNormal()
      } else {
        this.#readOtherStatement(scanner.readWord())
      }
      scanner.skipLine()
    }
  }

  #readVertex(): void {
    const scanner = this.#scanner
    const count = this.#vertexLines.length
    const x = scanner.readFloat(`the x coordinate of vertex ${count + 1}`)
    const y = scanner.readFloat(`the y coordinate of vertex ${count + 1}`)
    const z = scanner.readFloat(`the z coordinate of vertex ${count + 1}`)
    this.#positions.push3(x, y, z)
    this.#vertexLines.push(scanner.line)
  }

  #readUv(): void {
    const scanner = this.#scanner
    const u = scanner.readFloat('the u texture coordinate')
    const v = scanner.atLineEnd() ? 0 : scanner.readFloat('the v texture coordinate')
    this.#uvs.push(u)
    this.#uvs.push(v)
  }

  #readNormal(): void {
    const scanner = this.#scanner
    const x = scanner.readFloat('the x component of the normal')
    const y = scanner.readFloat('the y component of the normal')
    const z = scanner.readFloat('the z component of the normal')
    this.#normals.push3(x, y, z)
  }

  #readFace(): void {
    const scanner = this.#scanner
    const line = scanner.line
    const start = this.#cornerVertices.length
    while (!scanner.atLineEnd()) this.#readCorner()

    const size = this.#cornerVertices.length - start
    if (size < 3) {
      throw new MeshParseError('face-too-small', this.#options.fileName, `line ${line}`,
        `face has ${plural(size, 'vertex', 'vertices')}; expected at least 3`)
    }
    const polygonCount = this.#faceLines.length + 1
    if (polygonCount > this.#options.maxFaces) {
      throw new MeshParseError('too-many-faces', this.#options.fileName, `line ${line}`,
        `the file has more than ${plural(this.#options.maxFaces, 'face')}; expected at most ${this.#options.maxFaces} (the configured limit)`)
    }
    this.#polygonStarts.push(this.#cornerVertices.length)
    this.#faceLines.push(line)
    this.#polygonNodes.push(this.#nodeForFace())
  }

  /** Reads one `v`, `v/vt`, `v//vn` or `v/vt/vn` corner. */
  #readCorner(): void {
    const scanner = this.#scanner
    const bytes = scanner.bytes
    const vertex = this.#resolve(scanner.readInt('a vertex index such as 3, 3/1, 3//2 or 3/1/2'),
      this.#vertexLines.length, 'vertex')
    let uv = -1
    let normal = -1
    if (bytes[scanner.pos] === SLASH) {
      scanner.pos++
      if (bytes[scanner.pos] !== SLASH && !isBlankOrEnd(bytes, scanner.pos)) {
        uv = this.#resolve(scanner.readInt('a texture coordinate index'), this.#uvs.length / 2, 'texture coordinate')
      }
      if (bytes[scanner.pos] === SLASH) {
        scanner.pos++
        if (!isBlankOrEnd(bytes, scanner.pos)) {
          normal = this.#resolve(scanner.readInt('a normal index'), this.#normals.length / 3, 'normal')
        }
      }
    }
    this.#cornerVertices.push(vertex)
    this.#cornerUvs.push(uv)
    this.#cornerNormals.push(normal)
  }

  /**
   * Turns a 1-based or negative (counted back from the latest) index into a 0-based one. Positive
   * indices may point forward, so they are range-checked once the whole file is read.
   */
  #resolve(index: number, countSoFar: number, what: string): number {
    if (index > 0) return index - 1
    const resolved = countSoFar + index
    if (index === 0 || resolved < 0) {
      throw new MeshParseError('index-out-of-range', this.#options.fileName, `line ${this.#scanner.line}`,
        `${what} index ${index} is out of range; expected 1 to ${countSoFar} or -1 to -${countSoFar}`)
    }
    return resolved
  }

  #readOtherStatement(keyword: string): void {
    const scanner = this.#scanner
    if (keyword === 'v') this.#readVertex()
    else if (keyword === 'vt') this.#readUv()
    else if (keyword === 'vn') this.#readNormal()
    else if (keyword === 'f') this.#readFace()
    else if (keyword === 'o') {
      this.#objectName = scanner.restOfLine()
      this.#groupName = ''
      this.#currentNode = -1
    } else if (keyword === 'g') {
      this.#groupName = scanner.restOfLine()
      this.#currentNode = -1
    } else if (!SILENT_KEYWORDS.has(keyword)) {
      if (!/^[a-z_]+$/i.test(keyword)) throw scanner.errorHere('an OBJ statement such as v, vt, vn, f, o or g')
      this.#skipped.set(keyword, (this.#skipped.get(keyword) ?? 0) + 1)
    }
  }

  #nodeForFace(): number {
    if (this.#currentNode >= 0) return this.#currentNode
    const object = this.#objectName
    const group = this.#groupName
    const name = object && group && object !== group ? `${object}/${group}` : group || object || stemOf(this.#options.fileName)
    let node = this.#nodeByName.get(name)
    if (node === undefined) {
      node = this.#nodes.length
      this.#nodes.push({ name, polygonCount: 0 })
      this.#nodeByName.set(name, node)
    }
    this.#currentNode = node
    return node
  }

  toSoup(): PolygonSoup {
    this.#checkIndices()
    const faceLines = this.#faceLines.toArray()
    const vertexLines = this.#vertexLines.toArray()
    const warnings = [...this.#skipped].map(([keyword, count]) => `skipped ${count} '${keyword}' statements`)
    const soup: PolygonSoup = {
      format: 'obj',
      positions: this.#positions.toArray(),
      polygonStarts: this.#polygonStarts.toArray(),
      cornerVertices: this.#cornerVertices.toArray(),
      polygonNodes: this.#polygonNodes.toArray(),
      nodes: this.#nodes,
      locate: {
        polygon: (index) => `line ${faceLines[index]} (face ${index + 1})`,
        vertex: (index) => `line ${vertexLines[index]} (vertex ${index + 1})`,
      },
      warnings,
    }
    const normals = gatherCornerAttribute(this.#cornerNormals, this.#normals, 3, 'normals', warnings)
    const uvs = gatherCornerAttribute(this.#cornerUvs, this.#uvs, 2, 'texture coordinates', warnings)
    if (normals) soup.cornerNormals = normals
    if (uvs) soup.cornerUvs = uvs
    return soup
  }

  /** Range-checks every corner once all vertices are known, naming the face's line and 1-based index. */
  #checkIndices(): void {
    const checks: [GrowableUint32 | GrowableInt32, number, string][] = [
      [this.#cornerVertices, this.#vertexLines.length, 'vertex'],
      [this.#cornerUvs, this.#uvs.length / 2, 'texture coordinate'],
      [this.#cornerNormals, this.#normals.length / 3, 'normal'],
    ]
    for (const [indices, count, what] of checks) {
      for (let corner = 0; corner < indices.length; corner++) {
        if (indices.get(corner) < count) continue
        const face = this.#faceOfCorner(corner)
        throw new MeshParseError('index-out-of-range', this.#options.fileName, `line ${this.#faceLines.get(face)}`,
          `${what} index ${indices.get(corner) + 1} is out of range; expected 1 to ${count} (or -1 to -${count})`)
      }
    }
  }

  #faceOfCorner(corner: number): number {
    let face = 0
    while (this.#polygonStarts.get(face + 1) <= corner) face++
    return face
  }
}

/**
 * Expands indexed normals or UVs to one value per corner. A mesh where only some corners have
 * them gets none, because MeshData stores them for every corner or not at all.
 */
function gatherCornerAttribute(
  cornerIndices: GrowableInt32,
  values: GrowableFloat32,
  size: number,
  label: string,
  warnings: string[],
): Float32Array | undefined {
  let missing = 0
  for (let corner = 0; corner < cornerIndices.length; corner++) if (cornerIndices.get(corner) < 0) missing++
  if (missing === cornerIndices.length) return undefined
  if (missing > 0) {
    warnings.push(`dropped the ${label} because ${missing} of ${cornerIndices.length} face corners have none`)
    return undefined
  }

  const gathered = new Float32Array(cornerIndices.length * size)
  for (let corner = 0; corner < cornerIndices.length; corner++) {
    const from = cornerIndices.get(corner) * size
    for (let k = 0; k < size; k++) gathered[corner * size + k] = values.get(from + k)
  }
  return gathered
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09
}

function isBlankOrEnd(bytes: Uint8Array, pos: number): boolean {
  if (pos >= bytes.length) return true
  const byte = bytes[pos]
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d
}
