/**
 * Finds the files a mesh refers to and must travel with: an OBJ's material libraries and their
 * textures, a glTF's buffers and images. References are relative paths inside the mesh's folder;
 * absolute paths, URLs, data URIs and paths that climb out with `..` are left out.
 */
import { createReadStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { posix } from 'node:path'
import { createInterface } from 'node:readline'

import { extensionOf } from '../../daemon/src/mesh/formats.js'

// GLB container (glTF 2.0, section "Binary glTF Layout"): a 12-byte header, then chunks of
// length (uint32), type (uint32) and data; the first chunk is the JSON chunk.
const GLB_MAGIC = 0x46546c67
const GLB_JSON_CHUNK = 0x4e4f534a
const GLB_HEADER_BYTES = 20

/**
 * What a referenced file holds, which decides how long a mesh waits for it:
 * - `buffer`: a glTF buffer with the geometry; the mesh cannot be read without it
 * - `material`: an OBJ's material library; it does not change the segmentation
 * - `texture`: an image; segmentation never reads it
 */
export type ReferenceKind = 'buffer' | 'material' | 'texture'

export interface Reference {
  /** Relative path inside the referring file's folder. */
  path: string
  kind: ReferenceKind
}

/** Returns the files the mesh (or material library) at `path` refers to, deduplicated, in file order. */
export async function findReferences(path: string): Promise<Reference[]> {
  switch (extensionOf(path)) {
    case '.obj':
      return referencesOf('material', await objMaterialLibraries(path))
    case '.mtl':
      return referencesOf('texture', mtlTextures(await readFile(path, 'latin1')))
    case '.gltf':
      return gltfReferences(await readFile(path, 'utf8'))
    case '.glb': {
      const json = await glbJson(path)
      return json === undefined ? [] : gltfReferences(json)
    }
    default:
      return []
  }
}

function referencesOf(kind: ReferenceKind, paths: readonly string[]): Reference[] {
  return cleanReferences(paths).map((path) => ({ path, kind }))
}

/** Buffers before images; a path that is both counts as a buffer. */
function gltfReferences(json: string): Reference[] {
  const { buffers, images } = gltfUris(json)
  const bufferReferences = referencesOf('buffer', buffers)
  const bufferPaths = new Set(bufferReferences.map((reference) => reference.path))
  return [...bufferReferences, ...referencesOf('texture', images).filter((reference) => !bufferPaths.has(reference.path))]
}

/**
 * Reads `mtllib` lines of an OBJ file line by line, so a large file is never in memory whole. A
 * line may list several libraries separated by spaces. When some of its words do not end in
 * `.mtl`, the whole rest of the line is taken as one name with spaces.
 */
async function objMaterialLibraries(path: string): Promise<string[]> {
  const names: string[] = []
  const lines = createInterface({ input: createReadStream(path, { encoding: 'latin1' }), crlfDelay: Infinity })
  for await (const line of lines) {
    const match = /^\s*mtllib\s+(.+?)\s*$/.exec(line)
    if (!match) continue
    const words = match[1].split(/\s+/)
    if (words.every((word) => word.toLowerCase().endsWith('.mtl'))) names.push(...words)
    else names.push(match[1])
  }
  return names
}

// Texture statements of the MTL format (Wavefront "Material Library File", map_* and friends).
const MTL_TEXTURE_KEYWORDS = new Set([
  'map_ka', 'map_kd', 'map_ks', 'map_ke', 'map_ns', 'map_d', 'map_bump', 'bump', 'disp', 'decal', 'refl', 'norm',
  'map_pr', 'map_pm', 'map_ps', 'map_norm',
])
// Options before the file name and how many values each takes. -o, -s and -t take one to three
// numbers, so they take numbers only; the others take a fixed count of words.
const MTL_OPTION_VALUES: Record<string, number> = {
  '-blendu': 1, '-blendv': 1, '-bm': 1, '-boost': 1, '-cc': 1, '-clamp': 1, '-imfchan': 1, '-texres': 1,
  '-type': 1, '-mm': 2, '-o': 3, '-s': 3, '-t': 3,
}
const MTL_VECTOR_OPTIONS = new Set(['-o', '-s', '-t'])

/** Returns the texture file names of an MTL file's text. */
export function mtlTextures(text: string): string[] {
  const names: string[] = []
  for (const line of text.split(/\r?\n/)) {
    const words = line.trim().split(/\s+/)
    if (!MTL_TEXTURE_KEYWORDS.has(words[0]?.toLowerCase() ?? '')) continue
    let i = 1
    while (i < words.length - 1 && words[i].toLowerCase() in MTL_OPTION_VALUES) {
      const option = words[i].toLowerCase()
      i++
      const vector = MTL_VECTOR_OPTIONS.has(option)
      // The last word is always left for the file name.
      for (let taken = 0; taken < MTL_OPTION_VALUES[option] && i < words.length - 1; taken++) {
        if (vector && !isNumber(words[i])) break
        i++
      }
    }
    const name = words.slice(i).join(' ')
    if (name) names.push(name)
  }
  return names
}

function isNumber(word: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(word)
}

/** Returns the `uri` of every buffer and image of a glTF JSON text; invalid JSON refers to nothing. */
export function gltfUris(json: string): { buffers: string[]; images: string[] } {
  let document: unknown
  try {
    document = JSON.parse(json)
  } catch {
    // The loader reports the syntax error when the job runs; here it only means no companions.
    return { buffers: [], images: [] }
  }
  const uris = (key: string): string[] => {
    const list = typeof document === 'object' && document !== null ? (document as Record<string, unknown>)[key] : undefined
    if (!Array.isArray(list)) return []
    const found: string[] = []
    for (const entry of list) {
      const uri = (entry as { uri?: unknown } | null)?.uri
      if (typeof uri === 'string') found.push(uri)
    }
    return found
  }
  return { buffers: uris('buffers'), images: uris('images') }
}

/** Returns the JSON chunk of a GLB file as text, or undefined when the file is not a GLB. */
async function glbJson(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r')
  try {
    const header = Buffer.alloc(GLB_HEADER_BYTES)
    const { bytesRead } = await handle.read(header, 0, GLB_HEADER_BYTES, 0)
    if (bytesRead < GLB_HEADER_BYTES || header.readUInt32LE(0) !== GLB_MAGIC) return undefined
    if (header.readUInt32LE(16) !== GLB_JSON_CHUNK) return undefined
    const length = Math.min(header.readUInt32LE(12), header.readUInt32LE(8))
    const chunk = Buffer.alloc(length)
    const read = await handle.read(chunk, 0, length, GLB_HEADER_BYTES)
    return chunk.subarray(0, read.bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
}

/**
 * Percent-decodes references (glTF URIs are URI-encoded; OBJ names usually are not, and decoding
 * leaves them unchanged), turns backslashes into slashes and keeps only relative paths that stay
 * inside the folder.
 */
export function cleanReferences(references: readonly string[]): string[] {
  const clean = new Set<string>()
  for (const reference of references) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) continue
    const decoded = safeDecode(reference).replace(/\\/g, '/')
    if (decoded === '' || decoded.startsWith('/') || decoded.includes('\0')) continue
    const normalized = posix.normalize(decoded)
    if (normalized === '.' || normalized === '..' || normalized.startsWith('../') || normalized.endsWith('/')) continue
    clean.add(normalized)
  }
  return [...clean]
}

function safeDecode(uri: string): string {
  try {
    return decodeURIComponent(uri)
  } catch {
    return uri
  }
}
