/**
 * The watcher as users run it: a child process on real folders, files written by this test the
 * way sync tools and browsers write them.
 */
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { afterEach, describe, expect, it } from 'vitest'

import { toGltf, toObj, toOff, toPly, twoBoxes } from '../../daemon/src/server/test-meshes.js'
import { list, listTree, removeTempFolders, startWatcher, tempFolder, waitFor, type TestWatcher } from './test-watcher.js'

const watchers: TestWatcher[] = []
afterEach(async () => {
  for (const watcher of watchers.splice(0)) await watcher.stop()
  await removeTempFolders()
})

async function newFolder(): Promise<string> {
  return tempFolder('partfield-watch-')
}

async function start(folder: string, ...extra: string[]): Promise<TestWatcher> {
  const watcher = await startWatcher([folder, '--stable-seconds', '1', '--rescan-seconds', '5', ...extra])
  watchers.push(watcher)
  return watcher
}

/** Waits until `count` jobs have ended in done/ or failed/ and nothing is left to process. */
async function waitForJobs(folder: string, count: number, timeoutMs = 90_000): Promise<void> {
  await waitFor(async () => {
    const ended = (await list(join(folder, 'done'))).length + (await list(join(folder, 'failed'))).length
    return ended >= count && (await list(join(folder, 'processing'))).length === 0
  }, timeoutMs, `${count} jobs in done/ or failed/ of ${folder}`)
}

const BOXES = toOff(twoBoxes(2))

describe('watcher', () => {
  it('processes a chunked write once, when complete', async () => {
    const folder = await newFolder()
    // The default 2 s window leaves margin for a test process that stalls between chunks.
    const watcher = await start(folder, '--stable-seconds', '2')
    const content = Buffer.from(toOff(twoBoxes(4)))
    const chunks = 7
    const size = Math.ceil(content.length / chunks)

    const handle = await open(join(folder, 'incoming', 'chunky.off'), 'w')
    for (let i = 0; i < chunks; i++) {
      await handle.write(content.subarray(i * size, (i + 1) * size))
      await handle.sync()
      if (i < chunks - 1) await sleep(500)
    }
    await handle.close()
    const completedAt = Date.now()

    await waitForJobs(folder, 1)
    const processing = watcher.messages('processing chunky.off')
    expect(processing).toHaveLength(1)
    expect(processing[0].time as number).toBeGreaterThanOrEqual(completedAt)
    expect(watcher.messages('segmented chunky.off')).toHaveLength(1)
    expect(await list(join(folder, 'failed'))).toEqual([])
    expect(await readFile(join(folder, 'done', 'chunky', 'chunky.off'))).toEqual(content)
  })

  it('files 20 files dropped at once', async () => {
    const folder = await newFolder()
    const watcher = await start(folder, '--concurrency', '2')
    const mesh = twoBoxes(2)
    const files: Record<string, string> = {}
    for (let i = 0; i < 16; i++) {
      const format = ['off', 'obj', 'ply'][i % 3]
      const encode = { off: toOff, obj: toObj, ply: toPly }[format]!
      files[`mesh${i}.${format}`] = encode(mesh)
    }
    for (let i = 0; i < 4; i++) files[`broken${i}.off`] = `OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 ${7 + i}\n`

    await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(folder, 'incoming', name), text)))
    await waitForJobs(folder, 20)

    const done = await list(join(folder, 'done'))
    const failed = await list(join(folder, 'failed'))
    expect(done).toHaveLength(16)
    expect(failed.sort()).toEqual(['broken0', 'broken1', 'broken2', 'broken3'])
    expect(await list(join(folder, 'incoming'))).toEqual([])
    for (const [name, text] of Object.entries(files)) {
      const stem = name.slice(0, name.lastIndexOf('.'))
      const place = name.startsWith('broken') ? 'failed' : 'done'
      expect(await readFile(join(folder, place, stem, name), 'utf8'), name).toBe(text)
    }
    for (const stem of done) {
      const outputs = await list(join(folder, 'done', stem))
      for (const suffix of ['.parts.glb', '.parts.ply', '.labels.json', '.pca.ply']) {
        expect(outputs, `${stem} has ${suffix}`).toContain(`${stem}${suffix}`)
      }
    }
    expect(watcher.messages('segmented ')).toHaveLength(16)
    expect(watcher.messages('failed ')).toHaveLength(4)
    // Log lines come in the order they happened, so counting starts and ends gives the overlap.
    let running = 0
    let peak = 0
    for (const entry of watcher.logs) {
      const message = String(entry.msg ?? '')
      if (message.startsWith('processing ')) peak = Math.max(peak, ++running)
      if (message.startsWith('segmented ') || message.startsWith('failed ')) running--
    }
    expect(peak).toBe(2)

    const summaries = [...watcher.messages('segmented '), ...watcher.messages('failed ')]
    const last = summaries.sort((a, b) => (a.time as number) - (b.time as number)).at(-1)!
    expect(last.totals).toMatchObject({ done: 16, failed: 4 })
  })

  it('fails a corrupt file with error.txt', async () => {
    const folder = await newFolder()
    await start(folder)
    await writeFile(join(folder, 'incoming', 'corrupt.off'), 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n')
    await waitForJobs(folder, 1)

    expect(await list(join(folder, 'failed', 'corrupt'))).toEqual(['.partfield-job.json', 'corrupt.off', 'error.txt'])
    const text = await readFile(join(folder, 'failed', 'corrupt', 'error.txt'), 'utf8')
    expect(text).toMatch(/^partfield-bridge could not segment corrupt\.off\./)
    expect(text).toMatch(/What failed:\n {2}corrupt\.off: .*7/)
    expect(text).toContain('out of range')
    expect(text).toContain('What to do:')
    expect(text).toContain('drop the file into incoming/ again')
    expect(text).not.toContain('processing/')
  })

  it('applies folder and sidecar parameters', async () => {
    const folder = await newFolder()
    await writeFile(join(folder, 'partfield.json'), '{"n_clusters": 3}')
    await start(folder)
    await writeFile(join(folder, 'incoming', 'two.off.partfield.json'), '{"n_clusters": 2}')
    await writeFile(join(folder, 'incoming', 'bad.off.partfield.json'), '{"n_clusters": 999}')
    await writeFile(join(folder, 'incoming', 'typo.off.partfield.json'), '{"n_cluster": 2}')
    for (const name of ['three.off', 'two.off', 'bad.off', 'typo.off']) await writeFile(join(folder, 'incoming', name), BOXES)
    await waitForJobs(folder, 4)

    const parts = async (stem: string) => JSON.parse(await readFile(join(folder, 'done', stem, `${stem}.labels.json`), 'utf8')).partCount
    expect(await parts('three')).toBe(3)
    expect(await parts('two')).toBe(2)
    expect(await list(join(folder, 'done', 'two'))).toContain('two.off.partfield.json')

    const bad = await readFile(join(folder, 'failed', 'bad', 'error.txt'), 'utf8')
    expect(bad).toContain('bad.off.partfield.json')
    expect(bad).toContain('invalid n_clusters: 999; expected an integer from 1 to 256')
    expect(await list(join(folder, 'failed', 'bad'))).toEqual(['.partfield-job.json', 'bad.off', 'bad.off.partfield.json', 'error.txt'])
    const typo = await readFile(join(folder, 'failed', 'typo', 'error.txt'), 'utf8')
    expect(typo).toContain('unknown parameter n_cluster')
  })

  it('waits for companions and moves them', async () => {
    const folder = await newFolder()
    const watcher = await start(folder, '--companion-timeout', '20')
    const { json, bin } = await toGltf(twoBoxes(2), 'scene data.bin')
    await writeFile(join(folder, 'incoming', 'scene.gltf'), json)
    await writeFile(join(folder, 'incoming', 'chair.obj'), `mtllib chair.mtl\n${toObj(twoBoxes(2))}`)
    await sleep(2500)
    expect(watcher.messages('processing ')).toEqual([])

    await writeFile(join(folder, 'incoming', 'scene data.bin'), bin)
    await writeFile(join(folder, 'incoming', 'chair.mtl'), 'newmtl wood\nmap_Kd -s 2 2 1 textures/wood grain.png\n')
    await writeFile(join(folder, 'incoming', 'unrelated.png'), 'not referenced')
    await sleep(500)
    await mkdir(join(folder, 'incoming', 'textures'))
    await writeFile(join(folder, 'incoming', 'textures', 'wood grain.png'), 'png bytes')
    await waitForJobs(folder, 2)

    expect(await list(join(folder, 'failed'))).toEqual([])
    expect(await listTree(join(folder, 'done', 'scene'))).toEqual(expect.arrayContaining(['scene.gltf', 'scene data.bin', 'scene.parts.glb']))
    expect(await listTree(join(folder, 'done', 'chair'))).toEqual(expect.arrayContaining(['chair.obj', 'chair.mtl', 'textures/wood grain.png']))
    expect(await listTree(join(folder, 'incoming'))).toEqual(['unrelated.png'])
  })

  it('watches config folders with own settings', async () => {
    const root = await newFolder()
    const config = join(root, 'watch.json')
    await writeFile(config, JSON.stringify({
      stableSeconds: 1,
      params: { n_clusters: 2 },
      folders: ['two', { path: 'three', params: { n_clusters: 3 }, formats: ['glb', 'labels'] }],
    }))
    const watcher = await startWatcher(['--config', config])
    watchers.push(watcher)
    await writeFile(join(root, 'two', 'incoming', 'm.off'), BOXES)
    await writeFile(join(root, 'three', 'incoming', 'm.off'), BOXES)
    await waitForJobs(join(root, 'two'), 1)
    await waitForJobs(join(root, 'three'), 1)

    const labels = async (folder: string) => JSON.parse(await readFile(join(root, folder, 'done', 'm', 'm.labels.json'), 'utf8'))
    expect((await labels('two')).partCount).toBe(2)
    expect((await labels('three')).partCount).toBe(3)
    expect(await list(join(root, 'two', 'done', 'm'))).toContain('m.pca.ply')
    expect(await list(join(root, 'three', 'done', 'm'))).toEqual(['.partfield-job.json', 'm.labels.json', 'm.off', 'm.parts.glb'])
    expect(watcher.messages('watching 2 folder(s)')).toHaveLength(1)
  })

  it('refuses a folder another watcher holds', async () => {
    const folder = await newFolder()
    const first = await start(folder)
    await expect(start(folder)).rejects.toThrow(new RegExp(`already watched by process ${first.child.pid} on `))
    await first.stop()
    expect(await list(folder)).not.toContain('.partfield-watch.lock')
    await start(folder)
  })

  it('ignores temporary names, suffixes clashes', async () => {
    const folder = await newFolder()
    const incoming = join(folder, 'incoming')
    await mkdir(incoming)
    // Present before the start: processed too.
    await writeFile(join(incoming, 'early.off'), BOXES)
    const watcher = await start(folder)
    for (const name of ['.hidden.off', '~$locked.off', 'download.off.crdownload', 'file.off.part', '.syncthing.x.off.tmp']) {
      await writeFile(join(incoming, name), BOXES)
    }
    await waitForJobs(folder, 1)

    await rename(join(incoming, 'download.off.crdownload'), join(incoming, 'early.off'))
    await waitForJobs(folder, 2)
    await sleep(1500)
    expect(await list(join(folder, 'done'))).toEqual(['early', 'early-2'])
    expect(await list(incoming)).toEqual(['.hidden.off', '.syncthing.x.off.tmp', 'file.off.part', '~$locked.off'])
    expect(watcher.messages('processing ')).toHaveLength(2)
  })
})
