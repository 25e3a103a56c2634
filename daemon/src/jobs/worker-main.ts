/** Body of a compute worker thread: runs one task at a time and reports progress and results. */
import { parentPort } from 'node:worker_threads'

import { BackendUnavailableError, chooseBackend } from '../features/select-backend.js'
import type { ProgressEvent } from '../pipeline/progress.js'
import { runRecutTask } from './recut-task.js'
import { runSegmentTask } from './segment-task.js'
import type { FromWorker, TaskSummary, ToWorker, WarmupSummary, WorkerFailure, WorkerTask } from './worker-messages.js'

const PROGRESS_INTERVAL_MS = 50

const port = parentPort
if (!port) throw new Error('worker-main.ts runs only as a worker thread')

let running: { taskId: number; controller: AbortController } | undefined

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    if (running?.taskId === message.taskId) running.controller.abort()
    return
  }
  void run(message.taskId, message.task)
})

async function run(taskId: number, task: WorkerTask): Promise<void> {
  const controller = new AbortController()
  running = { taskId, controller }
  const post = (message: FromWorker) => port!.postMessage(message)
  try {
    const summary = await execute(task, taskId, controller.signal, post)
    post({ type: 'done', taskId, summary })
  } catch (error) {
    post({ type: 'failed', taskId, failure: describeFailure(error, controller.signal) })
  } finally {
    running = undefined
  }
}

async function execute(
  task: WorkerTask,
  taskId: number,
  signal: AbortSignal,
  post: (message: FromWorker) => void,
): Promise<TaskSummary | WarmupSummary> {
  if (task.type === 'warmup') {
    const { backend, model } = await chooseBackend('auto', task.modelPath)
    return { backend: backend.name, device: backend.device, model }
  }
  if (task.type === 'recut') return runRecutTask(task)
  return runSegmentTask(task, { signal, onProgress: throttledProgress(taskId, post) })
}

/**
 * Forwards progress at most every PROGRESS_INTERVAL_MS, plus every stage start and end, because
 * clustering can report thousands of times a second and each report crosses the thread boundary.
 */
function throttledProgress(taskId: number, post: (message: FromWorker) => void): (event: ProgressEvent) => void {
  let lastStage: string | undefined
  let lastPost = 0
  return (event) => {
    const now = performance.now()
    const boundary = event.stage !== lastStage || event.fraction === 0 || event.fraction === 1
    if (!boundary && now - lastPost < PROGRESS_INTERVAL_MS) return
    lastStage = event.stage
    lastPost = now
    post({ type: 'progress', taskId, stage: event.stage, fraction: event.fraction, overall: event.overall })
  }
}

function describeFailure(error: unknown, signal: AbortSignal): WorkerFailure {
  if (signal.aborted) return { name: 'AbortError', message: 'cancelled' }
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }

  const failure: WorkerFailure = { name: error.name, message: error.message }
  const code = (error as { code?: unknown }).code
  const field = (error as { field?: unknown }).field
  if (typeof code === 'string') failure.code = code
  if (typeof field === 'string') failure.field = field
  if (error.stack) failure.stack = error.stack
  if (error instanceof BackendUnavailableError && error.model) failure.model = error.model
  return failure
}
