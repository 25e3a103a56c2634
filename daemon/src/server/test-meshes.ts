/** Small meshes written in every input format, generated in code so tests need no data files. */
import { Document, NodeIO } from '@gltf-transform/core'

/** A polygon mesh: xyz per vertex and each face's vertex indices (quads here). */
export interface PolyMesh {
  positions: number[]
  faces: number[][]
}

/**
 * Two axis-aligned boxes side by side, each face split into an n-by-n grid of quads:
 * 12 * n * n faces in two connected components.
 */
export function twoBoxes(n = 4): PolyMesh {
  const mesh: PolyMesh = { positions: [], faces: [] }
  addBox(mesh, [0, 0, 0], [1, 1, 1], n)
  addBox(mesh, [1.5, 0, 0], [0.6, 2, 0.6], n)
  return mesh
}

/** Returns one unit box of 6 * n * n quads. */
export function box(n = 1): PolyMesh {
  const mesh: PolyMesh = { positions: [], faces: [] }
  addBox(mesh, [0, 0, 0], [1, 1, 1], n)
  return mesh
}

function addBox(mesh: PolyMesh, origin: number[], size: number[], n: number): void {
  // Each box face: a fixed axis and side, and the two axes its grid runs along (counter-clockwise outside).
  const sides: [number, number, number, number][] = [
    [0, 0, 2, 1], [0, 1, 1, 2], [1, 0, 0, 2], [1, 1, 2, 0], [2, 0, 1, 0], [2, 1, 0, 1],
  ]
  for (const [axis, side, u, v] of sides) {
    const base = mesh.positions.length / 3
    for (let j = 0; j <= n; j++) {
      for (let i = 0; i <= n; i++) {
        const p = [0, 0, 0]
        p[axis] = side
        p[u] = i / n
        p[v] = j / n
        mesh.positions.push(...p.map((value, k) => origin[k] + value * size[k]))
      }
    }
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = base + j * (n + 1) + i
        mesh.faces.push([a, a + 1, a + n + 2, a + n + 1])
      }
    }
  }
}

export function toOff(mesh: PolyMesh): string {
  const lines = ['OFF', `${mesh.positions.length / 3} ${mesh.faces.length} 0`]
  for (let i = 0; i < mesh.positions.length; i += 3) lines.push(mesh.positions.slice(i, i + 3).join(' '))
  for (const face of mesh.faces) lines.push(`${face.length} ${face.join(' ')}`)
  return `${lines.join('\n')}\n`
}

export function toObj(mesh: PolyMesh): string {
  const lines = ['# two boxes', 'o boxes']
  for (let i = 0; i < mesh.positions.length; i += 3) lines.push(`v ${mesh.positions.slice(i, i + 3).join(' ')}`)
  for (const face of mesh.faces) lines.push(`f ${face.map((v) => v + 1).join(' ')}`)
  return `${lines.join('\n')}\n`
}

export function toPly(mesh: PolyMesh): string {
  const header = [
    'ply',
    'format ascii 1.0',
    `element vertex ${mesh.positions.length / 3}`,
    'property float x',
    'property float y',
    'property float z',
    `element face ${mesh.faces.length}`,
    'property list uchar int vertex_indices',
    'end_header',
  ]
  const body: string[] = []
  for (let i = 0; i < mesh.positions.length; i += 3) body.push(mesh.positions.slice(i, i + 3).join(' '))
  for (const face of mesh.faces) body.push(`${face.length} ${face.join(' ')}`)
  return `${[...header, ...body].join('\n')}\n`
}

/** Triangle arrays as the MessagePack mesh request carries them; polygons map triangles to quads. */
export function toArrays(mesh: PolyMesh): { positions: Float32Array; triangles: Uint32Array; polygons: Uint32Array } {
  const triangles: number[] = []
  const polygons: number[] = []
  mesh.faces.forEach((face, index) => {
    for (let k = 1; k + 1 < face.length; k++) {
      triangles.push(face[0], face[k], face[k + 1])
      polygons.push(index)
    }
  })
  return {
    positions: new Float32Array(mesh.positions),
    triangles: new Uint32Array(triangles),
    polygons: new Uint32Array(polygons),
  }
}

function gltfDocument(mesh: PolyMesh, bufferUri?: string): Document {
  const { positions, triangles } = toArrays(mesh)
  const document = new Document()
  const buffer = document.createBuffer()
  if (bufferUri) buffer.setURI(bufferUri)
  const position = document.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer)
  const indices = document.createAccessor().setType('SCALAR').setArray(triangles).setBuffer(buffer)
  const primitive = document.createPrimitive().setAttribute('POSITION', position).setIndices(indices)
  const node = document.createNode('boxes').setMesh(document.createMesh('boxes').addPrimitive(primitive))
  document.createScene().addChild(node)
  return document
}

export async function toGlb(mesh: PolyMesh): Promise<Uint8Array> {
  return new NodeIO().writeBinary(gltfDocument(mesh))
}

/** Writes a .gltf JSON text and the separate .bin it refers to by `binName`. */
export async function toGltf(mesh: PolyMesh, binName: string): Promise<{ json: string; bin: Uint8Array }> {
  const { json, resources } = await new NodeIO().writeJSON(gltfDocument(mesh, binName))
  return { json: JSON.stringify(json), bin: resources[binName] }
}
