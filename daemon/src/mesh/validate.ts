import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'
import { polygonCount } from './polygon-soup.js'

/**
 * Checks a parsed soup before triangulation: at least one face and no more than the limit, every
 * face with 3 or more corners, every index inside the vertex array, every coordinate finite.
 * Throws MeshParseError naming the file, the face's or vertex's position and what was expected.
 */
export function validateSoup(soup: PolygonSoup, options: ParseOptions): void {
  const count = polygonCount(soup)
  checkFaceCount(count, options)

  const vertexCount = soup.positions.length / 3
  const { polygonStarts, cornerVertices } = soup
  for (let polygon = 0; polygon < count; polygon++) {
    const start = polygonStarts[polygon]
    const end = polygonStarts[polygon + 1]
    if (end - start < 3) {
      throw new MeshParseError('face-too-small', options.fileName, soup.locate.polygon(polygon),
        `face has ${plural(end - start, 'vertex', 'vertices')}; expected at least 3`)
    }
    for (let corner = start; corner < end; corner++) {
      if (cornerVertices[corner] >= vertexCount) {
        throw new MeshParseError('index-out-of-range', options.fileName, soup.locate.polygon(polygon),
          `vertex index ${cornerVertices[corner]} (counted from 0) is out of range; ` +
          `expected 0 to ${vertexCount - 1}`)
      }
    }
  }

  const vertex = firstNonFiniteVertex(soup.positions)
  if (vertex >= 0) {
    const values = Array.from(soup.positions.subarray(vertex * 3, vertex * 3 + 3)).join(' ')
    throw new MeshParseError('non-finite', options.fileName, soup.locate.vertex(vertex),
      `the vertex has coordinates ${values}; expected finite numbers`)
  }
}

/** Rejects zero faces and more faces than options.maxFaces. */
export function checkFaceCount(count: number, options: ParseOptions, position?: string): void {
  if (count === 0) {
    throw new MeshParseError('no-faces', options.fileName, position,
      'the file has no faces; expected at least one polygon')
  }
  if (count > options.maxFaces) {
    throw new MeshParseError('too-many-faces', options.fileName, position,
      `the file has ${plural(count, 'face')}; expected at most ${options.maxFaces} (the configured limit)`)
  }
}

/** Returns the index of the first vertex with a NaN or infinite coordinate, or -1. */
export function firstNonFiniteVertex(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    // x - x is NaN exactly when x is NaN or infinite.
    if (values[i] - values[i] !== 0) return Math.floor(i / 3)
  }
  return -1
}

/** Returns whether every value is finite. Optional attributes that fail this are dropped, not rejected. */
export function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (values[i] - values[i] !== 0) return false
  }
  return true
}
