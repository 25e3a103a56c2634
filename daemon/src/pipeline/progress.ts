import type { Stage } from './segmentation.js'

/** One progress report: the stage, how far it is, and how far the whole job is. */
export interface ProgressEvent {
  stage: Stage
  /** Fraction of this stage done, 0..1. */
  fraction: number
  /** Fraction of the whole segmentation done, 0..1. */
  overall: number
  message?: string
}

// Rough shares of a typical job's time, so the overall bar moves evenly; features dominate.
const STAGE_SHARE: Record<Stage, number> = {
  load: 0.05,
  prepare: 0.1,
  features: 0.55,
  cluster: 0.2,
  pca: 0.05,
  export: 0.05,
}
const STAGE_ORDER: Stage[] = ['load', 'prepare', 'features', 'cluster', 'pca', 'export']

/** Converts a stage-local fraction into an event with the job's overall fraction. */
export function progressEvent(stage: Stage, fraction: number, message?: string): ProgressEvent {
  const clamped = Math.min(1, Math.max(0, fraction))
  let before = 0
  for (const s of STAGE_ORDER) {
    if (s === stage) break
    before += STAGE_SHARE[s]
  }
  const overall = Math.min(1, before + STAGE_SHARE[stage] * clamped)
  return message === undefined ? { stage, fraction: clamped, overall } : { stage, fraction: clamped, overall, message }
}
