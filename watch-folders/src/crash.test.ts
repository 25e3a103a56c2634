/**
 * A watcher killed with SIGKILL in the middle of a job and started again: every file ends in
 * done/ exactly once, and files finished before the kill are not processed again.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, expect, it } from 'vitest'

import { toOff, twoBoxes } from '../../daemon/src/server/test-meshes.js'
import { readManifest } from './job-manifest.js'
import { list, removeTempFolders, startWatcher, tempFolder, waitFor, type TestWatcher } from './test-watcher.js'

const watchers: TestWatcher[] = []
afterEach(async () => {
  for (const watcher of watchers.splice(0)) await watcher.stop()
  await removeTempFolders()
})

async function start(folder: string): Promise<TestWatcher> {
  const watcher = await startWatcher([folder, '--stable-seconds', '0.5'])
  watchers.push(watcher)
  return watcher
}

const FILES = ['a.off', 'b.off', 'c.off', 'd.off', 'e.off']

/** Waits until a job has started (attempt 1) in processing/; returns its manifest's file name. */
async function waitForRunningJob(folder: string, doneAtLeast: number): Promise<string> {
  let running: string | undefined
  await waitFor(async () => {
    const done = await list(join(folder, 'done'))
    const processing = await list(join(folder, 'processing'))
    if (done.length < doneAtLeast || processing.length === 0) return false
    const manifest = await readManifest(join(folder, 'processing', processing[0]))
    if (!manifest || manifest.attempts !== 1) return false
    running = manifest.file
    return true
  }, 120_000, `${doneAtLeast} job(s) done and the next one running`)
  return running!
}

it('resumes after SIGKILL without losing or repeating a file', async () => {
  const folder = await tempFolder('partfield-watch-crash-')
  await mkdir(join(folder, 'incoming'))
  // 768 faces each: long enough (about a second or more here) that the kill lands inside a job.
  const content = toOff(twoBoxes(8))
  for (const name of FILES) await writeFile(join(folder, 'incoming', name), content)

  const first = await start(folder)
  const running = await waitForRunningJob(folder, 1)
  await first.kill()

  const doneBeforeKill = await list(join(folder, 'done'))
  const leftInProcessing = await list(join(folder, 'processing'))
  expect(leftInProcessing).toHaveLength(1)
  expect(doneBeforeKill).not.toContain(leftInProcessing[0])

  const second = await start(folder)
  await waitFor(async () => (await list(join(folder, 'done'))).length === FILES.length, 120_000, 'every file in done/')
  await waitFor(() => second.messages('segmented ').length + first.messages('segmented ').length >= FILES.length, 10_000, 'summary lines')

  const stems = FILES.map((name) => name.slice(0, -4))
  expect(await list(join(folder, 'done'))).toEqual(stems)
  expect(await list(join(folder, 'failed'))).toEqual([])
  expect(await list(join(folder, 'processing'))).toEqual([])
  expect(await list(join(folder, 'incoming'))).toEqual([])
  for (const name of FILES) {
    const stem = name.slice(0, -4)
    expect(await readFile(join(folder, 'done', stem, name), 'utf8'), name).toBe(content)
    expect(await list(join(folder, 'done', stem)), name).toContain(`${stem}.parts.glb`)
  }

  // Each file was summarised once over both runs; the second run never touched the finished ones.
  const summarised = [...first.messages('segmented '), ...second.messages('segmented ')].map((entry) => entry.file)
  expect(summarised.sort()).toEqual(FILES)
  const startedAgain = second.messages('processing ').map((entry) => entry.file)
  for (const stem of doneBeforeKill) expect(startedAgain).not.toContain(`${stem}.off`)
  expect(second.messages('resuming 1 interrupted job')).toHaveLength(1)
  const resumed = second.messages('processing ').find((entry) => entry.file === running)
  expect(resumed?.attempt).toBe(2)
})

it('resumes a job stopped by SIGTERM without counting it', async () => {
  const folder = await tempFolder('partfield-watch-stop-')
  await mkdir(join(folder, 'incoming'))
  const content = toOff(twoBoxes(8))
  await writeFile(join(folder, 'incoming', 'only.off'), content)

  const first = await start(folder)
  await waitForRunningJob(folder, 0)
  await first.stop()
  expect(await first.exited).toBe(0)
  expect(first.messages('stopped while processing only.off')).toHaveLength(1)
  expect((await readManifest(join(folder, 'processing', 'only')))?.attempts).toBe(0)

  const second = await start(folder)
  await waitFor(async () => (await list(join(folder, 'done'))).length === 1, 120_000, 'the job in done/')
  expect(second.messages('processing only.off')[0]?.attempt).toBe(1)
  expect(await readFile(join(folder, 'done', 'only', 'only.off'), 'utf8')).toBe(content)
})
