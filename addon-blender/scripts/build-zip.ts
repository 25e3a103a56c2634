/**
 * Builds addon-blender/dist/partfield_bridge.zip, installable both as a Blender 4.2+ extension and
 * as a legacy add-on: every file sits under one top-level `partfield_bridge/` folder, which legacy
 * installs unpack into the add-ons folder and extension installs accept as the package root.
 * Run: npm run build:addon
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateRawSync } from 'node:zlib'
import { crc32 } from 'node:zlib'

const ADDON_ROOT = fileURLToPath(new URL('..', import.meta.url))
export const PACKAGE_DIR = join(ADDON_ROOT, 'partfield_bridge')
export const DEFAULT_ZIP_PATH = join(ADDON_ROOT, 'dist', 'partfield_bridge.zip')
const PACKAGE_NAME = 'partfield_bridge'
const EXCLUDED = [/(^|\/)__pycache__(\/|$)/, /\.pyc$/, /(^|\/)\./]

// ZIP format constants (PKWARE APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16).
const LOCAL_HEADER_SIGNATURE = 0x04034b50
const CENTRAL_HEADER_SIGNATURE = 0x02014b50
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50
const VERSION_NEEDED = 20
const METHOD_DEFLATE = 8
const FLAG_UTF8_NAMES = 0x0800
/** 2024-01-01 00:00 in MS-DOS date/time fields, so the same sources give the same bytes. */
const DOS_TIME = 0
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1
/** Unix mode 0644 for a regular file, in the high half of the external attributes. */
const UNIX_FILE_ATTRIBUTES = (0o100644 << 16) >>> 0
const MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED

interface ZipEntry {
  name: string
  data: Buffer
}

/** Lists the package's files as zip entry names under `partfield_bridge/`, sorted. */
export function listPackageFiles(dir: string = PACKAGE_DIR): ZipEntry[] {
  const entries: ZipEntry[] = []
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name)
      const inner = relative(dir, path).split(sep).join('/')
      if (EXCLUDED.some((pattern) => pattern.test(inner))) continue
      if (statSync(path).isDirectory()) walk(path)
      else entries.push({ name: `${PACKAGE_NAME}/${inner}`, data: readFileSync(path) })
    }
  }
  walk(dir)
  return entries
}

/** Writes the add-on zip and returns its path and entry names. */
export function buildAddonZip(outPath: string = DEFAULT_ZIP_PATH): { path: string; names: string[]; bytes: number } {
  const entries = listPackageFiles()
  const zip = encodeZip(entries)
  mkdirSync(dirname(outPath), { recursive: true })
  writeFileSync(outPath, zip)
  return { path: outPath, names: entries.map((entry) => entry.name), bytes: zip.byteLength }
}

function encodeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0

  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const compressed = deflateRawSync(entry.data, { level: 9 })
    const crc = crc32(entry.data)

    const local = Buffer.alloc(30)
    local.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0)
    local.writeUInt16LE(VERSION_NEEDED, 4)
    local.writeUInt16LE(FLAG_UTF8_NAMES, 6)
    local.writeUInt16LE(METHOD_DEFLATE, 8)
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(compressed.byteLength, 18)
    local.writeUInt32LE(entry.data.byteLength, 22)
    local.writeUInt16LE(name.byteLength, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, compressed)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0)
    central.writeUInt16LE(MADE_BY_UNIX, 4)
    central.writeUInt16LE(VERSION_NEEDED, 6)
    central.writeUInt16LE(FLAG_UTF8_NAMES, 8)
    central.writeUInt16LE(METHOD_DEFLATE, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(compressed.byteLength, 20)
    central.writeUInt32LE(entry.data.byteLength, 24)
    central.writeUInt16LE(name.byteLength, 28)
    central.writeUInt32LE(UNIX_FILE_ATTRIBUTES, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)

    offset += local.byteLength + name.byteLength + compressed.byteLength
  }

  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.byteLength, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}


if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { path, names, bytes } = buildAddonZip(process.argv[2] ?? DEFAULT_ZIP_PATH)
  console.log(`wrote ${path}: ${names.length} files, ${bytes} bytes`)
}
