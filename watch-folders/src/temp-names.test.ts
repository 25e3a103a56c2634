import { describe, expect, it } from 'vitest'

import { isMeshFileName, isTemporaryName, jobStem } from './temp-names.js'

describe('isTemporaryName', () => {
  const temporary = [
    'chair.obj.part', 'chair.obj.crdownload', 'chair.obj.download', 'chair.obj.partial', 'chair.tmp', 'CHAIR.OBJ.TMP',
    'chair.temp', 'chair.obj.!sync', 'chair.obj.filepart', 'chair.opdownload', '~$chair.obj', '~syncthing~chair.obj.tmp',
    '.syncthing.chair.obj.tmp', '.dropbox.cache', '.dropbox', '.DS_Store', '._chair.obj', '.chair.obj', 'chair.obj~',
  ]
  for (const name of temporary) {
    it(`treats ${name} as temporary`, () => {
      expect(isTemporaryName(name)).toBe(true)
    })
  }

  for (const name of ['chair.obj', 'chair.partfield.json', 'part.obj', 'tmp.off', 'my~chair.glb', 'chair.mtl']) {
    it(`keeps ${name}`, () => {
      expect(isTemporaryName(name)).toBe(false)
    })
  }
})

describe('isMeshFileName', () => {
  it('accepts every mesh extension in any case', () => {
    for (const name of ['a.obj', 'b.GLB', 'c.gltf', 'd.Ply', 'e.off']) expect(isMeshFileName(name), name).toBe(true)
  })

  it('rejects companions, sidecars and temporary meshes', () => {
    for (const name of ['a.mtl', 'a.bin', 'a.obj.partfield.json', 'partfield.json', 'a.obj.part', '.a.obj', 'obj']) {
      expect(isMeshFileName(name), name).toBe(false)
    }
  })
})

describe('jobStem', () => {
  it('drops the last extension only', () => {
    expect(jobStem('chair.obj')).toBe('chair')
    expect(jobStem('chair.v2.glb')).toBe('chair.v2')
    expect(jobStem('noextension')).toBe('noextension')
  })
})
