import type { MeshFormat } from './mesh-data.js'

/** File extensions loadMesh reads, lower case with the dot. */
export const MESH_EXTENSIONS: readonly string[] = ['.obj', '.glb', '.gltf', '.ply', '.off']

const FORMAT_BY_EXTENSION: Record<string, MeshFormat> = {
  '.obj': 'obj',
  '.glb': 'glb',
  '.gltf': 'gltf',
  '.ply': 'ply',
  '.off': 'off',
}

/** Returns the format for a file name's extension (any case), or undefined. */
export function formatForFileName(fileName: string): MeshFormat | undefined {
  return FORMAT_BY_EXTENSION[extensionOf(fileName)]
}

/** Returns the lower-case extension with its dot ('' when there is none). */
export function extensionOf(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1)
  const dot = base.lastIndexOf('.')
  return dot > 0 ? base.slice(dot).toLowerCase() : ''
}

/** Returns the file name without folders and extension, used to name a file's only node. */
export function stemOf(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1)
  const dot = base.lastIndexOf('.')
  return dot > 0 ? base.slice(0, dot) : base
}
