import type { SegmentParams } from '../../../protocol/src/params.js'
import { cutTree, type PartTree } from '../../../protocol/src/part-tree.js'
import { plural } from '../../../protocol/src/plural.js'
import { choosePartCount } from '../cluster/auto-count.js'
import { mergeSmallIslands, renumberStable } from '../cluster/islands.js'
import { kmeans } from '../cluster/kmeans.js'
import { l2NormalizeRows } from '../cluster/normalize-rows.js'
import { pca } from '../cluster/pca.js'
import { polygonFeatures } from '../cluster/polygon-features.js'
import { polygonGraph } from '../cluster/polygon-graph.js'
import { wardTree } from '../cluster/ward.js'
import type { FeatureBackend, FeatureField } from '../features/feature-field.js'
import { chooseBackend } from '../features/select-backend.js'
import type { LoadedInput, MeshData, PointCloudData } from '../mesh/mesh-data.js'
import { normalizePositions } from '../prepare/normalize.js'
import { knnGraph } from '../prepare/point-graph.js'
import { DEFAULT_WELD_TOLERANCE, prepareMesh } from '../prepare/prepare.js'
import type { Csr } from '../prepare/prepared-mesh.js'
import { progressEvent, type ProgressEvent } from './progress.js'
import type { Segmentation, Stage } from './segmentation.js'

export interface SegmentOptions {
  onProgress?: (event: ProgressEvent) => void
  signal?: AbortSignal
  /** Overrides backend selection, for tests and for callers that hold a loaded model. */
  backend?: FeatureBackend
}

/** k-means parts smaller than this share of the faces merge into a neighbour, so parts stay connected. */
const MIN_ISLAND_SHARE = 0.002
/** Neighbours per point in the graph that keeps point-cloud parts spatially connected. */
const POINT_GRAPH_K = 8
const KMEANS_RESTARTS = 4

/** Features per source face or point, the graph between them, and the clustering sizes. */
interface ClusterInput {
  features: Float32Array
  dim: number
  graph: Csr
  sizes?: Float64Array
}

/**
 * Segments a loaded mesh or point cloud: prepare, feature field, clustering, PCA. Every client
 * (CLI, daemon worker, watch folders) calls this one function; writing files is the caller's job.
 */
export async function segment(
  input: LoadedInput,
  params: SegmentParams,
  options: SegmentOptions = {},
): Promise<Segmentation> {
  const report = options.onProgress ?? (() => {})
  const signal = options.signal ?? new AbortController().signal
  const timings: Partial<Record<Stage, number>> = {}
  const warnings = [...input.warnings]
  const timed = async <T>(stage: Stage, work: () => T | Promise<T>): Promise<T> => {
    signal.throwIfAborted()
    report(progressEvent(stage, 0))
    const start = performance.now()
    const value = await work()
    timings[stage] = Math.round(performance.now() - start)
    report(progressEvent(stage, 1))
    return value
  }

  const selection = options.backend ? { backend: options.backend } : await chooseBackend(params.backend)
  const backend = selection.backend
  if (selection.fallbackWarning) warnings.push(selection.fallbackWarning)
  const context = (stage: Stage) => ({
    params,
    signal,
    onProgress: (fraction: number) => report(progressEvent(stage, fraction)),
  })

  const clusterInput =
    input.kind === 'mesh'
      ? await meshClusterInput(input, params, backend, timed, context('features'))
      : await cloudClusterInput(input, backend, timed, context('features'))

  const { labels, tree, partCount, auto } = await timed('cluster', () =>
    cluster(clusterInput, params, signal, (f) => report(progressEvent('cluster', f))),
  )
  const tooMany = partCountWarning(params.n_clusters, labels.length, input.kind, partCount)
  if (tooMany) warnings.push(tooMany)

  const components = Math.min(params.pca_components, clusterInput.dim)
  const pcaResult =
    components > 0
      ? await timed('pca', () => ({ components, ...pca(clusterInput.features, clusterInput.dim, components) }))
      : undefined

  return {
    input,
    backend: backend.name,
    device: backend.device,
    params,
    partCount,
    autoPartCount: auto,
    labels,
    triangleLabels: input.kind === 'mesh' ? labelTriangles(input, labels) : new Int32Array(0),
    tree,
    features: clusterInput.features,
    featureDim: clusterInput.dim,
    graph: clusterInput.graph,
    pca: pcaResult,
    timings,
    warnings,
  }
}

type Timed = <T>(stage: Stage, work: () => T | Promise<T>) => Promise<T>
type Context = Parameters<FeatureBackend['meshFeatures']>[1]

async function meshClusterInput(
  mesh: MeshData,
  params: SegmentParams,
  backend: FeatureBackend,
  timed: Timed,
  context: Context,
): Promise<ClusterInput> {
  const prepared = await timed('prepare', () =>
    prepareMesh(mesh, {
      cleanup: params.preprocess,
      weldTolerance: DEFAULT_WELD_TOLERANCE,
      adjacency: params.adjacency,
      knn: params.knn,
    }),
  )
  const field = await timed('features', () => backend.meshFeatures(prepared, context))
  checkField(field, mesh.triangles.length / 3)

  const graph = polygonGraph(prepared)
  const features = polygonFeatures(field, prepared, graph)
  const sizes = new Float64Array(mesh.polygonCount)
  for (const polygon of mesh.triangleToPolygon) sizes[polygon] += 1
  return { features, dim: field.dim, graph, sizes }
}

async function cloudClusterInput(
  cloud: PointCloudData,
  backend: FeatureBackend,
  timed: Timed,
  context: Context,
): Promise<ClusterInput> {
  const { positions, graph } = await timed('prepare', () => {
    const normalized = normalizePositions(cloud.positions)
    return { positions: normalized.positions, graph: knnGraph(normalized.positions, POINT_GRAPH_K) }
  })
  const count = positions.length / 3
  const field = await timed('features', () =>
    backend.pointFeatures({ positions, normals: cloud.normals, count }, context),
  )
  checkField(field, count)
  return { features: l2NormalizeRows(field.values.slice(), field.dim), dim: field.dim, graph }
}

function checkField(field: FeatureField, count: number): void {
  if (field.count !== count || field.values.length !== count * field.dim) {
    throw new Error(
      `${field.backend} backend returned ${field.count} feature rows of width ${field.dim} for ${count} elements`,
    )
  }
}

interface Clustering {
  labels: Int32Array
  tree?: PartTree
  partCount: number
  auto: boolean
}

async function cluster(
  input: ClusterInput,
  params: SegmentParams,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<Clustering> {
  const leafCount = input.features.length / input.dim
  const needsTree = params.method === 'agglomerative' || params.n_clusters === undefined
  const tree = needsTree
    ? wardTree(input.features, input.dim, input.graph, { sizes: input.sizes, signal, onProgress })
    : undefined

  const auto = params.n_clusters === undefined
  const requested = auto ? choosePartCount(tree!, params.max_clusters) : params.n_clusters!
  const k = Math.max(1, Math.min(requested, leafCount))

  if (params.method === 'agglomerative') {
    const labels = cutTree(tree!, k)
    return { labels, tree, partCount: countLabels(labels), auto }
  }

  // The tree only chose k here; it is not returned, so no client re-cuts k-means parts with it.
  signal.throwIfAborted()
  const { labels, count } = kmeansParts(input, k, params.seed)
  return { labels, partCount: count, auto }
}

/**
 * Returns the warning for a requested part count above the number of faces (points), which
 * clustering clamps silently; undefined when the request fits. Recuts use it too.
 */
export function partCountWarning(
  requested: number | undefined,
  leafCount: number,
  kind: LoadedInput['kind'],
  partCount: number,
): string | undefined {
  if (requested === undefined || requested <= leafCount) return undefined
  const has = kind === 'mesh' ? `the mesh has ${plural(leafCount, 'face')}` : `the point cloud has ${plural(leafCount, 'point')}`
  return `asked for ${plural(requested, 'part')} but ${has}; returned ${plural(partCount, 'part')}`
}

/** Runs k-means and merges small disconnected islands into a neighbouring part. */
export function kmeansParts(
  input: { features: Float32Array; dim: number; graph: Csr },
  k: number,
  seed: number,
): { labels: Int32Array; count: number } {
  const leafCount = input.features.length / input.dim
  const raw = kmeans(input.features, input.dim, k, { seed, restarts: KMEANS_RESTARTS })
  const minSize = Math.max(1, Math.round(MIN_ISLAND_SHARE * leafCount))
  return renumberStable(mergeSmallIslands(raw, input.graph, minSize))
}

function countLabels(labels: Int32Array): number {
  let max = -1
  for (const label of labels) if (label > max) max = label
  return max + 1
}

function labelTriangles(mesh: MeshData, labels: Int32Array): Int32Array {
  const out = new Int32Array(mesh.triangleToPolygon.length)
  for (let t = 0; t < out.length; t++) out[t] = labels[mesh.triangleToPolygon[t]]
  return out
}
