import type { Adjacency } from '../../../protocol/src/params.js'
import { groupIndices, type Groups } from './components.js'
import { groupSpanningTree } from './group-spanning-tree.js'
import { KdTree, LabelFilter, type TreeLabels } from './kd-tree.js'
import { Uint32Builder } from './uint32-builder.js'

export interface BridgeOptions {
  mode: Adjacency
  /** Extra links from each triangle to its k nearest triangles in other components. */
  knn: number
  signal?: AbortSignal
}

/**
 * Returns triangle pairs (two entries per link, each link once with the lower index first) that
 * join the components of the shared-edge graph into one, following the three rules of
 * PartField's clustering script:
 * - `naive`: chains the components, linking each one's lowest triangle to the next one's;
 * - `face_mst`: a minimum spanning tree over triangle centroids, counting only links between
 *   components;
 * - `component_mst`: a minimum spanning tree over component centroids (mean of triangle
 *   centroids), each tree edge realised between the closest triangles of its two components.
 * With `knn` > 0 every triangle also links to its knn nearest triangles in other components.
 */
export function bridgeComponents(
  centroids: Float32Array,
  components: { count: number; ofTriangle: Uint32Array },
  options: BridgeOptions,
): Uint32Array {
  const { count, ofTriangle } = components
  if (count <= 1) return new Uint32Array(0)

  const faceTree = new KdTree(centroids)
  const links = new Uint32Builder(4 * count)
  if (options.mode === 'naive') appendChain(ofTriangle, count, links)
  else if (options.mode === 'face_mst') {
    appendAll(links, groupSpanningTree(faceTree, ofTriangle, count, options.signal))
  } else {
    const labels = faceTree.labelNodes(ofTriangle)
    appendComponentTree(faceTree, labels, count, links, options.signal)
  }

  if (options.knn > 0) {
    appendNearestOtherComponent(faceTree, faceTree.labelNodes(ofTriangle), options.knn, links, options.signal)
  }
  return uniquePairs(links.toArray(), ofTriangle.length)
}

function appendChain(ofTriangle: Uint32Array, count: number, links: Uint32Builder): void {
  const first = new Int32Array(count).fill(-1)
  for (let t = 0; t < ofTriangle.length; t++) if (first[ofTriangle[t]] < 0) first[ofTriangle[t]] = t
  for (let c = 0; c + 1 < count; c++) links.pushPair(first[c], first[c + 1])
}

function appendComponentTree(
  faceTree: KdTree,
  labels: TreeLabels,
  count: number,
  links: Uint32Builder,
  signal?: AbortSignal,
): void {
  const groups = groupIndices(labels.ofPoint, count)
  const centers = componentCentroids(faceTree.points, groups)
  const centerTree = new KdTree(centers)
  const identity = Uint32Array.from({ length: count }, (_, i) => i)
  const treeEdges = groupSpanningTree(centerTree, identity, count, signal)

  for (let e = 0; e < treeEdges.length; e += 2) {
    signal?.throwIfAborted()
    const [a, b] = closestTriangles(faceTree, labels, groups, treeEdges[e], treeEdges[e + 1])
    links.pushPair(a, b)
  }
}

function componentCentroids(points: Float32Array, groups: Groups): Float32Array {
  const count = groups.offsets.length - 1
  const centers = new Float32Array(3 * count)
  for (let c = 0; c < count; c++) {
    let x = 0, y = 0, z = 0
    for (let i = groups.offsets[c]; i < groups.offsets[c + 1]; i++) {
      const p = 3 * groups.members[i]
      x += points[p]
      y += points[p + 1]
      z += points[p + 2]
    }
    const size = groups.offsets[c + 1] - groups.offsets[c]
    centers[3 * c] = x / size
    centers[3 * c + 1] = y / size
    centers[3 * c + 2] = z / size
  }
  return centers
}

/** Finds the closest pair of triangles between components a and b, querying from the smaller one. */
function closestTriangles(
  faceTree: KdTree,
  labels: TreeLabels,
  groups: Groups,
  a: number,
  b: number,
): [number, number] {
  const sizeA = groups.offsets[a + 1] - groups.offsets[a]
  const sizeB = groups.offsets[b + 1] - groups.offsets[b]
  const [from, to] = sizeA <= sizeB ? [a, b] : [b, a]
  const points = faceTree.points
  let bestDistance = Infinity
  let bestPair: [number, number] = [groups.members[groups.offsets[from]], groups.members[groups.offsets[to]]]
  for (let i = groups.offsets[from]; i < groups.offsets[from + 1]; i++) {
    const p = groups.members[i]
    const q = faceTree.nearest(points[3 * p], points[3 * p + 1], points[3 * p + 2], bestDistance, labels, to, LabelFilter.Only)
    if (q < 0) continue
    bestDistance = faceTree.lastDistanceSquared
    bestPair = [p, q]
  }
  return bestPair
}

function appendNearestOtherComponent(
  faceTree: KdTree,
  labels: TreeLabels,
  k: number,
  links: Uint32Builder,
  signal?: AbortSignal,
): void {
  const indices = new Int32Array(k)
  const distances = new Float64Array(k)
  const points = faceTree.points
  for (let i = 0; i < faceTree.size; i++) {
    if ((i & 0xfff) === 0) signal?.throwIfAborted()
    const p = faceTree.order[i]
    const label = labels.ofPoint[p]
    const found = faceTree.knn(points[3 * p], points[3 * p + 1], points[3 * p + 2], k, indices, distances, labels, label, LabelFilter.Exclude)
    for (let j = 0; j < found; j++) links.pushPair(p, indices[j])
  }
}

function appendAll(links: Uint32Builder, pairs: Uint32Array): void {
  for (let i = 0; i < pairs.length; i += 2) links.pushPair(pairs[i], pairs[i + 1])
}

/** Sorts pairs as (lower, higher), drops repeats and self-pairs. */
export function uniquePairs(pairs: Uint32Array, nodeCount: number): Uint32Array {
  const keys = new Float64Array(pairs.length / 2)
  let count = 0
  for (let i = 0; i < pairs.length; i += 2) {
    const a = pairs[i]
    const b = pairs[i + 1]
    if (a === b) continue
    keys[count++] = a < b ? a * nodeCount + b : b * nodeCount + a
  }
  const sorted = keys.subarray(0, count).sort()
  const out = new Uint32Builder(2 * count)
  for (let i = 0; i < count; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue
    const low = Math.floor(sorted[i] / nodeCount)
    out.pushPair(low, sorted[i] - low * nodeCount)
  }
  return out.toArray()
}
