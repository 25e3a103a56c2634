import { extensionOf, formatForFileName } from './formats.js'
import type { MeshFormat } from './mesh-data.js'

/** Leading bytes that identify a format when the file name's extension does not. */
const MAGIC: readonly { magic: string; format: MeshFormat; afterWhitespace: boolean }[] = [
  { magic: 'glTF', format: 'glb', afterWhitespace: false },
  { magic: 'ply', format: 'ply', afterWhitespace: false },
  // OFF and glTF JSON are text, which may start with blank lines.
  { magic: 'OFF', format: 'off', afterWhitespace: true },
  { magic: '{', format: 'gltf', afterWhitespace: true },
]

/** How far into the file leading blank lines, OBJ comments and the first OBJ statement are looked for. */
export const SNIFF_BYTES = 4096
/** OBJ statements that may open a file; OBJ has no magic, so the first statement identifies it. */
const OBJ_STATEMENTS = new Set(['v', 'vn', 'vt', 'vp', 'f', 'l', 'p', 'o', 'g', 's', 'mtllib', 'usemtl'])

/** Formats a strict magic identifies, with the article their name takes and the extension to suggest. */
const MAGIC_FORMATS: Partial<Record<MeshFormat, { name: string; extension: string }>> = {
  glb: { name: 'a GLB', extension: '.glb' },
  ply: { name: 'a PLY', extension: '.ply' },
  off: { name: 'an OFF', extension: '.off' },
}

/** The format to parse a file as; when its content overrules its extension, what to tell the user. */
export interface FormatChoice {
  format: MeshFormat | undefined
  /** Warning for a file loaded by its content against its extension. */
  warning?: string
  /** Note to add to a load error of such a file, which the user believes is in another format. */
  errorNote?: string
}

/**
 * Picks the format of a file: by its extension, or by its leading bytes when the extension is
 * missing or unknown. When the extension names one format and the file starts with the
 * unmistakable magic of another (a binary PLY renamed `.obj`), the content wins and the choice
 * carries a warning naming the right extension. glTF JSON and GLB share one loader, so a GLB
 * named `.gltf` is no mismatch, and text that merely starts with `{` never overrules a name.
 */
export function chooseFormat(fileName: string, bytes: Uint8Array): FormatChoice {
  const named = formatForFileName(fileName)
  if (!named) return { format: sniffFormat(bytes) }

  const magic = strictMagic(bytes)
  if (!magic || family(magic) === family(named)) return { format: named }
  const { name, extension } = MAGIC_FORMATS[magic]!
  const namedAs = `named ${extensionOf(fileName)}`
  return {
    format: magic,
    warning: `the file is ${namedAs} but starts like ${name} file, so it was loaded as one; rename it to ${extension}`,
    errorNote: `read as ${name} file because it starts like one, although it is ${namedAs}`,
  }
}

/** Returns the format whose magic the bytes start with, or OBJ for text that opens with an OBJ statement. */
export function sniffFormat(bytes: Uint8Array): MeshFormat | undefined {
  let textStart = 0
  while (textStart < bytes.length && textStart < 1024 && isSpace(bytes[textStart])) textStart++
  for (const { magic, format, afterWhitespace } of MAGIC) {
    if (startsWith(bytes, afterWhitespace ? textStart : 0, magic)) return format
  }
  return looksLikeObj(bytes) ? 'obj' : undefined
}

/**
 * Returns the format of a magic that no file of another format starts with: GLB's `glTF`, and
 * `ply` or `OFF` followed by a line break or space.
 */
function strictMagic(bytes: Uint8Array): MeshFormat | undefined {
  if (startsWith(bytes, 0, 'glTF')) return 'glb'
  if (startsWith(bytes, 0, 'ply') && (bytes[3] === 0x0a || bytes[3] === 0x0d)) return 'ply'
  let start = 0
  while (start < bytes.length && start < 1024 && isSpace(bytes[start])) start++
  if (startsWith(bytes, start, 'OFF') && (start + 3 === bytes.length || isSpace(bytes[start + 3]))) return 'off'
  return undefined
}

/** Formats read by the same loader. */
function family(format: MeshFormat): string {
  return format === 'glb' ? 'gltf' : format
}

/** True for text whose first line that is not blank or a `#` comment starts with an OBJ statement. */
function looksLikeObj(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, SNIFF_BYTES)
  if (head.includes(0)) return false
  for (const line of new TextDecoder('latin1').decode(head).split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    return OBJ_STATEMENTS.has(trimmed.split(/\s+/)[0])
  }
  return false
}

function startsWith(bytes: Uint8Array, start: number, magic: string): boolean {
  if (start + magic.length > bytes.length) return false
  for (let i = 0; i < magic.length; i++) if (bytes[start + i] !== magic.charCodeAt(i)) return false
  return true
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d
}
