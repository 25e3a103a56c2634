import type { GLTF, JSONDocument } from '@gltf-transform/core'

import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from './errors.js'
import type { LoadOptions } from './mesh-data.js'
import type { ParseOptions } from './polygon-soup.js'

/**
 * The container layer of glTF: GLB chunks or JSON text, external and embedded buffers, and range
 * checks of buffer views and accessors, so a truncated file fails with a position instead of a
 * RangeError deep inside glTF-Transform.
 */

/** GLB header magic 'glTF' as a little-endian uint32, as the glTF 2.0 spec defines it. */
const GLB_MAGIC = 0x46546c67
const GLB_HEADER_BYTES = 12
const GLB_CHUNK_HEADER_BYTES = 8
const CHUNK_JSON = 0x4e4f534a
const CHUNK_BIN = 0x004e4942

/** Hint in the error for a missing external buffer when the caller gives no `resourceHint`. */
const DEFAULT_RESOURCE_HINT = "expected it in the glTF file's folder"

/** Resource key glTF-Transform uses for the GLB's binary chunk. */
const GLB_BUFFER_KEY = '@glb.bin'

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 }
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 }

/** Returns whether the bytes start with the GLB magic, or with part of it when the file is that short. */
export function isGlb(bytes: Uint8Array): boolean {
  const magic = 'glTF'
  for (let i = 0; i < Math.min(bytes.length, magic.length); i++) {
    if (bytes[i] !== magic.charCodeAt(i)) return false
  }
  return bytes.length > 0
}

/**
 * Splits a GLB into its JSON and binary chunk, or parses glTF JSON text. A `.glb` name with
 * neither the GLB magic nor JSON text is rejected as a wrong magic.
 */
export function readGltfJson(bytes: Uint8Array, options: ParseOptions): { json: GLTF.IGLTF; bin?: Uint8Array } {
  if (!isGlb(bytes)) {
    if (options.fileName.toLowerCase().endsWith('.glb') && !looksLikeJson(bytes)) {
      const found = Array.from(bytes.subarray(0, 4), (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?')).join('')
      throw new MeshParseError('bad-magic', options.fileName, 'byte 0', `found '${found}'; expected the GLB magic 'glTF' or glTF JSON`)
    }
    return { json: parseJson(bytes, 'byte 0', options) }
  }

  const { fileName } = options
  if (bytes.length < GLB_HEADER_BYTES + GLB_CHUNK_HEADER_BYTES) {
    throw new MeshParseError('truncated', fileName, 'byte 0', `the GLB has ${plural(bytes.length, 'byte')}; expected at least a 20-byte header`)
  }
  const version = readUint32(bytes, 4)
  if (version !== 2) throw new MeshParseError('unsupported-format', fileName, 'byte 4', `GLB version ${version}; expected 2`)
  const declared = readUint32(bytes, 8)
  if (declared > bytes.length) {
    throw new MeshParseError('truncated', fileName, 'byte 8', `the GLB header declares ${plural(declared, 'byte')}, but the file has ${bytes.length}`)
  }

  const jsonChunk = readChunk(bytes, GLB_HEADER_BYTES, declared, options)
  if (jsonChunk.type !== CHUNK_JSON) {
    throw new MeshParseError('syntax', fileName, `byte ${GLB_HEADER_BYTES}`, 'the first GLB chunk is not JSON; expected chunk type JSON')
  }
  const json = parseJson(jsonChunk.data, `byte ${GLB_HEADER_BYTES + GLB_CHUNK_HEADER_BYTES}`, options)

  // Chunks after the JSON: the first BIN chunk is buffer 0, unknown chunk types are skipped.
  let offset = GLB_HEADER_BYTES + GLB_CHUNK_HEADER_BYTES + jsonChunk.data.length
  while (offset + GLB_CHUNK_HEADER_BYTES <= declared) {
    const chunk = readChunk(bytes, offset, declared, options)
    if (chunk.type === CHUNK_BIN) return { json, bin: chunk.data }
    offset += GLB_CHUNK_HEADER_BYTES + chunk.data.length
  }
  return { json }
}

function readChunk(bytes: Uint8Array, offset: number, end: number, options: ParseOptions): { type: number; data: Uint8Array } {
  const length = readUint32(bytes, offset)
  const type = readUint32(bytes, offset + 4)
  const start = offset + GLB_CHUNK_HEADER_BYTES
  if (start + length > end) {
    throw new MeshParseError('truncated', options.fileName, `byte ${offset}`,
      `the GLB chunk declares ${plural(length, 'byte')}, but only ${Math.max(end - start, 0)} ${end - start === 1 ? 'follows' : 'follow'}`)
  }
  return { type, data: bytes.subarray(start, start + length) }
}

function parseJson(bytes: Uint8Array, position: string, options: ParseOptions): GLTF.IGLTF {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch (error) {
    throw new MeshParseError('syntax', options.fileName, position, `invalid JSON (${(error as Error).message}); expected a glTF JSON document`)
  }
  const asset = (json as GLTF.IGLTF | null)?.asset
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof asset?.version !== 'string') {
    throw new MeshParseError('syntax', options.fileName, position, 'the JSON has no asset.version; expected a glTF 2.0 document')
  }
  if (!asset.version.startsWith('2.')) {
    throw new MeshParseError('unsupported-format', options.fileName, 'asset.version',
      `glTF version ${asset.version}; expected 2.x (glTF 1.0 is not supported)`)
  }
  return json as GLTF.IGLTF
}

/**
 * Gathers every buffer's bytes into the resource map glTF-Transform reads: the GLB chunk,
 * external files through `readResource`. Data URIs are left to glTF-Transform. Images are not
 * needed for segmentation, so external ones get empty placeholders instead of being read.
 */
export async function resolveResources(
  json: GLTF.IGLTF,
  bin: Uint8Array | undefined,
  readResource: ((uri: string) => Promise<Uint8Array | undefined>) | undefined,
  options: ParseOptions & Pick<LoadOptions, 'resourceHint'>,
): Promise<JSONDocument> {
  const resources: Record<string, Uint8Array> = {}
  const buffers = json.buffers ?? []
  for (const [index, buffer] of buffers.entries()) {
    if (buffer.uri === undefined) {
      // EXT_meshopt_compression's fallback buffer has no data: decoders fill its views.
      if (isMeshoptFallback(buffer)) continue
      if (index !== 0 || !bin) {
        throw new MeshParseError('missing-resource', options.fileName, `buffers[${index}]`,
          'the buffer has no uri and there is no GLB binary chunk; expected one of them')
      }
      resources[GLB_BUFFER_KEY] = bin
    } else if (!buffer.uri.startsWith('data:')) {
      const data = readResource ? await readResource(buffer.uri) : undefined
      if (!data) {
        throw new MeshParseError('missing-resource', options.fileName, `buffers[${index}]`,
          `cannot read '${buffer.uri}'; ${options.resourceHint ?? DEFAULT_RESOURCE_HINT}`)
      }
      resources[buffer.uri] = data
    }
  }
  for (const image of json.images ?? []) {
    if (image.uri !== undefined && !image.uri.startsWith('data:')) resources[image.uri] = new Uint8Array(0)
  }
  // glTF-Transform's type requires ArrayBuffer-backed views. Node Buffers are those or views of
  // a shared pool, which glTF-Transform only reads.
  return { json, resources: resources as Record<string, Uint8Array<ArrayBuffer>> }
}

/**
 * Checks that every buffer view lies inside its buffer and every accessor inside its buffer view.
 * Buffer lengths come from the resources, or from `byteLength` for data URIs.
 */
export function checkBufferRanges(document: JSONDocument, options: ParseOptions): void {
  const { json, resources } = document
  const bufferLengths = (json.buffers ?? []).map((buffer, index) => {
    if (isMeshoptFallback(buffer)) return buffer.byteLength
    if (buffer.uri === undefined) return index === 0 ? resources[GLB_BUFFER_KEY]?.length ?? 0 : 0
    return resources[buffer.uri]?.length ?? dataUriLength(buffer.uri) ?? buffer.byteLength
  })

  for (const [index, view] of (json.bufferViews ?? []).entries()) {
    const available = bufferLengths[view.buffer]
    const end = (view.byteOffset ?? 0) + view.byteLength
    if (available === undefined) {
      throw new MeshParseError('syntax', options.fileName, `bufferViews[${index}]`, `refers to buffer ${view.buffer}, which does not exist`)
    }
    if (end > available) {
      throw new MeshParseError('truncated', options.fileName, `bufferViews[${index}]`,
        `the view ends at byte ${end} of buffer ${view.buffer}, which has only ${plural(available, 'byte')}`)
    }
  }

  for (const [index, accessor] of (json.accessors ?? []).entries()) {
    if (accessor.bufferView === undefined) continue
    const view = json.bufferViews?.[accessor.bufferView]
    const componentBytes = COMPONENT_BYTES[accessor.componentType]
    const components = TYPE_COMPONENTS[accessor.type]
    if (!view || !componentBytes || !components) {
      throw new MeshParseError('syntax', options.fileName, `accessors[${index}]`,
        `has bufferView ${accessor.bufferView}, componentType ${accessor.componentType} and type ${accessor.type}; expected an existing view and valid types`)
    }
    const elementBytes = componentBytes * components
    const stride = view.byteStride ?? elementBytes
    const end = (accessor.byteOffset ?? 0) + (accessor.count > 0 ? (accessor.count - 1) * stride + elementBytes : 0)
    if (end > view.byteLength) {
      throw new MeshParseError('truncated', options.fileName, `accessors[${index}]`,
        `${plural(accessor.count, 'element')} ${accessor.count === 1 ? 'ends' : 'end'} at byte ${end} of bufferView ${accessor.bufferView}, which has only ${plural(view.byteLength, 'byte')}`)
    }
  }
}

/** Decoded length of a base64 data URI, without decoding it. */
function dataUriLength(uri: string | undefined): number | undefined {
  if (!uri?.startsWith('data:')) return undefined
  const comma = uri.indexOf(',')
  if (comma < 0 || !uri.slice(0, comma).endsWith(';base64')) return undefined
  const payload = uri.length - comma - 1
  const padding = uri.endsWith('==') ? 2 : uri.endsWith('=') ? 1 : 0
  return Math.floor(payload * 3 / 4) - padding
}

function isMeshoptFallback(buffer: GLTF.IBuffer): boolean {
  const extension = buffer.extensions?.EXT_meshopt_compression as { fallback?: boolean } | undefined
  return extension?.fallback === true
}

function looksLikeJson(bytes: Uint8Array): boolean {
  let i = 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++
  return bytes[i] === 0x7b
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0
}
