import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { createUniqueDir, moveDirToUnique, moveFileNoReplace, writeFileAtomic } from './file-moves.js'

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'partfield-moves-'))
}

describe('createUniqueDir', () => {
  it('suffixes a name taken here or in the other folders', async () => {
    const root = await tempDir()
    for (const dir of ['processing/chair', 'done/chair-2', 'failed/chair-3']) await mkdir(join(root, dir), { recursive: true })
    const others = [join(root, 'done'), join(root, 'failed')]
    expect(await createUniqueDir(join(root, 'processing'), 'chair', others)).toBe('chair-4')
    expect(await createUniqueDir(join(root, 'processing'), 'table', others)).toBe('table')
    expect((await readdir(join(root, 'processing'))).sort()).toEqual(['chair', 'chair-4', 'table'])
  })
})

describe('moveDirToUnique', () => {
  it('never replaces an existing folder or file', async () => {
    const root = await tempDir()
    await mkdir(join(root, 'job'))
    await writeFile(join(root, 'job', 'chair.obj'), 'mine')
    await mkdir(join(root, 'done', 'chair'), { recursive: true })
    await writeFile(join(root, 'done', 'chair', 'chair.obj'), 'earlier')
    await writeFile(join(root, 'done', 'chair-2'), 'a file')

    expect(await moveDirToUnique(join(root, 'job'), join(root, 'done'), 'chair')).toBe('chair-3')
    expect(await readFile(join(root, 'done', 'chair', 'chair.obj'), 'utf8')).toBe('earlier')
    expect(await readFile(join(root, 'done', 'chair-2'), 'utf8')).toBe('a file')
    expect(await readFile(join(root, 'done', 'chair-3', 'chair.obj'), 'utf8')).toBe('mine')
  })
})

describe('moveFileNoReplace', () => {
  it('moves into new subfolders and refuses an existing target', async () => {
    const root = await tempDir()
    await writeFile(join(root, 'a.png'), 'a')
    await moveFileNoReplace(join(root, 'a.png'), join(root, 'job', 'textures', 'a.png'))
    expect(await readFile(join(root, 'job', 'textures', 'a.png'), 'utf8')).toBe('a')

    await writeFile(join(root, 'b.png'), 'new')
    await writeFile(join(root, 'job', 'b.png'), 'old')
    await expect(moveFileNoReplace(join(root, 'b.png'), join(root, 'job', 'b.png'))).rejects.toThrow(/a file of that name exists/)
    expect(await readFile(join(root, 'job', 'b.png'), 'utf8')).toBe('old')
    expect(await readFile(join(root, 'b.png'), 'utf8')).toBe('new')
  })
})

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file', async () => {
    const root = await tempDir()
    await writeFileAtomic(join(root, 'x.json'), 'one')
    await writeFileAtomic(join(root, 'x.json'), 'two')
    expect(await readFile(join(root, 'x.json'), 'utf8')).toBe('two')
    expect(await readdir(root)).toEqual(['x.json'])
  })
})
