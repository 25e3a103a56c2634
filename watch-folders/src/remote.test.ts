/**
 * The watcher with --daemon against the real daemon, both started by the test on loopback: the
 * daemon segments, the watcher files the downloads exactly as it files in-process results.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { startDaemon, type TestDaemon } from '../../daemon/src/server/test-daemon.js'
import { toGltf, toOff, twoBoxes } from '../../daemon/src/server/test-meshes.js'
import { readManifest } from './job-manifest.js'
import { pointCloud } from './test-files.js'
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

/** Writes a config file that requests only the parts GLB, so labels.json is not downloaded. */
async function glbOnly(): Promise<string> {
  const path = join(await tempFolder('partfield-watch-config-'), 'watch.json')
  await writeFile(path, JSON.stringify({ formats: ['glb'] }))
  return path
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
    await writeFile(join(incoming, 'pf.off.partfield.json'), '{"backend": "partfield"}')
    await writeFile(join(incoming, 'pf.off'), boxes)
    await writeFile(join(incoming, 'cloud.ply'), pointCloud(40))
    const watcher = await start(folder)

    await waitFor(async () => (await list(join(folder, 'done'))).length + (await list(join(folder, 'failed'))).length === 5,
      90_000, 'five jobs ended')
    expect(watcher.messages('processing ').map((entry) => entry.processor)).toEqual(Array(5).fill(daemon.url))

    expect(await list(join(folder, 'done'))).toEqual(['boxes', 'cloud', 'scene'])
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

    // The daemon lacks the model, not this machine: the advice names the daemon.
    const backend = (await readFile(join(folder, 'failed', 'pf', 'error.txt'), 'utf8')).replace(/\s+/g, ' ')
    expect(backend).toContain('reason code: backend-unavailable')
    expect(backend).toContain(`The daemon at ${daemon.url} has no usable PartField model; the watcher only sends files there.`)
    expect(backend).toContain("Install the model on the daemon's machine")
    expect(backend).not.toContain('this machine')

    // The daemon's status has no kind, so the watcher reads it from labels.json.
    const cloud = watcher.messages('segmented cloud.ply')[0]
    expect(cloud).toMatchObject({ points: 80 })
    expect(cloud).not.toHaveProperty('faces')
    expect(cloud.msg).toMatch(/^segmented cloud\.ply: 80 points, /)

    // Each file went to the daemon once, and the watcher deleted the finished jobs there. The
    // daemon rejects a backend it cannot run before it queues the job.
    for (const name of ['boxes.off', 'scene.gltf', 'corrupt.off', 'cloud.ply']) expect(queuedOnDaemon(name), name).toBe(1)
    const manifest = await readManifest(join(folder, 'done', 'boxes'))
    const status = await fetch(`${daemon.url}/v1/jobs/${manifest!.checkpoint}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(status.status).toBe(404)
    expect(watcher.messages('segmented boxes.off')[0]).toMatchObject({ faces: 48, parts: 2, backend: 'geometric' })
  })

  it('stops at startup when the daemon rejects the token', async () => {
    const folder = await newFolder()
    await expect(start(folder, 'wrong-token')).rejects.toThrow(/rejected the token; pass the right one with --token/)
  })

  it('stops at startup without a token the daemon requires', async () => {
    const folder = await newFolder()
    const starting = startWatcher([folder, '--daemon', daemon.url, '--stable-seconds', '0.5'])
    await expect(starting).rejects.toThrow(`exited with code 2 before watching: error: the daemon at ${daemon.url} requires a token; ` +
      'pass --token or set PARTFIELD_TOKEN')
  })

  it('counts points without labels.json downloaded', async () => {
    const folder = await newFolder()
    await writeFile(join(folder, 'incoming', 'cloud.ply'), pointCloud(40))
    const watcher = await startWatcher([folder, '--daemon', daemon.url, '--token', TOKEN, '--stable-seconds', '0.5', '--config', await glbOnly()])
    watchers.push(watcher)
    await waitFor(async () => (await list(join(folder, 'done'))).length === 1, 60_000, 'the job in done/')
    expect(await list(join(folder, 'done', 'cloud'))).toEqual(['.partfield-job.json', 'cloud.parts.glb', 'cloud.ply'])
    expect(watcher.messages('segmented cloud.ply')[0]).toMatchObject({ points: 80 })
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

    // The daemon finishes while no watcher runs; the summary still counts the daemon's time.
    let status: { state: string; createdAt: string; finishedAt: string | null } | undefined
    await waitFor(async () => {
      const response = await fetch(`${daemon.url}/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      status = await response.json()
      return status!.state === 'succeeded'
    }, 60_000, 'the daemon job to succeed')
    const daemonSeconds = (Date.parse(status!.finishedAt!) - Date.parse(status!.createdAt)) / 1000
    await sleep(1000)

    const second = await start(folder)
    await waitFor(async () => (await list(join(folder, 'done'))).length === 1, 90_000, 'the job in done/')
    expect((await readManifest(join(folder, 'done', 'slow')))?.checkpoint).toBe(jobId)
    expect(queuedOnDaemon('slow.off')).toBe(1)
    expect(await readFile(join(folder, 'done', 'slow', 'slow.off'), 'utf8')).toBe(content)
    const summary = second.messages('segmented slow.off')
    expect(summary).toHaveLength(1)
    expect(summary[0]).toMatchObject({ resumed: true, faces: 768 })
    expect(summary[0].seconds as number).toBeGreaterThanOrEqual(Math.round(daemonSeconds * 100) / 100)
    expect(summary[0].seconds as number).toBeLessThan(daemonSeconds + 5)
    expect(summary[0].msg).toContain('(daemon job resumed after a restart; totals: 1 done')
  })
})
