import { describe, expect, it } from 'vitest'

import { fileRole } from './file-roles.js'

describe('fileRole', () => {
  const cases: Array<[string, string]> = [
    ['chair.obj', 'mesh'], ['scene.GLB', 'mesh'], ['scan.ply', 'mesh'],
    ['chair.mtl', 'companion'], ['scene.bin', 'companion'], ['wood.PNG', 'companion'], ['wood.jpeg', 'companion'],
    ['wood.ktx2', 'companion'], ['wood.webp', 'companion'], ['wood.tga', 'companion'],
    ['chair.obj.partfield.json', 'sidecar'], ['CHAIR.OBJ.PARTFIELD.JSON', 'sidecar'],
    ['bearing.stl', 'unsupported'], ['bearing.fbx', 'unsupported'], ['notes.txt', 'unsupported'], ['README', 'unsupported'],
    ['partfield.json', 'unsupported'],
    ['chair.obj.part', 'temporary'], ['.DS_Store', 'temporary'], ['bearing.stl.crdownload', 'temporary'],
  ]
  for (const [name, role] of cases) {
    it(`sees ${name} as ${role}`, () => {
      expect(fileRole(name)).toBe(role)
    })
  }
})
