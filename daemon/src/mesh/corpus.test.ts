import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { CORPUS_ROOT, type CorpusRow, listCorpusFiles } from '../../test/fixtures/mesh/corpus-files.js'
import { MeshParseError } from './errors.js'
import { extensionOf } from './formats.js'
import { readMeshFile } from './read-file.js'

/**
 * Walks Debian's assimp-testmodels and checks every file with a supported extension against
 * assimp-corpus.json: our result must match the recorded one, and where it differs from what
 * `assimp info -r` reported, the row must carry a note saying why.
 */

const TABLE = fileURLToPath(new URL('../../test/fixtures/mesh/assimp-corpus.json', import.meta.url))
const HAVE_CORPUS = existsSync(CORPUS_ROOT)

if (!HAVE_CORPUS) console.warn(`skipping the assimp corpus test: ${CORPUS_ROOT} is missing (Debian package assimp-testmodels)`)

/**
 * Returns whether our recorded result agrees with assimp's. Polygons compare with assimp's raw
 * faces. Assimp's OBJ importer stores one vertex per face corner, which is triangles + 2 *
 * polygons for us. For the other formats both keep the file's vertices.
 */
function agreesWithAssimp(file: string, row: CorpusRow): boolean {
  const { assimp, ours } = row
  if ('error' in assimp) return 'error' in ours
  if ('error' in ours) return ours.error === 'no-faces' && assimp.faces === 0 && assimp.pointVertices === 0
  if (ours.kind === 'points') return assimp.faces === 0 && assimp.pointVertices === ours.vertices
  if (assimp.mixedPrimitives || assimp.faces !== ours.polygons) return false
  const corners = ours.triangles + 2 * ours.polygons
  return assimp.vertices === (extensionOf(file) === '.obj' ? corners : ours.vertices)
}

describe.skipIf(!HAVE_CORPUS)('assimp test model corpus', () => {
  it('lists every corpus file in the table', async () => {
    const table = JSON.parse(await readFile(TABLE, 'utf8')) as Record<string, CorpusRow>
    const files = await listCorpusFiles()
    expect(files.length).toBeGreaterThan(50)
    expect(files.filter((file) => !(file in table))).toEqual([])
  })

  it('loads or rejects each file as recorded', async () => {
    const table = JSON.parse(await readFile(TABLE, 'utf8')) as Record<string, CorpusRow>
    for (const file of await listCorpusFiles()) {
      const row = table[file]
      if (!row) continue
      const path = join(CORPUS_ROOT, file)
      const outcome = await readMeshFile(path).catch((error: unknown) => error)

      if ('error' in row.ours) {
        expect(outcome, file).toBeInstanceOf(MeshParseError)
        expect((outcome as MeshParseError).code, file).toBe(row.ours.error)
        expect((outcome as MeshParseError).message, file).toContain(path)
      } else if (row.ours.kind === 'points') {
        expect(outcome, file).toMatchObject({ kind: 'points' })
        expect((outcome as { positions: Float32Array }).positions.length / 3, file).toBe(row.ours.vertices)
      } else {
        expect(outcome, file).toMatchObject({ kind: 'mesh', polygonCount: row.ours.polygons })
        const mesh = outcome as { positions: Float32Array; triangles: Uint32Array }
        expect(mesh.positions.length / 3, file).toBe(row.ours.vertices)
        expect(mesh.triangles.length / 3, file).toBe(row.ours.triangles)
      }
    }
  })

  it('explains every disagreement with assimp', async () => {
    const table = JSON.parse(await readFile(TABLE, 'utf8')) as Record<string, CorpusRow>
    const unexplained = Object.entries(table)
      .filter(([file, row]) => !agreesWithAssimp(file, row) && !row.note)
      .map(([file]) => file)
    expect(unexplained).toEqual([])
    const agreeing = Object.entries(table).filter(([file, row]) => agreesWithAssimp(file, row)).length
    expect(agreeing).toBeGreaterThan(50)
  })
})
