import type { MeshData } from '../mesh/mesh-data.js'
import { groupIndices } from '../prepare/components.js'

/**
 * Faces for the formats that can store polygons (PLY, OBJ): each source polygon rebuilt from its
 * triangles where possible, otherwise its triangles one by one.
 */
export interface PolygonFaces {
  /** Face f has corners `corners[offsets[f] .. offsets[f + 1])`. */
  offsets: Uint32Array
  /** Per face corner: a corner of the loaded mesh (3 * triangle + j), for its vertex, normal and UV. */
  corners: Uint32Array
  /** Per face: the source polygon it came from. */
  polygons: Uint32Array
}

/** Grows typed arrays in place while faces are appended. */
class FaceList {
  offsets: Uint32Array = new Uint32Array(1024)
  corners: Uint32Array = new Uint32Array(4096)
  polygons: Uint32Array = new Uint32Array(1024)
  faceCount = 0
  cornerCount = 0

  push(polygon: number, corners: ArrayLike<number>): void {
    if (this.faceCount + 2 > this.offsets.length) {
      this.offsets = grow(this.offsets, this.faceCount + 2)
      this.polygons = grow(this.polygons, this.faceCount + 1)
    }
    if (this.cornerCount + corners.length > this.corners.length) {
      this.corners = grow(this.corners, this.cornerCount + corners.length)
    }
    for (let i = 0; i < corners.length; i++) this.corners[this.cornerCount++] = corners[i]
    this.polygons[this.faceCount++] = polygon
    this.offsets[this.faceCount] = this.cornerCount
  }

  finish(): PolygonFaces {
    return {
      offsets: this.offsets.slice(0, this.faceCount + 1),
      corners: this.corners.slice(0, this.cornerCount),
      polygons: this.polygons.slice(0, this.faceCount),
    }
  }
}

function grow(array: Uint32Array, needed: number): Uint32Array {
  const bigger = new Uint32Array(Math.max(needed, array.length * 2))
  bigger.set(array)
  return bigger
}

/**
 * Rebuilds the source polygons of a mesh, in source order. Some polygons come out as their
 * triangles instead: those whose triangles do not bound one simple loop (a hole, a repeated
 * vertex, mixed winding) and those with more than `maxCorners` corners. `polygons` links every
 * output face to its source polygon either way.
 */
export function polygonFaces(mesh: MeshData, maxCorners: number): PolygonFaces {
  const byPolygon = groupIndices(mesh.triangleToPolygon, mesh.polygonCount)
  const faces = new FaceList()
  const edges = new PolygonEdges()

  for (let polygon = 0; polygon < mesh.polygonCount; polygon++) {
    const triangles = byPolygon.members.subarray(byPolygon.offsets[polygon], byPolygon.offsets[polygon + 1])
    const loop = triangles.length === 1
      ? [3 * triangles[0], 3 * triangles[0] + 1, 3 * triangles[0] + 2]
      : boundaryLoop(edges, mesh.triangles, triangles)
    if (loop && loop.length <= maxCorners) {
      faces.push(polygon, loop)
      continue
    }
    for (const t of triangles) faces.push(polygon, [3 * t, 3 * t + 1, 3 * t + 2])
  }
  return faces.finish()
}

// Polygons split into at most this many triangles search their edges linearly, which beats
// building hash maps for the quads and small n-gons that make up most meshes.
const LINEAR_SEARCH_TRIANGLES = 16

/**
 * Directed edges of one polygon's triangles. One instance is reused for every polygon, so a
 * million quads cost no allocations here.
 */
class PolygonEdges {
  from = new Uint32Array(3 * LINEAR_SEARCH_TRIANGLES)
  to = new Uint32Array(3 * LINEAR_SEARCH_TRIANGLES)
  /** The triangle corner each edge starts at. */
  corner = new Uint32Array(3 * LINEAR_SEARCH_TRIANGLES)
  count = 0
  /** Edge index by "from,to", built only for polygons too large for a linear search. */
  #index: Map<string, number> | undefined

  /** Loads the edges of the given triangles; returns false when a directed edge repeats. */
  load(triangles: Uint32Array, polygonTriangles: Uint32Array): boolean {
    this.count = 3 * polygonTriangles.length
    if (this.count > this.from.length) {
      this.from = new Uint32Array(this.count)
      this.to = new Uint32Array(this.count)
      this.corner = new Uint32Array(this.count)
    }
    for (let i = 0; i < polygonTriangles.length; i++) {
      const t = polygonTriangles[i]
      for (let j = 0; j < 3; j++) {
        this.corner[3 * i + j] = 3 * t + j
        this.from[3 * i + j] = triangles[3 * t + j]
        this.to[3 * i + j] = triangles[3 * t + (j + 1) % 3]
      }
    }

    this.#index = undefined
    if (polygonTriangles.length > LINEAR_SEARCH_TRIANGLES) {
      this.#index = new Map()
      for (let e = 0; e < this.count; e++) this.#index.set(`${this.from[e]},${this.to[e]}`, e)
    }
    // find() returns the first (linear) or last (map) copy, so a repeat shows as a mismatch.
    for (let e = 0; e < this.count; e++) if (this.find(this.from[e], this.to[e]) !== e) return false
    return true
  }

  /** Returns the index of edge a -> b, or -1. */
  find(a: number, b: number): number {
    if (this.#index) return this.#index.get(`${a},${b}`) ?? -1
    for (let e = 0; e < this.count; e++) if (this.from[e] === a && this.to[e] === b) return e
    return -1
  }
}

/**
 * Returns the corners along the outline of a triangulated polygon, in the triangles' winding,
 * or undefined when the outline is not one simple loop. Edges used by two of the polygon's
 * triangles (once each way) are inside it, and the rest form the outline. For a simple polygon
 * split into n triangles, the outline has exactly n + 2 edges and visits each vertex once.
 */
function boundaryLoop(
  edges: PolygonEdges,
  triangles: Uint32Array,
  polygonTriangles: Uint32Array,
): number[] | undefined {
  if (!edges.load(triangles, polygonTriangles)) return undefined
  const outline: number[] = []
  for (let e = 0; e < edges.count; e++) {
    if (edges.find(edges.to[e], edges.from[e]) < 0) outline.push(e)
  }
  if (outline.length !== polygonTriangles.length + 2) return undefined
  const next = new OutlineSteps(edges, outline)
  if (!next.unique) return undefined

  // Start where the first triangle starts, which for a fan or ear triangulation is the
  // polygon's own first vertex.
  const start = next.edgeFrom(edges.from[0]) >= 0 ? edges.from[0] : edges.from[outline[0]]
  let vertex = start
  const loop: number[] = []
  do {
    const e = next.edgeFrom(vertex)
    if (e < 0 || loop.length === outline.length) return undefined
    loop.push(edges.corner[e])
    vertex = edges.to[e]
  } while (vertex !== start)
  // Coming back to the start early would leave outline edges for a second loop (a hole).
  return loop.length === outline.length ? loop : undefined
}

/** Outline edges found by their start vertex. */
class OutlineSteps {
  /** False when two outline edges start at one vertex, so the outline is not a simple loop. */
  readonly unique: boolean
  readonly #edges: PolygonEdges
  readonly #outline: number[]
  readonly #byStart: Map<number, number> | undefined

  constructor(edges: PolygonEdges, outline: number[]) {
    this.#edges = edges
    this.#outline = outline
    let unique = true
    if (outline.length > LINEAR_SEARCH_TRIANGLES + 2) {
      this.#byStart = new Map()
      for (const e of outline) {
        if (this.#byStart.has(edges.from[e])) unique = false
        this.#byStart.set(edges.from[e], e)
      }
    } else {
      for (let i = 0; i < outline.length; i++) {
        for (let j = i + 1; j < outline.length; j++) {
          if (edges.from[outline[i]] === edges.from[outline[j]]) unique = false
        }
      }
    }
    this.unique = unique
  }

  /** Returns the outline edge that starts at `vertex`, or -1. */
  edgeFrom(vertex: number): number {
    if (this.#byStart) return this.#byStart.get(vertex) ?? -1
    for (const e of this.#outline) if (this.#edges.from[e] === vertex) return e
    return -1
  }
}
