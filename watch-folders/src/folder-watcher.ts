/**
 * Watches one folder's incoming/ with chokidar. A mesh file becomes a job once it and the files
 * it refers to are complete. The job then waits in the shared queue, is claimed into processing/
 * and runs. A file the watcher cannot read goes to failed/ with an error.txt, and a companion or
 * sidecar waits for its mesh. A periodic rescan catches files whose events were missed (network
 * shares).
 */
import { readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'

import { watch, type FSWatcher } from 'chokidar'

import type { Candidate } from './claim.js'
import { claim, findInterruptedJobs } from './claim.js'
import { gatherCompanions } from './companion-wait.js'
import { fileRole } from './file-roles.js'
import { ensureLayout, type FolderLayout } from './folder-layout.js'
import { lockFolder, unlockFolder } from './folder-lock.js'
import type { JobQueue } from './job-queue.js'
import { runJob, type JobContext } from './job-runner.js'
import { OrphanWatch } from './orphan-watch.js'
import { pollIntervalMs, readFileState, sameState, waitUntilStable, type FileState, type StableOptions } from './stable-file.js'
import { isTemporaryName, SIDECAR_SUFFIX } from './temp-names.js'

/** An empty file must stay empty this long before it is taken as complete. */
const EMPTY_FILE_STABLE_MS = 30_000

export interface FolderTiming {
  /** How long a file must stay unchanged to count as complete, in milliseconds. */
  stableMs: number
  /** How long a mesh waits for the buffers it refers to, in milliseconds. */
  companionTimeoutMs: number
  /** How often incoming/ is listed again in case an event was missed, in milliseconds. */
  rescanMs: number
  /** How long a companion or sidecar waits for its mesh before a warning, in milliseconds. */
  orphanMs: number
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
  /** Per mesh being settled, queued or claimed: the paths it refers to, relative to incoming/. */
  readonly #references = new Map<string, Set<string>>()
  readonly #orphans: OrphanWatch
  #watcher: FSWatcher | undefined
  #rescan: NodeJS.Timeout | undefined

  constructor(context: Omit<JobContext, 'stableMs'>, timing: FolderTiming, queue: JobQueue) {
    this.#layout = context.layout
    this.#context = { ...context, stableMs: timing.stableMs }
    this.#timing = timing
    this.#queue = queue
    this.#orphans = new OrphanWatch({
      incoming: this.#layout.incoming,
      orphanMs: timing.orphanMs,
      logger: context.logger.child({ folder: this.#layout.root }),
      isAwaited: (name) => this.#isAwaited(name),
    })
  }

  /**
   * Creates the subfolders and takes the folder's lock. Throws FolderMissingError when the folder
   * does not exist and `create` is false, and FolderLockedError when another watcher holds it.
   */
  async lock(options: { create: boolean }): Promise<void> {
    await ensureLayout(this.#layout, options.create)
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
    watcher.on('unlink', (path) => this.#orphans.forget(basename(path)))
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
    this.#orphans.stop()
    await this.#watcher?.close()
  }

  /** Releases the folder's lock; call it once no job of the folder runs any more. */
  async release(): Promise<void> {
    await unlockFolder(this.#layout.root)
  }

  async #scan(): Promise<void> {
    try {
      const names = await readdir(this.#layout.incoming)
      this.#orphans.keepOnly(new Set(names))
      for (const name of names) this.#consider(name)
    } catch (error) {
      this.#context.logger.error({ folder: this.#layout.root, error: (error as Error).message }, 'cannot list incoming/')
    }
  }

  #consider(name: string): void {
    if (this.#context.signal.aborted || this.#tracked.has(name)) return
    switch (fileRole(name)) {
      case 'mesh':
        this.#tracked.add(name)
        void this.#settle(name)
        return
      case 'companion':
      case 'sidecar':
        this.#orphans.notice(name)
        return
      case 'unsupported':
        this.#tracked.add(name)
        void this.#rejectUnsupported(name)
        return
      case 'temporary':
        return
    }
  }

  /** Returns whether a mesh being settled, queued or claimed refers to `name` or has it as sidecar. */
  #isAwaited(name: string): boolean {
    if (name.toLowerCase().endsWith(SIDECAR_SUFFIX) && this.#tracked.has(name.slice(0, -SIDECAR_SUFFIX.length))) return true
    for (const references of this.#references.values()) if (references.has(name)) return true
    return false
  }

  #forget(name: string): void {
    this.#tracked.delete(name)
    this.#references.delete(name)
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
      this.#forget(name)
      return
    }
    const found = ready
    this.#queue.push(() => this.#runIfActive(() => this.#claimAndRun(found)))
  }

  async #waitUntilComplete(name: string): Promise<Ready | undefined> {
    const stable = this.#stableOptions()
    const state = await waitUntilStable(join(this.#layout.incoming, name), stable)
    if (!state) return undefined

    const references = new Set<string>()
    this.#references.set(name, references)
    const { present, missing } = await gatherCompanions(name, {
      incoming: this.#layout.incoming,
      timeoutMs: this.#timing.companionTimeoutMs,
      stable,
      logger: this.#context.logger.child({ folder: this.#layout.root }),
      onReference: (path) => references.add(path),
    })
    const sidecarName = `${name}${SIDECAR_SUFFIX}`
    const sidecar = await waitUntilStable(join(this.#layout.incoming, sidecarName), stable)
    return { file: name, state, companions: present, missing, sidecar: sidecar ? sidecarName : undefined }
  }

  /**
   * Moves a file the watcher cannot read to failed/ with an error.txt, once it is complete. A
   * file that a waiting mesh refers to stays, because it moves with that mesh.
   */
  async #rejectUnsupported(name: string): Promise<void> {
    try {
      const state = await waitUntilStable(join(this.#layout.incoming, name), this.#stableOptions())
      // Gone, or a folder: nothing to do.
      if (!state || this.#isAwaited(name)) return
      const sidecarName = `${name}${SIDECAR_SUFFIX}`
      const sidecar = (await readFileState(join(this.#layout.incoming, sidecarName))) ? sidecarName : undefined
      const job = await claim(this.#layout, { file: name, state, companions: [], missing: [], sidecar })
      await runJob(this.#context, job)
    } catch (error) {
      if (!this.#context.signal.aborted) {
        this.#context.logger.error({ folder: this.#layout.root, file: name, error: (error as Error).message },
          'cannot move the unsupported file to failed/; it is tried again at the next rescan')
      }
    } finally {
      this.#forget(name)
    }
  }

  /** Checks that the file is unchanged since it was found complete, claims it and runs the job. */
  async #claimAndRun(ready: Ready): Promise<void> {
    const current = await readFileState(join(this.#layout.incoming, ready.file)).catch(() => undefined)
    if (!current || !sameState(current, ready.state)) {
      this.#forget(ready.file)
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
      this.#forget(ready.file)
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
    return pollIntervalMs(this.#timing.stableMs)
  }
}
