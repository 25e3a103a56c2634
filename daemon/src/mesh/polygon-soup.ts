import type { MeshFormat, SourceNode } from './mesh-data.js'

/**
 * Output of a format parser before the shared post-processing: the file's polygons exactly as
 * written (any size, not yet validated or triangulated) over one merged vertex array.
 */
export interface PolygonSoup {
  format: MeshFormat
  /** Vertex positions, xyz. */
  positions: Float32Array
  /** Offsets into `cornerVertices`: polygon i has corners polygonStarts[i] .. polygonStarts[i+1]-1. */
  polygonStarts: Uint32Array
  /** Vertex index of every polygon corner, polygons one after another. */
  cornerVertices: Uint32Array
  /** Per polygon: index into `nodes`. Absent when the file has one node. */
  polygonNodes?: Uint32Array
  /** Source objects or nodes; `polygonCount` is filled in by the post-processing. */
  nodes: SourceNode[]
  /** Optional normals, xyz per vertex. */
  vertexNormals?: Float32Array
  /** Optional texture coordinates, uv per vertex. */
  vertexUvs?: Float32Array
  /** Optional normals, xyz per corner (OBJ's `f v/vt/vn`); wins over `vertexNormals`. */
  cornerNormals?: Float32Array
  /** Optional texture coordinates, uv per corner; wins over `vertexUvs`. */
  cornerUvs?: Float32Array
  /** Describes where a polygon or vertex sits in the file, for error messages. */
  locate: SoupLocator
  warnings: string[]
}

/** Maps element indices back to positions in the file ("line 12", "face element 7"). */
export interface SoupLocator {
  polygon(index: number): string
  vertex(index: number): string
}

/** Options every parser takes. */
export interface ParseOptions {
  /** File name used in messages. */
  fileName: string
  /** Reject files with more source faces (or points) than this. */
  maxFaces: number
}

/** Number of polygons in a soup. */
export function polygonCount(soup: PolygonSoup): number {
  return soup.polygonStarts.length - 1
}
