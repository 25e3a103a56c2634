/**
 * The record a job keeps in its folder (`.partfield-job.json`): which files it claimed from
 * incoming/, how often it was started and what the processor needs to resume. It is written
 * before the first file moves, so a job interrupted at any point can be completed or resumed.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { writeFileAtomic } from './file-moves.js'
import type { ProcessSummary } from './processor.js'
import type { FileState } from './stable-file.js'

export const MANIFEST_FILE = '.partfield-job.json'
const MANIFEST_VERSION = 1

export interface JobManifest {
  version: number
  /** The job folder's name, also the name of its folder in done/ or failed/ unless that is taken. */
  name: string
  /** The mesh file, relative to the job folder (and to incoming/ before the claim). */
  file: string
  /** Files the mesh refers to, relative paths as in incoming/. */
  companions: string[]
  /** Files the mesh refers to that did not arrive before the companion timeout. */
  missing: string[]
  /** The sidecar parameter file, when there was one. */
  sidecar?: string
  /**
   * The mesh file's size, modification time and inode when it was found complete. A change
   * later means a writer was still at work, so the file is processed again.
   */
  fileState?: FileState
  claimedAt: string
  /** How many times processing started; a graceful stop does not count. */
  attempts: number
  /** Opaque state the processor saved to resume (the daemon's job id for the HTTP processor). */
  checkpoint?: string
  /** Written just before the move to done/. */
  result?: ProcessSummary & { finishedAt: string; seconds: number }
  /** Written just before the move to failed/. */
  failure?: { kind: string; message: string }
}

export function newManifest(fields: Pick<JobManifest, 'name' | 'file' | 'companions' | 'missing' | 'sidecar' | 'fileState'>): JobManifest {
  return { version: MANIFEST_VERSION, ...fields, claimedAt: new Date().toISOString(), attempts: 0 }
}

export async function writeManifest(jobDir: string, manifest: JobManifest): Promise<void> {
  await writeFileAtomic(join(jobDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
}

/** Reads a job's manifest; returns undefined when there is none or it is not one of ours. */
export async function readManifest(jobDir: string): Promise<JobManifest | undefined> {
  let text: string
  try {
    text = await readFile(join(jobDir, MANIFEST_FILE), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const value = JSON.parse(text) as JobManifest
    const valid = value.version === MANIFEST_VERSION && typeof value.name === 'string' &&
      typeof value.file === 'string' && Array.isArray(value.companions) && Array.isArray(value.missing)
    return valid ? { ...value, attempts: Number.isInteger(value.attempts) ? value.attempts : 0 } : undefined
  } catch {
    return undefined
  }
}
