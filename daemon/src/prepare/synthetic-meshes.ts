import type { MeshData } from '../mesh/mesh-data.js'

/** Wraps positions and triangles as a one-node mesh whose polygons are its triangles. */
export function meshFromArrays(positions: ArrayLike<number>, triangles: ArrayLike<number>, name = 'generated'): MeshData {
  const triangleCount = triangles.length / 3
  return {
    kind: 'mesh',
    format: 'off',
    sourceName: name,
    positions: Float32Array.from(positions),
    triangles: Uint32Array.from(triangles),
    triangleToPolygon: Uint32Array.from({ length: triangleCount }, (_, i) => i),
    triangleNode: new Uint32Array(triangleCount),
    polygonCount: triangleCount,
    nodes: [{ name, polygonCount: triangleCount }],
    warnings: [],
  }
}

/** Concatenates meshes into one, offsetting vertex and polygon indices. */
export function joinMeshes(meshes: MeshData[], name = 'joined'): MeshData {
  const positions: number[] = []
  const triangles: number[] = []
  for (const mesh of meshes) {
    const offset = positions.length / 3
    for (const value of mesh.positions) positions.push(value)
    for (const index of mesh.triangles) triangles.push(index + offset)
  }
  return meshFromArrays(positions, triangles, name)
}

/**
 * Samples a parametric surface on a rows x columns grid, two triangles per cell, with the
 * columns wrapping around. `point(u, v)` maps u, v in [0, 1] to xyz. Rows at u = 0 and u = 1
 * that collapse to one point (sphere poles) stay as they are, as in many real meshes.
 */
export function parametricMesh(rows: number, columns: number, point: (u: number, v: number) => [number, number, number], name = 'parametric'): MeshData {
  const positions: number[] = []
  for (let r = 0; r <= rows; r++) {
    for (let c = 0; c < columns; c++) positions.push(...point(r / rows, c / columns))
  }
  const triangles: number[] = []
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const a = r * columns + c
      const b = r * columns + ((c + 1) % columns)
      const d = a + columns
      const e = b + columns
      triangles.push(a, d, b, b, d, e)
    }
  }
  return meshFromArrays(positions, triangles, name)
}

/** Builds a flat square grid of n x n cells in the z = 0 plane, from (x0, y0) with the given size. */
export function gridMesh(n: number, x0 = 0, y0 = 0, size = 1): MeshData {
  const positions: number[] = []
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) positions.push(x0 + (size * i) / n, y0 + (size * j) / n, 0)
  }
  const triangles: number[] = []
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = i * (n + 1) + j
      const c = a + n + 1
      triangles.push(a, c, a + 1, a + 1, c, c + 1)
    }
  }
  return meshFromArrays(positions, triangles, 'grid')
}

/** Builds an axis-aligned box of 12 triangles over 8 shared vertices, wound outwards. */
export function boxMesh(center: [number, number, number], size: [number, number, number]): MeshData {
  const positions: number[] = []
  for (let corner = 0; corner < 8; corner++) {
    positions.push(
      center[0] + ((corner & 1 ? 1 : -1) * size[0]) / 2,
      center[1] + ((corner & 2 ? 1 : -1) * size[1]) / 2,
      center[2] + ((corner & 4 ? 1 : -1) * size[2]) / 2,
    )
  }
  // Corner bits: 1 = +x, 2 = +y, 4 = +z.
  const faces = [
    [0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5],
  ]
  const triangles: number[] = []
  for (const [a, b, c, d] of faces) triangles.push(a, b, c, a, c, d)
  return meshFromArrays(positions, triangles, 'box')
}

/**
 * Builds a dumbbell: two spheres joined by a thin open cylinder, three separate components with
 * about `targetFaces` triangles in all. It has obvious parts and needs bridging, so it exercises
 * the whole clustering path without external data.
 */
export function dumbbellMesh(targetFaces: number): MeshData {
  const sphereRows = Math.max(4, Math.round(Math.sqrt(targetFaces / 2 / 4)))
  const sphere = (cx: number) =>
    parametricMesh(sphereRows, 2 * sphereRows, (u, v) => {
      const polar = Math.PI * u
      const azimuth = 2 * Math.PI * v
      return [cx + 0.5 * Math.sin(polar) * Math.cos(azimuth), 0.5 * Math.sin(polar) * Math.sin(azimuth), 0.5 * Math.cos(polar)]
    })
  const used = 2 * 2 * sphereRows * 2 * sphereRows
  const barColumns = Math.max(8, Math.round(Math.sqrt(Math.max(16, targetFaces - used) / 2 / 4)))
  const bar = parametricMesh(4 * barColumns, barColumns, (u, v) => {
    const azimuth = 2 * Math.PI * v
    return [-0.55 + 1.1 * u, 0.12 * Math.cos(azimuth), 0.12 * Math.sin(azimuth)]
  })
  return joinMeshes([sphere(-1), bar, sphere(1)], 'dumbbell')
}

/**
 * Splits every triangle into four at its edge midpoints, sharing midpoints between neighbours,
 * `levels` times. Polygons are re-indexed to the new triangles.
 */
export function subdivide(mesh: MeshData, levels: number): MeshData {
  let positions = Array.from(mesh.positions)
  let triangles = Array.from(mesh.triangles)
  for (let level = 0; level < levels; level++) {
    const midpoints = new Map<number, number>()
    const vertexCount = positions.length / 3
    const midpoint = (a: number, b: number): number => {
      const key = Math.min(a, b) * vertexCount + Math.max(a, b)
      let index = midpoints.get(key)
      if (index !== undefined) return index
      index = positions.length / 3
      for (let axis = 0; axis < 3; axis++) positions.push((positions[3 * a + axis] + positions[3 * b + axis]) / 2)
      midpoints.set(key, index)
      return index
    }
    const next: number[] = []
    for (let t = 0; t < triangles.length; t += 3) {
      const [a, b, c] = [triangles[t], triangles[t + 1], triangles[t + 2]]
      const ab = midpoint(a, b)
      const bc = midpoint(b, c)
      const ca = midpoint(c, a)
      next.push(a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca)
    }
    triangles = next
  }
  return meshFromArrays(positions, triangles, mesh.sourceName)
}
