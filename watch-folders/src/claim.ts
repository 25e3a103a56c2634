/**
 * Claims of files in incoming/. The job folder in processing/ is created and the manifest written
 * before any file moves, so a crash at any step leaves either nothing claimed or a manifest that
 * lists the files still to move. `findInterruptedJobs` completes such claims at the next start.
 */
import type { Dirent } from 'node:fs'
import { readdir, rmdir } from 'node:fs/promises'
import { join } from 'node:path'

import type { Logger } from 'pino'

import { createUniqueDir, exists, moveFileNoReplace } from './file-moves.js'
import type { FolderLayout } from './folder-layout.js'
import { newManifest, readManifest, writeManifest, type JobManifest } from './job-manifest.js'
import type { FileState } from './stable-file.js'
import { jobStem } from './temp-names.js'

/** A complete file in incoming/, found by the watcher, not yet claimed. */
export interface Candidate {
  /** The mesh file's name in incoming/. */
  file: string
  /** Files it refers to that are present, relative to incoming/. */
  companions: string[]
  /** Files it refers to that did not arrive in time. */
  missing: string[]
  /** The sidecar's name in incoming/, when there is one. */
  sidecar?: string
  /** The mesh file's state when it was found complete. */
  state?: FileState
}

/** A job folder in processing/ and its manifest. */
export interface ClaimedJob {
  dir: string
  manifest: JobManifest
}

/** Moves a candidate's files from incoming/ into a new job folder in processing/. */
export async function claim(layout: FolderLayout, candidate: Candidate): Promise<ClaimedJob> {
  const name = await createUniqueDir(layout.processing, jobStem(candidate.file), [layout.done, layout.failed])
  const dir = join(layout.processing, name)
  const { file, companions, missing, sidecar, state } = candidate
  const manifest = newManifest({ name, file, companions, missing, sidecar, fileState: state })
  await writeManifest(dir, manifest)
  await moveClaimedFiles(layout, { dir, manifest })
  return { dir, manifest }
}

/**
 * Moves every file the manifest lists from incoming/ into the job folder, skipping files already
 * there. A companion or sidecar that left incoming/ meanwhile is dropped from the manifest, and a
 * companion joins `missing`. A mesh file that left is reported when the job runs.
 */
export async function moveClaimedFiles(layout: FolderLayout, job: ClaimedJob): Promise<void> {
  const { manifest } = job
  const names = [...(manifest.sidecar ? [manifest.sidecar] : []), ...manifest.companions, manifest.file]
  const vanished: string[] = []
  for (const name of names) {
    if (await exists(join(job.dir, name))) continue
    if (await exists(join(layout.incoming, name))) await moveFileNoReplace(join(layout.incoming, name), join(job.dir, name))
    else if (name !== manifest.file) vanished.push(name)
  }
  if (vanished.length === 0) return

  const vanishedCompanions = vanished.filter((name) => name !== manifest.sidecar)
  if (manifest.sidecar && vanished.includes(manifest.sidecar)) manifest.sidecar = undefined
  manifest.companions = manifest.companions.filter((name) => !vanishedCompanions.includes(name))
  manifest.missing = [...manifest.missing, ...vanishedCompanions]
  await writeManifest(job.dir, manifest)
}

/**
 * Returns the jobs a stopped or crashed watcher left in processing/, oldest claim first, with
 * their claims completed. Empty folders of a claim that never got its manifest are removed;
 * anything else without a manifest is not ours and is left alone.
 */
export async function findInterruptedJobs(layout: FolderLayout, logger: Logger): Promise<ClaimedJob[]> {
  const jobs: ClaimedJob[] = []
  for (const entry of await readdir(layout.processing, { withFileTypes: true })) {
    const job = await interruptedJob(layout, entry, logger)
    if (job) jobs.push(job)
  }
  return jobs.sort((a, b) => a.manifest.claimedAt.localeCompare(b.manifest.claimedAt))
}

async function interruptedJob(layout: FolderLayout, entry: Dirent, logger: Logger): Promise<ClaimedJob | undefined> {
  const dir = join(layout.processing, entry.name)
  const manifest = entry.isDirectory() ? await readManifest(dir) : undefined
  if (!manifest) {
    if (entry.isDirectory() && (await readdir(dir)).length === 0) {
      await rmdir(dir)
      return undefined
    }
    logger.warn({ folder: layout.root, path: dir }, 'left alone in processing/: not a job folder of this watcher')
    return undefined
  }

  // Later moves use the folder's name, even where the manifest names another.
  const job = { dir, manifest: { ...manifest, name: entry.name } }
  try {
    await moveClaimedFiles(layout, job)
  } catch (error) {
    logger.error({ folder: layout.root, job: entry.name, error: (error as Error).message }, 'cannot complete the claim of an interrupted job')
  }
  return job
}
