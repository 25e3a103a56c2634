import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { boxMesh, dumbbellMesh, joinMeshes, subdivide } from '../src/prepare/synthetic-meshes.js'
import { buildCase, referenceUnavailable, runReference, writeCase } from './sklearn-compare.js'

const unavailable = await referenceUnavailable()
if (unavailable) console.warn(`skipping the scikit-learn comparison: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('wardTree against scikit-learn', () => {
  let root = ''
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('gives the same merges and labels on generated meshes', async () => {
    root = await mkdtemp(join(tmpdir(), 'sklearn-compare-'))
    const meshes = {
      dumbbell: dumbbellMesh(3000),
      'two boxes and a bar': subdivide(joinMeshes([boxMesh([-1, 0, 0], [1, 1, 1]), boxMesh([0, 0, 0], [1, 0.2, 0.2]), boxMesh([1, 0, 0], [1, 1, 1])]), 3),
    }
    let index = 0
    for (const [name, mesh] of Object.entries(meshes)) {
      await writeCase(await buildCase(mesh, name), join(root, String(index++)))
    }

    const results = await runReference(root)
    expect(results.map((r) => r.name)).toEqual(Object.keys(meshes))
    for (const result of results) {
      expect(result.sameMerges, result.name).toBe(true)
      expect(Math.min(...result.ari), result.name).toBeGreaterThanOrEqual(0.99)
    }
  })
})
