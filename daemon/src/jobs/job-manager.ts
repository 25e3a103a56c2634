/**
 * The job queue: FIFO with a bounded waiting list, a fixed number of jobs computing at once,
 * progress fan-out to listeners, cancellation, recuts, restart recovery and expiry.
 */
import type { Logger } from 'pino'

import { TERMINAL_STATES } from '../../../protocol/src/messages.js'
import type { Method } from '../../../protocol/src/params.js'
import { plural } from '../../../protocol/src/plural.js'
import type { ModelReport } from '../features/select-backend.js'
import { classifyFailure, INTERRUPTED } from './job-errors.js'
import type { JobRecord, StoredError } from './job-record.js'
import type { JobStore, ScannedJob } from './job-store.js'
import { exportBaseName } from './result-store.js'
import { TaskError, WorkerPool, type ProgressMessage, type TaskHandle } from './worker-pool.js'
import type { TaskSummary, WarmupSummary } from './worker-messages.js'

/** Error of a submission that finds the waiting list full. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError'
  readonly retryAfterSeconds: number

  constructor(retryAfterSeconds: number, queued: number) {
    super(`the job queue is full (${plural(queued, 'job')} waiting); retry in about ${retryAfterSeconds} s`)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Error of a recut that fails, carrying the status for the response. */
export class RecutError extends Error {
  override readonly name = 'RecutError'
  readonly error: StoredError

  constructor(error: StoredError) {
    super(error.message)
    this.error = error
  }
}

export interface JobManagerOptions {
  store: JobStore
  logger: Logger
  /** Jobs computing at the same time (one per device by default). */
  concurrency: number
  /** Jobs allowed to wait; one more is rejected with QueueFullError. */
  maxQueued: number
  /** How long finished jobs are kept, in milliseconds. */
  ttlMs: number
  modelPath: string
  maxFaces: number
}

type Listener = (record: JobRecord) => void

const DURATION_HISTORY = 20
const DEFAULT_JOB_SECONDS = 10
const MAX_RETRY_AFTER_SECONDS = 3600

export class JobManager {
  readonly #options: JobManagerOptions
  readonly #records = new Map<string, JobRecord>()
  readonly #waiting: string[] = []
  readonly #running = new Map<string, TaskHandle<TaskSummary>>()
  readonly #listeners = new Map<string, Set<Listener>>()
  readonly #recuts = new Map<string, Promise<unknown>>()
  readonly #durations: number[] = []
  readonly #computePool: WorkerPool
  readonly #recutPool: WorkerPool
  #device: string | null = null
  #defaultBackend: string | null = null
  #model: ModelReport | undefined
  #closing = false

  constructor(options: JobManagerOptions) {
    this.#options = options
    const onWorkerExit = (info: { code: number; during?: string }) =>
      options.logger.warn(info, 'compute worker exited; a new one starts with the next task')
    this.#computePool = new WorkerPool({ size: options.concurrency, onWorkerExit })
    // Recuts use no GPU, so they get their own worker and never wait behind a long segment job.
    this.#recutPool = new WorkerPool({ size: 1, onWorkerExit })
  }

  get store(): JobStore {
    return this.#options.store
  }

  get device(): string | null {
    return this.#device
  }

  get defaultBackend(): string | null {
    return this.#defaultBackend
  }

  /** The PartField model's state as the workers last reported it; undefined before any report. */
  get modelReport(): ModelReport | undefined {
    return this.#model
  }

  stats(): { running: number; queued: number; maxQueued: number; concurrency: number; jobs: number } {
    const { maxQueued, concurrency } = this.#options
    return { running: this.#running.size, queued: this.#waiting.length, maxQueued, concurrency, jobs: this.#records.size }
  }

  get(id: string): JobRecord | undefined {
    return this.#records.get(id)
  }

  /** 1-based place among waiting jobs, or null when the job is not waiting. */
  queuePosition(id: string): number | null {
    const index = this.#waiting.indexOf(id)
    return index < 0 ? null : index + 1
  }

  /**
   * Throws QueueFullError when a new job would have to wait and the waiting list is full. The
   * segment route calls it before reading an upload, and submit calls it again.
   */
  checkRoom(): void {
    const mustWait = this.#running.size >= this.#options.concurrency
    if (mustWait && this.#waiting.length >= this.#options.maxQueued) {
      throw new QueueFullError(this.#retryAfterSeconds(), this.#waiting.length)
    }
  }

  /** Loads the default backend in a worker so /health can name the device before the first job. */
  async warmUp(): Promise<void> {
    const handle = this.#computePool.run<WarmupSummary>({ type: 'warmup', modelPath: this.#options.modelPath })
    const summary = await handle.result
    this.#device = summary.device
    this.#defaultBackend = summary.backend
    this.#noteModel(summary.model)
  }

  /** Adds a job whose directory and input are already written; throws QueueFullError when full. */
  async submit(record: JobRecord): Promise<void> {
    this.checkRoom()
    this.#records.set(record.id, record)
    this.#waiting.push(record.id)
    await this.#options.store.save(record)
    this.#options.logger.info(
      { jobId: record.id, input: record.input.name, format: record.input.format, bytes: record.input.bytes, queued: this.#waiting.length },
      'job queued',
    )
    this.#dispatch()
  }

  /** Calls `listener` after every change of the job; returns the function that stops it. */
  subscribe(id: string, listener: Listener): () => void {
    let set = this.#listeners.get(id)
    if (!set) this.#listeners.set(id, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(id)
    }
  }

  /** Resolves with the record once the job has ended (or undefined if it was deleted). */
  waitForEnd(id: string, signal?: AbortSignal): Promise<JobRecord | undefined> {
    return new Promise((resolve, reject) => {
      const record = this.#records.get(id)
      if (!record || isTerminal(record)) return resolve(record)
      const stop = this.subscribe(id, (changed) => {
        if (!isTerminal(changed)) return
        stop()
        resolve(changed)
      })
      signal?.addEventListener('abort', () => {
        stop()
        reject(signal.reason)
      }, { once: true })
    })
  }

  /** Cancels a waiting or running job, then deletes it and its files. */
  async delete(id: string): Promise<JobRecord | undefined> {
    const record = this.#records.get(id)
    if (!record) return undefined

    // Forget the job first, so the ending task neither saves job.json nor updates the record.
    this.#records.delete(id)
    const waitingAt = this.#waiting.indexOf(id)
    if (waitingAt >= 0) this.#waiting.splice(waitingAt, 1)
    if (!isTerminal(record)) {
      this.#end(record, 'cancelled', null)
      this.#options.logger.info({ jobId: id }, 'job cancelled')
    }
    const handle = this.#running.get(id)
    if (handle) {
      handle.abort()
      await handle.result.catch(() => {})
    }

    await this.#recuts.get(id)?.catch(() => {})
    await this.store.remove(id)
    this.#options.logger.info({ jobId: id, state: record.state }, 'job deleted')
    return record
  }

  /** Re-cuts a finished job; concurrent recuts of one job run one after the other. */
  async recut(id: string, k: number, method: Method | undefined): Promise<JobRecord> {
    const previous = this.#recuts.get(id) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(() => this.#runRecut(id, k, method))
    this.#recuts.set(id, next)
    try {
      return await next
    } finally {
      if (this.#recuts.get(id) === next) this.#recuts.delete(id)
    }
  }

  async #runRecut(id: string, k: number, method: Method | undefined): Promise<JobRecord> {
    const record = this.#records.get(id)
    if (!record) throw new RecutError({ code: 'not-found', message: `job ${id} not found`, status: 404 })
    const start = performance.now()
    const task = { type: 'recut' as const, jobId: id, dir: this.store.dirOf(id), baseName: exportBaseName(record.input), k, method }
    let summary: TaskSummary
    try {
      summary = await this.#recutPool.run<TaskSummary>(task).result
    } catch (error) {
      throw new RecutError(error instanceof TaskError ? classifyFailure(error.failure) : classifyUnknown(error))
    }

    record.parts = summary.parts
    record.files = summary.files
    record.warnings = summary.warnings
    record.params = { ...record.params, n_clusters: k, method: method ?? record.params.method }
    await this.store.save(record)
    const ms = Math.round(performance.now() - start)
    this.#options.logger.info({ jobId: id, k, method: record.params.method, parts: summary.parts, faces: summary.faces, ms }, 'job recut')
    this.#emit(record)
    return record
  }

  /**
   * Takes over the jobs found on disk at startup. Waiting jobs are queued again in their original
   * order. A job that was running is marked failed, not re-run: it may be the job that brought the
   * daemon down, and re-running it would repeat the crash at every start.
   */
  async restore(scanned: ScannedJob[]): Promise<void> {
    const records: JobRecord[] = []
    for (const item of scanned) {
      if (item.ok) {
        records.push(item.record)
        continue
      }
      this.#options.logger.warn({ jobId: item.id, reason: item.reason }, 'removing unusable job directory')
      await this.store.remove(item.id)
    }

    records.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    for (const record of records) {
      this.#records.set(record.id, record)
      if (record.state === 'running') {
        this.#end(record, 'failed', INTERRUPTED)
        await this.store.save(record)
        this.#options.logger.warn({ jobId: record.id }, 'job was running when the daemon stopped; marked failed')
      } else if (record.state === 'queued') {
        record.stage = null
        record.progress = 0
        this.#waiting.push(record.id)
      }
    }
    const queued = this.#waiting.length
    this.#options.logger.info({ jobs: records.length, queued }, 'restored jobs from disk')
    this.#dispatch()
  }

  /** Deletes finished jobs past their expiry time; returns how many went. */
  async sweepExpired(now = new Date()): Promise<number> {
    let removed = 0
    for (const record of [...this.#records.values()]) {
      if (!isTerminal(record) || !record.expiresAt || this.#recuts.has(record.id)) continue
      if (Date.parse(record.expiresAt) > now.getTime()) continue
      this.#records.delete(record.id)
      await this.store.remove(record.id)
      removed++
    }
    if (removed > 0) this.#options.logger.info({ removed, remaining: this.#records.size }, 'expired jobs deleted')
    return removed
  }

  /**
   * Stops the workers for a graceful exit. Running jobs are put back in the queue on disk, so the
   * next start runs them again (a crash, by contrast, leaves them marked as running: see restore).
   */
  async shutdown(): Promise<void> {
    this.#closing = true
    for (const id of this.#running.keys()) {
      const record = this.#records.get(id)
      if (!record) continue
      Object.assign(record, { state: 'queued', startedAt: null, stage: null, progress: 0, stageProgress: 0 })
      await this.#saveQuietly(record)
    }
    await this.close()
  }

  async close(): Promise<void> {
    this.#closing = true
    await Promise.all([this.#computePool.close(), this.#recutPool.close()])
  }

  #dispatch(): void {
    if (this.#closing) return
    while (this.#running.size < this.#options.concurrency && this.#waiting.length > 0) {
      const id = this.#waiting.shift()!
      const record = this.#records.get(id)
      if (record) this.#start(record)
    }
  }

  #start(record: JobRecord): void {
    record.state = 'running'
    record.startedAt = new Date().toISOString()
    const task = {
      type: 'segment' as const,
      jobId: record.id,
      dir: this.store.dirOf(record.id),
      input: record.input,
      params: record.params,
      baseName: exportBaseName(record.input),
      modelPath: this.#options.modelPath,
      maxFaces: this.#options.maxFaces,
    }
    const handle = this.#computePool.run<TaskSummary>(task, (message) => this.#onProgress(record, message))
    this.#running.set(record.id, handle)
    void this.#saveQuietly(record)
    this.#emit(record)
    this.#options.logger.info({ jobId: record.id, waited: elapsedMs(record.createdAt) }, 'job started')

    handle.result.then(
      (summary) => this.#succeed(record, summary),
      (error: unknown) => this.#fail(record, error),
    )
  }

  #onProgress(record: JobRecord, message: ProgressMessage): void {
    if (record.state !== 'running') return
    const stageChanged = record.stage !== message.stage
    record.stage = message.stage
    record.stageProgress = message.fraction
    record.progress = message.overall
    if (stageChanged) void this.#saveQuietly(record)
    this.#emit(record)
  }

  async #succeed(record: JobRecord, summary: TaskSummary): Promise<void> {
    this.#running.delete(record.id)
    if (record.state !== 'running') return this.#dispatch()
    Object.assign(record, {
      faces: summary.faces,
      parts: summary.parts,
      backend: summary.backend,
      device: summary.device,
      timings: summary.timings,
      warnings: summary.warnings,
      files: summary.files,
      progress: 1,
      stageProgress: 1,
    })
    if (record.params.backend === 'auto') {
      this.#device = summary.device
      this.#defaultBackend = summary.backend
    }
    this.#noteModel(summary.model)
    this.#end(record, 'succeeded', null)
    this.#logStages(record, summary)
    await this.#saveQuietly(record)
    this.#dispatch()
  }

  async #fail(record: JobRecord, error: unknown): Promise<void> {
    this.#running.delete(record.id)
    if (record.state !== 'running') return this.#dispatch()
    const stored = error instanceof TaskError ? classifyFailure(error.failure) : classifyUnknown(error)
    if (error instanceof TaskError) this.#noteModel(error.failure.model)
    const cancelled = stored.code === 'cancelled'
    this.#end(record, cancelled ? 'cancelled' : 'failed', cancelled ? null : stored)
    const level = stored.status >= 500 ? 'error' : 'info'
    const stack = error instanceof TaskError ? error.failure.stack : undefined
    this.#options.logger[level]({ jobId: record.id, stage: record.stage, code: stored.code, error: stored.message, stack }, 'job failed')
    await this.#saveQuietly(record)
    this.#dispatch()
  }

  #end(record: JobRecord, state: JobRecord['state'], error: StoredError | null): void {
    const now = new Date()
    record.state = state
    record.error = error
    record.finishedAt = now.toISOString()
    record.expiresAt = new Date(now.getTime() + this.#options.ttlMs).toISOString()
    if (state === 'succeeded') record.stage = null
    if (record.startedAt) this.#rememberDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt))
    this.#emit(record)
  }

  #logStages(record: JobRecord, summary: TaskSummary): void {
    const { logger } = this.#options
    const common = { jobId: record.id, faces: summary.faces, parts: summary.parts, backend: summary.backend, device: summary.device }
    for (const [stage, ms] of Object.entries(summary.timings)) logger.info({ ...common, stage, ms }, 'job stage finished')
    logger.info({ ...common, ms: elapsedMs(record.startedAt!), files: summary.files.length }, 'job succeeded')
  }

  /**
   * Keeps the workers' latest report on the model and logs when it changes, so a model that fails
   * to load is logged once, not at every job (each result carries its own warning).
   */
  #noteModel(report: ModelReport | undefined): void {
    if (!report) return
    const previous = this.#model
    this.#model = report
    const unchanged = previous?.status === report.status && previous.error === report.error &&
      previous.bytes === report.bytes && previous.mtimeMs === report.mtimeMs
    if (unchanged) return

    const { logger } = this.#options
    const fields = { model: report.path, bytes: report.bytes }
    if (report.status === 'failed') {
      logger.warn({ ...fields, error: report.error },
        'PartField model failed to load; backend=auto jobs run the geometric backend and backend=partfield jobs fail')
    } else if (report.status === 'loaded') {
      logger.info(fields, 'PartField model loaded')
    } else if (previous) {
      logger.warn(fields, 'PartField model file is gone; backend=auto jobs run the geometric backend')
    }
  }

  #emit(record: JobRecord): void {
    for (const listener of this.#listeners.get(record.id) ?? []) listener(record)
  }

  async #saveQuietly(record: JobRecord): Promise<void> {
    if (!this.#records.has(record.id)) return
    try {
      await this.store.save(record)
    } catch (error) {
      this.#options.logger.error({ jobId: record.id, error: (error as Error).message }, 'could not write job.json')
    }
  }

  #rememberDuration(ms: number): void {
    this.#durations.push(ms)
    if (this.#durations.length > DURATION_HISTORY) this.#durations.shift()
  }

  #retryAfterSeconds(): number {
    const history = this.#durations
    const average = history.length > 0 ? history.reduce((a, b) => a + b, 0) / history.length / 1000 : DEFAULT_JOB_SECONDS
    // The first waiting job starts when one running job finishes, so one job's time is a fair wait.
    const seconds = Math.ceil(average / Math.max(1, this.#options.concurrency))
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds))
  }
}

export function isTerminal(record: JobRecord): boolean {
  return TERMINAL_STATES.includes(record.state)
}

function classifyUnknown(error: unknown): StoredError {
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'internal', message, status: 500 }
}

function elapsedMs(since: string): number {
  return Date.now() - Date.parse(since)
}
