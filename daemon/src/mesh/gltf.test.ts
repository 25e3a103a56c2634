import { Accessor, Document, type Mesh, NodeIO, Primitive } from '@gltf-transform/core'
import { describe, expect, it } from 'vitest'

import type { MeshData } from './mesh-data.js'
import { expectLoadError, loadMeshData, loadPoints } from './test-helpers.js'

/** Creates a document with one buffer for the test's meshes and nodes. */
function newDocument(): Document {
  const document = new Document()
  document.createBuffer()
  return document
}

function accessor(document: Document, type: 'SCALAR' | 'VEC2' | 'VEC3' | 'VEC4', array: Float32Array | Uint16Array | Uint32Array | Int8Array): Accessor {
  return document.createAccessor().setType(type).setArray(array).setBuffer(document.getRoot().listBuffers()[0])
}

/** Adds a mesh with one primitive, non-indexed when `indices` is omitted. */
function addMesh(
  document: Document,
  name: string,
  positions: number[],
  options: { indices?: number[]; mode?: number; normals?: number[]; colors?: number[] } = {},
): Mesh {
  const primitive = document.createPrimitive()
    .setAttribute('POSITION', accessor(document, 'VEC3', new Float32Array(positions)))
    .setMode((options.mode ?? Primitive.Mode.TRIANGLES) as 4)
  if (options.indices) primitive.setIndices(accessor(document, 'SCALAR', new Uint16Array(options.indices)))
  if (options.normals) primitive.setAttribute('NORMAL', accessor(document, 'VEC3', new Float32Array(options.normals)))
  if (options.colors) primitive.setAttribute('COLOR_0', accessor(document, 'VEC3', new Float32Array(options.colors)))
  return document.createMesh(name).addPrimitive(primitive)
}

function addToScene(document: Document, ...nodes: ReturnType<Document['createNode']>[]): void {
  const scene = document.getRoot().getDefaultScene() ?? document.createScene('scene')
  document.getRoot().setDefaultScene(scene)
  for (const node of nodes) scene.addChild(node)
}

const TRIANGLE = [0, 0, 0, 1, 0, 0, 0, 1, 0]

async function writeGlb(document: Document): Promise<Uint8Array> {
  return new NodeIO().writeBinary(document)
}

/** z component of the geometric normal of triangle t, from the winding. */
function windingZ(mesh: MeshData, t: number): number {
  const p = mesh.positions
  const [a, b, c] = [mesh.triangles[t * 3] * 3, mesh.triangles[t * 3 + 1] * 3, mesh.triangles[t * 3 + 2] * 3]
  return (p[b] - p[a]) * (p[c + 1] - p[a + 1]) - (p[b + 1] - p[a + 1]) * (p[c] - p[a])
}

describe('parseGltf', () => {
  it('merges instances with world transforms, one node each', async () => {
    const document = newDocument()
    const mesh = addMesh(document, 'tri', TRIANGLE, { indices: [0, 1, 2], normals: [0, 0, 1, 0, 0, 1, 0, 0, 1] })
    const parent = document.createNode('parent').setTranslation([10, 0, 0])
    const child = document.createNode('child').setMesh(mesh).setScale([2, 1, 1])
    const mirrored = document.createNode('mirrored').setMesh(mesh).setScale([-1, 1, 1])
    parent.addChild(child)
    addToScene(document, parent, mirrored)

    const loaded = await loadMeshData(await writeGlb(document), 'scene.glb')
    expect(loaded.format).toBe('glb')
    expect(loaded.nodes).toEqual([{ name: 'child', polygonCount: 1 }, { name: 'mirrored', polygonCount: 1 }])
    expect(Array.from(loaded.positions)).toEqual([10, 0, 0, 12, 0, 0, 10, 1, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0])
    expect(Array.from(loaded.triangleToPolygon)).toEqual([0, 1])
    expect(Array.from(loaded.triangleNode)).toEqual([0, 1])
    expect(loaded.polygonCount).toBe(2)
    // The mirrored copy keeps facing +z: its winding is flipped back and its normals stay +z.
    expect(windingZ(loaded, 0)).toBeGreaterThan(0)
    expect(windingZ(loaded, 1)).toBeGreaterThan(0)
    expect(Array.from(loaded.cornerNormals ?? [], (value) => value + 0)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1])
  })

  it('transforms normals with the normal matrix', async () => {
    const document = newDocument()
    const s = Math.SQRT1_2
    const mesh = addMesh(document, 'slope', TRIANGLE, { normals: [s, s, 0, s, s, 0, s, s, 0] })
    addToScene(document, document.createNode('squashed').setMesh(mesh).setScale([2, 1, 1]))
    const loaded = await loadMeshData(await writeGlb(document), 'normals.glb')
    const normals = loaded.cornerNormals ?? new Float32Array()
    // Scaling x by 2 divides the normal's x by 2 before renormalising: (0.5, 1, 0) / |...|.
    expect(normals[0]).toBeCloseTo(0.5 / Math.hypot(0.5, 1), 6)
    expect(normals[1]).toBeCloseTo(1 / Math.hypot(0.5, 1), 6)
  })

  it('reads strips, fans and non-indexed triangles', async () => {
    const quad = [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]
    const document = newDocument()
    const strip = addMesh(document, 'strip', quad, { mode: Primitive.Mode.TRIANGLE_STRIP })
    const fan = addMesh(document, 'fan', [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0], { mode: Primitive.Mode.TRIANGLE_FAN, indices: [0, 1, 2, 3] })
    const plain = addMesh(document, 'plain', TRIANGLE)
    addToScene(document, ...[strip, fan, plain].map((mesh) => document.createNode(mesh.getName()).setMesh(mesh)))

    const loaded = await loadMeshData(await writeGlb(document), 'modes.glb')
    expect(loaded.polygonCount).toBe(5)
    expect(Array.from(loaded.triangles)).toEqual([0, 1, 2, 1, 3, 2, 5, 6, 4, 6, 7, 4, 8, 9, 10])
    for (let t = 0; t < 5; t++) expect(windingZ(loaded, t)).toBeGreaterThan(0)
    expect(loaded.nodes.map((node) => node.polygonCount)).toEqual([2, 2, 1])
  })

  it('loads only the default scene', async () => {
    const document = newDocument()
    const first = document.createScene('first').addChild(document.createNode('a').setMesh(addMesh(document, 'a', TRIANGLE)))
    const second = document.createScene('second').addChild(document.createNode('b').setMesh(addMesh(document, 'b', TRIANGLE)))
    document.getRoot().setDefaultScene(second)
    expect(first.listChildren().length).toBe(1)
    const loaded = await loadMeshData(await writeGlb(document), 'scenes.glb')
    expect(loaded.nodes.map((node) => node.name)).toEqual(['b'])
  })

  it('returns a point cloud for POINTS-only files', async () => {
    const document = newDocument()
    const mesh = addMesh(document, 'cloud', [0, 0, 0, 1, 2, 3], { mode: Primitive.Mode.POINTS, colors: [1, 0, 0, 0, 0.5, 1] })
    addToScene(document, document.createNode('cloud').setMesh(mesh).setTranslation([0, 0, 1]))
    const cloud = await loadPoints(await writeGlb(document), 'cloud.glb')
    expect(Array.from(cloud.positions)).toEqual([0, 0, 1, 1, 2, 4])
    // Linear 0.5 is sRGB 188.
    expect(Array.from(cloud.colors ?? [])).toEqual([255, 0, 0, 0, 188, 255])
  })

  it('skips line primitives with a warning', async () => {
    const document = newDocument()
    const lines = addMesh(document, 'lines', TRIANGLE, { mode: Primitive.Mode.LINES, indices: [0, 1, 1, 2] })
    const faces = addMesh(document, 'faces', TRIANGLE)
    addToScene(document, document.createNode('lines').setMesh(lines), document.createNode('faces').setMesh(faces))
    const loaded = await loadMeshData(await writeGlb(document), 'lines.glb')
    expect(loaded.polygonCount).toBe(1)
    expect(loaded.warnings).toEqual(['skipped 1 LINES primitive'])
  })

  it('reads external and data URI buffers of .gltf', async () => {
    const document = newDocument()
    addToScene(document, document.createNode('tri').setMesh(addMesh(document, 'tri', TRIANGLE)))
    const { json, resources } = await new NodeIO().writeJSON(document, { basename: 'scene' })
    const [uri, data] = Object.entries(resources)[0]
    const text = JSON.stringify(json)

    const reads: string[] = []
    const readResource = async (requested: string) => {
      reads.push(requested)
      return requested === uri ? data : undefined
    }
    const external = await loadMeshData(text, 'scene.gltf', { readResource })
    expect(external.format).toBe('gltf')
    expect(Array.from(external.positions)).toEqual(TRIANGLE)
    expect(reads).toEqual([uri])

    const embedded = structuredClone(json)
    embedded.buffers![0].uri = `data:application/octet-stream;base64,${Buffer.from(data).toString('base64')}`
    const inline = await loadMeshData(JSON.stringify(embedded), 'embedded.gltf')
    expect(Array.from(inline.positions)).toEqual(TRIANGLE)

    await expectLoadError(text, 'scene.gltf', 'missing-resource', new RegExp(`buffers\\[0\\]: cannot read '${uri}'`))
  })
})

describe('parseGltf errors', () => {
  async function triangleGlb(): Promise<Uint8Array> {
    const document = newDocument()
    addToScene(document, document.createNode('tri').setMesh(addMesh(document, 'tri', TRIANGLE, { indices: [0, 1, 2] })))
    return writeGlb(document)
  }

  it('rejects every truncation of a GLB with a parse error', async () => {
    const glb = await triangleGlb()
    for (let cut = 0; cut < glb.length; cut += 3) {
      const error = await expectLoadError(glb.subarray(0, cut), 'cut.glb', cut === 0 ? 'empty' : 'truncated', /cut\.glb/)
      expect(error.message.length).toBeGreaterThan(10)
    }
  })

  it('rejects a wrong magic and invalid JSON', async () => {
    await expectLoadError('solid cube\nfacet normal 0 0 1\n', 'model.glb', 'bad-magic', /byte 0: .*expected the GLB magic 'glTF' or glTF JSON/)
    await expectLoadError('{"asset": {"version": "2.0"', 'broken.gltf', 'syntax', /byte 0: invalid JSON/)
    await expectLoadError('{"asset": {"version": "1.0"}}', 'old.gltf', 'unsupported-format', /glTF version 1.0; expected 2.x/)
    await expectLoadError('[]', 'array.gltf', 'syntax', /no asset.version/)
  })

  it('rejects indices out of range', async () => {
    const document = newDocument()
    addToScene(document, document.createNode('bad').setMesh(addMesh(document, 'bad', TRIANGLE, { indices: [0, 1, 7] })))
    await expectLoadError(await writeGlb(document), 'range.glb', 'index-out-of-range',
      /accessors\[1\] \(mesh 'bad' primitive 0 of node 'bad'\), triangle 0: vertex index 7 \(counted from 0\) is out of range; expected 0 to 2/)
  })

  it('rejects NaN positions naming the accessor', async () => {
    const document = newDocument()
    addToScene(document, document.createNode('nan').setMesh(addMesh(document, 'nan', [0, 0, 0, 1, Number.NaN, 0, 0, 1, 0])))
    await expectLoadError(await writeGlb(document), 'nan.glb', 'non-finite', /accessors\[0\] \(POSITION of mesh 'nan' primitive 0 of node 'nan'\), element 1/)
  })

  it('rejects files without triangles and more triangles than the limit', async () => {
    const document = newDocument()
    addToScene(document, document.createNode('lines').setMesh(addMesh(document, 'lines', TRIANGLE, { mode: Primitive.Mode.LINE_STRIP })))
    await expectLoadError(await writeGlb(document), 'lines.glb', 'no-faces', /no triangles \(only 1 LINE_STRIP primitive\)/)
    await expectLoadError(await triangleGlb(), 'limit.glb', 'too-many-faces', /has 1 face; expected at most 0/, { maxFaces: 0 })
  })

  it('rejects a buffer view past the end of its buffer', async () => {
    const document = newDocument()
    addToScene(document, document.createNode('tri').setMesh(addMesh(document, 'tri', TRIANGLE)))
    const { json, resources } = await new NodeIO().writeJSON(document, { basename: 'short' })
    const [uri, data] = Object.entries(resources)[0]
    const readResource = async () => data.subarray(0, data.length - 4)
    await expectLoadError(JSON.stringify(json), 'short.gltf', 'truncated', /bufferViews\[0\]: the view ends at byte 36 of buffer 0, which has only 32 bytes/, { readResource })
    expect(uri).toBe('short.bin')
  })
})
