/**
 * Roles of the files dropped into incoming/: a mesh that starts a job, a file that waits for the
 * mesh that refers to it, or a file the watcher cannot use.
 */
import { extensionOf, MESH_EXTENSIONS } from '../../daemon/src/mesh/formats.js'
import { isTemporaryName, SIDECAR_SUFFIX } from './temp-names.js'

/**
 * Extensions of files that travel with a mesh: material libraries, glTF buffers and the texture
 * formats that MTL files and glTF images name. Such a file waits in incoming/ for its mesh and
 * is never moved to failed/ on its own.
 */
export const COMPANION_EXTENSIONS: readonly string[] = [
  '.mtl', '.bin',
  '.png', '.jpg', '.jpeg', '.ktx2', '.webp', '.tga', '.bmp', '.gif', '.tif', '.tiff', '.dds', '.exr', '.hdr',
]

/**
 * - `mesh`: starts a job
 * - `companion`: a material library, buffer or texture that waits for its mesh
 * - `sidecar`: a `<file>.partfield.json` that waits for its mesh
 * - `unsupported`: anything else, moved to failed/ with an error.txt
 * - `temporary`: a partial download or a hidden file, never touched
 */
export type FileRole = 'mesh' | 'companion' | 'sidecar' | 'unsupported' | 'temporary'

/** Returns the role of a file name (no folders) in incoming/. */
export function fileRole(name: string): FileRole {
  if (isTemporaryName(name)) return 'temporary'
  if (name.toLowerCase().endsWith(SIDECAR_SUFFIX)) return 'sidecar'
  const extension = extensionOf(name)
  if (MESH_EXTENSIONS.includes(extension)) return 'mesh'
  if (COMPANION_EXTENSIONS.includes(extension)) return 'companion'
  return 'unsupported'
}

/** The mesh formats for messages: `obj, glb, gltf, ply, off`. */
export const SUPPORTED_FORMATS = MESH_EXTENSIONS.map((extension) => extension.slice(1)).join(', ')
