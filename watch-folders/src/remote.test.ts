/**
 * The watcher with --daemon against the real daemon, both started by the test on loopback: the
 * daemon segments, the watcher files the downloads exactly as it files in-process results.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { startDaemon, type TestDaemon } from '../../daemon/src/server/test-daemon.js'
import { toGltf, toOff, twoBoxes } from '../../daemon/src/server/test-meshes.js'
import { readManifest } from './job-manifest.js'
import { list, listTree, removeTempFolders, startWatcher, tempFolder, waitFor, type TestWatcher } from './test-watcher.js'

const TOKEN = 'watch-folder-test-token'

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startDaemon({ env: { PARTFIELD_TOKEN: TOKEN } })
})
afterAll(() => daemon.stop())

const watchers: TestWatcher[] = []
afterEach(async () => {
  for (const watcher of watchers.splice(0)) await watcher.stop()
  await removeTempFolders()
})

async function start(folder: string, token = TOKEN): Promise<TestWatcher> {
  const watcher = await startWatcher([folder, '--daemon', daemon.url, '--token', token, '--stable-seconds', '0.5'])
  watchers.push(watcher)
  return watcher
}

async function newFolder(): Promise<string> {
  const folder = await tempFolder('partfield-watch-remote-')
  await mkdir(join(folder, 'incoming'))
  return folder
}

/** Daemon jobs created for an input name, from the daemon's 'job queued' log lines. */
function queuedOnDaemon(name: string): number {
  return daemon.logs.filter((entry) => entry.msg === 'job queued' && entry.input === name).length
}

describe('remote daemon', () => {
  it('segments files on the daemon and files the downloads', async () => {
    const folder = await newFolder()
    const incoming = join(folder, 'incoming')
    const boxes = toOff(twoBoxes(2))
    const { json, bin } = await toGltf(twoBoxes(2), 'scene.bin')
    await writeFile(join(incoming, 'boxes.off.partfield.json'), '{"n_clusters": 2}')
    await writeFile(join(incoming, 'boxes.off'), boxes)
    await writeFile(join(incoming, 'scene.bin'), bin)
    await writeFile(join(incoming, 'scene.gltf'), json)
    await writeFile(join(incoming, 'corrupt.off'), 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n')
    const watcher = await start(folder)

    await waitFor(async () => (await list(join(folder, 'done'))).length + (await list(join(folder, 'failed'))).length === 3,
      90_000, 'three jobs ended')
    expect(watcher.messages('processing ').map((entry) => entry.processor)).toEqual([daemon.url, daemon.url, daemon.url])

    expect(await list(join(folder, 'done'))).toEqual(['boxes', 'scene'])
    expect(await list(join(folder, 'done', 'boxes'))).toEqual([
      '.partfield-job.json', 'boxes.labels.json', 'boxes.off', 'boxes.off.partfield.json',
      'boxes.parts.glb', 'boxes.parts.ply', 'boxes.pca.glb', 'boxes.pca.ply',
    ])
    expect(await readFile(join(folder, 'done', 'boxes', 'boxes.off'), 'utf8')).toBe(boxes)
    const labels = JSON.parse(await readFile(join(folder, 'done', 'boxes', 'boxes.labels.json'), 'utf8'))
    expect(labels.partCount).toBe(2)
    expect(labels.faceCount).toBe(48)
    expect(await listTree(join(folder, 'done', 'scene'))).toEqual(expect.arrayContaining(['scene.gltf', 'scene.bin', 'scene.parts.glb']))

    const error = await readFile(join(folder, 'failed', 'corrupt', 'error.txt'), 'utf8')
    expect(error).toContain('corrupt.off')
    expect(error).toContain('out of range')
    expect(error).toContain(`processed:   ${daemon.url}`)
    expect(error).toContain('reason code: invalid-mesh')

    // Each file went to the daemon once, and the watcher deleted the finished jobs there.
    for (const name of ['boxes.off', 'scene.gltf', 'corrupt.off']) expect(queuedOnDaemon(name), name).toBe(1)
    const manifest = await readManifest(join(folder, 'done', 'boxes'))
    const status = await fetch(`${daemon.url}/v1/jobs/${manifest!.checkpoint}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(status.status).toBe(404)
    expect(watcher.messages('segmented boxes.off')[0]).toMatchObject({ faces: 48, parts: 2, backend: 'geometric' })
  })

  it('stops at startup when the daemon rejects the token', async () => {
    const folder = await newFolder()
    await expect(start(folder, 'wrong-token')).rejects.toThrow(/rejected the token; pass the right one with --token/)
  })

  it('resumes the same daemon job after the watcher is killed', async () => {
    const folder = await newFolder()
    const content = toOff(twoBoxes(8))
    await writeFile(join(folder, 'incoming', 'slow.off'), content)
    const first = await start(folder)

    let jobId: string | undefined
    await waitFor(async () => {
      const [name] = await list(join(folder, 'processing'))
      jobId = name ? (await readManifest(join(folder, 'processing', name)))?.checkpoint : undefined
      return jobId !== undefined
    }, 60_000, 'the daemon job id in the manifest')
    await first.kill()
    expect(await list(join(folder, 'done'))).toEqual([])

    const second = await start(folder)
    await waitFor(async () => (await list(join(folder, 'done'))).length === 1, 90_000, 'the job in done/')
    expect((await readManifest(join(folder, 'done', 'slow')))?.checkpoint).toBe(jobId)
    expect(queuedOnDaemon('slow.off')).toBe(1)
    expect(await readFile(join(folder, 'done', 'slow', 'slow.off'), 'utf8')).toBe(content)
    expect(second.messages('segmented slow.off')).toHaveLength(1)
  })
})
