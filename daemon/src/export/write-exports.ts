import { link, lstat, mkdir, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'

import type { Segmentation } from '../pipeline/segmentation.js'
import { ExportError } from './errors.js'
import { encodeGlb, encodePcaGlb } from './glb.js'
import { encodeLabelsJson } from './labels-json.js'
import { encodeObj } from './obj.js'
import { encodePcaPly, encodePly } from './ply.js'
import { fileHasOurSignature } from './signature.js'
import { writeTemporaryFor } from './temporary-file.js'

export type ExportFormat = 'glb' | 'ply' | 'obj' | 'labels' | 'pca'

/** Every format, in the order files are written and listed. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['glb', 'ply', 'obj', 'labels', 'pca']

export interface ExportedFile {
  /** File name inside the output folder. */
  name: string
  /** Absolute path. */
  path: string
  bytes: number
  format: ExportFormat
}

export interface WriteExportsOptions {
  dir: string
  /** Stem of every file name; must be a plain name, not a path. */
  baseName: string
  formats: readonly ExportFormat[]
}

/** An encoded file, not yet on disk, so the daemon can serve the bytes directly. */
export interface EncodedFile {
  name: string
  format: ExportFormat
  data: Uint8Array
}

/**
 * Returns the file names each format produces for a base name:
 *
 *   glb     <base>.parts.glb    one node per part
 *   ply     <base>.parts.ply    faces (points) coloured by part
 *   obj     <base>.parts.obj    one object per part, and <base>.parts.mtl with its materials
 *   labels  <base>.labels.json  labels, merge tree, parameters and timings (see labels-json.ts)
 *   pca     <base>.pca.glb and <base>.pca.ply, coloured by the first three principal components
 */
export function exportFileNames(baseName: string, format: ExportFormat): string[] {
  switch (format) {
    case 'glb': return [`${baseName}.parts.glb`]
    case 'ply': return [`${baseName}.parts.ply`]
    case 'obj': return [`${baseName}.parts.obj`, `${baseName}.parts.mtl`]
    case 'labels': return [`${baseName}.labels.json`]
    case 'pca': return [`${baseName}.pca.glb`, `${baseName}.pca.ply`]
  }
}

/**
 * Encodes the requested formats in memory, in EXPORT_FORMATS order, each format once. `pca` is
 * skipped when the segmentation has no PCA colours (pca_components 0) because there is no view
 * to write. Every other format always produces its files.
 */
export async function encodeExports(
  seg: Segmentation,
  baseName: string,
  formats: readonly ExportFormat[],
): Promise<EncodedFile[]> {
  checkBaseName(baseName)
  const files: EncodedFile[] = []
  for (const format of EXPORT_FORMATS) {
    if (!formats.includes(format)) continue
    const [first, second] = exportFileNames(baseName, format)
    if (format === 'glb') files.push({ name: first, format, data: await encodeGlb(seg) })
    if (format === 'ply') files.push({ name: first, format, data: encodePly(seg) })
    if (format === 'labels') files.push({ name: first, format, data: encodeLabelsJson(seg) })
    if (format === 'obj') {
      const { obj, mtl } = encodeObj(seg, second)
      files.push({ name: first, format, data: obj }, { name: second, format, data: mtl })
    }
    if (format === 'pca' && seg.pca) {
      files.push({ name: first, format, data: await encodePcaGlb(seg) })
      files.push({ name: second, format, data: encodePcaPly(seg) })
    }
  }
  return files
}

/**
 * Writes the requested exports into `dir` (created if missing) and returns them in
 * EXPORT_FORMATS order. File names are listed at `exportFileNames`.
 *
 * Safety rules:
 * - Each file is written and flushed under a temporary name in `dir`, then moved into place, so
 *   a crash leaves either no file or a whole one (plus at most a hidden `.*.tmp` file).
 * - A name that already exists is replaced only when the existing file carries our signature
 *   (see signature.ts), that is when an earlier run wrote it. Anything else there (a user's
 *   file, a folder, a symbolic link) makes the whole call fail with ExportError
 *   'target-exists' before any file is written.
 * - A name that is free is claimed with a hard link, which fails rather than replace a file
 *   created meanwhile. On file systems without hard links, the name is checked again just
 *   before the rename.
 */
export async function writeExports(seg: Segmentation, options: WriteExportsOptions): Promise<ExportedFile[]> {
  const dir = resolve(options.dir)
  const encoded = await encodeExports(seg, options.baseName, options.formats)
  await mkdir(dir, { recursive: true })
  for (const file of encoded) await checkTarget(join(dir, file.name))

  const temporaries: string[] = []
  try {
    for (const file of encoded) temporaries.push(await writeTemporaryFor(join(dir, file.name), file.data))
    const written: ExportedFile[] = []
    for (const [i, file] of encoded.entries()) {
      const path = join(dir, file.name)
      await moveIntoPlace(temporaries[i], path)
      written.push({ name: file.name, path, bytes: file.data.length, format: file.format })
    }
    return written
  } finally {
    await Promise.all(temporaries.map((path) => rm(path, { force: true })))
  }
}

function checkBaseName(baseName: string): void {
  const invalid = baseName === '' || baseName === '.' || baseName === '..' || /[/\\\0]/.test(baseName)
  if (invalid) {
    throw new ExportError(
      'invalid-name',
      `invalid export base name ${JSON.stringify(baseName)}; expected a file name without folders`,
    )
  }
}

/** Returns whether `path` is free. Throws when something we must not replace is there. */
async function checkTarget(path: string): Promise<boolean> {
  let stats
  try {
    stats = await lstat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw error
  }
  if (stats.isFile() && (await fileHasOurSignature(path))) return false
  const description = stats.isFile() ? 'a file this program did not write' : 'not a regular file'
  throw new ExportError(
    'target-exists',
    `will not overwrite ${path} because it is ${description}. Choose another output folder or move it away`,
  )
}

async function moveIntoPlace(temporary: string, path: string): Promise<void> {
  const free = await checkTarget(path)
  if (!free) {
    await rename(temporary, path)
    return
  }
  try {
    await link(temporary, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      throw new ExportError('target-exists', `will not overwrite ${path} because another program created it during the export`)
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw error
    await rename(temporary, path)
  }
}
