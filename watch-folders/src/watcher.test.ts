/**
 * The watcher as users run it: a child process on real folders, files written by this test the
 * way sync tools and browsers write them.
 */
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { afterEach, describe, expect, it } from 'vitest'

import { toGltf, toObj, toOff, toPly, twoBoxes } from '../../daemon/src/server/test-meshes.js'
import { pointCloud } from './test-files.js'
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
    const advice = text.replace(/\s+/g, ' ')
    expect(advice).toContain('If the file was still being copied or downloaded when the watcher read it')
    expect(advice).toContain('move it back into incoming/')
    expect(advice).toContain('The watcher leaves this folder with error.txt and its hidden job record')
    expect(text).not.toContain('processing/')
  })

  it('processes again a file whose writer paused', async () => {
    const folder = await newFolder()
    const watcher = await start(folder)
    // A first file starts the worker thread, so the paused file is parsed at once when claimed.
    await writeFile(join(folder, 'incoming', 'warm.off'), BOXES)
    await waitForJobs(folder, 1)

    const content = Buffer.from(toOff(twoBoxes(4)))
    const half = Math.floor(content.length / 2)
    const handle = await open(join(folder, 'incoming', 'stall.off'), 'w')
    await handle.write(content.subarray(0, half))
    await handle.sync()
    // Longer than the 1 s stability window: the watcher takes the half-written file.
    await waitFor(() => watcher.messages('processing stall.off').length > 0, 20_000, 'the claim of stall.off')
    await sleep(300)
    await handle.write(content.subarray(half))
    await handle.close()
    await waitForJobs(folder, 2)

    expect(await list(join(folder, 'failed'))).toEqual([])
    expect(await readFile(join(folder, 'done', 'stall', 'stall.off'))).toEqual(content)
    const changed = watcher.messages('stall.off changed while it was processed')
    expect(changed).toHaveLength(1)
    expect(changed[0]).toMatchObject({ level: 40, result: 'failed', bytesBefore: half, bytesNow: content.length })
    expect(changed[0].error).toMatch(/^stall\.off: /)
    expect(watcher.messages('processing stall.off')).toHaveLength(1)
    expect(watcher.messages('segmented stall.off')).toHaveLength(1)
  })

  it('processes again an OBJ that grew during processing', async () => {
    const folder = await newFolder()
    const watcher = await start(folder)
    // 768 faces take about a second here, so the rest lands while the first half is processed.
    const content = toObj(twoBoxes(8))
    const faces = content.split('\n').filter((line) => line.startsWith('f ')).length
    // Cut at a line end among the faces, so the first half is a valid OBJ with fewer faces.
    const cut = content.lastIndexOf('\nf ', Math.floor(content.length * 0.75)) + 1
    // The writer keeps the file open, so its second write lands in the claimed file.
    const handle = await open(join(folder, 'incoming', 'grow.obj'), 'w')
    await handle.write(content.slice(0, cut))
    await handle.sync()
    await waitFor(() => watcher.messages('processing grow.obj').length > 0, 20_000, 'the claim of grow.obj')
    await handle.write(content.slice(cut))
    await handle.close()
    await waitForJobs(folder, 1)

    const labels = JSON.parse(await readFile(join(folder, 'done', 'grow', 'grow.labels.json'), 'utf8'))
    expect(labels.faceCount).toBe(faces)
    expect(await readFile(join(folder, 'done', 'grow', 'grow.obj'), 'utf8')).toBe(content)
    expect(watcher.messages('grow.obj changed while it was processed')[0]).toMatchObject({ bytesBefore: cut, bytesNow: content.length })
    expect(watcher.messages('segmented grow.obj')[0]).toMatchObject({ faces })
  })

  it('logs points for a point cloud', async () => {
    const folder = await newFolder()
    const watcher = await start(folder)
    await writeFile(join(folder, 'incoming', 'cloud.ply'), pointCloud(60))
    await writeFile(join(folder, 'incoming', 'mesh.off'), BOXES)
    await waitForJobs(folder, 2)

    const cloud = watcher.messages('segmented cloud.ply')[0]
    expect(cloud).toMatchObject({ points: 120 })
    expect(cloud).not.toHaveProperty('faces')
    expect(cloud.msg).toMatch(/^segmented cloud\.ply: 120 points, \d+ parts in /)
    const mesh = watcher.messages('segmented mesh.off')[0]
    expect(mesh).toMatchObject({ faces: 48 })

    // Either file may finish first; the later summary's running totals count both.
    const later = [cloud, mesh].find((summary) => {
      const totals = summary.totals as { faces?: number; points?: number }
      return totals.faces === 48 && totals.points === 120
    })
    expect(later).toBeDefined()
  })

  it('refuses a missing folder without --create', async () => {
    const parent = await newFolder()
    const missing = join(parent, 'sacn')
    await expect(startWatcher([missing])).rejects.toThrow(`exited with code 2 before watching: error: folder ${missing} does not exist; create it or pass --create`)
    expect(await list(parent)).toEqual([])

    await start(missing, '--create')
    expect(await list(missing)).toEqual(['.partfield-watch.lock', 'done', 'failed', 'incoming', 'processing'])
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

  it('waits for buffers and materials and moves them', async () => {
    const folder = await newFolder()
    // Materials wait a sixth of this: 5 s.
    const watcher = await start(folder, '--companion-timeout', '30')
    const { json, bin } = await toGltf(twoBoxes(2), 'scene data.bin')
    await writeFile(join(folder, 'incoming', 'scene.gltf'), json)
    await writeFile(join(folder, 'incoming', 'chair.obj'), `mtllib chair.mtl\n${toObj(twoBoxes(2))}`)
    await sleep(2500)
    expect(watcher.messages('processing ')).toEqual([])

    // The texture comes first: a texture missing when its material library is read is left out.
    await mkdir(join(folder, 'incoming', 'textures'))
    await writeFile(join(folder, 'incoming', 'textures', 'wood grain.png'), 'png bytes')
    await writeFile(join(folder, 'incoming', 'chair.mtl'), 'newmtl wood\nmap_Kd -s 2 2 1 textures/wood grain.png\n')
    await writeFile(join(folder, 'incoming', 'scene data.bin'), bin)
    await writeFile(join(folder, 'incoming', 'unrelated.png'), 'not referenced')
    await waitForJobs(folder, 2)

    expect(await list(join(folder, 'failed'))).toEqual([])
    expect(await listTree(join(folder, 'done', 'scene'))).toEqual(expect.arrayContaining(['scene.gltf', 'scene data.bin', 'scene.parts.glb']))
    expect(await listTree(join(folder, 'done', 'chair'))).toEqual(expect.arrayContaining(['chair.obj', 'chair.mtl', 'textures/wood grain.png']))
    expect(await listTree(join(folder, 'incoming'))).toEqual(['unrelated.png'])
    expect(watcher.messages('scene.gltf refers to files not in incoming/ yet; waiting for scene data.bin (up to 30 s)')).toHaveLength(1)
    expect(watcher.messages('chair.obj refers to files not in incoming/ yet; waiting for chair.mtl (up to 5 s)')).toHaveLength(1)
    expect(watcher.logs.filter((entry) => /gave up|not in incoming\/ \(/.test(String(entry.msg)))).toEqual([])
  })

  it('skips missing textures, waits briefly for materials', async () => {
    const folder = await newFolder()
    const watcher = await start(folder, '--companion-timeout', '30')
    const { json, bin } = await toGltf(twoBoxes(2), 'scene.bin')
    const textured = { ...JSON.parse(json), images: [{ uri: 'wood.png' }] }
    await writeFile(join(folder, 'incoming', 'scene.bin'), bin)
    await writeFile(join(folder, 'incoming', 'scene.gltf'), JSON.stringify(textured))
    await writeFile(join(folder, 'incoming', 'chair.obj'), `mtllib chair.mtl\n${toObj(twoBoxes(2))}`)
    const written = Date.now()
    // Far below the 30 s companion timeout, which the old watcher waited for the texture.
    await waitForJobs(folder, 2, 20_000)

    expect(await list(join(folder, 'done'))).toEqual(['chair', 'scene'])
    const sceneStart = watcher.messages('processing scene.gltf')[0].time as number
    expect(sceneStart - written).toBeLessThan(5000)
    const chairStart = watcher.messages('processing chair.obj')[0].time as number
    expect(chairStart - written).toBeGreaterThanOrEqual(5000)
    expect(chairStart - written).toBeLessThan(15_000)

    expect(watcher.messages('scene.gltf refers to files')).toEqual([])
    const texture = watcher.messages('textures wood.png are not in incoming/')
    expect(texture).toHaveLength(1)
    expect(texture[0]).toMatchObject({ level: 40, file: 'scene.gltf', missing: ['wood.png'] })
    expect(texture[0].msg).toContain('segmentation does not use textures')
    expect(watcher.messages('chair.obj refers to files not in incoming/ yet; waiting for chair.mtl (up to 5 s)')).toHaveLength(1)
    const material = watcher.messages('gave up waiting for chair.mtl after 5 s')
    expect(material).toHaveLength(1)
    expect(material[0]).toMatchObject({ level: 40, file: 'chair.obj', missing: ['chair.mtl'] })
    expect(material[0].msg).toBe('gave up waiting for chair.mtl after 5 s (materials do not affect the segmentation); processing chair.obj without them')
  })

  it('fails unsupported files, keeps companions', async () => {
    const folder = await newFolder()
    const incoming = join(folder, 'incoming')
    const watcher = await start(folder, '--orphan-seconds', '2')
    const unsupported: Record<string, string> = {
      'bearing.stl': 'solid bearing\nendsolid bearing\n',
      'bearing.fbx': 'Kaydara FBX Binary',
      'notes.txt': 'remember the bolts',
    }
    const companions = ['lonely.mtl', 'wood.PNG', 'data.bin', 'gone.obj.partfield.json']
    for (const [name, text] of Object.entries(unsupported)) await writeFile(join(incoming, name), text)
    for (const name of companions) await writeFile(join(incoming, name), '{}')

    await waitFor(async () => (await list(join(folder, 'failed'))).length === 3, 20_000, 'three folders in failed/')
    expect(await list(join(folder, 'failed'))).toEqual(['bearing', 'bearing-2', 'notes'])
    const failedFiles = (await listTree(join(folder, 'failed'))).filter((path) => !path.endsWith('error.txt') && !path.includes('.partfield-job'))
    expect(failedFiles.map((path) => path.split('/')[1]).sort()).toEqual(['bearing.fbx', 'bearing.stl', 'notes.txt'])
    for (const path of failedFiles) {
      const [dir, name] = path.split('/')
      expect(await readFile(join(folder, 'failed', path), 'utf8')).toBe(unsupported[name])
      const text = await readFile(join(folder, 'failed', dir, 'error.txt'), 'utf8')
      expect(text).toMatch(new RegExp(`What failed:\n {2}${name.replace('.', '\\.')} is a \\.\\w+ file, which the watcher cannot read`))
      expect(text).toContain('supported mesh formats: obj, glb, gltf, ply, off')
      const advice = text.replace(/\s+/g, ' ')
      expect(advice).toContain('Export the model in one of them from your 3D program (OBJ and GLB work in almost every program)')
      expect(text).toContain('reason code: unsupported-format')
      expect(text).not.toContain('To retry')
    }

    const warnings = watcher.messages('failed ')
    expect(warnings.map((entry) => entry.file).sort()).toEqual(['bearing.fbx', 'bearing.stl', 'notes.txt'])
    for (const entry of warnings) expect(entry).toMatchObject({ level: 40, kind: 'unsupported-format' })
    expect(watcher.messages('processing ')).toEqual([])

    // Companions stay, with one warning each once they have waited --orphan-seconds.
    await waitFor(() => companions.every((name) => watcher.messages(`${name} has waited 2 s in incoming/`).length > 0), 20_000,
      'a warning about each companion')
    await sleep(3000)
    for (const name of companions) expect(watcher.messages(`${name} has waited`), name).toHaveLength(1)
    expect(watcher.messages('gone.obj.partfield.json has waited')[0].msg).toContain('its mesh gone.obj is not in incoming/')
    expect(watcher.messages('lonely.mtl has waited')[0].msg).toContain('no mesh in incoming/ refers to it')
    expect(await list(incoming)).toEqual([...companions].sort())
  })

  it('watches config folders with own settings', async () => {
    const root = await newFolder()
    const config = join(root, 'watch.json')
    await writeFile(config, JSON.stringify({
      stableSeconds: 1,
      create: true,
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
