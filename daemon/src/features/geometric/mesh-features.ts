import type { PreparedMesh } from '../../prepare/prepared-mesh.js'
import { faceGraph } from './face-graph.js'
import { spectralOptions, type GeometricOptions } from './options.js'
import { orientTriangles } from './orientation.js'
import { shapeDiameter } from './shape-diameter.js'
import { smoothOnGraph, type WeightedGraph } from './weighted-graph.js'
import { spectralEmbedding } from './spectral.js'

/** Mass floor, as a share of the mean triangle area, so degenerate triangles keep a finite mass. */
const MIN_MASS_SHARE = 1e-3

/** Reports progress (0..1) between steps and throws when the job was cancelled. */
export type StepCallback = (fraction: number) => void

/**
 * Computes the geometric field of a prepared mesh: a concavity-weighted spectral embedding of
 * the triangle graph scaled to unit mean row norm, a constant column, and the weighted shape
 * diameter when its weight is positive. Returns the rows and their width.
 */
export function meshFeatureRows(
  mesh: PreparedMesh,
  options: GeometricOptions,
  seed: number,
  onStep: StepCallback = () => {},
): { values: Float32Array; dim: number } {
  const count = mesh.triangles.length / 3
  const signs = orientTriangles(mesh)
  const graph = faceGraph(mesh, signs, options)
  const masses = triangleMasses(mesh)
  onStep(0.1)
  const needsDiameter = options.sdfWeight > 0 || options.sdfEdgeScale > 0
  const diameter = needsDiameter ? thicknessColumn(mesh, signs, graph, options) : undefined
  onStep(0.4)

  const spectralGraph = diameter && options.sdfEdgeScale > 0 ? dampThicknessSteps(graph, diameter, options.sdfEdgeScale) : graph
  const embedding = spectralEmbedding(spectralGraph, masses, spectralOptions(options, seed))
  onStep(0.95)

  const spectralDim = embedding.dim
  const withDiameter = diameter !== undefined && options.sdfWeight > 0
  const dim = spectralDim + (withDiameter ? 2 : 1)
  const values = new Float32Array(count * dim)
  const scale = 1 / Math.max(rootMeanSquareNorm(embedding.values, spectralDim, masses), 1e-30)
  for (let t = 0; t < count; t++) {
    for (let k = 0; k < spectralDim; k++) values[t * dim + k] = embedding.values[t * spectralDim + k] * scale
    if (withDiameter) values[t * dim + spectralDim + 1] = options.sdfWeight * diameter![t]
    values[t * dim + spectralDim] = options.offset
  }
  return { values, dim }
}

/**
 * Returns a copy of the graph whose edges are damped where the thickness changes, by
 * exp(-|difference| / scale): a thin part meeting a thick one is another sign of a part boundary.
 */
function dampThicknessSteps(graph: WeightedGraph, thickness: Float64Array, scale: number): WeightedGraph {
  const weights = new Float64Array(graph.weights.length)
  for (let i = 0; i < thickness.length; i++) {
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
      const step = Math.abs(thickness[i] - thickness[graph.neighbors[p]])
      weights[p] = graph.weights[p] * Math.exp(-step / scale)
    }
  }
  return { ...graph, weights }
}

/** Log-normalised shape diameter in 0..1 (Shapira et al.: log(1 + 4 d / max) / log 5). */
function thicknessColumn(mesh: PreparedMesh, signs: Int8Array, graph: WeightedGraph, options: GeometricOptions): Float64Array {
  const raw = shapeDiameter(mesh, signs, {
    rays: options.sdfRays,
    coneDegrees: options.sdfConeDegrees,
    maxSampledTriangles: options.sdfMaxTriangles,
  })
  let max = 0
  for (const value of raw) if (value > max) max = value
  const out = new Float64Array(raw.length)
  if (max <= 0) return out
  for (let t = 0; t < raw.length; t++) out[t] = Math.log1p((4 * raw[t]) / max) / Math.log(5)
  smoothOnGraph(graph, out, options.sdfSmoothingPasses)
  return out
}

function triangleMasses(mesh: PreparedMesh): Float64Array {
  const count = mesh.areas.length
  let total = 0
  for (let t = 0; t < count; t++) total += mesh.areas[t]
  const floor = (MIN_MASS_SHARE * total) / Math.max(count, 1) || 1
  const masses = new Float64Array(count)
  for (let t = 0; t < count; t++) masses[t] = Math.max(mesh.areas[t], floor)
  return masses
}

/** Mass-weighted root mean square of the row norms. */
function rootMeanSquareNorm(values: Float64Array, dim: number, masses: Float64Array): number {
  let sum = 0
  let total = 0
  for (let t = 0; t < masses.length; t++) {
    let norm = 0
    for (let k = 0; k < dim; k++) norm += values[t * dim + k] ** 2
    sum += masses[t] * norm
    total += masses[t]
  }
  return Math.sqrt(sum / total)
}
