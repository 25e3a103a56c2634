import { describe, expect, it } from 'vitest'

import { describeFile } from './download-list.js'

function file(name: string): { name: string; format: string; bytes: number; url: string } {
  return { name, format: name.split('.').pop()!, bytes: 1, url: `/v1/jobs/j/files/${name}` }
}

describe('describeFile', () => {
  it('says faces for a mesh PLY', () => {
    expect(describeFile(file('chair.parts.ply'), 'mesh')).toBe('PLY: faces coloured by part')
  })

  it('says points for a point cloud PLY', () => {
    expect(describeFile(file('scan.parts.ply'), 'points')).toBe('PLY: points coloured by part')
  })

  it('falls back to the file name', () => {
    expect(describeFile(file('notes.txt'), 'mesh')).toBe('notes.txt')
  })
})
