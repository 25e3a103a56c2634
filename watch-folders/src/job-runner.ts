/**
 * Runs a claimed job: parameters, processing, then one rename of the job folder into done/ or
 * failed/. The rename is the last step, so a crash before it leaves the job in processing/ to
 * be resumed, and a crash after it leaves nothing to do again. A mesh file that changed while it
 * was processed is processed again once it is complete.
 */
import { readdir, rm } from 'node:fs/promises'
import { join, sep } from 'node:path'

import type { Logger } from 'pino'

import { TEMPORARY_FILE_PATTERN } from '../../daemon/src/export/temporary-file.js'
import type { ExportFormat } from '../../daemon/src/export/write-exports.js'
import type { SegmentParams } from '../../protocol/src/params.js'
import type { ClaimedJob } from './claim.js'
import { writeErrorReport } from './error-report.js'
import { exists, moveDirToUnique } from './file-moves.js'
import type { FolderLayout } from './folder-layout.js'
import { fileRole } from './file-roles.js'
import { failureFromFacts, JobFailure, unsupportedFile } from './job-failure.js'
import { writeManifest } from './job-manifest.js'
import { resolveParams } from './job-params.js'
import { pause } from './pause.js'
import type { Processor, ProcessSummary } from './processor.js'
import { pollIntervalMs, readFileState, sameState, waitUntilStable, type FileState } from './stable-file.js'
import { jobStem } from './temp-names.js'
import type { RunTotals, TotalsSnapshot } from './totals.js'

/** Starts after which a job that never finished is failed instead of resumed again. */
export const MAX_ATTEMPTS = 3
/** How often a file that changed while it was processed is processed again within one start. */
const MAX_REREADS = 3
/**
 * A file that fails to parse is failed only once it has stayed unchanged this many times
 * `stableMs`, because a writer that paused longer than one window may still be at work.
 */
const QUIET_WINDOWS_BEFORE_FAILING = 3

export interface JobContext {
  layout: FolderLayout
  /** Parameters the watcher configuration gives this folder. */
  params: Record<string, unknown>
  formats: readonly ExportFormat[]
  processor: Processor
  logger: Logger
  totals: RunTotals
  /** How long a file must stay unchanged to count as complete, in milliseconds. */
  stableMs: number
  /** Aborted when the watcher stops. */
  signal: AbortSignal
}

type Outcome = { summary: ProcessSummary } | { failure: JobFailure; params?: SegmentParams }

export async function runJob(context: JobContext, job: ClaimedJob): Promise<void> {
  const { manifest } = job
  const log = context.logger.child({ folder: context.layout.root, file: manifest.file, job: manifest.name })
  if (fileRole(manifest.file) !== 'mesh') {
    await finishFailed(context, job, unsupportedFile(manifest.file), undefined, log)
    return
  }
  if (manifest.attempts >= MAX_ATTEMPTS) {
    const failure = new JobFailure('interrupted', `processing started ${manifest.attempts} times and never finished`)
    await finishFailed(context, job, failure, undefined, log)
    return
  }
  manifest.attempts++
  await writeManifest(job.dir, manifest)
  const missing = manifest.missing.length > 0 ? { missing: manifest.missing } : {}
  log.info({ attempt: manifest.attempts, companions: manifest.companions, ...missing, processor: context.processor.description },
    `processing ${manifest.file}`)

  const start = performance.now()
  try {
    for (let rereads = 0; ; rereads++) {
      const outcome = await processOnce(context, job)
      const changed = await changeSinceFound(context, job, outcome)
      if (changed && rereads < MAX_REREADS) {
        await waitForNewVersion(context, job, changed, outcome, log)
        continue
      }
      if ('summary' in outcome) await finishDone(context, job, outcome.summary, (performance.now() - start) / 1000, log)
      else await finishFailed(context, job, outcome.failure, outcome.params, log)
      return
    }
  } catch (error) {
    if (!context.signal.aborted) throw error
    // A stop is not the file's fault, so it does not count towards MAX_ATTEMPTS.
    manifest.attempts--
    await writeManifest(job.dir, manifest).catch(() => {})
    log.info(`stopped while processing ${manifest.file}; it resumes at the next start`)
  }
}

/** Processes the job folder once. Problems of the file become a failure; a stop rejects. */
async function processOnce(context: JobContext, job: ClaimedJob): Promise<Outcome> {
  const { manifest } = job
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
    return { summary }
  } catch (error) {
    if (context.signal.aborted) throw error
    return { failure: withoutJobDir(asFailure(error), job.dir), params }
  }
}

/**
 * Returns the mesh file's state when it differs from the one recorded when the file was found
 * complete: a writer that paused longer than the stability window went on writing. A file that
 * failed to parse first gets time to change. Returns undefined when nothing changed, and for a
 * manifest without a recorded state (written by an older watcher).
 */
async function changeSinceFound(context: JobContext, job: ClaimedJob, outcome: Outcome): Promise<FileState | undefined> {
  const recorded = job.manifest.fileState
  if (!recorded) return undefined
  const path = join(job.dir, job.manifest.file)
  if ('failure' in outcome && outcome.failure.kind === 'invalid-mesh') {
    await waitUntilQuiet(path, QUIET_WINDOWS_BEFORE_FAILING * context.stableMs, context.signal)
  }
  const current = await readFileState(path)
  return current && !sameState(current, recorded) ? current : undefined
}

/**
 * Waits until the file's modification time is `quietMs` in the past. The wait is capped at
 * `quietMs`, because a file on a network share may carry another machine's clock.
 */
async function waitUntilQuiet(path: string, quietMs: number, signal: AbortSignal): Promise<void> {
  const state = await readFileState(path)
  if (!state) return
  const wait = Math.min(quietMs, state.mtimeMs + quietMs - Date.now())
  if (wait > 0) await pause(wait, signal)
}

/** Waits until the changed file is complete again and records it as the version to process. */
async function waitForNewVersion(context: JobContext, job: ClaimedJob, changed: FileState, outcome: Outcome, log: Logger): Promise<void> {
  const { manifest } = job
  const before = manifest.fileState!.size
  const result = 'summary' in outcome ? { result: 'done' } : { result: 'failed', error: outcome.failure.message }
  log.warn({ bytesBefore: before, bytesNow: changed.size, ...result },
    `${manifest.file} changed while it was processed (${before} -> ${changed.size} bytes), so it was still being written; ` +
    'processing it again once it is complete')
  const path = join(job.dir, manifest.file)
  const stable = await waitUntilStable(path, { stableMs: context.stableMs, pollMs: pollIntervalMs(context.stableMs), signal: context.signal })
  manifest.fileState = stable
  // The daemon job contains the old content, so the next run submits the file again.
  manifest.checkpoint = undefined
  await writeManifest(job.dir, manifest)
}

async function finishDone(context: JobContext, job: ClaimedJob, summary: ProcessSummary, runSeconds: number, log: Logger): Promise<void> {
  const { manifest } = job
  const seconds = summary.resumedSeconds ?? runSeconds
  const result = { finishedAt: new Date().toISOString(), seconds: round(seconds), ...summary }
  await writeManifest(job.dir, { ...manifest, result })
  const name = await moveOut(job, context.layout.done, log)
  if (name === undefined) return

  const totals = context.totals.addDone(summary.kind, summary.faces, seconds)
  const unit = summary.kind === 'points' ? 'points' : 'faces'
  const resumed = summary.resumedSeconds !== undefined
  log.info({
    result: 'done', output: join(context.layout.done, name), [unit]: summary.faces, parts: summary.parts,
    seconds: round(seconds), ...(resumed ? { resumed } : {}), backend: summary.backend, device: summary.device,
    warnings: summary.warnings, totals,
  }, `segmented ${manifest.file}: ${summary.faces} ${unit}, ${summary.parts} parts in ${round(seconds)} s ` +
    `(${resumed ? 'daemon job resumed after a restart; ' : ''}totals: ${describeTotals(totals)})`)
}

function describeTotals(totals: TotalsSnapshot): string {
  const points = totals.points > 0 ? `, ${totals.points} points` : ''
  return `${totals.done} done, ${totals.failed} failed, ${totals.faces} faces${points}, ${totals.seconds} s`
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
  // A file the watcher cannot read at all is the user's mix-up rather than an error of the watcher.
  const level = failure.kind === 'unsupported-format' ? 'warn' : 'error'
  log[level](details, `failed ${manifest.file}: ${failure.message} ` +
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
