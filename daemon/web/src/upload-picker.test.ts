import { describe, expect, it } from 'vitest'

import { PageError } from './error-text.js'
import { planUpload } from './upload-picker.js'

const MB = 1024 * 1024

function file(name: string, bytes: number): File {
  return new File([new Uint8Array(bytes)], name)
}

describe('planUpload', () => {
  it('sends a glTF with its resources', () => {
    const mesh = file('scene.gltf', 100)
    const bin = file('scene.bin', 2000)
    const texture = file('wood.png', 3000)
    expect(planUpload([bin, mesh, texture], 10 * MB)).toEqual({ mesh, resources: [bin, texture] })
  })

  it('rejects a selection without a mesh', () => {
    expect(() => planUpload([file('notes.txt', 10)], undefined)).toThrow('No mesh file among notes.txt.')
  })

  it('rejects two meshes', () => {
    expect(() => planUpload([file('a.obj', 10), file('b.PLY', 10)], undefined)).toThrow('2 mesh files were selected (a.obj, b.PLY).')
  })

  it('rejects an empty mesh', () => {
    expect(() => planUpload([file('a.off', 0)], undefined)).toThrow(PageError)
  })

  it('rejects a mesh over the upload limit', () => {
    const error = (() => {
      try {
        planUpload([file('big.glb', 3 * MB)], 2 * MB)
      } catch (caught) {
        return caught as PageError
      }
    })()
    expect(error?.title).toBe('big.glb is 3.0 MB; this daemon accepts uploads up to 2.0 MB.')
    expect(error?.advice).toContain('--max-upload-mb')
  })

  it('accepts a mesh just under the limit', () => {
    expect(planUpload([file('ok.glb', MB)], 2 * MB).mesh.name).toBe('ok.glb')
  })
})
