import type { MeshData } from '../mesh/mesh-data.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { groupIndices, type Groups } from '../prepare/components.js'
import { ExportError } from './errors.js'

/**
 * Names a part's node, object and material: `part_00`, `part_01`, ..., with three digits once
 * there are more than 100 parts, so names sort in label order.
 */
export function partName(label: number, partCount: number): string {
  const width = Math.max(2, String(Math.max(0, partCount - 1)).length)
  return `part_${String(label).padStart(width, '0')}`
}

/** Returns the number of labelled elements: source faces of a mesh, points of a point cloud. */
export function elementCount(seg: Segmentation): number {
  const input = seg.input
  return input.kind === 'mesh' ? input.polygonCount : input.positions.length / 3
}

/**
 * Checks that the labels and PCA colours line up with the input, so an encoder never reads
 * past an array or writes a part the palette and names do not cover.
 */
export function checkSegmentation(seg: Segmentation): void {
  const count = elementCount(seg)
  const elementName = seg.input.kind === 'mesh' ? 'source faces' : 'points'
  if (!Number.isInteger(seg.partCount) || seg.partCount < 1) {
    throw invalid(`partCount is ${seg.partCount}; expected an integer of 1 or more`)
  }
  if (seg.labels.length !== count) {
    throw invalid(`${seg.labels.length} labels for ${count} ${elementName}; expected one per element`)
  }
  for (let i = 0; i < count; i++) {
    const label = seg.labels[i]
    if (label < 0 || label >= seg.partCount) {
      throw invalid(`label ${label} at index ${i} is outside 0..${seg.partCount - 1}`)
    }
  }
  if (seg.pca && seg.pca.colors.length !== 3 * count) {
    throw invalid(`${seg.pca.colors.length} PCA colour bytes for ${count} ${elementName}; expected ${3 * count}`)
  }
}

function invalid(detail: string): ExportError {
  return new ExportError('invalid-segmentation', `cannot export segmentation: ${detail}`)
}

/** Returns how many labels fall into each part. */
export function countPerPart(labels: Int32Array, partCount: number): Uint32Array {
  const counts = new Uint32Array(partCount)
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++
  return counts
}

/** Groups the triangles of a mesh by the label of their source face, so a polygon never splits. */
export function trianglesByPart(mesh: MeshData, labels: Int32Array, partCount: number): Groups {
  const triangleCount = mesh.triangleToPolygon.length
  const partOf = new Int32Array(triangleCount)
  for (let t = 0; t < triangleCount; t++) partOf[t] = labels[mesh.triangleToPolygon[t]]
  return groupIndices(partOf, partCount)
}
