import type { FeatureBackend, FeatureContext, FeatureField, PreparedCloud } from '../feature-field.js'
import type { PreparedMesh } from '../../prepare/prepared-mesh.js'
import { meshFeatureRows } from './mesh-features.js'
import { DEFAULT_GEOMETRIC_OPTIONS, type GeometricOptions } from './options.js'
import { pointFeatureRows } from './point-features.js'

/**
 * Creates the weight-free feature backend: per-face rows from the shape's own geometry, for
 * machines without PartField weights. `overrides` exist for benchmarks and tests.
 */
export function createGeometricBackend(overrides: Partial<GeometricOptions> = {}): FeatureBackend {
  const options: GeometricOptions = { ...DEFAULT_GEOMETRIC_OPTIONS, ...overrides }
  const settings = { ...options } as Record<string, number>

  return {
    name: 'geometric',
    device: 'cpu',
    async meshFeatures(mesh: PreparedMesh, context: FeatureContext): Promise<FeatureField> {
      const onStep = (fraction: number): void => {
        context.signal.throwIfAborted()
        context.onProgress(fraction)
      }
      onStep(0)
      const { values, dim } = meshFeatureRows(mesh, options, context.params.seed, onStep)
      context.onProgress(1)
      return { values, dim, count: mesh.triangles.length / 3, backend: 'geometric', settings }
    },
    async pointFeatures(cloud: PreparedCloud, context: FeatureContext): Promise<FeatureField> {
      context.signal.throwIfAborted()
      const { values, dim } = pointFeatureRows(cloud, options, context.params.seed)
      context.onProgress(1)
      return { values, dim, count: cloud.count, backend: 'geometric', settings }
    },
  }
}
