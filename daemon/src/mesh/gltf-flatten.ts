import type { Accessor, Document, Primitive } from '@gltf-transform/core'

import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import type { MeshInstance } from './gltf.js'
import {
  MODE_POINTS, MODE_TRIANGLE_FAN, MODE_TRIANGLE_STRIP, MODE_TRIANGLES, determinant3, primitiveTriangles,
  readFloatAttribute, transformNormals, transformPoints,
} from './gltf-primitives.js'
import type { MeshFormat, PointCloudData } from './mesh-data.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'
import { checkFaceCount, firstNonFiniteVertex } from './validate.js'

/** A primitive to merge, with where its vertices and triangles land in the merged arrays. */
interface PlacedPrimitive {
  instance: number
  primitive: Primitive
  primitiveIndex: number
  position: Accessor
  triangles: Uint32Array
  firstVertex: number
  firstTriangle: number
}

const TRIANGLE_MODES = new Set([MODE_TRIANGLES, MODE_TRIANGLE_STRIP, MODE_TRIANGLE_FAN])
const MODE_NAMES = ['POINTS', 'LINES', 'LINE_LOOP', 'LINE_STRIP', 'TRIANGLES', 'TRIANGLE_STRIP', 'TRIANGLE_FAN']

/**
 * Merges every triangle primitive of every instance into one soup in world coordinates, one node
 * per instance and one polygon per triangle. A file with only POINTS primitives becomes a point
 * cloud. Line primitives are skipped with a warning.
 */
export function flattenScene(
  document: Document,
  instances: MeshInstance[],
  format: MeshFormat,
  warnings: string[],
  options: ParseOptions,
): PolygonSoup | PointCloudData {
  const accessorIndex = new Map(document.getRoot().listAccessors().map((accessor, index) => [accessor, index]))
  const placed: PlacedPrimitive[] = []
  const points: { instance: number; primitive: Primitive }[] = []
  const skippedModes = new Map<string, number>()
  let vertexCount = 0
  let triangleCount = 0
  let dropped = 0

  for (const [instance, { mesh }] of instances.entries()) {
    for (const [primitiveIndex, primitive] of mesh.listPrimitives().entries()) {
      const mode = primitive.getMode()
      const position = primitive.getAttribute('POSITION')
      if (!position) continue
      if (mode === MODE_POINTS) points.push({ instance, primitive })
      if (!TRIANGLE_MODES.has(mode)) {
        const modeName = MODE_NAMES[mode] ?? `mode ${mode}`
        if (mode !== MODE_POINTS) skippedModes.set(modeName, (skippedModes.get(modeName) ?? 0) + 1)
        continue
      }
      const { triangles, droppedDegenerate } = primitiveTriangles(primitive, position.getCount())
      dropped += droppedDegenerate
      placed.push({ instance, primitive, primitiveIndex, position, triangles, firstVertex: vertexCount, firstTriangle: triangleCount })
      vertexCount += position.getCount()
      triangleCount += triangles.length / 3
      if (triangleCount > options.maxFaces) checkFaceCount(triangleCount, options)
    }
  }
  if (placed.length > 0 && points.length > 0) skippedModes.set('POINTS', points.length)
  for (const [mode, count] of skippedModes) warnings.push(`skipped ${plural(count, `${mode} primitive`)}`)
  if (dropped > 0) warnings.push(`dropped ${plural(dropped, 'degenerate triangle-strip triangle')}`)

  if (placed.length === 0 && points.length > 0) return toPointCloud(instances, points, format, warnings, options)
  if (triangleCount === 0) {
    const skipped = [...skippedModes].map(([mode, count]) => plural(count, `${mode} primitive`)).join(', ')
    throw new MeshParseError('no-faces', options.fileName, undefined,
      `the scene has no triangles${skipped ? ` (only ${skipped})` : ''}; expected TRIANGLES, TRIANGLE_STRIP or TRIANGLE_FAN primitives`)
  }
  return mergeTriangles(instances, placed, vertexCount, triangleCount, accessorIndex, format, warnings)
}

function mergeTriangles(
  instances: MeshInstance[],
  placed: PlacedPrimitive[],
  vertexCount: number,
  triangleCount: number,
  accessorIndex: Map<Accessor, number>,
  format: MeshFormat,
  warnings: string[],
): PolygonSoup {
  const positions = new Float32Array(vertexCount * 3)
  const cornerVertices = new Uint32Array(triangleCount * 3)
  const polygonNodes = new Uint32Array(triangleCount)
  const withNormals = placed.filter((entry) => entry.primitive.getAttribute('NORMAL')).length
  const withUvs = placed.filter((entry) => entry.primitive.getAttribute('TEXCOORD_0')).length
  const normals = withNormals === placed.length ? new Float32Array(vertexCount * 3) : undefined
  const uvs = withUvs === placed.length ? new Float32Array(vertexCount * 2) : undefined
  if (withNormals > 0 && !normals) warnings.push(`dropped the normals because ${someOf(placed.length - withNormals, placed.length)} no normals`)
  if (withUvs > 0 && !uvs) warnings.push(`dropped the texture coordinates because ${someOf(placed.length - withUvs, placed.length)} none`)

  for (const entry of placed) {
    const { matrix } = instances[entry.instance]
    transformPoints(readFloatAttribute(entry.position), matrix, positions, entry.firstVertex * 3)
    const normal = entry.primitive.getAttribute('NORMAL')
    if (normals && normal) transformNormals(readFloatAttribute(normal), matrix, normals, entry.firstVertex * 3)
    const uv = entry.primitive.getAttribute('TEXCOORD_0')
    if (uvs && uv) uvs.set(readFloatAttribute(uv).subarray(0, entry.position.getCount() * 2), entry.firstVertex * 2)

    // A mirroring transform turns counter-clockwise triangles clockwise, so swapping two corners restores them.
    const mirrored = determinant3(matrix) < 0
    const { triangles, firstVertex, firstTriangle } = entry
    for (let t = 0; t < triangles.length; t += 3) {
      const out = firstTriangle * 3 + t
      cornerVertices[out] = triangles[t] + firstVertex
      cornerVertices[out + 1] = triangles[mirrored ? t + 2 : t + 1] + firstVertex
      cornerVertices[out + 2] = triangles[mirrored ? t + 1 : t + 2] + firstVertex
    }
    polygonNodes.fill(entry.instance, firstTriangle, firstTriangle + triangles.length / 3)
  }

  const polygonStarts = new Uint32Array(triangleCount + 1)
  for (let i = 0; i <= triangleCount; i++) polygonStarts[i] = i * 3
  const soup: PolygonSoup = {
    format,
    positions,
    polygonStarts,
    cornerVertices,
    polygonNodes,
    nodes: instances.map((instance) => ({ name: instance.name, polygonCount: 0 })),
    locate: createLocator(instances, placed, accessorIndex),
    warnings,
  }
  if (normals) soup.vertexNormals = normals
  if (uvs) soup.vertexUvs = uvs
  return soup
}

/** Describes triangles and vertices by mesh, primitive and accessor, since glTF has no lines. */
function createLocator(instances: MeshInstance[], placed: PlacedPrimitive[], accessorIndex: Map<Accessor, number>): PolygonSoup['locate'] {
  const find = (first: (entry: PlacedPrimitive) => number, index: number) => {
    let low = 0
    let high = placed.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (first(placed[middle]) <= index) low = middle
      else high = middle - 1
    }
    return placed[low]
  }
  const describe = (entry: PlacedPrimitive) =>
    `mesh '${instances[entry.instance].mesh.getName()}' primitive ${entry.primitiveIndex} of node '${instances[entry.instance].name}'`
  return {
    polygon: (index) => {
      const entry = find((candidate) => candidate.firstTriangle, index)
      const indices = entry.primitive.getIndices()
      const source = indices ? `accessors[${accessorIndex.get(indices)}]` : 'non-indexed'
      return `${source} (${describe(entry)}), triangle ${index - entry.firstTriangle}`
    },
    vertex: (index) => {
      const entry = find((candidate) => candidate.firstVertex, index)
      return `accessors[${accessorIndex.get(entry.position)}] (POSITION of ${describe(entry)}), element ${index - entry.firstVertex}`
    },
  }
}

function toPointCloud(
  instances: MeshInstance[],
  points: { instance: number; primitive: Primitive }[],
  format: MeshFormat,
  warnings: string[],
  options: ParseOptions,
): PointCloudData {
  const count = points.reduce((sum, { primitive }) => sum + (primitive.getAttribute('POSITION')?.getCount() ?? 0), 0)
  if (count > options.maxFaces) {
    throw new MeshParseError('too-many-faces', options.fileName, undefined,
      `the point cloud has ${plural(count, 'point')}; expected at most ${options.maxFaces} (the configured limit)`)
  }
  const positions = new Float32Array(count * 3)
  const allColored = points.every(({ primitive }) => primitive.getAttribute('COLOR_0'))
  const colors = allColored ? new Uint8Array(count * 3) : undefined
  let offset = 0
  for (const { instance, primitive } of points) {
    const position = primitive.getAttribute('POSITION')
    if (!position) continue
    transformPoints(readFloatAttribute(position), instances[instance].matrix, positions, offset * 3)
    const color = primitive.getAttribute('COLOR_0')
    if (colors && color) writeColorBytes(readFloatAttribute(color), color.getElementSize(), colors, offset * 3)
    offset += position.getCount()
  }

  const vertex = firstNonFiniteVertex(positions)
  if (vertex >= 0) {
    throw new MeshParseError('non-finite', options.fileName, `point ${vertex}`, 'the point has a NaN or infinite coordinate; expected finite numbers')
  }
  const cloud: PointCloudData = { kind: 'points', format, sourceName: options.fileName, positions, warnings }
  if (colors) cloud.colors = colors
  return cloud
}

/**
 * glTF vertex colours are linear floats in 0..1 (RGB or RGBA). Point clouds keep sRGB bytes, as
 * PLY files store them, so each channel goes through the sRGB transfer function.
 */
function writeColorBytes(values: Float32Array, size: number, out: Uint8Array, outOffset: number): void {
  const count = values.length / size
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < 3; k++) {
      const linear = Math.min(Math.max(values[i * size + k], 0), 1)
      const encoded = linear <= 0.0031308 ? linear * 12.92 : 1.055 * linear ** (1 / 2.4) - 0.055
      out[outOffset + i * 3 + k] = Math.round(encoded * 255)
    }
  }
}

/** `1 of 3 primitives has`, `2 of 3 primitives have`: the start of a sentence about some primitives. */
function someOf(part: number, total: number): string {
  return `${part} of ${plural(total, 'primitive')} ${part === 1 ? 'has' : 'have'}`
}
