/** Messages between the watcher and its pipeline worker threads (structured-clone values). */
import type { ExportFormat } from '../../daemon/src/export/write-exports.js'
import type { SegmentParams } from '../../protocol/src/params.js'
import type { ErrorFacts } from './job-failure.js'
import type { ProcessSummary } from './processor.js'

export interface PipelineTask {
  dir: string
  file: string
  baseName: string
  params: SegmentParams
  formats: readonly ExportFormat[]
  maxFaces: number
}

export type ToPipelineWorker = { type: 'run'; task: PipelineTask }

export type FromPipelineWorker =
  | { type: 'done'; summary: ProcessSummary }
  | { type: 'failed'; error: ErrorFacts }
