import type { Method } from '../../../protocol/src/params.js'
import { cutTree } from '../../../protocol/src/part-tree.js'
import { kmeansParts } from './segment.js'
import type { Segmentation } from './segmentation.js'

/**
 * Re-segments a finished job at another part count without recomputing features: a cut of the
 * stored merge tree for agglomerative clustering, or k-means on the stored features.
 */
export function recut(seg: Segmentation, k: number, method: Method = seg.params.method): Segmentation {
  const leafCount = seg.labels.length
  const parts = Math.max(1, Math.min(Math.floor(k), leafCount))
  if (method === 'agglomerative' && !seg.tree) {
    throw new Error('this result has no merge tree (it was clustered with k-means); recut with method=kmeans')
  }

  const { labels, count } =
    method === 'agglomerative'
      ? countedCut(seg, parts)
      : kmeansParts({ features: seg.features, dim: seg.featureDim, graph: seg.graph }, parts, seg.params.seed)

  const triangleLabels = new Int32Array(seg.triangleLabels.length)
  if (seg.input.kind === 'mesh') {
    const map = seg.input.triangleToPolygon
    for (let t = 0; t < triangleLabels.length; t++) triangleLabels[t] = labels[map[t]]
  }

  return {
    ...seg,
    params: { ...seg.params, n_clusters: parts, method },
    partCount: count,
    autoPartCount: false,
    labels,
    triangleLabels,
    tree: method === 'agglomerative' ? seg.tree : undefined,
  }
}

function countedCut(seg: Segmentation, parts: number): { labels: Int32Array; count: number } {
  const labels = cutTree(seg.tree!, parts)
  let count = 0
  for (const label of labels) if (label + 1 > count) count = label + 1
  return { labels, count }
}
