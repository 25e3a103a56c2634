import { afterEach, describe, expect, it } from 'vitest'

import { startDaemon, type TestDaemon } from './test-daemon.js'
import { getResult, getStatus, pollUntil, submitFile } from './test-client.js'
import { toOff, twoBoxes } from './test-meshes.js'

const SMALL = toOff(twoBoxes(3))
// Large enough that the job is still computing when the daemon is stopped.
const SLOW = toOff(twoBoxes(40))

const daemons: TestDaemon[] = []
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop()
})

async function start(dataDir?: string): Promise<TestDaemon> {
  const daemon = await startDaemon({ dataDir, args: ['--no-warm-up'] })
  daemons.push(daemon)
  return daemon
}

describe('restart', () => {
  it('survives kill -9 during a job', async () => {
    const first = await start()
    const done = await submitFile(first.url, 'done.off', SMALL, { n_clusters: 3 })
    await pollUntil(first.url, done.id)
    const before = await getResult(first.url, done.id)

    const interrupted = await submitFile(first.url, 'slow.off', SLOW, { n_clusters: 3 })
    const waiting = await submitFile(first.url, 'next.off', SMALL, { n_clusters: 2 })
    await pollUntil(first.url, interrupted.id, ['running'])
    expect((await getStatus(first.url, waiting.id)).state).toBe('queued')
    await first.kill()

    const second = await start(first.dataDir)
    // the killed daemon's lock is stale, so the new daemon takes it over and logs that
    const takeOver = second.logs.find((entry) => entry.msg === 'took over the data folder lock of a daemon that is no longer running')
    expect(takeOver?.previousPid).toBe(first.child.pid)

    // the finished job still downloads
    const after = await getResult(second.url, done.id)
    expect(after.labels).toEqual(before.labels)
    for (const file of after.files) {
      const response = await fetch(`${second.url}${file.url}`)
      expect(response.status, file.name).toBe(200)
      expect((await response.arrayBuffer()).byteLength, file.name).toBe(file.bytes)
    }

    // the interrupted one is reported failed, not silently lost
    const failed = await getStatus(second.url, interrupted.id)
    expect(failed.state).toBe('failed')
    expect(failed.error?.code).toBe('interrupted')
    expect((await fetch(`${second.url}/v1/jobs/${interrupted.id}/result`)).status).toBe(500)

    // the queue continues: the waiting job runs, and new jobs are accepted
    expect((await pollUntil(second.url, waiting.id)).state).toBe('succeeded')
    const fresh = await submitFile(second.url, 'fresh.off', SMALL, { n_clusters: 2 })
    expect((await pollUntil(second.url, fresh.id)).state).toBe('succeeded')
  })

  it('re-runs a running job after a graceful stop', async () => {
    const first = await start()
    const job = await submitFile(first.url, 'slow.off', SLOW, { n_clusters: 3 })
    await pollUntil(first.url, job.id, ['running'])
    await first.stop()

    const second = await start(first.dataDir)
    const done = await pollUntil(second.url, job.id, undefined, 120_000)
    expect(done.state).toBe('succeeded')
    expect(done.parts).toBe(3)
  })
})
