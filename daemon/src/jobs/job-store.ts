/**
 * The jobs folder on disk: one directory per job, named by its random id, holding job.json, the
 * input, the stored segmentation and the exported files. Every path is built from a validated
 * job id and names the daemon chose, never from request text.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { JOB_STATES } from '../../../protocol/src/messages.js'
import type { JobRecord } from './job-record.js'

/** 16 random bytes: 128 bits, so ids cannot be guessed or enumerated. */
const ID_BYTES = 16
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/
/**
 * Stored file names the daemon writes. Exports carry the input's name, so letters of any script
 * and spaces occur. Any other name in job.json is treated as corrupt.
 */
const STORED_NAME = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} ._()+,-]{0,127}$/u
const RECORD_FILE = 'job.json'
export const FILES_DIR = 'files'

export function newJobId(): string {
  return randomBytes(ID_BYTES).toString('base64url')
}

export function isJobId(value: string): boolean {
  return ID_PATTERN.test(value)
}

/** True for a name the daemon could have chosen for a stored file (no separators, no dot first). */
export function isStoredName(value: string): boolean {
  return STORED_NAME.test(value) && !value.includes('..')
}

/** A job record found at startup, or the reason its directory was unusable. */
export type ScannedJob = { ok: true; record: JobRecord } | { ok: false; id: string; reason: string }

export class JobStore {
  readonly root: string
  readonly #saving = new Map<string, Promise<void>>()

  constructor(root: string) {
    this.root = root
  }

  /** Path of a job's directory; throws for anything that is not a job id. */
  dirOf(id: string): string {
    if (!isJobId(id)) throw new Error(`not a job id: ${JSON.stringify(id)}`)
    return join(this.root, id)
  }

  /** Path of a daemon-named file inside a job's directory or its files folder. */
  pathOf(id: string, name: string, folder?: typeof FILES_DIR): string {
    if (!isStoredName(name)) throw new Error(`not a stored file name: ${JSON.stringify(name)}`)
    return folder ? join(this.dirOf(id), folder, name) : join(this.dirOf(id), name)
  }

  async create(id: string): Promise<string> {
    const dir = this.dirOf(id)
    await mkdir(join(dir, FILES_DIR), { recursive: true })
    return dir
  }

  /**
   * Writes job.json through a temporary file and a rename, so a crash never leaves half a record.
   * Saves of one job run one after the other in call order, each with the record as it was when
   * save was called, so two saves never share the temporary file.
   */
  save(record: JobRecord): Promise<void> {
    const { id } = record
    const text = JSON.stringify(record, null, 1)
    const previous = this.#saving.get(id) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(() => this.#write(id, text))
    this.#saving.set(id, next)
    const forget = () => {
      if (this.#saving.get(id) === next) this.#saving.delete(id)
    }
    next.then(forget, forget)
    return next
  }

  async #write(id: string, text: string): Promise<void> {
    const dir = this.dirOf(id)
    const temporary = join(dir, `${RECORD_FILE}.tmp`)
    await writeFile(temporary, text)
    await rename(temporary, join(dir, RECORD_FILE))
  }

  /** Deletes a job's directory once its pending saves have finished. */
  async remove(id: string): Promise<void> {
    await this.#saving.get(id)?.catch(() => {})
    await rm(this.dirOf(id), { recursive: true, force: true })
  }

  /** Reads every job directory; directories without a readable record are reported, not thrown. */
  async scan(): Promise<ScannedJob[]> {
    await mkdir(this.root, { recursive: true })
    const entries = await readdir(this.root, { withFileTypes: true })
    const scanned: ScannedJob[] = []
    for (const entry of entries) {
      if (!entry.isDirectory() || !isJobId(entry.name)) continue
      scanned.push(await this.#read(entry.name))
    }
    return scanned
  }

  async #read(id: string): Promise<ScannedJob> {
    let text: string
    try {
      text = await readFile(join(this.dirOf(id), RECORD_FILE), 'utf8')
    } catch {
      return { ok: false, id, reason: 'no job.json (the daemon stopped while receiving the upload)' }
    }
    try {
      const record = JSON.parse(text) as JobRecord
      const problem = checkRecord(record, id)
      return problem ? { ok: false, id, reason: problem } : { ok: true, record }
    } catch (error) {
      return { ok: false, id, reason: `unreadable job.json: ${(error as Error).message}` }
    }
  }
}

function checkRecord(record: JobRecord, id: string): string | undefined {
  if (record.id !== id) return `job.json names job ${JSON.stringify(record.id)}`
  if (!JOB_STATES.includes(record.state)) return `unknown state ${JSON.stringify(record.state)}`
  const names = [record.input?.file, ...(record.input?.resources ?? []).map((r) => r.file), ...(record.files ?? []).map((f) => f.name)]
  const bad = names.find((name) => typeof name !== 'string' || !isStoredName(name))
  return bad === undefined ? undefined : `job.json lists a file name the daemon never writes: ${JSON.stringify(bad)}`
}
