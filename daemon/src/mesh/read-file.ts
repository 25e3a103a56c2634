import { readFile, realpath } from 'node:fs/promises'
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path'

import { MeshParseError } from './errors.js'
import { loadMesh } from './load.js'
import { DEFAULT_MAX_FACES, type LoadedInput } from './mesh-data.js'

/**
 * Reads a mesh file and loads it. Resources the file refers to (a glTF's .bin) are read from the
 * file's folder or below it, never from outside it.
 */
export async function readMeshFile(path: string, options: { maxFaces?: number } = {}): Promise<LoadedInput> {
  let bytes: Uint8Array
  try {
    const buffer = await readFile(path)
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? String(error)})`
    throw new MeshParseError('missing-resource', path, undefined, `${reason}; expected a readable mesh file`)
  }

  const input = await loadMesh(bytes, {
    fileName: path,
    maxFaces: options.maxFaces ?? DEFAULT_MAX_FACES,
    readResource: createSiblingReader(path),
  })

  // Errors name the path the user typed. Results carry only the file name, so labels.json and
  // exported headers never reveal the folder layout of the machine that ran the job.
  input.sourceName = basename(path)
  return input
}

/**
 * Returns a resource reader confined to the folder of `path`. URIs are percent-decoded as glTF
 * requires. Absolute paths, URLs with a scheme and paths that leave the folder (`..`, or a
 * symbolic link pointing elsewhere) read as missing.
 */
export function createSiblingReader(path: string): (uri: string) => Promise<Uint8Array | undefined> {
  const folder = resolve(dirname(path))
  return async (uri: string) => {
    const decoded = decodeUri(uri)
    if (decoded === undefined || isAbsolute(decoded) || /^[a-z][a-z0-9+.-]*:/i.test(decoded)) return undefined

    const target = resolve(folder, decoded)
    if (!isInside(folder, target)) return undefined
    try {
      const [realFolder, realTarget] = await Promise.all([realpath(folder), realpath(target)])
      if (!isInside(realFolder, realTarget)) return undefined
      const buffer = await readFile(realTarget)
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    } catch {
      // Missing or unreadable: the loader reports the resource as missing with its URI.
      return undefined
    }
  }
}

function decodeUri(uri: string): string | undefined {
  try {
    return decodeURIComponent(uri)
  } catch {
    return undefined
  }
}

function isInside(folder: string, target: string): boolean {
  const path = relative(folder, target)
  return path !== '' && !path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path)
}
