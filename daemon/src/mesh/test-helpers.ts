import { expect } from 'vitest'

import { MeshParseError, type MeshErrorCode } from './errors.js'
import { loadMesh } from './load.js'
import type { LoadedInput, LoadOptions, MeshData, PointCloudData } from './mesh-data.js'

/** Loads text or bytes as a file of the given name with a generous face limit. */
export async function loadBytes(
  content: string | Uint8Array,
  fileName: string,
  options: Partial<LoadOptions> = {},
): Promise<LoadedInput> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content
  return loadMesh(bytes, { fileName, maxFaces: 1_000_000, ...options })
}

/** Loads and asserts the result is a triangle mesh. */
export async function loadMeshData(
  content: string | Uint8Array,
  fileName: string,
  options: Partial<LoadOptions> = {},
): Promise<MeshData> {
  const loaded = await loadBytes(content, fileName, options)
  if (loaded.kind !== 'mesh') throw new Error(`expected a mesh from ${fileName}, got ${loaded.kind}`)
  return loaded
}

/** Loads and asserts the result is a point cloud. */
export async function loadPoints(content: string | Uint8Array, fileName: string): Promise<PointCloudData> {
  const loaded = await loadBytes(content, fileName)
  if (loaded.kind !== 'points') throw new Error(`expected points from ${fileName}, got ${loaded.kind}`)
  return loaded
}

/** Asserts that loading fails with a MeshParseError of `code` whose message matches `message`. */
export async function expectLoadError(
  content: string | Uint8Array,
  fileName: string,
  code: MeshErrorCode,
  message: RegExp,
  options: Partial<LoadOptions> = {},
): Promise<MeshParseError> {
  const error = await loadBytes(content, fileName, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(MeshParseError)
  const parseError = error as MeshParseError
  expect(parseError.code).toBe(code)
  expect(parseError.message).toContain(fileName)
  expect(parseError.message).toMatch(message)
  return parseError
}

/** Sums triangle areas, to check a triangulation covers the polygon and nothing more. */
export function totalArea(mesh: MeshData): number {
  const p = mesh.positions
  let area = 0
  for (let t = 0; t < mesh.triangles.length; t += 3) {
    const a = mesh.triangles[t] * 3
    const b = mesh.triangles[t + 1] * 3
    const c = mesh.triangles[t + 2] * 3
    const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2]
    const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2]
    area += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 2
  }
  return area
}
