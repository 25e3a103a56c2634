/**
 * The interface between the folder logic and whatever segments a file: the pipeline in this
 * process, or a daemon over HTTP. Claims, moves and failures do not depend on which one runs.
 */
import type { SegmentParams } from '../../protocol/src/params.js'
import type { ExportFormat } from '../../daemon/src/export/write-exports.js'

export interface ProcessRequest {
  /** The job folder, which contains the mesh and its companions and receives the outputs. */
  dir: string
  /** The mesh file, relative to `dir`. */
  file: string
  /** Files the mesh refers to, relative to `dir`. */
  companions: readonly string[]
  /** Stem of every output name: `chair` gives chair.parts.glb, chair.labels.json, … */
  baseName: string
  params: SegmentParams
  formats: readonly ExportFormat[]
  /** The value `saveCheckpoint` stored during an earlier, interrupted run of this job. */
  checkpoint?: string
  /** Stores state that lets a later run resume this job (persisted in the job's manifest). */
  saveCheckpoint(checkpoint: string): Promise<void>
  /** Aborted when the watcher stops; the job then stays in processing/ and resumes at the next start. */
  signal: AbortSignal
}

/** Result facts of a finished job, for the summary line and the manifest. */
export interface ProcessSummary {
  /** `points` for a PLY without faces, segmented point by point. */
  kind: 'mesh' | 'points'
  /** Source faces (points for a point cloud). */
  faces: number
  parts: number
  backend: string
  device: string
  /** Output file names written into the job folder. */
  files: string[]
  warnings: string[]
  /** Milliseconds per pipeline stage. */
  timings: Record<string, number>
  /**
   * Seconds of the whole job when a stopped watcher's run started it: the daemon job's time from
   * submission to end plus this run's downloads. Absent when this run did all the work.
   */
  resumedSeconds?: number
}

/**
 * Segments one file and writes its outputs into the job folder. Problems of the file or its
 * parameters reject with JobFailure; a stop of the watcher rejects with the signal's reason.
 * Anything else (a daemon that cannot be reached) is retried by the implementation itself.
 */
export interface Processor {
  /** Place of the work, for logs: `in-process` or the daemon's URL. */
  readonly description: string
  process(request: ProcessRequest): Promise<ProcessSummary>
  close(): Promise<void>
}
