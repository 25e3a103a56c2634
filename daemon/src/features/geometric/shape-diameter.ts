import { BufferAttribute, BufferGeometry, DoubleSide, Ray, Vector3 } from 'three'
import { MeshBVH } from 'three-mesh-bvh'

import type { PreparedMesh } from '../../prepare/prepared-mesh.js'

export interface ShapeDiameterOptions {
  rays: number
  /** Half-angle of the ray cone around the inward normal, in degrees. */
  coneDegrees: number
  /** Maximum number of triangles that cast rays; the others take the nearest sampled value. */
  maxSampledTriangles: number
}

/** Ray origins move this far inwards (normalised units) so a ray does not hit its own triangle. */
const ORIGIN_OFFSET = 1e-5

/**
 * Shape diameter function: the local thickness of the volume under each triangle, the median
 * length of rays cast in a cone around the inward normal (Shapira et al. 2008). Inward comes from
 * `signs`, the consistent orientation, and rays hit triangles of either winding, so the result
 * does not depend on how the file wound its faces. Triangles whose rays all escape (open meshes)
 * and unsampled triangles take the value of the nearest sampled one. Returns one value per triangle.
 */
export function shapeDiameter(mesh: PreparedMesh, signs: Int8Array, options: ShapeDiameterOptions): Float64Array {
  const count = mesh.triangles.length / 3
  const geometry = new BufferGeometry()
  geometry.setAttribute('position', new BufferAttribute(mesh.positions, 3))
  // The BVH reorders the index it is given, so it gets a copy.
  geometry.setIndex(new BufferAttribute(mesh.triangles.slice(), 1))
  const bvh = new MeshBVH(geometry)
  const cone = coneDirections(options.rays, options.coneDegrees)
  const stride = Math.max(1, Math.ceil(count / options.maxSampledTriangles))

  const values = new Float64Array(count).fill(Number.NaN)
  const ray = new Ray()
  const axis = new Vector3()
  const u = new Vector3()
  const v = new Vector3()
  const lengths: number[] = []
  for (let t = 0; t < count; t += stride) {
    if (!mesh.kept[t]) continue
    const s = -signs[t]
    axis.set(s * mesh.normals[3 * t], s * mesh.normals[3 * t + 1], s * mesh.normals[3 * t + 2])
    if (axis.lengthSq() === 0) continue
    tangentFrame(axis, u, v)
    lengths.length = 0
    for (let r = 0; r < cone.length; r += 3) {
      ray.direction.set(0, 0, 0).addScaledVector(u, cone[r]).addScaledVector(v, cone[r + 1]).addScaledVector(axis, cone[r + 2])
      ray.origin.set(mesh.centroids[3 * t], mesh.centroids[3 * t + 1], mesh.centroids[3 * t + 2]).addScaledVector(axis, ORIGIN_OFFSET)
      const hit = bvh.raycastFirst(ray, DoubleSide)
      if (hit) lengths.push(hit.distance)
    }
    if (lengths.length > 0) values[t] = median(lengths)
  }
  fillMissing(values, mesh)
  return values
}

/**
 * Directions in a cone about +z, spread evenly by a golden-angle spiral; the first is the axis.
 * Returns xyz triples in a frame whose third axis is the cone axis.
 */
function coneDirections(count: number, halfAngleDegrees: number): Float64Array {
  const out = new Float64Array(3 * count)
  const cosMax = Math.cos((halfAngleDegrees * Math.PI) / 180)
  const golden = Math.PI * (3 - Math.sqrt(5))
  for (let i = 0; i < count; i++) {
    const z = count === 1 ? 1 : 1 - ((1 - cosMax) * i) / (count - 1)
    const radius = Math.sqrt(Math.max(0, 1 - z * z))
    out[3 * i] = radius * Math.cos(golden * i)
    out[3 * i + 1] = radius * Math.sin(golden * i)
    out[3 * i + 2] = z
  }
  return out
}

/** Two unit vectors that complete `axis` (unit) to an orthonormal frame. */
function tangentFrame(axis: Vector3, u: Vector3, v: Vector3): void {
  if (Math.abs(axis.x) < 0.9) u.set(1, 0, 0)
  else u.set(0, 1, 0)
  u.addScaledVector(axis, -u.dot(axis)).normalize()
  v.crossVectors(axis, u)
}

function median(values: number[]): number {
  values.sort((a, b) => a - b)
  const middle = values.length >> 1
  return values.length % 2 === 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
}

/**
 * Gives every NaN the value of the nearest known triangle in graph steps, by breadth-first search
 * from all known ones at once. Triangles that no known one reaches take the median known value.
 */
function fillMissing(values: Float64Array, mesh: PreparedMesh): void {
  const { offsets, neighbors } = mesh.adjacency
  const queue = new Uint32Array(values.length)
  const known: number[] = []
  let tail = 0
  for (let t = 0; t < values.length; t++) {
    if (Number.isNaN(values[t])) continue
    known.push(values[t])
    queue[tail++] = t
  }
  for (let head = 0; head < tail; head++) {
    const t = queue[head]
    for (let p = offsets[t]; p < offsets[t + 1]; p++) {
      const u = neighbors[p]
      if (!Number.isNaN(values[u])) continue
      values[u] = values[t]
      queue[tail++] = u
    }
  }
  const fallback = known.length > 0 ? median(known) : 0
  for (let t = 0; t < values.length; t++) if (Number.isNaN(values[t])) values[t] = fallback
}
