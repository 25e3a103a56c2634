/**
 * The finished job on disk: the wire result (result.msgpack), the segmentation a recut starts
 * from (segmentation.msgpack plus the features as raw float32 in features.f32) and the exports.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'

import { Packr } from 'msgpackr'

import { decodeMsgpack, encodeMsgpack } from '../../../protocol/src/codec.js'
import type { SegmentResult } from '../../../protocol/src/messages.js'
import { PROTOCOL_VERSION } from '../../../protocol/src/version.js'
import { writeExports, type ExportFormat } from '../export/write-exports.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { stemOf } from '../mesh/formats.js'
import { fileInfos, type StoredFile, type StoredInput } from './job-record.js'
import { FILES_DIR, isStoredName } from './job-store.js'

export const RESULT_FILE = 'result.msgpack'
const SEGMENTATION_FILE = 'segmentation.msgpack'
const FEATURES_FILE = 'features.f32'
const NEXT_FILES_DIR = 'files-next'
/** Stem of the exports when nothing of the input's name is usable. */
export const EXPORT_BASE_NAME = 'model'
/** Maximum export stem length in characters, so `<stem>.labels.json` stays a short stored name. */
const MAX_BASE_NAME = 64
export const EXPORT_FORMATS: readonly ExportFormat[] = ['glb', 'ply', 'obj', 'labels', 'pca']

// Internal storage only: msgpackr's typed-array extensions keep each array's type on reload.
const storagePackr = new Packr({ moreTypes: true, useRecords: false })

/** Returns the wire result of a segmentation; `files` are the job's exports. */
export function buildResult(seg: Segmentation, jobId: string, files: StoredFile[]): SegmentResult {
  const partSizes = new Array<number>(seg.partCount).fill(0)
  for (const label of seg.labels) partSizes[label]++
  const triangleCount = seg.input.kind === 'mesh' ? seg.input.triangles.length / 3 : 0

  return {
    protocolVersion: PROTOCOL_VERSION,
    jobId,
    kind: seg.input.kind,
    faceCount: seg.labels.length,
    triangleCount,
    partCount: seg.partCount,
    autoPartCount: seg.autoPartCount,
    method: seg.params.method,
    labels: seg.labels,
    partSizes,
    tree: seg.tree ? { leafCount: seg.tree.leafCount, merges: seg.tree.merges, costs: seg.tree.costs } : null,
    pca: seg.pca ? { components: seg.pca.components, colors: seg.pca.colors } : null,
    triangleLabels: seg.input.kind === 'mesh' ? seg.triangleLabels : undefined,
    backend: seg.backend,
    device: seg.device,
    params: seg.params,
    timings: seg.timings,
    warnings: seg.warnings,
    files: fileInfos(jobId, files),
  }
}

export async function writeResult(dir: string, result: SegmentResult): Promise<void> {
  await writeAtomically(join(dir, RESULT_FILE), encodeMsgpack(result))
}

/** Reads the stored result as decoded MessagePack (binary fields still as bytes). */
export async function readResult(dir: string): Promise<Record<string, unknown>> {
  return decodeMsgpack(await readFile(join(dir, RESULT_FILE))) as Record<string, unknown>
}

/** Stores what a recut needs; the features go to a raw file because they can pass 1 GB. */
export async function saveSegmentation(dir: string, seg: Segmentation): Promise<void> {
  const { features, ...rest } = seg
  await writeAtomically(join(dir, FEATURES_FILE), new Uint8Array(features.buffer, features.byteOffset, features.byteLength))
  await writeAtomically(join(dir, SEGMENTATION_FILE), storagePackr.pack(rest))
}

export async function loadSegmentation(dir: string): Promise<Segmentation> {
  const rest = storagePackr.unpack(await readFile(join(dir, SEGMENTATION_FILE))) as Omit<Segmentation, 'features'>
  const raw = await readFile(join(dir, FEATURES_FILE))
  const features = new Float32Array(raw.byteLength / 4)
  new Uint8Array(features.buffer).set(raw)
  return { ...rest, features }
}

/**
 * Returns the stem of a job's exports: the uploaded file's name without its extension (the whole
 * name for mesh arrays). The same name is the file name on disk, in the URL, in
 * Content-Disposition and in the OBJ's `mtllib` line, so a downloaded OBJ finds its MTL.
 * Characters outside letters, digits, spaces and `._-()+,` become `_`.
 */
export function exportBaseName(input: Pick<StoredInput, 'kind' | 'name'>): string {
  const stem = input.kind === 'file' ? stemOf(input.name) : input.name
  const clean = Array.from(
    stem.normalize('NFC')
      .replace(/[^\p{L}\p{M}\p{N} ._()+,-]/gu, '_')
      .replace(/\s+/g, ' ')
      .replace(/\.{2,}/g, '.')
      .replace(/^[^\p{L}\p{N}]+/u, ''),
  ).slice(0, MAX_BASE_NAME).join('').trimEnd()
  return clean !== '' && isStoredName(`${clean}.parts.glb`) ? clean : EXPORT_BASE_NAME
}

/**
 * Writes the exports into a scratch folder and renames each file into the files folder, so a
 * download running during a recut gets either the old file or the new one, never half of one.
 * Files of an earlier export that the new one does not list are deleted.
 */
export async function writeJobExports(dir: string, seg: Segmentation, baseName: string): Promise<StoredFile[]> {
  const scratch = join(dir, NEXT_FILES_DIR)
  await rm(scratch, { recursive: true, force: true })
  await mkdir(scratch, { recursive: true })
  const formats = seg.pca ? EXPORT_FORMATS : EXPORT_FORMATS.filter((format) => format !== 'pca')
  const exported = await writeExports(seg, { dir: scratch, baseName, formats })

  const files: StoredFile[] = []
  const filesDir = join(dir, FILES_DIR)
  await mkdir(filesDir, { recursive: true })
  for (const file of exported) {
    const name = basename(file.path)
    await rename(file.path, join(filesDir, name))
    files.push({ name, format: file.format, bytes: file.bytes })
  }
  await rm(scratch, { recursive: true, force: true })

  // A job stored before exports were named after the input still has `model.*` files.
  const listed = new Set(files.map((file) => file.name))
  for (const name of await readdir(filesDir)) {
    if (!listed.has(name)) await rm(join(filesDir, name), { force: true })
  }
  return files
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp`
  await writeFile(temporary, bytes)
  await rename(temporary, path)
}
