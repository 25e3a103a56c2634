import { plural } from '../../../protocol/src/plural.js'
import type { MeshData, SourceNode } from './mesh-data.js'
import type { ParseOptions, PolygonSoup } from './polygon-soup.js'
import { polygonCount } from './polygon-soup.js'
import { TriangulationScratch, triangulatePolygon } from './triangulate.js'
import { allFinite, validateSoup } from './validate.js'

/**
 * Runs the post-processing step that every loader shares: validates the soup, triangulates its
 * polygons and expands optional normals and UVs to triangle corners.
 */
export function buildMeshData(soup: PolygonSoup, options: ParseOptions): MeshData {
  validateSoup(soup, options)
  const warnings = [...soup.warnings]
  const count = polygonCount(soup)
  const { polygonStarts, polygonNodes } = soup

  // triangulate

  let triangleCount = 0
  for (let polygon = 0; polygon < count; polygon++) {
    triangleCount += polygonStarts[polygon + 1] - polygonStarts[polygon] - 2
  }
  const triangleCorners = new Uint32Array(triangleCount * 3)
  const triangleToPolygon = new Uint32Array(triangleCount)
  const triangleNode = new Uint32Array(triangleCount)
  const nodePolygons = new Uint32Array(soup.nodes.length)
  const scratch = new TriangulationScratch()
  let triangle = 0
  let fans = 0
  for (let polygon = 0; polygon < count; polygon++) {
    const start = polygonStarts[polygon]
    const end = polygonStarts[polygon + 1]
    const node = polygonNodes ? polygonNodes[polygon] : 0
    if (!triangulatePolygon(soup.positions, soup.cornerVertices, start, end, triangleCorners, triangle * 3, scratch)) {
      fans++
    }
    const last = triangle + end - start - 2
    triangleToPolygon.fill(polygon, triangle, last)
    triangleNode.fill(node, triangle, last)
    nodePolygons[node]++
    triangle = last
  }
  if (fans > 0) {
    warnings.push(`${plural(fans, 'face')} had no area or crossed themselves and ${fans === 1 ? 'was' : 'were'} split as a fan`)
  }

  // corner attributes, then corner indices become vertex indices

  const cornerNormals = expandCornerAttribute(soup, triangleCorners, 3, soup.cornerNormals, soup.vertexNormals, 'normals', warnings)
  const cornerUvs = expandCornerAttribute(soup, triangleCorners, 2, soup.cornerUvs, soup.vertexUvs, 'texture coordinates', warnings)
  const triangles = triangleCorners
  for (let i = 0; i < triangles.length; i++) triangles[i] = soup.cornerVertices[triangles[i]]

  const nodes: SourceNode[] = soup.nodes.map((node, index) => ({ name: node.name, polygonCount: nodePolygons[index] }))
  const mesh: MeshData = {
    kind: 'mesh',
    format: soup.format,
    sourceName: options.fileName,
    positions: soup.positions,
    triangles,
    triangleToPolygon,
    triangleNode,
    polygonCount: count,
    nodes,
    warnings,
  }
  if (cornerNormals) mesh.cornerNormals = cornerNormals
  if (cornerUvs) mesh.cornerUvs = cornerUvs
  return mesh
}

/** Gathers a per-corner or per-vertex attribute into one value per triangle corner. */
function expandCornerAttribute(
  soup: PolygonSoup,
  triangleCorners: Uint32Array,
  size: number,
  perCorner: Float32Array | undefined,
  perVertex: Float32Array | undefined,
  label: string,
  warnings: string[],
): Float32Array | undefined {
  const source = perCorner ?? perVertex
  if (!source) return undefined
  if (!allFinite(source)) {
    warnings.push(`dropped the ${label} because some are NaN or infinite`)
    return undefined
  }

  const expanded = new Float32Array(triangleCorners.length * size)
  for (let slot = 0; slot < triangleCorners.length; slot++) {
    const corner = triangleCorners[slot]
    const from = (perCorner ? corner : soup.cornerVertices[corner]) * size
    for (let k = 0; k < size; k++) expanded[slot * size + k] = source[from + k]
  }
  return expanded
}
