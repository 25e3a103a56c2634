/**
 * Load-speed benchmark: writes grid meshes of about 1M faces in every text and binary format to
 * a temporary folder, then times readMeshFile on each in a fresh process, as the CLI would run.
 *
 *   npx tsx daemon/src/mesh/bench-load.ts [faces]
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { Document, NodeIO } from '@gltf-transform/core'

import { readMeshFile } from './read-file.js'

const DEFAULT_FACES = 1_000_000

interface Grid {
  side: number
  positions: Float32Array
  /** Four vertex indices per quad. */
  quads: Uint32Array
}

function makeGrid(quadCount: number): Grid {
  const side = Math.ceil(Math.sqrt(quadCount))
  const positions = new Float32Array((side + 1) * (side + 1) * 3)
  for (let y = 0; y <= side; y++) {
    for (let x = 0; x <= side; x++) {
      const v = (y * (side + 1) + x) * 3
      positions[v] = x / side
      positions[v + 1] = y / side
      positions[v + 2] = Math.sin(x * 0.1) * Math.cos(y * 0.1) * 0.05
    }
  }
  const quads = new Uint32Array(side * side * 4)
  for (let y = 0, q = 0; y < side; y++) {
    for (let x = 0; x < side; x++, q += 4) {
      const a = y * (side + 1) + x
      quads.set([a, a + 1, a + side + 2, a + side + 1], q)
    }
  }
  return { side, positions, quads }
}

/** Faces as triangles (two per quad) or quads, as index lists. */
function faceLists(grid: Grid, quadsAsTriangles: boolean): number[][] {
  const faces: number[][] = []
  for (let q = 0; q < grid.quads.length; q += 4) {
    const [a, b, c, d] = grid.quads.subarray(q, q + 4)
    if (quadsAsTriangles) faces.push([a, b, c], [a, c, d])
    else faces.push([a, b, c, d])
  }
  return faces
}

function vertexLines(grid: Grid, prefix: string): string[] {
  const lines: string[] = []
  for (let v = 0; v < grid.positions.length; v += 3) {
    lines.push(`${prefix}${grid.positions[v].toFixed(6)} ${grid.positions[v + 1].toFixed(6)} ${grid.positions[v + 2].toFixed(6)}`)
  }
  return lines
}

function makeOff(grid: Grid, faces: number[][]): Uint8Array {
  const header = `OFF\n${grid.positions.length / 3} ${faces.length} 0`
  const body = faces.map((face) => `${face.length} ${face.join(' ')}`)
  return new TextEncoder().encode([header, ...vertexLines(grid, ''), ...body, ''].join('\n'))
}

function makeObj(grid: Grid, faces: number[][]): Uint8Array {
  const body = faces.map((face) => `f ${face.map((index) => index + 1).join(' ')}`)
  return new TextEncoder().encode(['o grid', ...vertexLines(grid, 'v '), ...body, ''].join('\n'))
}

function makeBinaryPly(grid: Grid, faces: number[][]): Uint8Array {
  const vertexCount = grid.positions.length / 3
  const header = new TextEncoder().encode(['ply', 'format binary_little_endian 1.0', `element vertex ${vertexCount}`,
    'property float x', 'property float y', 'property float z', `element face ${faces.length}`,
    'property list uchar int vertex_indices', 'end_header', ''].join('\n'))
  const bodyLength = vertexCount * 12 + faces.reduce((sum, face) => sum + 1 + face.length * 4, 0)
  const bytes = new Uint8Array(header.length + bodyLength)
  bytes.set(header)
  const view = new DataView(bytes.buffer)
  let offset = header.length
  for (let i = 0; i < grid.positions.length; i++, offset += 4) view.setFloat32(offset, grid.positions[i], true)
  for (const face of faces) {
    view.setUint8(offset++, face.length)
    for (const index of face) {
      view.setInt32(offset, index, true)
      offset += 4
    }
  }
  return bytes
}

async function makeGlb(grid: Grid, faces: number[][]): Promise<Uint8Array> {
  const document = new Document()
  const buffer = document.createBuffer()
  const indices = new Uint32Array(faces.length * 3)
  faces.forEach((face, f) => indices.set(face, f * 3))
  const primitive = document.createPrimitive()
    .setAttribute('POSITION', document.createAccessor().setType('VEC3').setArray(grid.positions).setBuffer(buffer))
    .setIndices(document.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer))
  const node = document.createNode('grid').setMesh(document.createMesh('grid').addPrimitive(primitive))
  document.getRoot().setDefaultScene(document.createScene().addChild(node))
  return new NodeIO().writeBinary(document)
}

const CASES: [string, string, (grid: Grid, faces: number[][]) => Uint8Array | Promise<Uint8Array>, boolean][] = [
  ['OFF ascii, triangles', 'triangles.off', makeOff, true],
  ['OFF ascii, quads', 'quads.off', makeOff, false],
  ['OBJ, triangles', 'triangles.obj', makeObj, true],
  ['OBJ, quads', 'quads.obj', makeObj, false],
  ['PLY binary, triangles', 'triangles.ply', makeBinaryPly, true],
  ['PLY binary, quads', 'quads.ply', makeBinaryPly, false],
  ['GLB, triangles', 'triangles.glb', makeGlb, true],
]

/** Loads one file and prints one line; runs in its own process so earlier runs do not warm it. */
async function measure(label: string, path: string): Promise<void> {
  const start = performance.now()
  const loaded = await readMeshFile(path, { maxFaces: 10_000_000 })
  const seconds = (performance.now() - start) / 1000
  const memory = process.memoryUsage()
  const faces = loaded.kind === 'mesh' ? loaded.polygonCount : 0
  const triangles = loaded.kind === 'mesh' ? loaded.triangles.length / 3 : 0
  console.log(`${label.padEnd(24)} ${faces.toString().padStart(8)} faces ${triangles.toString().padStart(8)} triangles ` +
    `${seconds.toFixed(2).padStart(6)} s   rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB`)
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3], process.argv[4])

  const faceTarget = Number(process.argv[2] ?? DEFAULT_FACES)
  const folder = await mkdtemp(join(tmpdir(), 'mesh-bench-'))
  try {
    const grids = { true: makeGrid(faceTarget / 2), false: makeGrid(faceTarget) }
    for (const [, name, make, triangles] of CASES) {
      const grid = grids[`${triangles}`]
      await writeFile(join(folder, name), await make(grid, faceLists(grid, triangles)))
    }
    console.log(`node ${process.version}, about ${faceTarget} faces per file, files in ${folder}`)
    for (const [label, name] of CASES) {
      const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', label, join(folder, name)])
      process.stdout.write(output)
    }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

await main()
