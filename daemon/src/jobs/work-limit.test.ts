import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { encodeMsgpack } from '../../../protocol/src/codec.js'
import { MeshParseError } from '../mesh/errors.js'
import { box, toArrays, toGlb, toObj, toOff, toPly, type PolyMesh } from '../server/test-meshes.js'
import type { StoredInput } from './job-record.js'
import { meshFromArrays } from './mesh-from-arrays.js'
import { loadStoredInput } from './segment-task.js'

const LIMIT = 100
const SETTING = "(the daemon's --max-faces limit, PARTFIELD_MAX_FACES"

/** Returns one convex polygon of `corners` vertices on a circle: one source face, corners - 2 triangles. */
function disc(corners: number): PolyMesh {
  const positions: number[] = []
  for (let i = 0; i < corners; i++) {
    const angle = (2 * Math.PI * i) / corners
    positions.push(Math.cos(angle), Math.sin(angle), 0)
  }
  return { positions, faces: [Array.from({ length: corners }, (_, i) => i)] }
}

/** Returns a PLY with vertices and no faces, which the loader reads as a point cloud. */
function pointCloudPly(points: number): string {
  const lines = ['ply', 'format ascii 1.0', `element vertex ${points}`, 'property float x', 'property float y', 'property float z', 'end_header']
  for (let i = 0; i < points; i++) lines.push(`${i} ${i % 7} ${i % 3}`)
  return `${lines.join('\n')}\n`
}

/** Returns the MeshParseError a call throws, or fails the test. */
async function rejection(work: () => unknown): Promise<MeshParseError> {
  try {
    await work()
  } catch (error) {
    expect(error).toBeInstanceOf(MeshParseError)
    return error as MeshParseError
  }
  throw new Error('expected a MeshParseError, but the call succeeded')
}

describe('meshFromArrays limit', () => {
  it('counts triangles, not polygon ids', async () => {
    // 54 quads in 108 triangles: the source faces are under the limit, the triangles over it.
    const arrays = toArrays(box(3))

    const error = await rejection(() => meshFromArrays(arrays, 'Suzanne', LIMIT, 'msgpack'))

    expect(error.code).toBe('too-many-faces')
    expect(error.message).toBe(
      `Suzanne: the mesh has 54 source faces in 108 triangles; expected at most 100 triangles ${SETTING}); ` +
        'decimate the mesh, or start the daemon with a larger --max-faces',
    )
  })

  it('accepts a mesh at the limit', () => {
    const { positions, triangles } = toArrays(disc(LIMIT + 2))

    const mesh = meshFromArrays({ positions, triangles }, 'disc', LIMIT, 'json')

    expect(mesh.triangles.length / 3).toBe(LIMIT)
  })

  it('rejects before checking the arrays', async () => {
    // An index out of range would be the first fault the scan finds; the size comes first.
    const { positions, polygons } = toArrays(disc(LIMIT + 3))
    const triangles = new Uint32Array((LIMIT + 1) * 3).fill(9999)

    const error = await rejection(() => meshFromArrays({ positions, triangles, polygons }, 'big', LIMIT, 'msgpack'))

    expect(error.code).toBe('too-many-faces')
    expect(error.message).toContain('the mesh has 1 source face in 101 triangles')
  })
})

describe('loadStoredInput limit', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'partfield-limit-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  async function store(name: string, bytes: string | Uint8Array, kind: StoredInput['kind'] = 'file'): Promise<StoredInput> {
    const format = kind === 'arrays' ? 'msgpack' : name.slice(name.lastIndexOf('.') + 1)
    const file = `input-${name}`
    await writeFile(join(dir, file), bytes)
    return { kind, name, format, bytes: bytes.length, file, resources: [] }
  }

  // One n-gon of 150 corners: 1 source face, 148 triangles.
  const ngon = disc(150)
  const files: [string, () => Promise<string | Uint8Array>][] = [
    ['ngon.off', async () => toOff(ngon)],
    ['ngon.obj', async () => toObj(ngon)],
    ['ngon.ply', async () => toPly(ngon)],
  ]
  for (const [name, build] of files) {
    it(`rejects ${name} by its triangles`, async () => {
      const input = await store(name, await build())

      const error = await rejection(() => loadStoredInput(dir, input, LIMIT))

      expect(error.code).toBe('too-many-faces')
      expect(error.message).toMatch(new RegExp(`^${name}: the mesh has 1 source face in 148 triangles; expected at most 100 triangles`))
      expect(error.message).toContain(SETTING)
    })
  }

  it('rejects mesh arrays stored by the daemon', async () => {
    const input = await store('arrays', encodeMsgpack(toArrays(box(3))), 'arrays')

    const error = await rejection(() => loadStoredInput(dir, input, LIMIT))

    expect(error.message).toContain('the mesh has 54 source faces in 108 triangles')
  })

  it('names the setting when the loader stops early', async () => {
    // A GLB holds triangles only, so its loader counts them while reading.
    const input = await store('boxes.glb', await toGlb(box(3)))

    const error = await rejection(() => loadStoredInput(dir, input, LIMIT))

    expect(error.code).toBe('too-many-faces')
    expect(error.message).toContain(`expected at most 100 ${SETTING}, which counts triangles after triangulation)`)
    expect(error.message).not.toContain('the configured limit')
  })

  it('counts the points of a point cloud', async () => {
    const input = await store('cloud.ply', pointCloudPly(LIMIT + 1))

    const error = await rejection(() => loadStoredInput(dir, input, LIMIT))

    expect(error.code).toBe('too-many-faces')
    expect(error.message).toContain(`101 points; expected at most 100 ${SETTING})`)
    expect(error.message).toContain('send fewer points')
  })

  it('loads inputs within the limit', async () => {
    const mesh = await loadStoredInput(dir, await store('small.off', toOff(disc(LIMIT + 2))), LIMIT)
    const cloud = await loadStoredInput(dir, await store('small.ply', pointCloudPly(LIMIT)), LIMIT)

    expect(mesh.kind).toBe('mesh')
    expect(mesh.kind === 'mesh' && mesh.triangles.length / 3).toBe(LIMIT)
    expect(cloud.kind).toBe('points')
  })
})
