import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { DEFAULT_PARAMS } from '../../../protocol/src/params.js'
import { newJobRecord } from './job-record.js'
import { isJobId, isStoredName, JobStore, newJobId } from './job-store.js'

async function newStore(): Promise<JobStore> {
  return new JobStore(join(await mkdtemp(join(tmpdir(), 'partfield-store-')), 'jobs'))
}

describe('JobStore', () => {
  it('keeps the last of many overlapping saves', async () => {
    const store = await newStore()
    const id = newJobId()
    await store.create(id)
    const input = { kind: 'file' as const, name: 'a.off', format: 'off', bytes: 1, file: 'input.off', resources: [] }
    const record = newJobRecord(id, input, DEFAULT_PARAMS, new Date())
    const saves = []
    for (let i = 1; i <= 50; i++) {
      record.progress = i / 50
      saves.push(store.save(record))
    }
    await Promise.all(saves)
    const stored = JSON.parse(await readFile(join(store.dirOf(id), 'job.json'), 'utf8')) as { progress: number }
    expect(stored.progress).toBe(1)
    expect(await readdir(store.dirOf(id))).not.toContain('job.json.tmp')
  })

  it('builds paths only from ids and daemon names', async () => {
    const store = await newStore()
    expect(() => store.dirOf('../etc')).toThrow('not a job id: "../etc"')
    expect(() => store.pathOf(newJobId(), '../job.json')).toThrow(/not a stored file name/)
    expect(() => store.pathOf(newJobId(), '.hidden')).toThrow(/not a stored file name/)
  })

  it('generates distinct 22-character ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newJobId))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(isJobId(id)).toBe(true)
    expect(isStoredName('model.parts.glb')).toBe(true)
    expect(isStoredName('a/b')).toBe(false)
  })
})
