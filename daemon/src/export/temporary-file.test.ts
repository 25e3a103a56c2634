import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { TEMPORARY_FILE_PATTERN, temporaryPathFor, writeTemporaryFor } from './temporary-file.js'

describe('temporaryPathFor', () => {
  it('names temporaries so the cleanup pattern finds them', () => {
    const name = temporaryPathFor('/some/dir/chair.parts.glb').slice('/some/dir/'.length)
    expect(name.startsWith('.chair.parts.glb.')).toBe(true)
    expect(TEMPORARY_FILE_PATTERN.test(name)).toBe(true)
    expect(TEMPORARY_FILE_PATTERN.test('.chair.obj')).toBe(false)
    expect(TEMPORARY_FILE_PATTERN.test('chair.1.abcdef12.tmp')).toBe(false)
  })
})

describe('writeTemporaryFor', () => {
  it('writes a hidden file beside the target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-temporary-'))
    try {
      const temporary = await writeTemporaryFor(join(dir, 'chair.parts.glb'), 'data')
      expect(dirname(temporary)).toBe(dir)
      expect(TEMPORARY_FILE_PATTERN.test(basename(temporary))).toBe(true)
      expect(await readFile(temporary, 'utf8')).toBe('data')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
