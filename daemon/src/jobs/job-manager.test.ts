import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'

import { DEFAULT_PARAMS } from '../../../protocol/src/params.js'
import { JobManager } from './job-manager.js'
import { newJobRecord, type JobRecord } from './job-record.js'
import { JobStore, newJobId } from './job-store.js'

const managers: JobManager[] = []
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close()
})

async function setUp(ttlMs = 1000): Promise<{ store: JobStore; manager: JobManager }> {
  const store = new JobStore(join(await mkdtemp(join(tmpdir(), 'partfield-jobs-')), 'jobs'))
  // concurrency 0 keeps restored jobs waiting, so these tests never start a worker
  const manager = new JobManager({
    store, logger: pino({ level: 'silent' }), concurrency: 0, maxQueued: 4, ttlMs, modelPath: '/none', maxFaces: 100,
  })
  managers.push(manager)
  return { store, manager }
}

async function writeJob(store: JobStore, change: Partial<JobRecord>, createdAt = new Date()): Promise<JobRecord> {
  const id = newJobId()
  await store.create(id)
  const input = { kind: 'file' as const, name: 'a.off', format: 'off', bytes: 1, file: 'input.off', resources: [] }
  const record = { ...newJobRecord(id, input, DEFAULT_PARAMS, createdAt), ...change }
  await store.save(record)
  return record
}

describe('JobManager.restore', () => {
  it('fails interrupted jobs and re-queues waiting ones in order', async () => {
    const { store, manager } = await setUp()
    const running = await writeJob(store, { state: 'running', startedAt: new Date().toISOString() })
    const later = await writeJob(store, {}, new Date(Date.now() + 1000))
    const earlier = await writeJob(store, {}, new Date(Date.now() - 1000))
    const done = await writeJob(store, { state: 'succeeded', finishedAt: new Date().toISOString() })

    await manager.restore(await store.scan())
    expect(manager.get(running.id)?.state).toBe('failed')
    expect(manager.get(running.id)?.error?.code).toBe('interrupted')
    expect(manager.queuePosition(earlier.id)).toBe(1)
    expect(manager.queuePosition(later.id)).toBe(2)
    expect(manager.get(done.id)?.state).toBe('succeeded')

    const [reloaded] = (await store.scan()).filter((s) => s.ok && s.record.id === running.id)
    expect(reloaded.ok).toBe(true)
    expect(reloaded.ok && reloaded.record.state).toBe('failed')
  })

  it('removes directories without a usable job.json', async () => {
    const { store, manager } = await setUp()
    const empty = newJobId()
    await mkdir(store.dirOf(empty), { recursive: true })
    const forged = await writeJob(store, {})
    await writeFile(join(store.dirOf(forged.id), 'job.json'), JSON.stringify({ ...forged, input: { ...forged.input, file: '../../etc/passwd' } }))

    await manager.restore(await store.scan())
    expect(manager.get(forged.id)).toBeUndefined()
    expect(await readdir(store.root)).toEqual([])
  })
})

describe('JobManager.sweepExpired', () => {
  it('deletes finished jobs past their expiry only', async () => {
    const { store, manager } = await setUp()
    const past = new Date(Date.now() - 1000).toISOString()
    const future = new Date(Date.now() + 60_000).toISOString()
    const expired = await writeJob(store, { state: 'succeeded', finishedAt: past, expiresAt: past })
    const kept = await writeJob(store, { state: 'failed', finishedAt: past, expiresAt: future })
    const waiting = await writeJob(store, {})
    await manager.restore(await store.scan())

    expect(await manager.sweepExpired()).toBe(1)
    expect(manager.get(expired.id)).toBeUndefined()
    expect(manager.get(kept.id)).toBeDefined()
    expect(manager.get(waiting.id)).toBeDefined()
    expect((await readdir(store.root)).sort()).toEqual([kept.id, waiting.id].sort())
  })
})

describe('JobManager.checkRoom', () => {
  it('rejects when the waiting list is full', async () => {
    const { store, manager } = await setUp()
    for (let i = 0; i < 4; i++) await writeJob(store, {})
    await manager.restore(await store.scan())
    expect(() => manager.checkRoom()).toThrow(/the job queue is full \(4 jobs waiting\); retry in about 10 s/)
  })
})
