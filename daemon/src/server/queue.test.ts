import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startDaemon, type TestDaemon } from './test-daemon.js'
import { getStatus, pollUntil, postFile, readEvents, submitFile } from './test-client.js'
import { toOff, twoBoxes } from './test-meshes.js'

const SMALL = toOff(twoBoxes(2))
const SLOW = toOff(twoBoxes(40))

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startDaemon({ args: ['--max-queue', '1'] })
})
afterAll(() => daemon.stop())

describe('queue', () => {
  it('answers 429 with Retry-After when the queue is full', async () => {
    const running = await submitFile(daemon.url, 'slow.off', SLOW, { n_clusters: 2 })
    const waiting = await submitFile(daemon.url, 'small.off', SMALL, { n_clusters: 2 })
    expect(waiting.queuePosition).toBe(1)

    const refused = await postFile(daemon.url, 'small.off', SMALL, { n_clusters: 2 })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await refused.json()).toMatchObject({ error: { code: 'queue-full' } })

    expect((await pollUntil(daemon.url, running.id, undefined, 120_000)).state).toBe('succeeded')
    expect((await pollUntil(daemon.url, waiting.id)).state).toBe('succeeded')
  })

  it('cancels a running job and runs the next one', async () => {
    const job = await submitFile(daemon.url, 'slow.off', SLOW, { n_clusters: 2 })
    const next = await submitFile(daemon.url, 'small.off', SMALL, { n_clusters: 2 })
    await pollUntil(daemon.url, job.id, ['running'])
    const events = readEvents(daemon.url, job.id)

    const started = Date.now()
    const response = await fetch(`${daemon.url}/v1/jobs/${job.id}`, { method: 'DELETE' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: job.id, state: 'cancelled' })
    expect(Date.now() - started).toBeLessThan(10_000)

    expect((await fetch(`${daemon.url}/v1/jobs/${job.id}`)).status).toBe(404)
    const { events: seen } = await events
    expect(seen[seen.length - 1].state).toBe('cancelled')
    expect((await pollUntil(daemon.url, next.id)).state).toBe('succeeded')
  })

  it('keeps a job running when a waiting client hangs up', async () => {
    const controller = new AbortController()
    const search = new URLSearchParams({ filename: 'slow.off', wait: '1', n_clusters: '2' })
    const request = fetch(`${daemon.url}/v1/segment?${search}`, { method: 'POST', body: SLOW, signal: controller.signal })
    const deadline = Date.now() + 30_000
    let health = await (await fetch(`${daemon.url}/v1/health`)).json() as { queue: { running: number } }
    while (health.queue.running === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      health = await (await fetch(`${daemon.url}/v1/health`)).json() as { queue: { running: number } }
    }
    controller.abort()
    await expect(request).rejects.toThrow()

    const logged = () => daemon.logs.find((entry) => entry.msg === 'client disconnected while waiting; the job continues')
    while (!logged() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const jobId = logged()!.jobId as string
    expect((await pollUntil(daemon.url, jobId, undefined, 120_000)).state).toBe('succeeded')
  })

  it('cancels a queued job', async () => {
    const running = await submitFile(daemon.url, 'slow.off', SLOW, { n_clusters: 2 })
    const queued = await submitFile(daemon.url, 'small.off', SMALL, { n_clusters: 2 })
    expect((await getStatus(daemon.url, queued.id)).state).toBe('queued')
    expect((await fetch(`${daemon.url}/v1/jobs/${queued.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await fetch(`${daemon.url}/v1/jobs/${queued.id}`)).status).toBe(404)
    expect((await fetch(`${daemon.url}/v1/jobs/${running.id}`, { method: 'DELETE' })).status).toBe(200)
  })
})
