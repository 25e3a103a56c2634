import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { HealthResponse } from '../../../protocol/src/messages.js'
import { startDaemon, type TestDaemon } from './test-daemon.js'
import { peek, postFile, readResult } from './test-client.js'
import { toOff, twoBoxes } from './test-meshes.js'

const REQUESTS = 50
const MB = 1024 * 1024
/** Allowed growth of the daemon's resident memory after the burst, over its warmed-up baseline. */
const RSS_SLACK_BYTES = 150 * MB

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startDaemon({ args: ['--max-queue', '4'] })
})
afterAll(() => daemon.stop())

async function health(): Promise<HealthResponse> {
  return (await (await fetch(`${daemon.url}/v1/health`)).json()) as HealthResponse
}

describe('load', () => {
  it('finishes or refuses each of 50 concurrent requests', async () => {
    const mesh = toOff(twoBoxes(3))
    // one job first, so the baseline includes a warmed-up worker
    const warm = await postFile(daemon.url, 'warm.off', mesh, { wait: 1 })
    expect(warm.status).toBe(200)
    const baseline = (await health()).memory.rssBytes

    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => postFile(daemon.url, `m${i}.off`, mesh, { wait: 1, n_clusters: 2 + (i % 4) })),
    )
    const statuses = responses.map((r) => r.status)
    for (const response of responses) {
      expect([200, 429], await peek(response)).toContain(response.status)
    }

    const finished = responses.filter((r) => r.status === 200)
    const results = await Promise.all(finished.map((r) => readResult(r)))
    const ids = new Set(results.map((r) => r.jobId))
    expect(ids.size).toBe(finished.length)
    for (const result of results) expect(result.labels.length).toBe(twoBoxes(3).faces.length)
    expect(finished.length).toBeGreaterThan(0)

    const after = await health()
    expect(after.jobs).toBe(finished.length + 1)
    expect(after.queue).toMatchObject({ running: 0, queued: 0 })
    const growth = after.memory.rssBytes - baseline
    process.stdout.write(
      `load: ${finished.length} finished, ${statuses.filter((s) => s === 429).length} refused with 429; ` +
        `rss ${Math.round(baseline / MB)} MB before, ${Math.round(after.memory.rssBytes / MB)} MB after\n`,
    )
    expect(growth).toBeLessThan(RSS_SLACK_BYTES)
  })
})
