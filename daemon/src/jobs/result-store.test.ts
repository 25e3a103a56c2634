import { describe, expect, it } from 'vitest'

import { exportBaseName } from './result-store.js'
import { isStoredName } from './job-store.js'

describe('exportBaseName', () => {
  it('takes the stem of an uploaded file', () => {
    expect(exportBaseName({ kind: 'file', name: 'Wuson.obj' })).toBe('Wuson')
    expect(exportBaseName({ kind: 'file', name: 'chair seat.v2.ply' })).toBe('chair seat.v2')
    expect(exportBaseName({ kind: 'file', name: 'figure' })).toBe('figure')
  })

  it('takes the whole name of mesh arrays', () => {
    expect(exportBaseName({ kind: 'arrays', name: 'Cube.001' })).toBe('Cube.001')
  })

  it('keeps letters of any script and replaces unsafe characters', () => {
    expect(exportBaseName({ kind: 'file', name: 'chaise é.obj' })).toBe('chaise é')
    expect(exportBaseName({ kind: 'file', name: '椅子.glb' })).toBe('椅子')
    expect(exportBaseName({ kind: 'file', name: 'a:b*c?"d<e>|%.obj' })).toBe('a_b_c__d_e___')
    expect(exportBaseName({ kind: 'file', name: 'chair (1).obj' })).toBe('chair (1)')
  })

  it('never returns a name the job store rejects', () => {
    for (const name of ['..obj', '...', '.hidden.obj', '  .obj', '___.obj', 'a..b.obj', `${'x'.repeat(300)}.obj`, '\u202e.obj', '']) {
      const base = exportBaseName({ kind: 'file', name })
      expect(isStoredName(`${base}.parts.glb`), JSON.stringify(name)).toBe(true)
      expect(isStoredName(`${base}.labels.json`), JSON.stringify(name)).toBe(true)
    }
    expect(exportBaseName({ kind: 'file', name: '...' })).toBe('model')
    expect(exportBaseName({ kind: 'file', name: `${'x'.repeat(300)}.obj` })).toBe('x'.repeat(64))
  })
})
