/**
 * The daemon's record of a job, persisted as job.json in the job's directory so jobs survive
 * restarts. File names in it are chosen by the daemon, never taken from a request.
 */
import type { FileInfo, JobState, JobStatus, StageName } from '../../../protocol/src/messages.js'
import type { SegmentParams } from '../../../protocol/src/params.js'
import { API_PREFIX, PROTOCOL_VERSION } from '../../../protocol/src/version.js'

export interface StoredError {
  /** Stable reason code sent to clients (PROTOCOL.md lists them). */
  code: string
  message: string
  /** Mesh loader's reason code for invalid-mesh. */
  reason?: string
  /** HTTP status of the result endpoint's error response. */
  status: number
}

export interface StoredFile {
  /** Name in the URL and on disk inside the job's files folder. */
  name: string
  format: string
  bytes: number
}

export interface StoredInput {
  /** A mesh file as uploaded, or mesh arrays re-encoded by the daemon. */
  kind: 'file' | 'arrays'
  /** The user's file or mesh name, for messages and the exports' names (see exportBaseName). */
  name: string
  /** Format the file is loaded as (obj, glb, ...), or the body's encoding (`msgpack`, `json`) for arrays. */
  format: string
  bytes: number
  /** Daemon-chosen name of the stored input inside the job's directory. */
  file: string
  /** Files the input refers to: the URI the mesh uses, and the daemon-chosen stored name. */
  resources: { uri: string; file: string }[]
}

export interface JobRecord {
  id: string
  state: JobState
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  expiresAt: string | null
  input: StoredInput
  params: SegmentParams
  stage: StageName | null
  progress: number
  stageProgress: number
  faces: number | null
  parts: number | null
  backend: string | null
  device: string | null
  timings: Partial<Record<StageName, number>>
  warnings: string[]
  error: StoredError | null
  files: StoredFile[]
}

/** Returns a queued record for new input. */
export function newJobRecord(id: string, input: StoredInput, params: SegmentParams, now: Date): JobRecord {
  return {
    id,
    state: 'queued',
    createdAt: now.toISOString(),
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
    input,
    params,
    stage: null,
    progress: 0,
    stageProgress: 0,
    faces: null,
    parts: null,
    backend: null,
    device: null,
    timings: {},
    warnings: [],
    error: null,
    files: [],
  }
}

/** URL path of a job's file download. */
export function fileUrl(jobId: string, name: string): string {
  return `${API_PREFIX}/jobs/${jobId}/files/${encodeURIComponent(name)}`
}

export function fileInfos(jobId: string, files: StoredFile[]): FileInfo[] {
  return files.map((file) => ({ ...file, url: fileUrl(jobId, file.name) }))
}

/** Converts a record to its wire form; `queuePosition` is 1-based among waiting jobs, null otherwise. */
export function toJobStatus(record: JobRecord, queuePosition: number | null): JobStatus {
  const { input } = record
  return {
    protocolVersion: PROTOCOL_VERSION,
    id: record.id,
    state: record.state,
    stage: record.stage,
    progress: roundProgress(record.progress),
    stageProgress: roundProgress(record.stageProgress),
    queuePosition,
    input: { name: input.name, format: input.format, bytes: input.bytes },
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    expiresAt: record.expiresAt,
    faces: record.faces,
    parts: record.parts,
    backend: record.backend,
    device: record.device,
    timings: record.timings,
    warnings: record.warnings,
    error: record.error ? wireError(record.error) : null,
    files: fileInfos(record.id, record.files),
  }
}

/** Rounds a fraction to 3 decimals, so sums of stage shares go out as 0.15, not 0.15000000000000002. */
function roundProgress(fraction: number): number {
  return Math.round(fraction * 1000) / 1000
}

function wireError(error: StoredError): { code: string; message: string; reason?: string } {
  return error.reason === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, reason: error.reason }
}
