import { describe, expect, it } from 'vitest'

import type { JobStatus } from '../../../protocol/src/messages.js'
import { describeJobProgress } from './status-view.js'

function running(stageProgress: number, progress: number): JobStatus {
  return {
    protocolVersion: 1, id: 'j1', state: 'running', stage: 'features', progress, stageProgress, queuePosition: null,
    input: { name: 'a.obj', format: 'obj', bytes: 10 }, createdAt: '', startedAt: null, finishedAt: null, expiresAt: null,
    faces: null, parts: null, backend: null, device: null, timings: {}, warnings: [], error: null, files: [],
  }
}

describe('describeJobProgress', () => {
  it('shows no 0% for a stage without progress', () => {
    const shown = describeJobProgress(running(0, 0.2))!
    expect(shown.text).toBe('Stage 3 of 6, features: computing the feature field…')
    expect(shown.fraction).toBeUndefined()
  })

  it('shows the stage percentage once reported', () => {
    const shown = describeJobProgress(running(0.5, 0.4))!
    expect(shown.text).toBe('Stage 3 of 6, features: computing the feature field (50%)')
    expect(shown.fraction).toBeCloseTo(0.46, 6)
  })

  it('gives the queue position', () => {
    const queued = { ...running(0, 0), state: 'queued' as const, stage: null, queuePosition: 2 }
    expect(describeJobProgress(queued)).toEqual({ text: 'Waiting for the daemon, position 2 in the queue', fraction: 0.1 })
  })
})
