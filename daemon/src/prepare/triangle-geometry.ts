/** Per-triangle area, unit normal and centroid. */
export interface TriangleGeometry {
  areas: Float32Array
  /** Unit normals, xyz; zero where the triangle has no area. */
  normals: Float32Array
  centroids: Float32Array
}

/** Computes areas, unit normals and centroids in double precision, stored as float32. */
export function triangleGeometry(positions: Float32Array, triangles: Uint32Array): TriangleGeometry {
  const triangleCount = triangles.length / 3
  const areas = new Float32Array(triangleCount)
  const normals = new Float32Array(3 * triangleCount)
  const centroids = new Float32Array(3 * triangleCount)

  for (let t = 0; t < triangleCount; t++) {
    const a = 3 * triangles[3 * t]
    const b = 3 * triangles[3 * t + 1]
    const c = 3 * triangles[3 * t + 2]
    const ax = positions[a]
    const ay = positions[a + 1]
    const az = positions[a + 2]
    const ux = positions[b] - ax
    const uy = positions[b + 1] - ay
    const uz = positions[b + 2] - az
    const vx = positions[c] - ax
    const vy = positions[c + 1] - ay
    const vz = positions[c + 2] - az
    const nx = uy * vz - uz * vy
    const ny = uz * vx - ux * vz
    const nz = ux * vy - uy * vx
    const length = Math.sqrt(nx * nx + ny * ny + nz * nz)

    areas[t] = length / 2
    if (length > 0) {
      normals[3 * t] = nx / length
      normals[3 * t + 1] = ny / length
      normals[3 * t + 2] = nz / length
    }
    centroids[3 * t] = (ax + positions[b] + positions[c]) / 3
    centroids[3 * t + 1] = (ay + positions[b + 1] + positions[c + 1]) / 3
    centroids[3 * t + 2] = (az + positions[b + 2] + positions[c + 2]) / 3
  }
  return { areas, normals, centroids }
}
