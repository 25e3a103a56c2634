import { type Document, type ILogger, type Mesh, type Node, NodeIO, type mat4 } from '@gltf-transform/core'
import { ALL_EXTENSIONS } from '@gltf-transform/extensions'
import draco3d from 'draco3d'
import { MeshoptDecoder } from 'meshoptimizer'

import { MeshParseError } from './errors.js'
import { checkBufferRanges, isGlb, readGltfJson, resolveResources } from './gltf-container.js'
import { flattenScene } from './gltf-flatten.js'
import { checkGltfJson } from './gltf-json-check.js'
import type { LoadOptions, PointCloudData } from './mesh-data.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'

/**
 * Loader for glTF 2.0 (.glb and .gltf) through glTF-Transform with every extension it implements,
 * including Draco (KHR_draco_mesh_compression) and meshopt (EXT_meshopt_compression) decoding.
 * The meshes of the default scene are merged into one soup with node transforms applied.
 */

/** One mesh placed by one node, with its world transform. */
export interface MeshInstance {
  node: Node | undefined
  mesh: Mesh
  name: string
  matrix: mat4
}

const IDENTITY: mat4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]

let decoders: Promise<Record<string, unknown>> | undefined

/** Compiles the Draco and meshopt WebAssembly decoders once per process. */
function loadDecoders(): Promise<Record<string, unknown>> {
  decoders ??= Promise.all([draco3d.createDecoderModule(), MeshoptDecoder.ready]).then(([draco]) => ({
    'draco3d.decoder': draco,
    'meshopt.decoder': MeshoptDecoder,
  }))
  return decoders
}

export async function parseGltf(
  bytes: Uint8Array,
  options: ParseOptions & Pick<LoadOptions, 'readResource' | 'resourceHint'>,
): Promise<PolygonSoup | PointCloudData> {
  const { json, bin } = readGltfJson(bytes, options)
  checkGltfJson(json, options)
  const jsonDocument = await resolveResources(json, bin, options.readResource, options)
  checkBufferRanges(jsonDocument, options)

  const warnings: string[] = []
  const io = new NodeIO()
    .setLogger(collectingLogger(warnings))
    .registerExtensions(ALL_EXTENSIONS)
    .registerDependencies(await loadDecoders())
  let document: Document
  try {
    document = await io.readJSON(jsonDocument)
  } catch (error) {
    throw new MeshParseError('decode-failed', options.fileName, undefined,
      `glTF-Transform failed to read the file, which may not follow the glTF 2.0 schema: ${(error as Error).message}`)
  }

  const instances = listMeshInstances(document, warnings)
  return flattenScene(document, instances, isGlb(bytes) ? 'glb' : 'gltf', warnings, options)
}

/**
 * Lists the meshes of the default scene, or of every scene when none is the default, or of every
 * root node when the file has no scenes, with each node's world matrix.
 */
export function listMeshInstances(document: Document, warnings: string[]): MeshInstance[] {
  const root = document.getRoot()
  const scenes = root.listScenes()
  const defaultScene = root.getDefaultScene()
  const roots = defaultScene ? defaultScene.listChildren()
    : scenes.length > 0 ? scenes.flatMap((scene) => scene.listChildren())
      : root.listNodes().filter((node) => !node.getParentNode())

  // World matrices are composed while walking down, not with Node.getWorldMatrix(), which walks
  // up the parents and would never end on a file whose nodes form a cycle.
  const nodeIndex = new Map(root.listNodes().map((node, index) => [node, index]))
  const instances: MeshInstance[] = []
  const seen = new Set<Node>()
  const visit = (node: Node, parentMatrix: mat4) => {
    if (seen.has(node)) return
    seen.add(node)
    const matrix = multiplyMatrices(parentMatrix, node.getMatrix())
    const mesh = node.getMesh()
    if (mesh) {
      const name = node.getName() || mesh.getName() || `node ${nodeIndex.get(node)}`
      instances.push({ node, mesh, name, matrix })
      warnAboutIgnoredFeatures(node, name, warnings)
    }
    for (const child of node.listChildren()) visit(child, matrix)
  }
  for (const node of roots) visit(node, IDENTITY)

  if (instances.length === 0 && root.listNodes().length === 0) {
    for (const [index, mesh] of root.listMeshes().entries()) {
      instances.push({ node: undefined, mesh, name: mesh.getName() || `mesh ${index}`, matrix: IDENTITY })
    }
    if (instances.length > 0) warnings.push('the file has meshes but no nodes; loaded each mesh without a transform')
  }
  return instances
}

function warnAboutIgnoredFeatures(node: Node, name: string, warnings: string[]): void {
  if (node.getSkin()) warnings.push(`node '${name}' is skinned; loaded its mesh in the bind pose without skinning`)
  if (node.getExtension('EXT_mesh_gpu_instancing')) {
    warnings.push(`node '${name}' uses GPU instancing; loaded one copy with the node's own transform`)
  }
}

/** Product of two column-major 4x4 matrices, a * b. */
function multiplyMatrices(a: mat4, b: mat4): mat4 {
  const product = new Array<number>(16).fill(0)
  for (let column = 0; column < 4; column++) {
    for (let row = 0; row < 4; row++) {
      let sum = 0
      for (let k = 0; k < 4; k++) sum += a[k * 4 + row] * b[column * 4 + k]
      product[column * 4 + row] = sum
    }
  }
  return product as unknown as mat4
}

function collectingLogger(warnings: string[]): ILogger {
  return {
    debug: () => {},
    info: () => {},
    warn: (text: string) => warnings.push(`glTF-Transform: ${text}`),
    error: (text: string) => warnings.push(`glTF-Transform: ${text}`),
  }
}
