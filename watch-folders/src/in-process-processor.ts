/**
 * Runs the pipeline in this process, on worker threads: one thread per job running at once, kept
 * between jobs so a loaded model (PartField) is loaded once per thread.
 */
import { Worker } from 'node:worker_threads'

import { failureFromFacts } from './job-failure.js'
import type { FromPipelineWorker, PipelineTask, ToPipelineWorker } from './pipeline-messages.js'
import type { ProcessRequest, Processor, ProcessSummary } from './processor.js'

const BOOT_URL = new URL('./worker-boot.mjs', import.meta.url)
const ENTRY_URL = new URL('./pipeline-worker.ts', import.meta.url)

export interface InProcessOptions {
  /** Source faces above which a mesh is rejected. */
  maxFaces: number
}

export class InProcessProcessor implements Processor {
  readonly description = 'in-process'
  readonly #maxFaces: number
  readonly #idle: Worker[] = []
  readonly #busy = new Set<Worker>()

  constructor(options: InProcessOptions) {
    this.#maxFaces = options.maxFaces
  }

  process(request: ProcessRequest): Promise<ProcessSummary> {
    request.signal.throwIfAborted()
    const worker = this.#idle.pop() ?? new Worker(BOOT_URL, { workerData: { entry: ENTRY_URL.href } })
    this.#busy.add(worker)
    const task: PipelineTask = {
      dir: request.dir,
      file: request.file,
      baseName: request.baseName,
      params: request.params,
      formats: request.formats,
      maxFaces: this.#maxFaces,
    }

    return new Promise<ProcessSummary>((resolve, reject) => {
      let crash: Error | undefined
      const cleanUp = () => {
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        request.signal.removeEventListener('abort', onAbort)
        this.#busy.delete(worker)
      }
      const onMessage = (message: FromPipelineWorker) => {
        cleanUp()
        this.#idle.push(worker)
        if (message.type === 'done') resolve(message.summary)
        else reject(failureFromFacts(message.error))
      }
      // An uncaught error (or running out of heap) ends the thread: 'error' comes first, then 'exit'.
      const onError = (error: Error) => {
        crash = error
      }
      const onExit = (code: number) => {
        cleanUp()
        const facts = crash
          ? { name: crash.name, message: crash.message, code: (crash as NodeJS.ErrnoException).code, stack: crash.stack }
          : { name: 'Error', message: `the pipeline worker thread stopped unexpectedly with exit code ${code}` }
        reject(failureFromFacts(facts))
      }
      // A stopped job resumes from the start at the next run, so the thread is simply ended.
      const onAbort = () => {
        cleanUp()
        void worker.terminate()
        reject(request.signal.reason)
      }
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
      request.signal.addEventListener('abort', onAbort, { once: true })
      worker.postMessage({ type: 'run', task } satisfies ToPipelineWorker)
    })
  }

  async close(): Promise<void> {
    const workers = [...this.#idle.splice(0), ...this.#busy]
    this.#busy.clear()
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
