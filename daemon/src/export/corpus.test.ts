/**
 * Exports real meshes: every file of Debian's assimp-testmodels corpus that our loaders read, and
 * the PSB meshes when the shared data folder is present. Labels are synthetic (faces split by
 * centroid along the longest axis), since the point here is the formats, not the segmentation.
 */
import { NodeIO, type Document } from '@gltf-transform/core'
import { existsSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { describe, expect, test } from 'vitest'

import { readObj } from '../../test/fixtures/export/read-obj.js'
import { readBinaryPly } from '../../test/fixtures/export/read-ply.js'
import { segmentationOf } from '../../test/fixtures/export/segmentations.js'
import { describeIssues, validateGlb } from '../../test/fixtures/export/validate-glb.js'
import { DEFAULT_PARAMS } from '../../../protocol/src/params.js'
import { MeshParseError } from '../mesh/errors.js'
import { MESH_EXTENSIONS } from '../mesh/formats.js'
import { loadMesh } from '../mesh/load.js'
import { DEFAULT_MAX_FACES, type LoadedInput, type MeshData } from '../mesh/mesh-data.js'
import { encodeGlb, encodePcaGlb } from './glb.js'
import { encodeObj } from './obj.js'
import { encodePly } from './ply.js'

const ASSIMP_MODELS = '/usr/share/assimp/models'
const PSB_MESHES = new URL('../../../../shared/psb-dev/off', import.meta.url).pathname
const PART_COUNT = 4

function meshFiles(root: string): string[] {
  if (!existsSync(root)) return []
  const files: string[] = []
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    if (!entry.isFile() || !MESH_EXTENSIONS.includes(extname(entry.name).toLowerCase())) continue
    files.push(path)
  }
  return files.sort()
}

async function tryLoad(path: string): Promise<LoadedInput | undefined> {
  try {
    return await loadMesh(await readFile(path), {
      fileName: path,
      maxFaces: DEFAULT_MAX_FACES,
      readResource: async (uri) => readFile(join(path, '..', uri)).catch(() => undefined),
    })
  } catch (error) {
    if (error instanceof MeshParseError) return undefined
    throw error
  }
}

/** Labels faces (points) 0..PART_COUNT-1 by their centroid's position along the longest axis. */
function slabLabels(input: LoadedInput): Int32Array {
  const p = input.positions
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < p.length; i++) {
    min[i % 3] = Math.min(min[i % 3], p[i])
    max[i % 3] = Math.max(max[i % 3], p[i])
  }
  const axis = [0, 1, 2].reduce((best, d) => (max[d] - min[d] > max[best] - min[best] ? d : best), 0)
  const slab = (value: number): number => {
    const t = (value - min[axis]) / (max[axis] - min[axis] || 1)
    return Math.min(PART_COUNT - 1, Math.floor(t * PART_COUNT))
  }
  if (input.kind === 'points') return Int32Array.from({ length: p.length / 3 }, (_, i) => slab(p[3 * i + axis]))

  const labels = new Int32Array(input.polygonCount)
  const seen = new Uint8Array(input.polygonCount)
  for (let t = 0; t < input.triangleToPolygon.length; t++) {
    const polygon = input.triangleToPolygon[t]
    if (seen[polygon]) continue
    seen[polygon] = 1
    labels[polygon] = slab(p[3 * input.triangles[3 * t] + axis])
  }
  return labels
}

async function checkExports(path: string, input: LoadedInput): Promise<void> {
  const labels = slabLabels(input)
  const pcaColors = Array.from({ length: 3 * labels.length }, (_, i) => (i * 29) % 256)
  const seg = segmentationOf(input, labels, { params: DEFAULT_PARAMS, pcaColors })
  seg.partCount = PART_COUNT

  for (const glb of [await encodeGlb(seg), await encodePcaGlb(seg)]) {
    const report = await validateGlb(glb)
    expect(report.issues.numErrors, `${path}: ${describeIssues(report).join('\n')}`).toBe(0)
  }

  const ply = readBinaryPly(encodePly(seg))
  const vertices = ply.elements.get('vertex')!
  expect(vertices).toHaveLength(input.positions.length / 3)
  if (input.kind === 'points') return

  // Every source face appears, in order, once or (split into triangles) several times.
  const sourceFaces = ply.elements.get('face')!.map((row) => row.source_face as number)
  expect(new Set(sourceFaces).size).toBe(input.polygonCount)
  expect(sourceFaces.every((face, i) => i === 0 || face >= sourceFaces[i - 1])).toBe(true)

  const { obj } = encodeObj(seg, 'model.parts.mtl')
  const reloaded = await loadMesh(obj, { fileName: 'model.parts.obj', maxFaces: DEFAULT_MAX_FACES }) as MeshData
  // Compared with ===, since the OBJ writes -0 as 0.
  const moved = input.positions.findIndex((value, i) => reloaded.positions[i] !== value)
  expect(moved, `${path}: coordinate ${moved} changed`).toBe(-1)
  expect(reloaded.positions.length).toBe(input.positions.length)
  expect(reloaded.triangles.length).toBe(input.triangles.length)
}

describe('exports of the assimp test models', () => {
  const files = meshFiles(ASSIMP_MODELS)

  test.skipIf(files.length === 0)('exports every loadable model', async () => {
    let exported = 0
    for (const path of files) {
      const input = await tryLoad(path)
      if (!input) continue
      await checkExports(path, input)
      exported++
    }
    expect(exported).toBeGreaterThan(10)
  })
})

describe('exports of the PSB meshes', () => {
  // The PSB meshes live in the shared data folder, which only development machines have.
  const files = meshFiles(PSB_MESHES).slice(0, 20)

  test.skipIf(files.length === 0)('exports the first 20 meshes', async () => {
    for (const path of files) {
      const input = await tryLoad(path)
      expect(input, `${path} did not load`).toBeDefined()
      await checkExports(path, input!)
    }
  })
})

/** Returns every "x,y,z:u,v" pair of a glTF scene's triangles, positions in world space to 1e-4. */
function positionUvPairs(doc: Document): Set<string> {
  const pairs = new Set<string>()
  for (const node of doc.getRoot().listNodes()) {
    const m = node.getWorldMatrix()
    for (const primitive of node.getMesh()?.listPrimitives() ?? []) {
      const position = primitive.getAttribute('POSITION')!
      const uv = primitive.getAttribute('TEXCOORD_0')!
      for (let i = 0; i < position.getCount(); i++) {
        const [x, y, z] = position.getElement(i, [0, 0, 0])
        const world = [0, 1, 2].map((r) => m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r])
        pairs.add(`${world.map((value) => value.toFixed(4)).join()}:${uv.getElement(i, [])}`)
      }
    }
  }
  return pairs
}

describe('UV round trips on assimp models', () => {
  const boxGlb = join(ASSIMP_MODELS, 'glTF2/BoxTextured-glTF-Binary/BoxTextured.glb')
  const spiderObj = join(ASSIMP_MODELS, 'OBJ/spider.obj')

  test.skipIf(!existsSync(boxGlb))('keeps the UVs of a GLB', async () => {
    const input = await tryLoad(boxGlb) as MeshData
    expect(input.cornerUvs).toBeDefined()
    const seg = segmentationOf(input, slabLabels(input), { params: DEFAULT_PARAMS, pcaColors: [] })
    seg.pca = undefined
    seg.partCount = PART_COUNT
    const original = positionUvPairs(await new NodeIO().readBinary(await readFile(boxGlb)))
    const exported = positionUvPairs(await new NodeIO().readBinary(await encodeGlb(seg)))
    expect(exported.size).toBe(original.size)
    for (const pair of exported) expect(original.has(pair), pair).toBe(true)
  })

  test.skipIf(!existsSync(spiderObj))('keeps the UVs of an OBJ', async () => {
    const input = await tryLoad(spiderObj) as MeshData
    expect(input.cornerUvs).toBeDefined()
    const seg = segmentationOf(input, slabLabels(input), { params: DEFAULT_PARAMS, pcaColors: [] })
    seg.pca = undefined
    seg.partCount = PART_COUNT
    const source = readObj(stripUnsupported(await readFile(spiderObj, 'utf8')))
    const exported = readObj(new TextDecoder().decode(encodeObj(seg, 'spider.parts.mtl').obj))
    const sourceUvs = new Set(source.vt.map((uv) => uv.slice(0, 2).map(Math.fround).join()))
    for (const uv of exported.vt) {
      const key = uv.map(Math.fround).join()
      expect(sourceUvs.has(key), key).toBe(true)
    }
  })
})

/** Keeps only the OBJ statements the test reader parses. */
function stripUnsupported(text: string): string {
  return text.split('\n').filter((line) => /^(v|vt|vn|f|o|usemtl|mtllib|#)\s/.test(line.trim() + ' ')).join('\n')
}
