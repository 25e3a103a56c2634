import { buildMeshData } from './build-mesh.js'
import { chooseFormat } from './detect-format.js'
import { MeshParseError } from './errors.js'
import { MESH_EXTENSIONS } from './formats.js'
import type { LoadedInput, LoadOptions, MeshFormat } from './mesh-data.js'
import { parseGltf } from './gltf.js'
import { parseObj } from './obj.js'
import { parseOff } from './off.js'
import { parsePly } from './ply.js'
import type { ParseOptions } from './polygon-soup.js'

export { sniffFormat } from './detect-format.js'

/**
 * Loads a mesh or point cloud from a file's bytes. The format comes from the file name's
 * extension, or from the leading bytes when the extension is missing or unknown. Leading bytes
 * that clearly belong to another format than the extension's win, with a warning (see
 * chooseFormat). Every failure is a MeshParseError naming the file, because errors that parsers
 * or libraries throw are wrapped.
 */
export async function loadMesh(bytes: Uint8Array, options: LoadOptions): Promise<LoadedInput> {
  const { fileName } = options
  const { format, warning, errorNote } = chooseFormat(fileName, bytes)
  if (bytes.length === 0) {
    throw new MeshParseError('empty', fileName, undefined, `the file is empty; expected ${format ?? 'mesh'} data`)
  }
  if (!format) {
    throw new MeshParseError('unsupported-format', fileName, undefined,
      `the extension and the leading bytes match no supported format; expected one of ${MESH_EXTENSIONS.join(', ')}`)
  }

  const parseOptions: ParseOptions = { fileName, maxFaces: options.maxFaces }
  try {
    const loaded = await parseFormat(format, bytes, parseOptions, options)
    if (warning) loaded.warnings.unshift(warning)
    return loaded
  } catch (error) {
    if (error instanceof MeshParseError) throw errorNote ? withNote(error, errorNote) : error
    const reason = error instanceof Error ? error.message : String(error)
    throw new MeshParseError('decode-failed', fileName, undefined, `could not decode the ${format} data: ${reason}`)
  }
}

async function parseFormat(
  format: MeshFormat,
  bytes: Uint8Array,
  parseOptions: ParseOptions,
  options: LoadOptions,
): Promise<LoadedInput> {
  switch (format) {
    case 'off':
      return buildMeshData(parseOff(toSingleByteText(bytes), parseOptions), parseOptions)
    case 'obj':
      return buildMeshData(parseObj(toSingleByteText(bytes), parseOptions), parseOptions)
    case 'glb':
    case 'gltf': {
      const parsed = await parseGltf(bytes, { ...parseOptions, readResource: options.readResource, resourceHint: options.resourceHint })
      return 'kind' in parsed ? parsed : buildMeshData(parsed, parseOptions)
    }
    case 'ply': {
      const parsed = parsePly(bytes, parseOptions)
      return 'kind' in parsed ? parsed : buildMeshData(parsed, parseOptions)
    }
    default:
      throw new MeshParseError('unsupported-format', options.fileName, undefined,
        `the ${format} format is not supported; expected one of ${MESH_EXTENSIONS.join(', ')}`)
  }
}

/** Returns the error with `note` appended to its message, in brackets. */
function withNote(error: MeshParseError, note: string): MeshParseError {
  const prefix = error.position ? `${error.file}: ${error.position}: ` : `${error.file}: `
  return new MeshParseError(error.code, error.file, error.position, `${error.message.slice(prefix.length)} (${note})`)
}

/**
 * Strips a UTF-8 byte order mark and re-encodes UTF-16 text (with its mark) as UTF-8, because
 * the text parsers scan single bytes. Other bytes pass through unchanged.
 */
export function toSingleByteText(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3)
  const littleEndian = bytes[0] === 0xff && bytes[1] === 0xfe
  const bigEndian = bytes[0] === 0xfe && bytes[1] === 0xff
  if (!littleEndian && !bigEndian) return bytes
  const text = new TextDecoder(littleEndian ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2))
  return new TextEncoder().encode(text)
}
