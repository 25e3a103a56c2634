import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { pino } from 'pino'
import { describe, expect, it } from 'vitest'

import { claim, findInterruptedJobs } from './claim.js'
import { ensureLayout, folderLayout, type FolderLayout } from './folder-layout.js'
import { newManifest, readManifest, writeManifest } from './job-manifest.js'

const silent = pino({ level: 'silent' })

async function setUp(files: Record<string, string>): Promise<FolderLayout> {
  const layout = folderLayout(await mkdtemp(join(tmpdir(), 'partfield-claim-')))
  await ensureLayout(layout)
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(layout.incoming, name, '..'), { recursive: true })
    await writeFile(join(layout.incoming, name), text)
  }
  return layout
}

describe('claim', () => {
  it('moves the mesh, its companions and sidecar into a new job folder', async () => {
    const layout = await setUp({ 'chair.obj': 'obj', 'chair.mtl': 'mtl', 'tex/wood.png': 'png', 'chair.obj.partfield.json': '{}' })
    await mkdir(join(layout.done, 'chair'))
    const job = await claim(layout, { file: 'chair.obj', companions: ['chair.mtl', 'tex/wood.png'], missing: ['gone.png'], sidecar: 'chair.obj.partfield.json' })

    expect(job.dir).toBe(join(layout.processing, 'chair-2'))
    expect((await readdir(job.dir, { recursive: true })).sort()).toEqual(
      ['.partfield-job.json', 'chair.mtl', 'chair.obj', 'chair.obj.partfield.json', 'tex', 'tex/wood.png'])
    expect(await readFile(join(job.dir, 'tex', 'wood.png'), 'utf8')).toBe('png')
    expect(await readdir(layout.incoming)).toEqual(['tex'])
    expect(await readManifest(job.dir)).toMatchObject({ name: 'chair-2', file: 'chair.obj', missing: ['gone.png'], attempts: 0 })
  })

  it('records companions that left incoming/ before the claim as missing', async () => {
    const layout = await setUp({ 'scene.gltf': '{}' })
    const job = await claim(layout, { file: 'scene.gltf', companions: ['scene.bin'], missing: [], sidecar: 'scene.gltf.partfield.json' })
    expect(job.manifest).toMatchObject({ companions: [], missing: ['scene.bin'], sidecar: undefined })
    expect(await readManifest(job.dir)).toMatchObject({ companions: [], missing: ['scene.bin'] })
  })
})

describe('findInterruptedJobs', () => {
  it('completes claims a crash interrupted, oldest first', async () => {
    const layout = await setUp({ 'b.obj': 'b', 'b.mtl': 'mtl' })
    const older = { ...newManifest({ name: 'a', file: 'a.off', companions: [], missing: [] }), claimedAt: '2024-01-01T00:00:00.000Z' }
    await mkdir(join(layout.processing, 'a'))
    await writeManifest(join(layout.processing, 'a'), older)
    await writeFile(join(layout.processing, 'a', 'a.off'), 'a')
    // The crash came after the manifest of b but before its files moved.
    await mkdir(join(layout.processing, 'b'))
    await writeManifest(join(layout.processing, 'b'), newManifest({ name: 'b', file: 'b.obj', companions: ['b.mtl'], missing: [] }))

    const jobs = await findInterruptedJobs(layout, silent)
    expect(jobs.map((job) => job.manifest.name)).toEqual(['a', 'b'])
    expect((await readdir(join(layout.processing, 'b'))).sort()).toEqual(['.partfield-job.json', 'b.mtl', 'b.obj'])
    expect(await readdir(layout.incoming)).toEqual([])
  })

  it('removes an empty claim and leaves foreign entries alone', async () => {
    const layout = await setUp({})
    await mkdir(join(layout.processing, 'empty'))
    await mkdir(join(layout.processing, 'someone-elses'))
    await writeFile(join(layout.processing, 'someone-elses', 'notes.txt'), 'keep')
    await writeFile(join(layout.processing, 'stray.obj'), 'keep')

    expect(await findInterruptedJobs(layout, silent)).toEqual([])
    expect((await readdir(layout.processing)).sort()).toEqual(['someone-elses', 'stray.obj'])
    expect(await readFile(join(layout.processing, 'someone-elses', 'notes.txt'), 'utf8')).toBe('keep')
  })

  it('leaves a later same-name drop alone', async () => {
    const layout = await setUp({ 'c.off': 'new drop' })
    await mkdir(join(layout.processing, 'c'))
    await writeManifest(join(layout.processing, 'c'), newManifest({ name: 'c', file: 'c.off', companions: [], missing: [] }))
    await writeFile(join(layout.processing, 'c', 'c.off'), 'claimed')

    await findInterruptedJobs(layout, silent)
    expect(await readFile(join(layout.processing, 'c', 'c.off'), 'utf8')).toBe('claimed')
    expect(await readFile(join(layout.incoming, 'c.off'), 'utf8')).toBe('new drop')
  })
})
