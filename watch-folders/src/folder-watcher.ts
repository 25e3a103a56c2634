/**
 * Watches one folder's incoming/ with chokidar. A mesh file becomes a job once it and the files
 * it refers to are complete. The job then waits in the shared queue, is claimed into processing/
 * and runs. A periodic rescan catches files whose events were missed (network shares).
 */
import { readdir } from 'node:fs/promises'
import { basename, join, posix } from 'node:path'

import { watch, type FSWatcher } from 'chokidar'

import type { Candidate } from './claim.js'
import { claim, findInterruptedJobs } from './claim.js'
import { findReferences } from './companions.js'
import { ensureLayout, type FolderLayout } from './folder-layout.js'
import { lockFolder, unlockFolder } from './folder-lock.js'
import type { JobQueue } from './job-queue.js'
import { runJob, type JobContext } from './job-runner.js'
import { pause } from './pause.js'
import { readFileState, sameState, waitUntilStable, type FileState, type StableOptions } from './stable-file.js'
import { isMeshFileName, isTemporaryName, SIDECAR_SUFFIX } from './temp-names.js'

/** An empty file must stay empty this long before it is taken as complete. */
const EMPTY_FILE_STABLE_MS = 30_000
/** More referenced files than this are not followed, so a strange file cannot stall the watcher. */
const MAX_COMPANIONS = 1000

export interface FolderTiming {
  /** How long a file must stay unchanged to count as complete, in milliseconds. */
  stableMs: number
  /** How long a mesh waits for the files it refers to, in milliseconds. */
  companionTimeoutMs: number
  /** How often incoming/ is listed again in case an event was missed, in milliseconds. */
  rescanMs: number
  /** Poll the file system instead of relying on change notifications (network shares). */
  usePolling: boolean
}

interface Ready extends Candidate {
  state: FileState
}

export class FolderWatcher {
  readonly #layout: FolderLayout
  readonly #timing: FolderTiming
  readonly #context: JobContext
  readonly #queue: JobQueue
  /** Names in incoming/ being settled, queued or claimed, so each is handled once. */
  readonly #tracked = new Set<string>()
  #watcher: FSWatcher | undefined
  #rescan: NodeJS.Timeout | undefined

  constructor(context: JobContext, timing: FolderTiming, queue: JobQueue) {
    this.#layout = context.layout
    this.#context = context
    this.#timing = timing
    this.#queue = queue
  }

  /** Creates the subfolders and takes the folder's lock; throws FolderLockedError when another watcher holds it. */
  async lock(): Promise<void> {
    await ensureLayout(this.#layout)
    await lockFolder(this.#layout.root)
  }

  /** Queues the jobs a stopped watcher left in processing/, then starts watching incoming/. Call lock() first. */
  async start(): Promise<void> {
    const interrupted = await findInterruptedJobs(this.#layout, this.#context.logger)
    if (interrupted.length > 0) {
      this.#context.logger.info({ folder: this.#layout.root, jobs: interrupted.map((job) => job.manifest.name) },
        `resuming ${interrupted.length} interrupted job(s) from processing/`)
    }
    // Pushed to the front in reverse, so they run in their original order.
    for (const job of interrupted.reverse()) this.#queue.push(() => this.#runIfActive(() => runJob(this.#context, job)), true)

    const watcher = watch(this.#layout.incoming, {
      depth: 0,
      ignoreInitial: false,
      usePolling: this.#timing.usePolling,
      interval: this.#pollMs(),
      ignored: (path: string) => path !== this.#layout.incoming && isTemporaryName(basename(path)),
    })
    watcher.on('add', (path) => this.#consider(basename(path)))
    watcher.on('change', (path) => this.#consider(basename(path)))
    watcher.on('error', (error) => this.#context.logger.error({ folder: this.#layout.root, error: (error as Error).message }, 'file watcher error'))
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
    this.#watcher = watcher

    this.#rescan = setInterval(() => void this.#scan(), this.#timing.rescanMs)
    this.#rescan.unref()
    this.#context.logger.info({ folder: this.#layout.root, incoming: this.#layout.incoming }, 'watching')
  }

  /** Stops noticing files; jobs already queued or running are not affected. */
  async stop(): Promise<void> {
    clearInterval(this.#rescan)
    await this.#watcher?.close()
  }

  /** Releases the folder's lock; call it once no job of the folder runs any more. */
  async release(): Promise<void> {
    await unlockFolder(this.#layout.root)
  }

  async #scan(): Promise<void> {
    try {
      for (const name of await readdir(this.#layout.incoming)) this.#consider(name)
    } catch (error) {
      this.#context.logger.error({ folder: this.#layout.root, error: (error as Error).message }, 'cannot list incoming/')
    }
  }

  #consider(name: string): void {
    if (this.#context.signal.aborted || !isMeshFileName(name) || this.#tracked.has(name)) return
    this.#tracked.add(name)
    void this.#settle(name)
  }

  /** Waits until the file is complete, then queues it. A file that disappears is dropped from tracking. */
  async #settle(name: string): Promise<void> {
    let ready: Ready | undefined
    try {
      ready = await this.#waitUntilComplete(name)
    } catch (error) {
      if (!this.#context.signal.aborted) {
        this.#context.logger.error({ folder: this.#layout.root, file: name, error: (error as Error).message }, 'failed to check whether the file is complete; it is checked again at the next rescan')
      }
    }
    if (!ready) {
      this.#tracked.delete(name)
      return
    }
    const found = ready
    this.#queue.push(() => this.#runIfActive(() => this.#claimAndRun(found)))
  }

  async #waitUntilComplete(name: string): Promise<Ready | undefined> {
    const stable = this.#stableOptions()
    const state = await waitUntilStable(join(this.#layout.incoming, name), stable)
    if (!state) return undefined

    const deadline = Date.now() + this.#timing.companionTimeoutMs
    const { present, missing } = await this.#gatherCompanions(name, deadline)
    const sidecarName = `${name}${SIDECAR_SUFFIX}`
    const sidecar = await waitUntilStable(join(this.#layout.incoming, sidecarName), stable)
    return { file: name, state, companions: present, missing, sidecar: sidecar ? sidecarName : undefined }
  }

  /**
   * Waits for every file the mesh refers to (and, for a material library, every texture it
   * refers to) to exist and be complete, until `deadline`. Paths are relative to incoming/.
   */
  async #gatherCompanions(name: string, deadline: number): Promise<{ present: string[]; missing: string[] }> {
    const present: string[] = []
    const missing: string[] = []
    const pending = await findReferences(join(this.#layout.incoming, name))
    const seen = new Set<string>([name])
    while (pending.length > 0 && seen.size <= MAX_COMPANIONS) {
      const reference = pending.shift()!
      // A referenced mesh file is a job of its own, so it does not travel with this one.
      if (seen.has(reference) || isMeshFileName(posix.basename(reference))) continue
      seen.add(reference)

      const path = join(this.#layout.incoming, reference)
      if (!(await this.#waitForFile(path, deadline)) || !(await waitUntilStable(path, this.#stableOptions()))) {
        missing.push(reference)
        continue
      }
      present.push(reference)
      const directory = posix.dirname(reference)
      for (const nested of await findReferences(path)) {
        const joined = posix.normalize(posix.join(directory, nested))
        if (!joined.startsWith('../')) pending.push(joined)
      }
    }
    return { present, missing }
  }

  async #waitForFile(path: string, deadline: number): Promise<boolean> {
    for (;;) {
      if (await readFileState(path)) return true
      if (Date.now() >= deadline) return false
      await pause(this.#pollMs(), this.#context.signal)
    }
  }

  /** Checks that the file is unchanged since it was found complete, claims it and runs the job. */
  async #claimAndRun(ready: Ready): Promise<void> {
    const current = await readFileState(join(this.#layout.incoming, ready.file)).catch(() => undefined)
    if (!current || !sameState(current, ready.state)) {
      this.#tracked.delete(ready.file)
      if (current) this.#consider(ready.file)
      return
    }

    let job
    try {
      job = await claim(this.#layout, ready)
    } catch (error) {
      this.#context.logger.error({ folder: this.#layout.root, file: ready.file, error: (error as Error).message },
        'cannot move the file to processing/; it stays in incoming/ and is tried again at the next rescan')
      return
    } finally {
      this.#tracked.delete(ready.file)
    }
    await runJob(this.#context, job)
  }

  /** Runs queued work unless the watcher stopped meanwhile; logs what escapes it. */
  async #runIfActive(work: () => Promise<void>): Promise<void> {
    if (this.#context.signal.aborted) return
    try {
      await work()
    } catch (error) {
      this.#context.logger.error({ folder: this.#layout.root, error: (error as Error).message, stack: (error as Error).stack },
        'unexpected job error; a job left in processing/ resumes at the next start')
    }
  }

  #stableOptions(): StableOptions {
    return { stableMs: this.#timing.stableMs, pollMs: this.#pollMs(), emptyStableMs: EMPTY_FILE_STABLE_MS, signal: this.#context.signal }
  }

  #pollMs(): number {
    return Math.max(50, Math.min(500, Math.round(this.#timing.stableMs / 4)))
  }
}
