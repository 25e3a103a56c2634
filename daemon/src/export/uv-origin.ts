import type { MeshFormat } from '../mesh/mesh-data.js'

/**
 * Tells whether a mesh's UVs put the texture origin at the top-left corner. MeshData keeps UVs
 * as the file wrote them, and glTF is the one format whose V axis points down. OBJ, PLY and the
 * mesh arrays clients send (Blender's convention) have the origin at the bottom-left corner.
 */
export function uvOriginIsTopLeft(format: MeshFormat): boolean {
  return format === 'gltf' || format === 'glb'
}

/** Returns a copy of interleaved UV pairs with V mirrored (v' = 1 - v), to switch origins. */
export function flipV(uvs: Float32Array): Float32Array {
  const flipped = new Float32Array(uvs.length)
  for (let i = 0; i < uvs.length; i += 2) {
    flipped[i] = uvs[i]
    flipped[i + 1] = 1 - uvs[i + 1]
  }
  return flipped
}
