import { describe, expect, it } from 'vitest'

import { plural } from './plural.js'

describe('plural', () => {
  it('uses the singular for one', () => {
    expect(plural(1, 'part')).toBe('1 part')
  })

  it('adds s for zero and many', () => {
    expect(plural(0, 'part')).toBe('0 parts')
    expect(plural(256, 'face')).toBe('256 faces')
  })

  it('takes an irregular plural', () => {
    expect(plural(2, 'vertex', 'vertices')).toBe('2 vertices')
    expect(plural(1, 'vertex', 'vertices')).toBe('1 vertex')
  })
})
