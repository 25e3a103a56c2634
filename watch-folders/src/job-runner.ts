/**
 * Runs a claimed job: parameters, processing, then one rename of the job folder into done/ or
 * failed/. The rename is the last step, so a crash before it leaves the job in processing/ to
 * be resumed, and a crash after it leaves nothing to do again.
 */
import { readdir, rm } from 'node:fs/promises'
import { join, sep } from 'node:path'

import type { Logger } from 'pino'

import type { ExportFormat } from '../../daemon/src/export/write-exports.js'
import type { SegmentParams } from '../../protocol/src/params.js'
import type { ClaimedJob } from './claim.js'
import { writeErrorReport } from './error-report.js'
import { exists, moveDirToUnique, TEMPORARY_FILE_PATTERN } from './file-moves.js'
import type { FolderLayout } from './folder-layout.js'
import { failureFromFacts, JobFailure } from './job-failure.js'
import { writeManifest } from './job-manifest.js'
import { resolveParams } from './job-params.js'
import type { Processor, ProcessSummary } from './processor.js'
import { jobStem } from './temp-names.js'
import type { RunTotals } from './totals.js'

/** Starts after which a job that never finished is failed instead of resumed again. */
export const MAX_ATTEMPTS = 3

export interface JobContext {
  layout: FolderLayout
  /** Parameters the watcher configuration gives this folder. */
  params: Record<string, unknown>
  formats: readonly ExportFormat[]
  processor: Processor
  logger: Logger
  totals: RunTotals
  /** Aborted when the watcher stops. */
  signal: AbortSignal
}

export async function runJob(context: JobContext, job: ClaimedJob): Promise<void> {
  const { manifest } = job
  const log = context.logger.child({ folder: context.layout.root, file: manifest.file, job: manifest.name })
  if (manifest.attempts >= MAX_ATTEMPTS) {
    const failure = new JobFailure('interrupted', `processing started ${manifest.attempts} times and never finished`)
    await finishFailed(context, job, failure, undefined, log)
    return
  }
  manifest.attempts++
  await writeManifest(job.dir, manifest)
  if (manifest.missing.length > 0) log.warn({ missing: manifest.missing }, 'referenced files never arrived; processing without them')
  log.info({ attempt: manifest.attempts, companions: manifest.companions, processor: context.processor.description }, `processing ${manifest.file}`)

  const start = performance.now()
  let params: SegmentParams | undefined
  try {
    if (!(await exists(join(job.dir, manifest.file)))) {
      throw new JobFailure('vanished', `${manifest.file} left incoming/ before it could be moved to processing/`)
    }
    params = await resolveParams(context.params, context.layout.paramsFile, manifest.sidecar && join(job.dir, manifest.sidecar))
    await removeStaleTemporaries(job.dir)
    const summary = await context.processor.process({
      dir: job.dir,
      file: manifest.file,
      companions: manifest.companions,
      baseName: jobStem(manifest.file),
      params,
      formats: context.formats,
      checkpoint: manifest.checkpoint,
      saveCheckpoint: async (checkpoint) => {
        manifest.checkpoint = checkpoint
        await writeManifest(job.dir, manifest)
      },
      signal: context.signal,
    })
    await finishDone(context, job, summary, (performance.now() - start) / 1000, log)
  } catch (error) {
    if (context.signal.aborted) {
      // A stop is not the file's fault, so it does not count towards MAX_ATTEMPTS.
      manifest.attempts--
      await writeManifest(job.dir, manifest).catch(() => {})
      log.info(`stopped while processing ${manifest.file}; it resumes at the next start`)
      return
    }
    await finishFailed(context, job, withoutJobDir(asFailure(error), job.dir), params, log)
  }
}

async function finishDone(context: JobContext, job: ClaimedJob, summary: ProcessSummary, seconds: number, log: Logger): Promise<void> {
  const { manifest } = job
  const result = { finishedAt: new Date().toISOString(), seconds: round(seconds), ...summary }
  await writeManifest(job.dir, { ...manifest, result })
  const name = await moveOut(job, context.layout.done, log)
  if (name === undefined) return

  const totals = context.totals.addDone(summary.faces, seconds)
  log.info({
    result: 'done', output: join(context.layout.done, name), faces: summary.faces, parts: summary.parts,
    seconds: round(seconds), backend: summary.backend, device: summary.device, warnings: summary.warnings, totals,
  }, `segmented ${manifest.file}: ${summary.faces} faces, ${summary.parts} parts in ${round(seconds)} s ` +
    `(totals: ${totals.done} done, ${totals.failed} failed, ${totals.faces} faces, ${totals.seconds} s)`)
}

async function finishFailed(
  context: JobContext,
  job: ClaimedJob,
  failure: JobFailure,
  params: SegmentParams | undefined,
  log: Logger,
): Promise<void> {
  const { manifest } = job
  try {
    await writeErrorReport(job.dir, { failure, manifest, folder: context.layout.root, processedBy: context.processor.description, params })
    await writeManifest(job.dir, { ...manifest, failure: { kind: failure.kind, message: failure.message } })
  } catch (error) {
    log.error({ error: (error as Error).message }, 'cannot write error.txt; moving the job to failed/ without it')
  }
  const name = await moveOut(job, context.layout.failed, log)
  if (name === undefined) return

  const totals = context.totals.addFailed()
  const details = { result: 'failed', output: join(context.layout.failed, name), kind: failure.kind, error: failure.message, totals }
  if (failure.kind === 'internal') Object.assign(details, { stack: failure.stack })
  log.error(details, `failed ${manifest.file}: ${failure.message} ` +
    `(totals: ${totals.done} done, ${totals.failed} failed)`)
}

/** Renames the job folder into `parent`; on failure logs and returns undefined, the job stays in processing/. */
async function moveOut(job: ClaimedJob, parent: string, log: Logger): Promise<string | undefined> {
  try {
    return await moveDirToUnique(job.dir, parent, job.manifest.name)
  } catch (error) {
    log.error({ error: (error as Error).message, target: parent }, 'cannot move the job folder; it stays in processing/ and is retried at the next start')
    return undefined
  }
}

/** Removes hidden temporary files an interrupted export or download left in the job folder. */
async function removeStaleTemporaries(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (TEMPORARY_FILE_PATTERN.test(name)) await rm(join(dir, name), { force: true })
  }
}

function asFailure(error: unknown): JobFailure {
  if (error instanceof JobFailure) return error
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return failureFromFacts({ name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined, stack: error.stack })
  }
  return new JobFailure('internal', String(error))
}

/**
 * Drops the job folder from paths in a message. The loader names `processing/<job>/chair.obj`,
 * but by the time a user reads the message the file is in failed/.
 */
function withoutJobDir(failure: JobFailure, dir: string): JobFailure {
  const message = failure.message.split(`${dir}${sep}`).join('')
  if (message === failure.message) return failure
  const renamed = new JobFailure(failure.kind, message)
  renamed.stack = failure.stack
  return renamed
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100
}
