import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MeshParseError } from './errors.js'
import type { LoadedInput, MeshData } from './mesh-data.js'
import { createSiblingReader, readMeshFile } from './read-file.js'
import { totalArea } from './test-helpers.js'

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/mesh/', import.meta.url))

function asMesh(loaded: LoadedInput): MeshData {
  if (loaded.kind !== 'mesh') throw new Error(`expected a mesh, got ${loaded.kind}`)
  return loaded
}

function boundingBox(positions: Float32Array): number[] {
  const box = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]
  for (let i = 0; i < positions.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      box[k] = Math.min(box[k], positions[i + k])
      box[k + 3] = Math.max(box[k + 3], positions[i + k])
    }
  }
  return box
}

describe('generated fixtures', () => {
  it('triangulates the concave star inside its outline', async () => {
    const mesh = asMesh(await readMeshFile(join(FIXTURES, 'concave-star.obj')))
    expect(mesh.polygonCount).toBe(2)
    expect(mesh.triangles.length / 3).toBe(22 + 2)
    expect(mesh.nodes).toEqual([{ name: 'star', polygonCount: 1 }, { name: 'square', polygonCount: 1 }])
    // Star: 24 triangles from the centre with radii 1 and 0.4 at 15 degrees, plus a unit square.
    const starArea = 24 * 0.5 * 1 * 0.4 * Math.sin(Math.PI / 12)
    expect(totalArea(mesh)).toBeCloseTo(starArea + 1, 4)
    expect(mesh.cornerNormals?.length).toBe(mesh.triangles.length * 3)
  })

  it('reads the big-endian PLY torus with normals', async () => {
    const mesh = asMesh(await readMeshFile(join(FIXTURES, 'torus-big-endian.ply')))
    expect(mesh.positions.length / 3).toBe(128)
    expect(mesh.polygonCount).toBe(128)
    expect(mesh.triangles.length / 3).toBe(256)
    expect(mesh.cornerNormals?.length).toBe(256 * 9)
    expect(mesh.warnings).toEqual(["skipped element 'edge' (1 instance)"])
  })

  it('decodes Draco and meshopt GLBs like the plain one', async () => {
    const plain = asMesh(await readMeshFile(join(FIXTURES, 'torus.glb')))
    expect(plain.polygonCount).toBe(512)
    expect(plain.nodes).toEqual([{ name: 'torus', polygonCount: 256 }, { name: 'mirrored torus', polygonCount: 256 }])
    const plainBox = boundingBox(plain.positions)
    expect(plainBox[0]).toBeCloseTo(-1.3, 5)
    expect(plainBox[3]).toBeCloseTo(4.3, 5)

    for (const [name, extension] of [['torus-draco.glb', 'KHR_draco_mesh_compression'], ['torus-meshopt.glb', 'EXT_meshopt_compression']]) {
      const bytes = await readFile(join(FIXTURES, name))
      expect(bytes.toString('latin1')).toContain(extension)
      const mesh = asMesh(await readMeshFile(join(FIXTURES, name)))
      expect(mesh.polygonCount).toBe(512)
      expect(mesh.nodes.map((node) => node.polygonCount)).toEqual([256, 256])
      const box = boundingBox(mesh.positions)
      for (let k = 0; k < 6; k++) expect(Math.abs(box[k] - plainBox[k])).toBeLessThan(2e-3)
      expect(totalArea(mesh) / totalArea(plain)).toBeCloseTo(1, 2)
    }
  })
})

describe('readMeshFile', () => {
  let folder = ''

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mesh-read-'))
  })

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  it('reads a .gltf with its sibling .bin', async () => {
    const mesh = asMesh(await readMeshFile(join(FIXTURES, 'torus-external.gltf')))
    expect(mesh.format).toBe('gltf')
    expect(mesh.polygonCount).toBe(512)
  })

  it('reports a missing .bin and a missing file', async () => {
    const gltf = join(folder, 'alone.gltf')
    await copyFile(join(FIXTURES, 'torus-external.gltf'), gltf)
    await expect(readMeshFile(gltf)).rejects.toThrow(/alone\.gltf: buffers\[0\]: cannot read 'torus-external\.bin'/)

    const missing = join(folder, 'nothing.obj')
    const error = await readMeshFile(missing).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(MeshParseError)
    expect((error as MeshParseError).message).toBe(`${missing}: the file does not exist; expected a readable mesh file`)
  })

  it('confines resources to the file folder', async () => {
    const inner = join(folder, 'inner')
    await rm(inner, { recursive: true, force: true })
    await writeFile(join(folder, 'secret.bin'), 'outside')
    await import('node:fs/promises').then(({ mkdir }) => mkdir(join(inner, 'sub'), { recursive: true }))
    await writeFile(join(inner, 'sub', 'data.bin'), 'inside')
    await symlink(join(folder, 'secret.bin'), join(inner, 'link.bin'))
    const read = createSiblingReader(join(inner, 'model.gltf'))

    expect(Buffer.from((await read('sub/data.bin')) ?? []).toString()).toBe('inside')
    expect(Buffer.from((await read('sub%2Fdata.bin')) ?? []).toString()).toBe('inside')
    expect(await read('../secret.bin')).toBeUndefined()
    expect(await read('sub/../../secret.bin')).toBeUndefined()
    expect(await read(join(folder, 'secret.bin'))).toBeUndefined()
    expect(await read('link.bin')).toBeUndefined()
    expect(await read('file:///etc/passwd')).toBeUndefined()
    expect(await read('%E0%A4%A')).toBeUndefined()
    expect(await read('missing.bin')).toBeUndefined()
  })
})
