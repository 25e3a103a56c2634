import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { describe, expect, it } from 'vitest'

import { waitUntilStable } from './stable-file.js'

async function tempFile(content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'partfield-stable-')), 'file.off')
  await writeFile(path, content)
  return path
}

describe('waitUntilStable', () => {
  it('waits while the file grows', async () => {
    const path = await tempFile('a')
    const start = Date.now()
    const writer = (async () => {
      for (let i = 0; i < 5; i++) {
        await sleep(100)
        await appendFile(path, 'b')
      }
    })()
    const state = await waitUntilStable(path, { stableMs: 300, pollMs: 25 })
    await writer
    expect(state?.size).toBe(6)
    expect(Date.now() - start).toBeGreaterThanOrEqual(800)
  })

  it('returns undefined when the file is removed', async () => {
    const path = await tempFile('a')
    setTimeout(() => void rm(path), 100)
    expect(await waitUntilStable(path, { stableMs: 10_000, pollMs: 25 })).toBeUndefined()
  })

  it('waits longer for an empty file', async () => {
    const path = await tempFile('')
    const start = Date.now()
    const state = await waitUntilStable(path, { stableMs: 50, pollMs: 25, emptyStableMs: 400 })
    expect(state?.size).toBe(0)
    expect(Date.now() - start).toBeGreaterThanOrEqual(400)
  })

  it('stops when aborted', async () => {
    const path = await tempFile('a')
    await expect(waitUntilStable(path, { stableMs: 10_000, pollMs: 25, signal: AbortSignal.timeout(100) })).rejects.toThrow()
  })
})
