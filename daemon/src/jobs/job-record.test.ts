import { describe, expect, it } from 'vitest'

import { DEFAULT_PARAMS } from '../../../protocol/src/params.js'
import { newJobRecord, toJobStatus } from './job-record.js'

const INPUT = { kind: 'file' as const, name: 'a.off', format: 'off', bytes: 1, file: 'input.off', resources: [] }

describe('toJobStatus', () => {
  it('rounds progress to 3 decimals', () => {
    const record = newJobRecord('AAAAAAAAAAAAAAAAAAAAAA', INPUT, DEFAULT_PARAMS, new Date())
    record.progress = 0.05 + 0.1
    record.stageProgress = 2 / 3
    expect(record.progress).not.toBe(0.15)

    const status = toJobStatus(record, null)
    expect(status.progress).toBe(0.15)
    expect(status.stageProgress).toBe(0.667)
    expect(JSON.stringify(status)).toContain('"progress":0.15,')
  })

  it('keeps 0 and 1 exact', () => {
    const record = newJobRecord('AAAAAAAAAAAAAAAAAAAAAA', INPUT, DEFAULT_PARAMS, new Date())
    expect(toJobStatus(record, 1).progress).toBe(0)
    record.progress = 1
    expect(toJobStatus(record, null).progress).toBe(1)
  })
})
