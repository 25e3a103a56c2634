/**
 * Sends each file to a partfield-bridge daemon: a multipart upload with the file's companions as
 * `resource` parts, status polling until the job ends, then the exports downloaded into the job
 * folder. The daemon's job id is saved as the checkpoint, so a watcher restarted mid-job picks up
 * the same daemon job instead of computing it again.
 */
import { lstat, readFile, rename, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'

import type { Logger } from 'pino'

import { fileHasOurSignature } from '../../daemon/src/export/signature.js'
import { writeTemporaryFor } from '../../daemon/src/export/temporary-file.js'
import type { JobStatus } from '../../protocol/src/messages.js'
import { parseJobStatus } from '../../protocol/src/responses.js'
import { DaemonClient, DaemonError } from './daemon-client.js'
import { daemonJobSeconds, kindFromLabelsHead, LABELS_HEAD_BYTES, readFileHead, readResponseHead } from './daemon-job-facts.js'
import { failureFromFacts, JobFailure } from './job-failure.js'
import { pause } from './pause.js'
import type { ProcessRequest, Processor, ProcessSummary } from './processor.js'

const POLL_MS = 500
/** How often a job the daemon lost to its own crash ('interrupted') is submitted again. */
const MAX_RESUBMITS = 1

export interface HttpProcessorOptions {
  url: string
  token?: string
  logger: Logger
  /** Overrides the first retry pause, for tests. */
  firstBackoffMs?: number
}

export class HttpProcessor implements Processor {
  readonly description: string
  readonly #client: DaemonClient
  readonly #logger: Logger

  constructor(options: HttpProcessorOptions) {
    this.#client = new DaemonClient(options)
    this.#logger = options.logger
    this.description = this.#client.url
  }

  /** Checks that the daemon responds and accepts the token; throws DaemonError or a network error. */
  async checkConnection(): Promise<void> {
    await this.#client.once('/v1/health')
  }

  async process(request: ProcessRequest): Promise<ProcessSummary> {
    let jobId = request.checkpoint
    // True while the job being followed is one that an earlier run of the watcher submitted.
    let resumed = jobId !== undefined
    for (let resubmits = 0; ; ) {
      if (jobId === undefined) {
        jobId = await this.#submit(request)
        resumed = false
        await request.saveCheckpoint(jobId)
      }
      const status = await this.#waitForEnd(jobId, request.signal)
      if (status === undefined) {
        // The daemon has no such job any more (its data folder was cleared, or the job expired).
        jobId = undefined
        continue
      }
      if (status.state === 'succeeded') return this.#collect(status, request, resumed)

      const error = status.error ?? { code: status.state, message: `the daemon ${status.state} the job` }
      if (error.code === 'interrupted' && resubmits < MAX_RESUBMITS) {
        this.#logger.warn({ daemon: this.description, jobId, file: request.file }, 'daemon stopped during the job; submitting it again')
        resubmits++
        jobId = undefined
        continue
      }
      if (error.code === 'interrupted') throw new JobFailure('interrupted', `the daemon stopped while processing this file: ${error.message}`)
      throw failureFromFacts({ name: 'DaemonError', message: error.message, code: error.code, reason: error.reason })
    }
  }

  async close(): Promise<void> {}

  async #submit(request: ProcessRequest): Promise<string> {
    const mesh = await readFile(join(request.dir, request.file))
    const resources = await Promise.all(request.companions.map(async (name) => [name, await readFile(join(request.dir, name))] as const))
    const form = () => {
      const body = new FormData()
      body.append('file', new Blob([mesh]), request.file)
      for (const [name, bytes] of resources) body.append('resource', new Blob([bytes]), name)
      body.append('params', JSON.stringify(request.params))
      return body
    }

    try {
      const response = await this.#client.call('/v1/segment', { method: 'POST', body: form }, request.signal)
      const status = parseJobStatus(await response.json())
      this.#logger.debug({ daemon: this.description, jobId: status.id, file: request.file }, 'submitted')
      return status.id
    } catch (error) {
      throw asFailure(error)
    }
  }

  /** Polls the job until it ends. Returns undefined when the daemon responds 404 for it. */
  async #waitForEnd(jobId: string, signal: AbortSignal): Promise<JobStatus | undefined> {
    for (;;) {
      let status: JobStatus
      try {
        status = parseJobStatus(await (await this.#client.call(`/v1/jobs/${jobId}`, {}, signal)).json())
      } catch (error) {
        if (error instanceof DaemonError && error.status === 404) return undefined
        throw asFailure(error)
      }
      if (status.state !== 'queued' && status.state !== 'running') return status
      await pause(POLL_MS, signal)
    }
  }

  /** Downloads the requested formats, named after the input, then deletes the daemon's copy. */
  async #collect(status: JobStatus, request: ProcessRequest, resumed: boolean): Promise<ProcessSummary> {
    const downloadStart = performance.now()
    const files: string[] = []
    for (const file of status.files) {
      if (!request.formats.includes(file.format as ProcessRequest['formats'][number])) continue
      const name = localName(file.name)
      let response: Response
      try {
        response = await this.#client.call(file.url, {}, request.signal)
      } catch (error) {
        throw asFailure(error)
      }
      await installDownload(join(request.dir, name), new Uint8Array(await response.arrayBuffer()))
      files.push(name)
    }
    const kind = await this.#inputKind(status, request, files)

    try {
      await this.#client.once(`/v1/jobs/${status.id}`, { method: 'DELETE' })
    } catch (error) {
      // The daemon deletes finished jobs on its own after its time to live, so this only wastes disk for a while.
      this.#logger.warn({ daemon: this.description, jobId: status.id, error: (error as Error).message }, 'could not delete the finished job on the daemon')
    }
    const downloadSeconds = (performance.now() - downloadStart) / 1000
    return {
      kind,
      faces: status.faces ?? 0,
      parts: status.parts ?? 0,
      backend: status.backend ?? 'unknown',
      device: status.device ?? 'unknown',
      files,
      warnings: status.warnings,
      timings: { ...status.timings } as Record<string, number>,
      ...(resumed ? { resumedSeconds: daemonJobSeconds(status) + downloadSeconds } : {}),
    }
  }

  /**
   * Returns whether the daemon segmented a mesh or a point cloud. The status does not say, but
   * labels.json does. Only a PLY file can be a point cloud, so other inputs need no look.
   */
  async #inputKind(status: JobStatus, request: ProcessRequest, downloaded: readonly string[]): Promise<'mesh' | 'points'> {
    const labels = status.files.find((file) => file.format === 'labels')
    if (status.input.format !== 'ply' || !labels) return 'mesh'

    const name = localName(labels.name)
    let head: string
    try {
      if (downloaded.includes(name)) {
        head = await readFileHead(join(request.dir, name), LABELS_HEAD_BYTES)
      } else {
        head = await readResponseHead(await this.#client.call(labels.url, {}, request.signal), LABELS_HEAD_BYTES)
      }
    } catch (error) {
      throw asFailure(error)
    }
    return kindFromLabelsHead(head) ?? 'mesh'
  }
}

/**
 * Keeps the daemon's file name (`chair.parts.obj` for an upload named `chair.obj`): the OBJ's
 * `mtllib` line names its MTL file that way, so renaming either would lose the materials.
 */
function localName(remoteName: string): string {
  return basename(remoteName)
}

/**
 * Writes a download beside its final name, then renames it into place. An existing file is
 * replaced only when it carries our signature (a download of an earlier, interrupted run).
 */
async function installDownload(path: string, data: Uint8Array): Promise<void> {
  const temporary = await writeTemporaryFor(path, data)
  try {
    if (await existsAndNotOurs(path)) {
      throw new JobFailure('output-exists', `will not overwrite ${path}: the file came with the mesh, not from this program`)
    }
    await rename(temporary, path)
  } finally {
    await rm(temporary, { force: true })
  }
}

async function existsAndNotOurs(path: string): Promise<boolean> {
  try {
    const stats = await lstat(path)
    if (!stats.isFile()) return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  return !(await fileHasOurSignature(path))
}

/** Maps a DaemonError for the file to JobFailure; aborts and other errors pass unchanged. */
function asFailure(error: unknown): unknown {
  if (!(error instanceof DaemonError)) return error
  return failureFromFacts({ name: 'DaemonError', message: error.message, code: error.code, reason: error.reason })
}
