import { groupIndices } from '../prepare/components.js'
import type { FeatureField } from '../features/feature-field.js'
import type { Csr, PreparedMesh } from '../prepare/prepared-mesh.js'
import { l2NormalizeRows } from './normalize-rows.js'

/**
 * Features per source polygon: the area-weighted mean of its kept triangles' rows. Polygons
 * with no kept triangle take the mean of their graph neighbours' rows, spreading outwards
 * until every polygon reachable from a kept one has a row. Rows are then L2-normalised; rows
 * that stay empty are zero.
 */
export function polygonFeatures(field: FeatureField, mesh: PreparedMesh, graph: Csr): Float32Array {
  const dim = field.dim
  const polygonCount = mesh.source.polygonCount
  const out = new Float32Array(polygonCount * dim)
  const filled = new Uint8Array(polygonCount)
  const trianglesOf = groupIndices(mesh.source.triangleToPolygon, polygonCount)
  const sum = new Float64Array(dim)

  for (let polygon = 0; polygon < polygonCount; polygon++) {
    sum.fill(0)
    let weight = 0
    let only = -1
    for (let i = trianglesOf.offsets[polygon]; i < trianglesOf.offsets[polygon + 1]; i++) {
      const t = trianglesOf.members[i]
      if (!mesh.kept[t]) continue
      const area = mesh.areas[t]
      only = weight === 0 ? t : -2
      weight += area
      for (let d = 0; d < dim; d++) sum[d] += area * field.values[t * dim + d]
    }
    if (weight <= 0) continue
    filled[polygon] = 1
    // One triangle: copy its row exactly rather than round-tripping through the weights.
    if (only >= 0) out.set(field.values.subarray(only * dim, only * dim + dim), polygon * dim)
    else for (let d = 0; d < dim; d++) out[polygon * dim + d] = sum[d] / weight
  }

  fillFromNeighbors(out, dim, filled, graph)
  return l2NormalizeRows(out, dim)
}

/**
 * Gives each unfilled row the mean of its filled neighbours, in rounds, so a row filled in one
 * round only feeds the next and the result does not depend on node order.
 */
function fillFromNeighbors(out: Float32Array, dim: number, filled: Uint8Array, graph: Csr): void {
  let pending: number[] = []
  for (let i = 0; i < filled.length; i++) if (!filled[i]) pending.push(i)
  const sum = new Float64Array(dim)

  while (pending.length > 0) {
    const done: number[] = []
    const waiting: number[] = []
    for (const node of pending) {
      sum.fill(0)
      let count = 0
      for (let p = graph.offsets[node]; p < graph.offsets[node + 1]; p++) {
        const other = graph.neighbors[p]
        if (filled[other] !== 1) continue
        count++
        for (let d = 0; d < dim; d++) sum[d] += out[other * dim + d]
      }
      if (count === 0) {
        waiting.push(node)
        continue
      }
      for (let d = 0; d < dim; d++) out[node * dim + d] = sum[d] / count
      done.push(node)
    }
    if (done.length === 0) return
    // Mark after the round so rows filled in this round are not read within it.
    for (const node of done) filled[node] = 1
    pending = waiting
  }
}
