import type { PreparedCloud } from '../feature-field.js'
import type { GeometricOptions } from './options.js'

/** Placeholder until the point-cloud field lands. */
export function pointFeatureRows(cloud: PreparedCloud, options: GeometricOptions, seed: number): { values: Float32Array; dim: number } {
  void options
  void seed
  const values = new Float32Array(cloud.count * 3)
  values.set(cloud.positions)
  return { values, dim: 3 }
}
