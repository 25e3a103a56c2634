import { describe, expect, it } from 'vitest'

import type { JobStatus } from '../../protocol/src/messages.js'
import { daemonJobSeconds, kindFromLabelsHead } from './daemon-job-facts.js'

const HEAD = `{
  "generator": "partfield-bridge",
  "formatVersion": 1,
  "source": {
    "name": "scan \\"labels\\": x.ply",
    "format": "ply",
    "kind": "points"
  },
  "faceCount": 0,
  "pointCount": 7500,
  "labels": [0,1,0,`

describe('kindFromLabelsHead', () => {
  it('reads the kind before the labels', () => {
    expect(kindFromLabelsHead(HEAD)).toBe('points')
    expect(kindFromLabelsHead(HEAD.replace('"points"', '"mesh"'))).toBe('mesh')
  })

  it('returns undefined for a head without labels or kind', () => {
    expect(kindFromLabelsHead(HEAD.slice(0, 60))).toBeUndefined()
    expect(kindFromLabelsHead('{"generator": "x", "labels": []}')).toBeUndefined()
    expect(kindFromLabelsHead('not json "labels": [')).toBeUndefined()
  })
})

describe('daemonJobSeconds', () => {
  const status = (fields: Partial<JobStatus>) => ({ createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, timings: {}, ...fields }) as JobStatus

  it('measures from submission to end', () => {
    expect(daemonJobSeconds(status({ finishedAt: '2026-01-01T00:00:04.250Z' }))).toBe(4.25)
  })

  it('falls back to the stage timings', () => {
    expect(daemonJobSeconds(status({ timings: { load: 500, features: 1500 } }))).toBe(2)
    expect(daemonJobSeconds(status({ createdAt: 'soon', finishedAt: '2026-01-01T00:00:01Z', timings: { load: 250 } }))).toBe(0.25)
  })
})
