/** Messages between the daemon's event loop and its compute workers (structured-clone values). */
import type { StageName } from '../../../protocol/src/messages.js'
import type { Method, SegmentParams } from '../../../protocol/src/params.js'
import type { ModelReport } from '../features/select-backend.js'
import type { StoredFile, StoredInput } from './job-record.js'

/** Segment a stored input and write the result, the stored segmentation and the exports. */
export interface SegmentTask {
  type: 'segment'
  jobId: string
  /** The job's directory; the worker only opens daemon-chosen names inside it. */
  dir: string
  input: StoredInput
  params: SegmentParams
  /** Stem of the exported files' names. */
  baseName: string
  modelPath: string
  maxFaces: number
}

/** Re-cut a finished job from its stored segmentation and rewrite the result and exports. */
export interface RecutTask {
  type: 'recut'
  jobId: string
  dir: string
  /** Stem of the exported files' names. */
  baseName: string
  k: number
  method?: Method
}

/** Load the default backend ahead of the first job, so /health can report the device. */
export interface WarmupTask {
  type: 'warmup'
  modelPath: string
}

export type WorkerTask = SegmentTask | RecutTask | WarmupTask

/** Summary of a finished segment or recut; the full result stays on disk. */
export interface TaskSummary {
  faces: number
  triangles: number
  parts: number
  backend: string
  device: string
  timings: Partial<Record<StageName, number>>
  warnings: string[]
  files: StoredFile[]
  /** The PartField model's state, when the job looked at it (backend auto or partfield). */
  model?: ModelReport
}

export interface WarmupSummary {
  backend: string
  device: string
  model?: ModelReport
}

/** An error crossing the thread boundary: enough to classify it and show its message. */
export interface WorkerFailure {
  name: string
  message: string
  /** MeshParseError's reason code, ParamError's field, or a Node error code. */
  code?: string
  field?: string
  stack?: string
  /** The PartField model's state, when an explicit backend=partfield could not load it. */
  model?: ModelReport
}

export type ToWorker = { type: 'run'; taskId: number; task: WorkerTask } | { type: 'abort'; taskId: number }

export type FromWorker =
  | { type: 'progress'; taskId: number; stage: StageName; fraction: number; overall: number }
  | { type: 'done'; taskId: number; summary: TaskSummary | WarmupSummary }
  | { type: 'failed'; taskId: number; failure: WorkerFailure }
