import { buildMeshData } from './build-mesh.js'
import { MeshParseError } from './errors.js'
import { formatForFileName, MESH_EXTENSIONS } from './formats.js'
import type { LoadedInput, LoadOptions, MeshFormat } from './mesh-data.js'
import { parseGltf } from './gltf.js'
import { parseObj } from './obj.js'
import { parseOff } from './off.js'
import { parsePly } from './ply.js'
import type { ParseOptions } from './polygon-soup.js'

/** Leading bytes that identify a format when the file name's extension does not. */
const MAGIC: readonly { magic: string; format: MeshFormat; afterWhitespace: boolean }[] = [
  { magic: 'glTF', format: 'glb', afterWhitespace: false },
  { magic: 'ply', format: 'ply', afterWhitespace: false },
  // OFF and glTF JSON are text, which may start with blank lines.
  { magic: 'OFF', format: 'off', afterWhitespace: true },
  { magic: '{', format: 'gltf', afterWhitespace: true },
]

/**
 * Loads a mesh or point cloud from a file's bytes. The format comes from the file name's
 * extension, or from the leading bytes when the extension is unknown. Every failure is a
 * MeshParseError naming the file: errors that parsers or libraries throw are wrapped.
 */
export async function loadMesh(bytes: Uint8Array, options: LoadOptions): Promise<LoadedInput> {
  const { fileName } = options
  const format = formatForFileName(fileName) ?? sniffFormat(bytes)
  if (bytes.length === 0) {
    throw new MeshParseError('empty', fileName, undefined, `the file is empty; expected ${format ?? 'mesh'} data`)
  }
  if (!format) {
    throw new MeshParseError('unsupported-format', fileName, undefined,
      `the extension and the leading bytes match no supported format; expected one of ${MESH_EXTENSIONS.join(', ')}`)
  }

  const parseOptions: ParseOptions = { fileName, maxFaces: options.maxFaces }
  try {
    return await parseFormat(format, bytes, parseOptions, options)
  } catch (error) {
    if (error instanceof MeshParseError) throw error
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
      const parsed = await parseGltf(bytes, { ...parseOptions, readResource: options.readResource })
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

/** Returns the format whose magic the bytes start with, or undefined. */
export function sniffFormat(bytes: Uint8Array): MeshFormat | undefined {
  let textStart = 0
  while (textStart < bytes.length && textStart < 1024 && isSpace(bytes[textStart])) textStart++
  for (const { magic, format, afterWhitespace } of MAGIC) {
    const start = afterWhitespace ? textStart : 0
    let matches = start + magic.length <= bytes.length
    for (let i = 0; matches && i < magic.length; i++) matches = bytes[start + i] === magic.charCodeAt(i)
    if (matches) return format
  }
  return undefined
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d
}
