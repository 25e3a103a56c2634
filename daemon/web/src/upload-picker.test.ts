import { describe, expect, it } from 'vitest'

import { PageError } from './error-text.js'
import { planUpload } from './upload-picker.js'

const MB = 1024 * 1024

function file(name: string, bytes: number): File {
  return new File([new Uint8Array(bytes)], name)
}

function catchError(run: () => unknown): PageError | undefined {
  try {
    run()
  } catch (caught) {
    return caught as PageError
  }
  return undefined
}

describe('planUpload', () => {
  it('sends a glTF with its resources', () => {
    const mesh = file('scene.gltf', 100)
    const bin = file('scene.bin', 2000)
    const texture = file('wood.png', 3000)
    expect(planUpload([bin, mesh, texture], 10 * MB)).toEqual({ mesh, resources: [bin, texture] })
  })

  it('rejects one file that is no mesh', () => {
    expect(() => planUpload([file('notes.txt', 10)], undefined)).toThrow('notes.txt is not a mesh file.')
  })

  it('asks for the glTF of a lone .bin', () => {
    const error = catchError(() => planUpload([file('engine.bin', 10)], undefined))
    expect(error?.title).toBe('engine.bin is not a mesh file.')
    expect(error?.advice).toContain('select it together with its .gltf file')
  })

  it('counts several files without a mesh', () => {
    expect(() => planUpload([file('a.bin', 10), file('b.png', 10)], undefined))
      .toThrow('None of the 2 selected files is a mesh file (a.bin, b.png).')
  })

  it('rejects two meshes', () => {
    expect(() => planUpload([file('a.obj', 10), file('b.PLY', 10)], undefined)).toThrow('2 mesh files were selected (a.obj, b.PLY).')
  })

  it('rejects an empty mesh', () => {
    expect(() => planUpload([file('a.off', 0)], undefined)).toThrow(PageError)
  })

  it('rejects a mesh over the upload limit', () => {
    const error = catchError(() => planUpload([file('big.glb', 3 * MB)], 2 * MB))
    expect(error?.title).toBe('big.glb is 3.0 MB; this daemon accepts uploads up to 2.0 MB.')
    expect(error?.advice).toContain('--max-upload-mb')
  })

  it('accepts a mesh just under the limit', () => {
    expect(planUpload([file('ok.glb', MB)], 2 * MB).mesh.name).toBe('ok.glb')
  })
})
