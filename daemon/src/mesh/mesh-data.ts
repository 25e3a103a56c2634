/**
 * The shared intermediate form every loader produces. Features, clustering and exports read only
 * these typed arrays and never see a file format.
 */

/** A file format, or for mesh arrays sent to the daemon the body's encoding (`msgpack`, `json`). */
export type MeshFormat = 'obj' | 'gltf' | 'glb' | 'ply' | 'off' | 'msgpack' | 'json'

/** An object or node of the user's file whose faces went into the merged mesh. */
export interface SourceNode {
  name: string
  /** Number of source polygons this node contributed. */
  polygonCount: number
}

/** An indexed triangle mesh that remembers which of the user's faces each triangle came from. */
export interface MeshData {
  kind: 'mesh'
  format: MeshFormat
  /** File name as the user gave it, for messages and output names. */
  sourceName: string
  /** Vertex positions, xyz, in the file's own coordinates and units (glTF: node transforms applied). */
  positions: Float32Array
  /** Vertex indices, three per triangle, counter-clockwise as the file wrote them. */
  triangles: Uint32Array
  /** Per triangle: index of the source polygon (the user's face), counted in file order over all nodes. */
  triangleToPolygon: Uint32Array
  /** Per triangle: index into `nodes`. */
  triangleNode: Uint32Array
  /** Number of source polygons; labels are returned one per polygon. */
  polygonCount: number
  nodes: SourceNode[]
  /** Optional per-corner normals, 9 floats per triangle, in the same space as positions. */
  cornerNormals?: Float32Array
  /**
   * Optional per-corner texture coordinates, 6 floats per triangle, as the file wrote them: glTF
   * puts the origin at the top-left of the image, OBJ, PLY and MessagePack input at the bottom-left.
   */
  cornerUvs?: Float32Array
  /** Recoverable oddities met while loading (skipped lines, unsupported extras). */
  warnings: string[]
}

/** A PLY with vertices and no faces: points to segment one by one. */
export interface PointCloudData {
  kind: 'points'
  format: MeshFormat
  sourceName: string
  /** Point positions, xyz, in the file's own coordinates. */
  positions: Float32Array
  /** Optional per-point RGB, 3 bytes per point. */
  colors?: Uint8Array
  /** Optional per-point normals, 3 floats per point. */
  normals?: Float32Array
  warnings: string[]
}

export type LoadedInput = MeshData | PointCloudData

/** Options every loader accepts. */
export interface LoadOptions {
  /** File name used in messages and to pick the format. */
  fileName: string
  /** Reject inputs with more source faces (or points) than this. */
  maxFaces: number
  /**
   * Returns the bytes of a file the input refers to (a glTF's .bin or texture, an OBJ's .mtl),
   * or undefined when it is not available. Never called with a path outside the input's folder.
   */
  readResource?: (uri: string) => Promise<Uint8Array | undefined>
  /**
   * Hint in the error for a resource that `readResource` did not find, such as how to upload
   * it. The default points to the input file's folder.
   */
  resourceHint?: string
}

export const DEFAULT_MAX_FACES = 2_000_000
