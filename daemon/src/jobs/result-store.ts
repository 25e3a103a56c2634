/**
 * The finished job on disk: the wire result (result.msgpack), the segmentation a recut starts
 * from (segmentation.msgpack plus the features as raw float32 in features.f32) and the exports.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'

import { Packr } from 'msgpackr'

import { decodeMsgpack, encodeMsgpack } from '../../../protocol/src/codec.js'
import type { SegmentResult } from '../../../protocol/src/messages.js'
import { PROTOCOL_VERSION } from '../../../protocol/src/version.js'
import { writeExports, type ExportFormat } from '../export/write-exports.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { fileInfos, type StoredFile } from './job-record.js'
import { FILES_DIR } from './job-store.js'

export const RESULT_FILE = 'result.msgpack'
const SEGMENTATION_FILE = 'segmentation.msgpack'
const FEATURES_FILE = 'features.f32'
const NEXT_FILES_DIR = 'files-next'
/** Stem of every export; the user's file name only appears in Content-Disposition. */
export const EXPORT_BASE_NAME = 'model'
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
 * Writes the exports into a scratch folder and renames each file into the files folder, so a
 * download running during a recut gets either the old file or the new one, never half of one.
 */
export async function writeJobExports(dir: string, seg: Segmentation): Promise<StoredFile[]> {
  const scratch = join(dir, NEXT_FILES_DIR)
  await rm(scratch, { recursive: true, force: true })
  await mkdir(scratch, { recursive: true })
  const formats = seg.pca ? EXPORT_FORMATS : EXPORT_FORMATS.filter((format) => format !== 'pca')
  const exported = await writeExports(seg, { dir: scratch, baseName: EXPORT_BASE_NAME, formats })

  const files: StoredFile[] = []
  await mkdir(join(dir, FILES_DIR), { recursive: true })
  for (const file of exported) {
    const name = basename(file.path)
    await rename(file.path, join(dir, FILES_DIR, name))
    files.push({ name, format: file.format, bytes: file.bytes })
  }
  await rm(scratch, { recursive: true, force: true })
  return files
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp`
  await writeFile(temporary, bytes)
  await rename(temporary, path)
}
