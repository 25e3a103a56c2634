import type { SpectralOptions } from './spectral.js'

/**
 * Settings of the geometric field. The defaults were chosen by measurement on the Princeton
 * Segmentation Benchmark (daemon/bench/PSB.md) and are the same for every mesh.
 */
export interface GeometricOptions {
  /** Spectral eigenvectors per face. */
  spectralVectors: number
  /** Aggregates the eigenproblem is solved on. */
  coarseNodes: number
  lanczosSteps: number
  smoothingPasses: number
  /** Eigenvector k is scaled by lambda_k^-power (0.5: commute-time distances). */
  spectralPower: number
  /** Share of the bend that counts across a convex edge. */
  convexFactor: number
  /** Bend at which an edge weight drops to 1/e. */
  bendScale: number
  /** Weight of bridges between separate pieces, relative to the mean edge weight. */
  bridgeWeight: number
  /** Smallest damping factor of an edge, so a crease never cuts the graph apart. */
  minEdgeFactor: number
  /** Weight of the shape-diameter column against the spectral block (unit mean row norm). */
  sdfWeight: number
  /** Thickness step (log-normalised shape diameter) at which an edge weight drops to 1/e; 0 turns it off. */
  sdfEdgeScale: number
  /** Rays per face for the shape diameter. */
  sdfRays: number
  /** Half-angle of the ray cone, in degrees. */
  sdfConeDegrees: number
  /** Maximum number of triangles that cast rays; the rest take the nearest sampled value. */
  sdfMaxTriangles: number
  /** Passes of crease-respecting neighbour averaging over the shape diameter. */
  sdfSmoothingPasses: number
  /** Constant column appended before the pipeline's row normalisation (see index.ts). */
  offset: number
  /** Neighbours per point in the point-cloud graph. */
  pointNeighbors: number
}

export const DEFAULT_GEOMETRIC_OPTIONS: GeometricOptions = {
  spectralVectors: 16,
  coarseNodes: 4000,
  lanczosSteps: 80,
  smoothingPasses: 3,
  spectralPower: 0.5,
  convexFactor: 0.08,
  bendScale: 0.03,
  bridgeWeight: 0.05,
  minEdgeFactor: 1e-3,
  sdfWeight: 3,
  sdfEdgeScale: 0.05,
  sdfRays: 16,
  sdfConeDegrees: 60,
  sdfMaxTriangles: 5000,
  sdfSmoothingPasses: 4,
  offset: 5,
  pointNeighbors: 10,
}

/** Returns the spectral embedding's settings, taken from the geometric ones. */
export function spectralOptions(options: GeometricOptions, seed: number): SpectralOptions {
  return {
    vectors: options.spectralVectors,
    coarseNodes: options.coarseNodes,
    lanczosSteps: options.lanczosSteps,
    smoothingPasses: options.smoothingPasses,
    power: options.spectralPower,
    seed,
  }
}
