/**
 * A fixed number of long-lived worker threads that run compute tasks one at a time each, so the
 * event loop stays free for HTTP, progress events and cancellation. Workers keep loaded models
 * between tasks; a worker that is cancelled past its grace period or dies is replaced.
 */
import { Worker } from 'node:worker_threads'

import type { FromWorker, TaskSummary, ToWorker, WarmupSummary, WorkerFailure, WorkerTask } from './worker-messages.js'

const BOOT_URL = new URL('./worker-boot.mjs', import.meta.url)
const ENTRY_URL = new URL('./worker-main.ts', import.meta.url)
/** How long a cancelled task may take to stop on its own before its thread is terminated. */
const DEFAULT_ABORT_GRACE_MS = 2000

export type ProgressMessage = Extract<FromWorker, { type: 'progress' }>

/** Error of a task that failed inside a worker, carrying the worker's classification. */
export class TaskError extends Error {
  override readonly name = 'TaskError'
  readonly failure: WorkerFailure

  constructor(failure: WorkerFailure) {
    super(failure.message)
    this.failure = failure
  }
}

export interface TaskHandle<T> {
  result: Promise<T>
  /** Asks the task to stop; the promise then rejects with a TaskError named AbortError. */
  abort(): void
}

interface Pending {
  taskId: number
  task: WorkerTask
  onProgress: (message: ProgressMessage) => void
  resolve: (summary: TaskSummary | WarmupSummary) => void
  reject: (error: TaskError) => void
  aborted: boolean
}

interface Slot {
  worker: Worker | undefined
  current: Pending | undefined
  killTimer: NodeJS.Timeout | undefined
}

export interface WorkerPoolOptions {
  size: number
  abortGraceMs?: number
  onWorkerExit?: (info: { code: number; during?: string }) => void
}

export class WorkerPool {
  readonly #slots: Slot[]
  readonly #waiting: Pending[] = []
  readonly #graceMs: number
  readonly #onWorkerExit: WorkerPoolOptions['onWorkerExit']
  #nextTaskId = 1
  #closed = false

  constructor(options: WorkerPoolOptions) {
    this.#slots = Array.from({ length: options.size }, () => ({ worker: undefined, current: undefined, killTimer: undefined }))
    this.#graceMs = options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS
    this.#onWorkerExit = options.onWorkerExit
  }

  get busyCount(): number {
    return this.#slots.filter((slot) => slot.current).length
  }

  /** Queues a task; it starts as soon as a worker is free. */
  run<T extends TaskSummary | WarmupSummary>(task: WorkerTask, onProgress: (m: ProgressMessage) => void = () => {}): TaskHandle<T> {
    let pending!: Pending
    const result = new Promise<T>((resolve, reject) => {
      pending = { taskId: this.#nextTaskId++, task, onProgress, resolve: resolve as Pending['resolve'], reject, aborted: false }
    })
    this.#waiting.push(pending)
    this.#dispatch()
    return { result, abort: () => this.#abort(pending) }
  }

  /** Terminates every worker; running tasks reject. */
  async close(): Promise<void> {
    this.#closed = true
    for (const pending of this.#waiting.splice(0)) pending.reject(abortFailure('the daemon is shutting down'))
    await Promise.all(this.#slots.map((slot) => slot.worker?.terminate()))
  }

  #dispatch(): void {
    if (this.#closed) return
    for (const slot of this.#slots) {
      if (slot.current || this.#waiting.length === 0) continue
      const pending = this.#waiting.shift()!
      slot.current = pending
      slot.worker ??= this.#spawn(slot)
      slot.worker.postMessage({ type: 'run', taskId: pending.taskId, task: pending.task } satisfies ToWorker)
    }
  }

  #spawn(slot: Slot): Worker {
    const worker = new Worker(BOOT_URL, { workerData: { entry: ENTRY_URL.href } })
    worker.on('message', (message: FromWorker) => this.#onMessage(slot, message))
    worker.on('error', (error) => this.#onWorkerGone(slot, worker, `worker error: ${error.message}`))
    worker.on('exit', (code) => this.#onWorkerGone(slot, worker, `worker exited with code ${code}`, code))
    return worker
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    const pending = slot.current
    if (!pending || message.taskId !== pending.taskId) return
    if (message.type === 'progress') {
      pending.onProgress(message)
      return
    }

    this.#finish(slot)
    if (message.type === 'done') pending.resolve(message.summary)
    else pending.reject(new TaskError(message.failure))
    this.#dispatch()
  }

  #onWorkerGone(slot: Slot, worker: Worker, reason: string, code = 1): void {
    if (slot.worker !== worker) return
    slot.worker = undefined
    const pending = slot.current
    this.#finish(slot)
    if (this.#closed) return
    this.#onWorkerExit?.({ code, during: pending?.task.type })
    if (pending) {
      pending.reject(
        pending.aborted
          ? abortFailure('cancelled')
          : new TaskError({ name: 'WorkerCrash', message: `the compute worker stopped unexpectedly (${reason})` }),
      )
    }
    this.#dispatch()
  }

  #finish(slot: Slot): void {
    clearTimeout(slot.killTimer)
    slot.killTimer = undefined
    slot.current = undefined
  }

  #abort(pending: Pending): void {
    if (pending.aborted) return
    pending.aborted = true
    const queuedAt = this.#waiting.indexOf(pending)
    if (queuedAt >= 0) {
      this.#waiting.splice(queuedAt, 1)
      pending.reject(abortFailure('cancelled'))
      return
    }

    const slot = this.#slots.find((s) => s.current === pending)
    if (!slot?.worker) return
    slot.worker.postMessage({ type: 'abort', taskId: pending.taskId } satisfies ToWorker)
    // Native code (an ONNX run) does not see the abort signal, so the thread is ended after a grace period.
    const worker = slot.worker
    slot.killTimer = setTimeout(() => void worker.terminate(), this.#graceMs)
  }
}

function abortFailure(message: string): TaskError {
  return new TaskError({ name: 'AbortError', message })
}
